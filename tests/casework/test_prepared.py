"""Queries compiled once and inserts built once (casework.prepared) give what the ORM gives."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from casework import prepared
from casework.access import memberships, memberships_of
from casework.choices import CaseState as S
from casework.choices import DeadlineKind, DeadlineStatus
from casework.models import Case, CaseEvent, Deadline, DeadlineEntry, Membership, OutboxMessage
from casework.rules.calendar import stamp_columns
from tests.helpers import TODAY, drive, new_case

pytestmark = pytest.mark.sql


def _lock_query(case_id):
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__level")
        .annotate(**stamp_columns())
        .filter(pk=case_id)
    )


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_prepared_query_returns_the_rows_related_objects_and_annotations_of_its_queryset(org):
    cases = [new_case(org), new_case(org)]
    query = prepared.PreparedQuery(_lock_query, for_write=True)
    with transaction.atomic():
        for case in cases:  # the second call reuses the SQL compiled by the first
            [got] = query.fetch(case.pk)
            [expected] = _lock_query(case.pk)
            assert type(got) is Case and got._state.adding is False and got._state.db == "default"
            assert _values(got) == _values(expected)
            assert _values(got.unit) == _values(expected.unit)
            assert _values(got.unit.level) == _values(expected.unit.level)
            assert (got.calendar_rows, got.calendar_changed) == (
                expected.calendar_rows,
                expected.calendar_changed,
            )
        assert query.fetch(max(c.pk for c in cases) + 1000) == []


@pytest.mark.parametrize("key", [2**63, -(2**63) - 1, 53155091923097698304])
def test_a_key_no_column_can_hold_matches_nothing_as_in_the_orm(org, key):
    query = prepared.PreparedQuery(_lock_query, for_write=True)
    with transaction.atomic():
        assert list(_lock_query(key)) == []
        assert query.fetch(key) == []


def test_a_text_keyed_prepared_query_returns_what_the_orm_returns_and_nothing_for_a_nul(org):
    from rest_framework.authtoken.models import Token

    def build(key):
        return Token.objects.select_related("user").filter(key=key)

    tokens = [Token.objects.create(user=org.head), Token.objects.create(user=org.p_head)]
    query = prepared.PreparedQuery(build, key_type=str)
    for token in tokens:
        [got] = query.fetch(token.key)
        [expected] = build(token.key)
        assert _values(got) == _values(expected) and _values(got.user) == _values(expected.user)
    assert query.fetch("no-such-key") == []
    assert query.fetch(tokens[0].key + "\x00") == []


def test_a_prepared_query_runs_one_statement_per_call(org):
    query = prepared.PreparedQuery(
        lambda user_id: Membership.objects.filter(user_id=user_id).select_related("unit", "unit__level")
    )
    query.fetch(org.head.pk)
    with CaptureQueriesContext(connection) as captured:
        rows = query.fetch(org.p_head.pk)
    assert len(captured) == 1
    assert [(m.pk, m.role, m.unit.path) for m in rows] == [
        (m.pk, m.role, m.unit.path) for m in Membership.objects.filter(user=org.p_head)
    ]


def test_memberships_are_read_once_per_user_object(org):
    user = type(org.head).objects.get(pk=org.head.pk)
    with CaptureQueriesContext(connection) as captured:
        first, second = memberships(user), memberships(user)
    assert len(captured) == 1 and first is second
    assert {m.unit_id for m in first} == {org.commune.pk}


def test_an_insert_sets_keys_defaults_and_prepared_values_as_save_does(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    seen = []

    def record(sender, instance, **kwargs):
        seen.append((kwargs["signal"], instance.pk, kwargs.get("created")))

    pre_save.connect(record, sender=CaseEvent)
    post_save.connect(record, sender=CaseEvent)
    try:
        event = CaseEvent(case=case, actor=org.head, action="note", changes={"a": [1, "b"], "d": None})
        prepared.insert([event], send_signals=True)
    finally:
        pre_save.disconnect(record, sender=CaseEvent)
        post_save.disconnect(record, sender=CaseEvent)
    assert event.pk is not None and event._state.adding is False
    stored = CaseEvent.objects.get(pk=event.pk)
    assert _values(stored) == _values(event)
    assert stored.changes == {"a": [1, "b"], "d": None} and stored.note == ""
    assert seen == [(pre_save, None, None), (post_save, event.pk, True)]


def test_several_rows_go_in_one_statement_with_their_keys_in_order(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    clocks = list(Deadline.objects.filter(case=case).order_by("id"))
    entries = [
        DeadlineEntry(deadline=d, kind=DeadlineEntry.Kind.COMPLETE, on=TODAY, note=d.kind) for d in clocks
    ]
    with CaptureQueriesContext(connection) as captured:
        prepared.insert(entries)
    assert len(captured) == 1
    for entry, clock in zip(entries, clocks, strict=True):
        stored = DeadlineEntry.objects.get(pk=entry.pk)
        assert (stored.deadline_id, stored.note, stored.created_at) == (
            clock.pk,
            clock.kind,
            entry.created_at,
        )
        assert stored.created_at is not None


def test_an_upsert_overwrites_the_existing_row_and_returns_its_key(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    existing = Deadline.objects.get(case=case, kind=DeadlineKind.PROCESSING)
    again = Deadline(
        case=case,
        kind=DeadlineKind.PROCESSING,
        rule_code="test.rule",
        basis="test basis",
        day_type=existing.day_type,
        start_date=date(2026, 1, 5),
        base_days=7,
        due_date=date(2026, 1, 14),
        status=DeadlineStatus.RUNNING,
        reminder_working_days=1,
    )
    prepared.insert(
        [again], unique_fields=("case", "kind"), update_fields=("rule_code", "base_days", "due_date")
    )
    assert again.pk == existing.pk
    stored = Deadline.objects.get(pk=existing.pk)
    assert (stored.rule_code, stored.base_days, stored.due_date) == ("test.rule", 7, date(2026, 1, 14))
    assert stored.start_date == existing.start_date  # not among the columns to update


def test_an_expression_as_a_value_goes_through_the_orm(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    clock = Deadline.objects.filter(case=case).first()
    entry = DeadlineEntry(deadline=clock, kind=DeadlineEntry.Kind.EXTEND, on=TODAY, days=F("days") * 0 + 3)
    with pytest.raises(ValueError, match="F\\(\\) expressions can only be used to update"):
        prepared.insert([entry])  # what bulk_create says about F() in an INSERT


def test_an_outbox_message_inserted_this_way_reaches_the_relay_hook(org):
    case = new_case(org)
    hooked = []

    def record(sender, instance, created, **kwargs):
        hooked.append((instance.pk, created, instance.status))

    post_save.connect(record, sender=OutboxMessage)  # beside notifications.hooks.outbox_saved
    try:
        message = OutboxMessage(dedup_key="test:prepared", topic="case.test", case=case, payload={"x": 1})
        prepared.insert([message], send_signals=True)
    finally:
        post_save.disconnect(record, sender=OutboxMessage)
    assert hooked == [(message.pk, True, OutboxMessage.Status.PENDING)]
    assert OutboxMessage.objects.get(pk=message.pk).payload == {"x": 1}


def test_saving_named_fields_writes_them_with_auto_now_and_signals_as_save_does(org, frozen_today):
    frozen_today(TODAY)
    case = Case.objects.get(pk=drive(new_case(org), org, S.UNDER_REVIEW).pk)
    case.summary, case.version = "Tóm tắt mới", case.version + 7
    case.guidance = "not saved"  # not among the fields named
    seen = []

    def record(sender, instance, **kwargs):
        seen.append((kwargs["signal"], sender, kwargs["update_fields"], kwargs.get("created")))

    pre_save.connect(record, sender=Case)
    post_save.connect(record, sender=Case)
    before = Case.objects.get(pk=case.pk)
    try:
        prepared.save_fields(case, ["summary", "version", "updated_at"])
    finally:
        pre_save.disconnect(record, sender=Case)
        post_save.disconnect(record, sender=Case)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.summary, stored.version, stored.guidance) == (
        "Tóm tắt mới",
        before.version + 7,
        before.guidance,
    )
    assert stored.updated_at == case.updated_at and stored.updated_at >= before.updated_at
    names = frozenset({"summary", "version", "updated_at"})
    assert seen == [(pre_save, Case, names, None), (post_save, Case, names, False)]


def test_saving_fields_of_a_row_that_is_gone_fails_as_save_does(org):
    case = new_case(org)
    ghost = Case.objects.get(pk=case.pk)
    ghost.pk = case.pk + 10_000
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        prepared.save_fields(ghost, ["summary"])


def test_saving_fields_with_inserts_writes_all_of_them_with_keys_and_signals_in_order(org, frozen_today):
    frozen_today(TODAY)
    case = Case.objects.get(pk=drive(new_case(org), org, S.UNDER_REVIEW).pk)
    case.summary, case.version = "Tóm tắt khác", case.version + 1
    event = CaseEvent(
        case=case, actor=org.head, action="test", from_state="a", to_state="b", changes={"x": 1}
    )
    message = OutboxMessage(dedup_key="test:together", topic="case.test", case=case, payload={"y": [1, 2]})
    seen = []

    def record(sender, instance, **kwargs):
        seen.append((kwargs["signal"], sender, instance.pk))

    models = (Case, CaseEvent, OutboxMessage)
    for model in models:
        pre_save.connect(record, sender=model)
        post_save.connect(record, sender=model)
    try:
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            prepared.save_and_insert(case, ["summary", "version", "updated_at"], [event, message])
    finally:
        for model in models:
            pre_save.disconnect(record, sender=model)
            post_save.disconnect(record, sender=model)
    assert event.pk and message.pk and not event._state.adding and not message._state.adding
    assert Case.objects.values_list("summary", "version").get(pk=case.pk) == ("Tóm tắt khác", case.version)
    assert CaseEvent.objects.get(pk=event.pk).changes == {"x": 1}
    assert OutboxMessage.objects.get(pk=message.pk).payload == {"y": [1, 2]}
    together = connection.vendor == "postgresql"
    pre = [(pre_save, Case, case.pk), (pre_save, CaseEvent, None), (pre_save, OutboxMessage, None)]
    post = [
        (post_save, Case, case.pk),
        (post_save, CaseEvent, event.pk),
        (post_save, OutboxMessage, message.pk),
    ]
    # One statement: every pre_save before it and every post_save after it (with the keys), in order;
    # elsewhere each object's pair around its own statement, as save() sends them.
    assert seen == (pre + post if together else [s for pair in zip(pre, post, strict=True) for s in pair])
    writes = [q for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) == (1 if together else 3)


def test_saving_fields_with_inserts_of_a_row_that_is_gone_fails_and_writes_nothing(org):
    case = new_case(org)
    ghost = Case.objects.get(pk=case.pk)
    ghost.pk = case.pk + 10_000
    message = OutboxMessage(dedup_key="test:ghost", topic="case.test", case=case, payload={})
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        prepared.save_and_insert(ghost, ["summary"], [message])
    assert not OutboxMessage.objects.filter(dedup_key="test:ghost").exists()


def test_updating_rows_by_key_changes_those_rows_only(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    clocks = list(Deadline.objects.filter(case=case).order_by("id"))
    assert len(clocks) == 2
    assert prepared.update_rows(Deadline, [clocks[0].pk], status=DeadlineStatus.MET, completed_on=TODAY) == 1
    assert [(d.status, d.completed_on) for d in Deadline.objects.filter(case=case).order_by("id")] == [
        (DeadlineStatus.MET, TODAY),
        (clocks[1].status, None),
    ]
    both = [d.pk for d in clocks]
    assert prepared.update_rows(Deadline, both, status=DeadlineStatus.CANCELLED, completed_on=TODAY) == 2
    assert set(Deadline.objects.filter(pk__in=both).values_list("status", flat=True)) == {
        DeadlineStatus.CANCELLED
    }


def _clocks(ids):
    return Deadline.objects.filter(case_id__in=ids).order_by("id")


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_a_prepared_in_query_returns_what_its_queryset_returns_for_any_number_of_keys(org, count):
    cases = [new_case(org) for _ in range(count)]
    ids = [c.pk for c in cases]
    query = prepared.PreparedInQuery(_clocks)
    for keys in (ids, ids[:1], [*ids, max(ids) + 1000]):  # sizes share statements by power of two
        got, expected = query.fetch(keys), list(_clocks(keys))
        assert [_values(g) for g in got] == [_values(e) for e in expected] and got
        assert all(type(g) is Deadline and not g._state.adding and g._state.db == "default" for g in got)
        assert [g.case for g in got] == [e.case for e in expected]  # relations still load lazily
        with CaptureQueriesContext(connection) as ran:
            query.fetch(keys)
        # On PostgreSQL one statement for any number of keys, the keys as one array.
        assert ("= ANY(" in ran[0]["sql"]) is (connection.vendor == "postgresql")
    assert query.fetch([]) == [] and query.fetch([2**63]) == []


def test_instances_are_built_by_the_model_when_something_runs_on_init_or_assignment(org):
    from django.db.models.signals import post_init

    case = new_case(org)
    seen = []

    def record(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(record, sender=Deadline)
    try:
        [*got] = prepared.PreparedInQuery(_clocks).fetch([case.pk])
    finally:
        post_init.disconnect(record, sender=Deadline)
    assert got and len(seen) == len(got)
    assert prepared._plain_init(Deadline, [f.attname for f in Deadline._meta.concrete_fields])


def test_held_writes_run_in_the_order_held_as_parts_of_the_closing_statement(org, frozen_today):
    """On PostgreSQL what is held runs as the first parts of the closing statement (one statement in
    all), the part added first first, with its fields' defaults; elsewhere nothing is held."""
    frozen_today(TODAY)
    case = Case.objects.get(pk=drive(new_case(org), org, S.UNDER_REVIEW).pk)
    clock = Deadline.objects.filter(case=case).order_by("id").first()
    case.summary = "Tóm tắt khác"
    event = CaseEvent(case=case, actor=org.head, action="test", from_state="a", to_state="b")
    qn = connection.ops.quote_name
    with (
        CaptureQueriesContext(connection) as captured,
        transaction.atomic(),
        prepared.holding_writes(Case) as held,
    ):
        if connection.vendor != "postgresql":
            assert held is None
            return
        for note in ("first", "second"):
            held.add(
                *prepared.values_insert(
                    held.connection,
                    DeadlineEntry,
                    [{"deadline_id": clock.pk, "kind": "recompute", "on": TODAY, "note": note}],
                    returning=("id",),
                )
            )
        assert not DeadlineEntry.objects.filter(deadline=clock, kind="recompute").exists()  # held
        prepared.save_and_insert(case, ["summary"], [event])
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH")]
    assert len(writes) == 1 and f"INSERT INTO {qn(DeadlineEntry._meta.db_table)}" in writes[0]
    held_rows = DeadlineEntry.objects.filter(deadline=clock, kind="recompute").order_by("id")
    assert [(e.note, e.days, e.reason, e.created_at is not None) for e in held_rows] == [
        ("first", 0, "", True),
        ("second", 0, "", True),
    ]
    assert Case.objects.get(pk=case.pk).summary == "Tóm tắt khác" and event.pk


