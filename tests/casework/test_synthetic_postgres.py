"""The generator's COPY path on PostgreSQL: the same rows as the bulk_create path SQLite uses, for the
same seed, and the schema it found (foreign keys and indexes set aside during the load) left exactly
as it was, whether the run succeeds or fails."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction

from casework.choices import Role
from casework.models import (
    Case,
    CaseEvent,
    CaseParty,
    Deadline,
    DeadlineEntry,
    Dialogue,
    Membership,
    Party,
    ReferenceCounter,
    Unit,
    Visit,
)
from demo.synthetic import PREFIX, Generator, Progress
from demo.synthetic.writer import Table, Writer
from tests.factories import UnitFactory, register, staff

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path"),
]

User = get_user_model()
GENERATED = [
    Unit,
    User,
    Membership,
    ReferenceCounter,
    Party,
    Case,
    CaseParty,
    Deadline,
    DeadlineEntry,
    CaseEvent,
    Visit,
    Visit.visitors.through,
    Visit.cases.through,
    Dialogue,
    Dialogue.cases.through,
]


def stamped(field: models.Field) -> bool:
    """Columns that hold the time of the run (or a random unusable password), not the data: bulk_create
    stamps auto_now fields itself."""
    return (
        getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or field.attname in ("password", "date_joined")
    )


def rows() -> dict[str, list[tuple]]:
    return {
        model._meta.db_table: list(
            model.objects.order_by("pk").values_list(
                *(f.attname for f in model._meta.concrete_fields if not stamped(f))
            )
        )
        for model in GENERATED
    }


def schema() -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef, obj_description(to_regclass(indexname), 'pg_class') "
            "FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY conname"
        )
        constraints = cursor.fetchall()
    return {"indexes": indexes, "constraints": constraints}


def generate(*, copy: bool, seed: int = 5, units: int = 14, workers: int = 1) -> Generator:
    # Staff, levels and memberships take their ids from sequences, which a rolled-back run does not
    # give back: start both runs from the same values so that rows compare column for column.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(sql)
    generator = Generator(
        units=units,
        cases=600,
        years=2,
        seed=seed,
        until=date(2026, 5, 20),
        batch=150,  # several COPY batches, one in flight while the next is generated
        audit=True,
        progress=Progress(600, io.StringIO(), enabled=False),
        stdout=io.StringIO(),
        copy=copy,
        workers=workers,
    )
    generator.run()
    return generator


def test_copy_writes_the_same_rows_as_bulk_create_for_the_same_seed(db):
    results = {}
    for copy in (True, False):
        with transaction.atomic():
            generate(copy=copy)
            results[copy] = rows()
            transaction.set_rollback(True)
    copied, bulk = results[True], results[False]
    assert {t: len(r) for t, r in copied.items()} == {t: len(r) for t, r in bulk.items()}
    assert len(copied[Case._meta.db_table]) >= 580 and len(copied[CaseEvent._meta.db_table]) > 2000
    for table in copied:
        assert copied[table] == bulk[table], table


def test_copy_lines_carry_any_text_and_json_exactly_as_bulk_create_does(db):
    """The generator's own texts never hold a character COPY text escapes; the lines must still carry
    them (backslashes, tabs, newlines, quotes, control characters), and nulls, defaults and JSON."""
    awkward = 'Lê "Văn"\\ An\tB\nC\rD\x08\x0c\x0b \\N end'
    values = [
        {"full_name": awkward, "search_name": "plain", "address": "", "phone": "\\", "id_number": "x\ty"},
        {"full_name": "Nguyễn Thị Mai (syn)", "search_name": "nguyen thi mai", "id_number": "S1"},
    ]
    changes = [
        {},
        {"state": ["received", "under_review"]},
        {"state": ["a", "b"], "note": [None, awkward], "n": [1, True], "x": [False, 2.5]},
        {"nested": {"list": [1, "two", None]}, "quote": 'say "hi"\\'},
    ]
    results = {}
    for copy in (True, False):
        with transaction.atomic():
            unit = UnitFactory()
            case = register(unit, staff(unit, Role.RECEPTION_OFFICER), received_at=date(2026, 1, 2))
            parties, events = Table(Party, first_free(Party), text=copy), Table(CaseEvent, 10**6, text=copy)
            ids = [parties.add(dict(v)) for v in values]
            for c in changes:
                events.add({"case_id": case.pk, "action": "register", "to_state": "received", "changes": c})
            writer = Writer([parties, events], batch_size=100, copy=copy)
            writer.flush()
            writer.wait()
            results[copy] = (
                list(
                    Party.objects.filter(pk__in=ids)
                    .order_by("pk")
                    .values_list("full_name", "search_name", "address", "phone", "id_number", "kind")
                ),
                list(
                    CaseEvent.objects.filter(case=case, pk__gte=10**6)
                    .order_by("pk")
                    .values_list("changes", "actor_id")
                ),
            )
            transaction.set_rollback(True)
    copied, bulk = results[True], results[False]
    assert copied[0] == bulk[0]
    assert copied[0][0][0] == awkward and copied[0][0][3] == "\\"
    assert copied[1] == bulk[1] == [(c, None) for c in changes]


def test_row_adders_write_what_add_writes_and_check_untrusted_text(db):
    """The positional adders (the generator's hot path) give the rows `Table.add` gives, on COPY and on
    bulk_create, with awkward text in a column not declared trusted, nulls, dates and defaults, and in
    a constant (written into the compiled line's source)."""
    awkward = 'Lê "Văn"\\ An\tB\nC\x08 \\N end'
    constant = 'f"{x}" {{y}} \\ \\N \t\x01 Đặng'
    results = {}
    for copy in (True, False):
        with transaction.atomic():
            unit = UnitFactory()
            case = register(unit, staff(unit, Role.RECEPTION_OFFICER), received_at=date(2026, 1, 2))
            start = first_free(Party)
            by_dict, by_adder = Table(Party, start, text=copy), Table(Party, start + 10, text=copy)
            add = by_adder.adder(
                "full_name", "search_name", "address", trusted=("search_name",), constants={"phone": constant}
            )
            for name in (awkward, "Nguyễn Thị Mai (syn)"):
                by_dict.add({"full_name": name, "search_name": "plain", "address": name, "phone": constant})
                add(name, "plain", name)
            events = Table(CaseEvent, 10**6, text=copy)
            add_event = events.adder(
                "case_id", "actor_id", "action", "to_state", "changes", trusted=("changes",)
            )
            add_event(case.pk, None, "register", "received", '{"state": ["", "received"], "n": [null, 2]}')
            writer = Writer([by_dict, by_adder, events], batch_size=100, copy=copy)
            writer.flush()
            writer.wait()
            parties = list(
                Party.objects.filter(pk__gte=start)
                .order_by("pk")
                .values_list("full_name", "search_name", "address", "phone", "kind")
            )
            results[copy] = (
                parties,
                list(
                    CaseEvent.objects.filter(pk=10**6).values_list(
                        "action", "to_state", "changes", "actor_id"
                    )
                ),
            )
            transaction.set_rollback(True)
    copied, bulk = results[True], results[False]
    assert copied == bulk
    assert copied[0][:2] == copied[0][2:] and copied[0][0][0] == awkward
    assert {party[3] for party in copied[0]} == {constant}
    assert copied[1] == [("register", "received", {"state": ["", "received"], "n": [None, 2]}, None)]


def first_free(model) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


@pytest.mark.django_db(transaction=True)
def test_worker_processes_write_the_same_rows_as_one_process_for_the_same_seed():
    # 370 units make three provinces: one of the two workers takes a second when it is done.
    with transaction.atomic():  # one process, rolled back
        one = generate(copy=True, units=370)
        assert one.workers == 1
        sequential = rows()
        transaction.set_rollback(True)
    before = schema()
    parallel = generate(copy=True, units=370, workers=2)  # committed by each worker
    assert parallel.workers == 2
    assert schema() == before
    assert len(sequential[Case._meta.db_table]) >= 580
    for table, expected in sequential.items():
        assert rows()[table] == expected, table


@pytest.mark.django_db(transaction=True)
def test_a_failed_worker_rolls_back_every_worker_and_the_tree(monkeypatch):
    before = schema()
    generate_province = Generator.generate_province

    def failing(self, province):
        if province == 1:
            raise RuntimeError("province 1 interrupted")
        generate_province(self, province)

    monkeypatch.setattr(Generator, "generate_province", failing)
    with pytest.raises(RuntimeError, match="province 1 interrupted"):
        generate(copy=True, units=260, workers=2)
    assert schema() == before
    assert not Unit.objects.filter(code__startswith=PREFIX).exists()
    assert not Case.objects.exists() and not Party.objects.exists()


def test_copy_run_leaves_every_index_and_constraint_as_it_found_them(db):
    before = schema()
    with transaction.atomic():
        generate(copy=True)
        assert schema() == before  # re-created, validated, with their comments
        assert Deadline.objects.exists() and CaseEvent.objects.exists()
        transaction.set_rollback(True)


def test_a_failed_run_rolls_back_to_the_schema_and_data_it_found(db, monkeypatch):
    before = schema()

    simulate, calls = Generator.simulate, []

    def interrupted(self, spec):
        calls.append(spec)
        if len(calls) == 400:  # batches of 150 cases already copied, one maybe in flight
            raise RuntimeError("interrupted")
        simulate(self, spec)

    monkeypatch.setattr(Generator, "simulate", interrupted)
    with pytest.raises(RuntimeError, match="interrupted"):
        generate(copy=True)
    assert schema() == before
    assert not Unit.objects.filter(code__startswith=PREFIX).exists()
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_table_whose_indexes_fail_to_come_back_is_named_and_the_other_tables_are_restored():
    before = schema()
    writer = Writer([Table(Party, 1), Table(CaseEvent, 1)], batch_size=10)
    dropped = writer.set_aside()  # committed at once (autocommit)
    events = CaseEvent._meta.db_table
    sabotaged = [
        item._replace(create=item.create.replace("(actor_id)", "(no_such_column)"))
        if item.table == events and not item.key
        else item
        for item in dropped
    ]
    assert sabotaged != dropped
    try:
        with pytest.raises(RuntimeError, match="still to run") as raised:
            Writer.restore_in_parallel(sabotaged, connections=2)
        message = str(raised.value)
        assert "no_such_column" in message and f"ALTER TABLE {events} VALIDATE CONSTRAINT" in message
        assert Party._meta.db_table not in message
        after = schema()
        assert [i for i in after["indexes"] if i[0] != events] == [
            i for i in before["indexes"] if i[0] != events
        ]
        assert len(after["indexes"]) < len(before["indexes"])
        # The event table's other indexes and its primary key are back; its keys are there, not yet
        # validated (a table missing an index is left for the statements the error lists).
        assert {c[3] for c in after["constraints"] if c[0] == events and "FOREIGN KEY" in c[2]} == {False}
        assert any(c[0] == events and c[2] == "PRIMARY KEY (id)" for c in after["constraints"])
    finally:
        with connection.cursor() as cursor:
            for item, broken in zip(dropped, sabotaged, strict=True):
                if item.key and item.table == events:
                    cursor.execute(f"ALTER TABLE {events} VALIDATE CONSTRAINT {item.key}")
                elif broken != item:
                    cursor.execute(item.create)
    assert schema() == before


def test_generator_prints_the_seconds_of_each_phase_at_verbosity_two(db):
    out = io.StringIO()
    with transaction.atomic():  # one process inside a transaction: generation and writing are one phase
        call_command(
            "generate_synthetic", units=3, cases=10, years=1, no_progress=True, verbosity=2, stdout=out
        )
        transaction.set_rollback(True)
    text = out.getvalue()
    assert re.search(r"^  generate, write and re-create keys and indexes: \d+\.\ds$", text, re.M)
    assert re.search(r"^  analyze: \d+\.\ds$", text, re.M)
    assert "worker" not in text