ONLY_POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="held on PostgreSQL only")


@pytest.mark.postgres
@ONLY_POSTGRES
def test_what_is_still_held_when_the_block_ends_runs_then_and_an_inner_block_runs_the_outers_first(org):
    case = new_case(org)
    clock = Deadline.objects.filter(case=case).order_by("id").first()

    def hold(held, note):
        held.add(
            *prepared.values_insert(
                held.connection,
                DeadlineEntry,
                [{"deadline_id": clock.pk, "kind": "recompute", "on": TODAY, "note": note}],
                returning=("id",),
            )
        )

    def notes():
        held = DeadlineEntry.objects.filter(deadline=clock, kind="recompute").order_by("id")
        return list(held.values_list("note", flat=True))

    with transaction.atomic():
        with prepared.holding_writes(Case) as outer:
            hold(outer, "outer")
            with prepared.holding_writes(Case) as inner:
                assert notes() == ["outer"]  # run as the inner block opened
                hold(inner, "inner")
            assert notes() == ["outer", "inner"]  # run as the inner block closed
            hold(outer, "outer again")
        assert notes() == ["outer", "inner", "outer again"]
        assert prepared.held_writes(Case) is None


@pytest.mark.postgres
@ONLY_POSTGRES
def test_held_writes_are_dropped_with_the_block_that_fails(org):
    case = new_case(org)
    clock = Deadline.objects.filter(case=case).order_by("id").first()
    with pytest.raises(RuntimeError), transaction.atomic(), prepared.holding_writes(Case) as held:
        held.add(
            *prepared.values_insert(
                held.connection,
                DeadlineEntry,
                [{"deadline_id": clock.pk, "kind": "recompute", "on": TODAY}],
                returning=("id",),
            )
        )
        raise RuntimeError("the transition failed")
    assert prepared.held_writes(Case) is None
    assert not DeadlineEntry.objects.filter(deadline=clock, kind="recompute").exists()


def test_a_case_built_by_storing_its_values_keeps_its_state_protected(org):
    # Case's state is django-fsm's protected descriptor, whose first assignment only stores the value.
    case = new_case(org)
    [row] = prepared.PreparedInQuery(lambda ids: Case.objects.filter(pk__in=ids)).fetch([case.pk])
    assert prepared._plain_init(Case, [f.attname for f in Case._meta.concrete_fields])
    assert _values(row) == _values(Case.objects.get(pk=case.pk))
    assert row.state == S.RECEIVED and not row._state.adding
    with pytest.raises(AttributeError):
        row.state = S.CLOSED
    # Only some columns (deferred fields): built by the model.
    assert not prepared._plain_init(Case, ["id", "state"])


def _page_querysets(org, admin):
    from api.views import case_queryset
    from casework.access import visible_cases
    from casework.selectors import overdue_cases

    for reader in (org.monitor, org.head, org.handler, admin):
        cases = case_queryset(visible_cases(reader))
        yield cases.order_by("-received_at", "-id")[:3]
        yield cases.order_by("-received_at", "-id")[1:3]
        yield cases.order_by("reference", "id")[:2]
        yield cases.order_by("due_date", "id")[:5]
        yield overdue_cases(cases, TODAY).order_by("-received_at", "-id")[:5]
        yield cases.filter(kind="complaint").order_by("-id")[:4]
        yield cases.filter(pk__in=[])  # nothing matches: the ordinary path
        yield cases.filter(unit=org.commune, received_at__lt=TODAY).order_by("-received_at", "-id")[:10]


def test_a_page_query_runs_the_sql_the_orm_compiles_and_builds_the_same_instances(org):
    from django.db.models.query import ModelIterable

    cases = [new_case(org, received_at=TODAY - timedelta(days=60)) for _ in range(3)]
    drive(cases[0], org, S.ACCEPTED, on=TODAY - timedelta(days=55))  # running clocks, overdue by now
    admin = type(org.monitor).objects.create_superuser("root-page", "root@example.org", "x")
    for _twice in range(2):  # the second time every shape is a remembered one
        for queryset in _page_querysets(org, admin):
            assert queryset._iterable_class is prepared.FastModelIterable
            ordinary = queryset._chain()
            ordinary._iterable_class = ModelIterable
            with CaptureQueriesContext(connection) as fast_sql:
                got = list(queryset._chain())
            with CaptureQueriesContext(connection) as orm_sql:
                expected = list(ordinary)
            assert [q["sql"] for q in fast_sql] == [q["sql"] for q in orm_sql]
            assert [_values(g) for g in got] == [_values(e) for e in expected]
            for g, e in zip(got, expected, strict=True):
                assert type(g) is Case and not g._state.adding and g._state.db == "default"
                assert _values(g.unit) == _values(e.unit)
                assert (g.due_date, g.first_appeal_id, g.calendar_rows) == (
                    e.due_date,
                    e.first_appeal_id,
                    e.calendar_rows,
                )
                assert getattr(g, "transfer_ids", None) == getattr(e, "transfer_ids", None)


@pytest.mark.postgres
@ONLY_POSTGRES
def test_rows_read_past_the_cursor_wrapper_equal_the_wrappers_rows_timestamps_included(org):
    # fetch_rows reads unwatched statements through a plain psycopg cursor with psycopg's compiled
    # timestamp loader: the same values, the same UTC tzinfo, the same JSON text as Django's cursor.
    new_case(org)
    sql = "SELECT id, created_at, updated_at, intake_flags, received_at FROM casework_case ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
        expected = cursor.fetchall()
    assert prepared._plain_cursor(connection) is not None  # nothing watches: the plain cursor serves
    rows = prepared.fetch_rows(connection, sql, [])
    assert rows == expected and rows
    for row, wrapped in zip(rows, expected, strict=True):
        assert row[1].tzinfo is UTC and row[1].isoformat() == wrapped[1].isoformat()
        assert type(row[3]) is type(wrapped[3])  # jsonb still as text, for JSONField's converter


@pytest.mark.postgres
@ONLY_POSTGRES
def test_watched_statements_go_through_the_connections_cursor(org):
    new_case(org)
    with CaptureQueriesContext(connection) as captured:
        prepared.fetch_rows(connection, "SELECT id FROM casework_case WHERE id > %s", [0])
    assert [q["sql"] for q in captured.captured_queries] == ["SELECT id FROM casework_case WHERE id > 0"]
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        prepared.fetch_rows(connection, "SELECT 1", [])
    assert seen == ["SELECT 1"]


@pytest.mark.postgres
@ONLY_POSTGRES
def test_a_failing_statement_read_past_the_wrapper_raises_djangos_error_and_marks_the_block(org):
    from django.db import ProgrammingError
    from django.db.transaction import TransactionManagementError

    with transaction.atomic():
        with pytest.raises(ProgrammingError), transaction.atomic():
            prepared.fetch_rows(connection, "SELECT no_such_column FROM casework_case", [])
        prepared.fetch_rows(connection, "SELECT 1", [])  # the savepoint rolled back: usable again
    with transaction.atomic():
        with pytest.raises(ProgrammingError):
            prepared.fetch_rows(connection, "SELECT no_such_column FROM casework_case", [])
        connection.needs_rollback = True
        with pytest.raises(TransactionManagementError):
            prepared.fetch_rows(connection, "SELECT 1", [])


def test_statements_fetched_together_give_what_each_gives_alone(org):
    cases = [new_case(org), new_case(org)]
    by_case = prepared.PreparedQuery(lambda pk: Case.objects.select_related("unit").filter(pk=pk))
    clocks = prepared.PreparedInQuery(lambda ids: Deadline.objects.filter(case_id__in=ids).order_by("id"))
    mine = prepared.PreparedQuery(memberships_of)
    ids = [c.pk for c in cases]
    statements = [by_case.statement(ids[0]), clocks.statement(ids), None, mine.statement(org.head.pk)]
    together = prepared.fetch_together(statements)
    alone = [by_case.fetch(ids[0]), clocks.fetch(ids), [], mine.fetch(org.head.pk)]
    assert [[_values(o) for o in rows] for rows in together] == [[_values(o) for o in rows] for rows in alone]
    assert _values(together[0][0].unit) == _values(alone[0][0].unit)
    assert together[1] and together[3]  # rows in every set, so the comparison means something
    # Nothing matchable (an empty key list, a key no column holds): no statement, no rows.
    assert clocks.statement([]) is None and by_case.statement(2**63) is None
    assert prepared.fetch_together([None, clocks.statement([])]) == [[], []]


def test_statements_fetched_together_are_one_round_trip_on_postgresql(org):
    case = new_case(org)
    by_case = prepared.PreparedQuery(lambda pk: Case.objects.filter(pk=pk))
    clocks = prepared.PreparedInQuery(lambda ids: Deadline.objects.filter(case_id__in=ids).order_by("id"))
    prepared.fetch_together([by_case.statement(case.pk), clocks.statement([case.pk])])
    with CaptureQueriesContext(connection) as captured:
        found, running = prepared.fetch_together([by_case.statement(case.pk), clocks.statement([case.pk])])
    assert [c.pk for c in found] == [case.pk]
    assert [d.pk for d in running] == list(
        Deadline.objects.filter(case=case).order_by("id").values_list("pk", flat=True)
    )
    assert len(captured) == (1 if connection.vendor == "postgresql" else 2)


def _ledgers(ids):
    return DeadlineEntry.objects.filter(deadline__case_id__in=ids).order_by("id")


@pytest.mark.parametrize("watched", [False, True])
def test_statements_fetched_together_return_what_each_returns_alone_in_one_round_trip(org, watched):
    cases = [new_case(org) for _ in range(3)]
    ids = [c.pk for c in cases]
    clocks, ledgers = prepared.PreparedInQuery(_clocks), prepared.PreparedInQuery(_ledgers)
    expected = [list(_clocks(ids)), list(_ledgers(ids)), []]
    assert expected[0] and expected[1]

    def together():
        return prepared.fetch_together([clocks.statement(ids), ledgers.statement(ids), clocks.statement([])])

    if watched:  # through the connection's cursor, which logs it as one statement
        with CaptureQueriesContext(connection) as ran:
            got = together()
    else:
        ran, got = None, together()
    for rows, wanted in zip(got, expected, strict=True):
        assert [(type(g), _values(g)) for g in rows] == [(type(e), _values(e)) for e in wanted]
        assert all(not g._state.adding and g._state.db == "default" for g in rows)
    if ran is not None:
        # On PostgreSQL one round trip for both statements; elsewhere one statement each.
        assert len(ran) == (1 if connection.vendor == "postgresql" else 2)
    # A clock's ledger reads as it does by the clocks' own ids.
    by_clock = prepared.PreparedInQuery(
        lambda k: DeadlineEntry.objects.filter(deadline_id__in=k).order_by("id")
    )
    assert [e.pk for e in got[1]] == [e.pk for e in by_clock.fetch([d.pk for d in got[0]])]


@pytest.mark.postgres
@ONLY_POSTGRES
def test_a_failing_statement_among_those_fetched_together_raises_djangos_error(org):
    from django.db import ProgrammingError

    failing = "SELECT id FROM casework_case WHERE id > %s; SELECT no_such_column FROM casework_case"
    with transaction.atomic():
        with pytest.raises(ProgrammingError), transaction.atomic():
            prepared.fetch_row_sets(connection, failing, [0], 2)
        # The connection is still usable afterwards.
        assert prepared.fetch_row_sets(connection, "SELECT 1; SELECT %s", [2], 2) == [[(1,)], [(2,)]]


def _session_statements() -> list[str]:
    with connection.connection.cursor() as cursor:  # raw: not a statement of the test's own
        cursor.execute("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time, name")
        return [row[0] for row in cursor.fetchall()]


_COUNT_ABOVE = "SELECT count(*) FROM casework_case WHERE id > %s"


@pytest.mark.postgres
@ONLY_POSTGRES
def test_hot_statements_run_as_prepared_statements_one_per_text_with_generic_plans(org):
    cases = [new_case(org), new_case(org)]
    by_case = prepared.PreparedQuery(lambda pk: Case.objects.select_related("unit").filter(pk=pk))
    clocks = prepared.PreparedInQuery(lambda ids: Deadline.objects.filter(case_id__in=ids).order_by("id"))
    before = _session_statements()
    # Small and large keys (psycopg would send int2, int4 or int8 by magnitude): one statement a text.
    for key in (cases[0].pk, cases[1].pk, 2**40):
        found, running = prepared.fetch_together([by_case.statement(key), clocks.statement([key])])
        assert [c.pk for c in found] == ([key] if key != 2**40 else [])
        assert [d.pk for d in running] == list(
            Deadline.objects.filter(case_id=key).order_by("id").values_list("pk", flat=True)
        )
    assert prepared.run_prepared(connection, _COUNT_ABOVE, [0]) == ([(2,)], 1)
    assert prepared.run_prepared(connection, _COUNT_ABOVE, [2**40]) == ([(0,)], 1)
    new = [s for s in _session_statements() if s not in before]
    assert len(new) == 3 and all("$1" in s for s in new)
    assert any('FROM "casework_deadline"' in s and "ANY($1)" in s for s in new)
    # Planned once each: the session uses the generic plans from the first call (generic_plans).
    with connection.connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
        cursor.execute("SELECT sum(custom_plans) FROM pg_prepared_statements")
        assert cursor.fetchone() == (0,)


@pytest.mark.postgres
@ONLY_POSTGRES
def test_watched_statements_are_not_prepared_and_are_seen_as_before(org):
    case = new_case(org)
    by_case = prepared.PreparedQuery(lambda pk: Case.objects.filter(pk=pk))
    before = _session_statements()
    with CaptureQueriesContext(connection) as captured:
        assert [c.pk for c in by_case.fetch(case.pk)] == [case.pk]
        assert prepared.run_prepared(connection, _COUNT_ABOVE, [0]) == ([(1,)], 1)
    assert len(captured) == 2 and captured[1]["sql"] == _COUNT_ABOVE % 0
    assert _session_statements() == before


@pytest.mark.postgres
@ONLY_POSTGRES
def test_prepared_statements_can_be_turned_off(org, settings):
    settings.PREPARED_STATEMENTS = False
    case = new_case(org)
    by_case = prepared.PreparedQuery(lambda pk: Case.objects.filter(pk=pk))
    clocks = prepared.PreparedInQuery(lambda ids: Deadline.objects.filter(case_id__in=ids).order_by("id"))
    before = _session_statements()
    found, _running = prepared.fetch_together([by_case.statement(case.pk), clocks.statement([case.pk])])
    assert [c.pk for c in found] == [case.pk]
    assert prepared.run_prepared(connection, _COUNT_ABOVE, [0]) == ([(1,)], 1)
    assert _session_statements() == before


@pytest.mark.postgres
@ONLY_POSTGRES
def test_a_failing_prepared_statement_raises_djangos_error_and_the_savepoint_recovers(org):
    from django.db import ProgrammingError

    new_case(org)
    bad = "SELECT no_such_column FROM casework_case WHERE id > %s"
    with transaction.atomic():
        assert prepared.run_prepared(connection, _COUNT_ABOVE, [0]) == ([(1,)], 1)
        with pytest.raises(ProgrammingError), transaction.atomic():
            prepared.run_prepared(connection, bad, [0])
        with pytest.raises(ProgrammingError), transaction.atomic():
            prepared.fetch_prepared_sets(connection, [(_COUNT_ABOVE, [0]), (bad, [0])])
        # Rolled back to the savepoints: the statement prepared before still runs, alone and pipelined.
        assert prepared.run_prepared(connection, _COUNT_ABOVE, [0]) == ([(1,)], 1)
        assert prepared.fetch_prepared_sets(connection, [(_COUNT_ABOVE, [0]), ("SELECT %s", ["x"])]) == [
            [(1,)],
            [("x",)],
        ]


@pytest.mark.postgres
@ONLY_POSTGRES
def test_psycopg_deallocates_the_least_recently_used_beyond_prepared_max(db):
    connection.ensure_connection()
    raw = connection.connection
    kept = raw.prepared_max
    raw.prepared_max = 2
    try:
        texts = [f"SELECT %s::int8 + {i}" for i in range(3)]
        for i, sql in enumerate(texts):
            assert prepared.run_prepared(connection, sql, [1]) == ([(1 + i,)], 1)
        assert prepared.run_prepared(connection, "SELECT 1", []) == ([(1,)], 1)  # sends the DEALLOCATE
        statements = _session_statements()
        assert "SELECT $1::int8 + 0" not in statements and "SELECT $1::int8 + 2" in statements
        assert prepared.run_prepared(connection, texts[0], [1]) == ([(1,)], 1)  # prepared again
    finally:
        raw.prepared_max = kept


@pytest.mark.postgres
@ONLY_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_prepared_statements_are_prepared_again_after_a_rollback_and_after_a_new_connection():
    by_case = prepared.PreparedQuery(lambda pk: Case.objects.filter(pk=pk))
    clocks = prepared.PreparedInQuery(lambda ids: Deadline.objects.filter(case_id__in=ids).order_by("id"))

    def run() -> tuple:
        found = prepared.fetch_together([by_case.statement(1), clocks.statement([1])])
        return found, prepared.run_prepared(connection, _COUNT_ABOVE, [0])

    assert run() == ([[], []], ([(0,)], 1))
    assert len(_session_statements()) == 3
    # A rolled-back transaction: psycopg forgets (DEALLOCATE ALL) what the session had prepared.
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert run() == ([[], []], ([(0,)], 1))
        raise ZeroDivisionError
    assert _session_statements() == []
    assert run() == ([[], []], ([(0,)], 1))
    assert len(_session_statements()) == 3
    # A new connection (CONN_MAX_AGE, a failed health check): a new session, prepared again.
    pid = connection.connection.info.backend_pid
    connection.close()
    assert run() == ([[], []], ([(0,)], 1))
    assert connection.connection.info.backend_pid != pid
    assert len(_session_statements()) == 3
    with connection.connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
