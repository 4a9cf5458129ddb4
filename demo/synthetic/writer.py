"""Rows written in bulk: ids assigned in memory so related rows can point at them, then COPY on
PostgreSQL or bulk_create elsewhere.

On PostgreSQL the whole run is one transaction (`Writer.session`). Its indexes, primary keys, unique
constraints and foreign keys are dropped at the start and re-created at the end from their own
definitions, read from the catalog just before: checking a key or updating an index row by row costs
several times the COPY itself, and
building them once over the loaded table is a single sort or join. DDL is transactional there, so a
failed or interrupted run rolls back to the schema it found. Each batch's COPY runs in a thread while
the next batch is generated, so the server ingests on one core while Python computes on the other.
Elsewhere each flush is a transaction of bulk_create statements.

For COPY a row becomes its line of COPY text as it is added (`Table.add`), by a function compiled per
table from its fields: no per-row merge with the defaults (their text is a constant in the line), no
tuple, no per-cell adaptation by psycopg, and a batch goes out as one string per table. The hot rows
skip even the dict: `Table.adder` compiles, for the columns a call site gives, a function taking
them positionally (the other columns constant text in the line). Rows and their values are the same
as on the bulk_create path, where the same adders build tuples (tests compare the two).
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.utils import timezone


def first_id(model: type[models.Model]) -> int:
    """The first id free in `model`'s table."""
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


class Table:
    """Rows of one model with ids assigned here, so that related rows can point at them.

    Each province's rows take every `stride`-th id from `start` (its `offset` first), so that
    provinces generated in separate processes never collide and each gets the same ids whatever the
    number of processes."""

    def __init__(
        self,
        model: type[models.Model],
        start: int,
        stride: int = 1,
        offset: int = 0,
        text: bool = False,
        only: frozenset[str] | None = None,  # the columns `add` may be given (the rest: defaults)
    ):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.attname for f in self.fields]
        self.json_columns = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.defaults = {}
        now = timezone.now()
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            else:
                self.defaults[f.attname] = f.get_default()
        self._getter = itemgetter(*self.columns)
        self.next_id, self.stride = start + offset, stride
        self.rows: list = []  # tuples, or lines of COPY text (`text`)
        self.written = 0
        self.text = text
        if text:
            self._line = compile_line(self.fields, self.defaults, only)

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id = pk + self.stride
        return pk

    def adder(
        self,
        *columns: str,
        trusted: tuple[str, ...] = (),
        constants: dict[str, Any] | None = None,
        with_id: bool = False,
    ):
        """A function adding one row from its values in `columns`' order (the rest take their
        default, or `constants`), returning its id: the generator's hot path, with no dict per row.

        With `with_id` the id comes first among the values (assigned earlier with `new_id`). Text in
        `trusted` columns is the generator's own (printable, no backslash; JSON columns: JSON text)
        and goes into the line as it is; other text is checked as `add` does."""
        return compile_adder(self, columns, frozenset(trusted), constants or {}, with_id)

    def add(self, values: dict[str, Any]) -> int:
        if "id" not in values:
            values["id"] = self.new_id()
        if self.text:
            self.rows.append(self._line(values))
        else:
            self.rows.append(self._getter({**self.defaults, **values}))
        return values["id"]


class SetAside(NamedTuple):
    """An index, primary key, unique constraint or foreign key `Writer.set_aside` dropped."""

    table: str  # the table's name as SQL (quoted if need be)
    key: str | None  # a foreign key's name as SQL; None for the others
    create: str  # CREATE INDEX ... or ALTER TABLE ... ADD CONSTRAINT ...
    comment: str | None  # COMMENT ON ..., when it had one
    # A primary key or unique constraint in two steps (`Writer.restore_in_parallel`): its index built
    # (CREATE UNIQUE INDEX, beside the table's other index builds), then the constraint made of it
    # (ALTER TABLE ... ADD CONSTRAINT ... USING INDEX, at once).
    build: str | None = None
    attach: str | None = None

    def statements(self) -> list[str]:
        return [self.create, self.comment] if self.comment else [self.create]


def _referenced_table(create: str) -> str:
    """The table a foreign key's ADD CONSTRAINT statement references (`pg_get_constraintdef`'s text)."""
    return create.split(" REFERENCES ", 1)[1].split("(", 1)[0].strip()


def connect():
    """A psycopg connection of its own to Django's database (worker processes, restore threads)."""
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


class Writer:
    """COPY on PostgreSQL (in a thread, overlapping the generation), bulk_create (5,000 a statement)
    elsewhere."""

    def __init__(self, tables: list[Table], batch_size: int, copy: bool | None = None, raw=None):
        self.tables = tables  # in dependency order
        self.batch_size = batch_size
        self.copy = connection.vendor == "postgresql" if copy is None else copy
        self.raw = raw  # a worker process's own psycopg connection (None: Django's)
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    # --- The run -----------------------------------------------------------------------------------

    @contextmanager
    def session(self):
        """The whole run: on PostgreSQL one transaction with the tables' keys and indexes set
        aside, and restored exactly before it commits."""
        if not self.copy:
            yield
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Losing the run in a crash is harmless here (it rolls back anyway); waiting is not.
                cursor.execute("SET LOCAL synchronous_commit = off")
            restore = self.set_aside()
            try:
                yield
                self.wait()
            except BaseException:
                self._join()  # never leave a thread on the connection while the transaction rolls back
                raise
            self.restore(restore)

    @staticmethod
    def restore(dropped: list[SetAside]) -> None:
        """Re-create what `set_aside` dropped (in the current transaction)."""
        with connection.cursor() as cursor:
            # Index builds sort in memory when they can (at 1,000,000 cases the largest, 6 million
            # rows, spilled to disk at 256MB: 10-20 % more CPU), and may use parallel workers.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for item in dropped:
                for sql in item.statements():
                    cursor.execute(sql)

    @staticmethod
    def restore_in_parallel(dropped: list[SetAside], connections: int) -> None:
        """Re-create what `set_aside` dropped on `connections` connections of their own, side by side
        (used once the loaded rows are committed, by `parallel`).

        One transaction cannot span connections, so this is not atomic, but it ends with the schema
        exactly as `restore` leaves it, in three steps:

        1. every index is built in a transaction of its own on whichever connection is free, the
           largest tables' first (the indexes of primary keys and unique constraints too, as plain
           unique indexes): CREATE INDEX locks its table in SHARE mode, so the indexes of one table
           are built side by side as well and the connections stay busy to the end;
        2. in one transaction on Django's connection, at once: the primary keys and unique
           constraints made of their indexes (ADD CONSTRAINT ... USING INDEX), each foreign key added
           back `NOT VALID` (no scan; it needs the unique index it references);
        3. per table, on whichever connection is free, its keys validated (`VALIDATE CONSTRAINT` runs
           the same check as adding them valid, and the constraint ends the same, `convalidated`) and
           the table analyzed: every table of the schema, as a plain ANALYZE would.

        What fails is rolled back alone and the rest goes on (a key referencing a table whose index
        failed is not added; the keys of such a table are not validated), and the error names the
        statements still to run."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.oid::regclass::text, pg_relation_size(c.oid) FROM pg_class c "
                "WHERE c.relkind IN ('r', 'm', 'p') AND c.relnamespace = current_schema()::regnamespace"
            )
            sizes = dict(cursor.fetchall())
            cursor.execute(
                "SELECT n, pg_relation_size(to_regclass(n)) FROM unnest(%s::text[]) AS n",
                [sorted({item.table for item in dropped})],
            )
            sizes.update(cursor.fetchall())
        failed: list[tuple[list[str], BaseException]] = []
        left: list[str] = []
        # 1. Index builds, the largest tables' first (so that the last to finish are small ones).
        builds = [
            (item, [item.build] if item.build else item.statements()) for item in dropped if not item.key
        ]
        builds.sort(key=lambda b: -sizes.get(b[0].table, 0))
        unstarted = Writer._side_by_side([s for _i, s in builds], connections, failed)
        left += [sql for statements in unstarted for sql in statements]
        undone = {id(s) for s, _exc in failed} | {id(s) for s in unstarted}
        broken = {item.table for item, statements in builds if id(statements) in undone}
        # 2. Constraints made of their indexes, keys added back NOT VALID: catalog changes only.
        attach = [item for item, statements in builds if item.attach and id(statements) not in undone]
        left += [item.attach for item, statements in builds if item.attach and id(statements) in undone]
        keys = [item for item in dropped if item.key]
        waiting = [item for item in keys if _referenced_table(item.create) in broken]
        ready = [item for item in keys if item not in waiting]
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for item in attach:
                    cursor.execute(item.attach)
                    if item.comment:
                        cursor.execute(item.comment)
                for item in ready:
                    cursor.execute(f"{item.create} NOT VALID")
                    if item.comment:
                        cursor.execute(item.comment)
        except Exception as exc:
            statements = [item.attach for item in attach] + [s for item in ready for s in item.statements()]
            failed.append((statements, exc))
            broken |= {item.table for item in attach + ready}
            ready = []
        # 3. Keys validated and tables analyzed, a table at a time.
        per_table: dict[str, list[str]] = {table: [] for table in sizes}
        for item in ready:
            sql = f"ALTER TABLE {item.table} VALIDATE CONSTRAINT {item.key}"
            (left if item.table in broken else per_table.setdefault(item.table, [])).append(sql)
        for table, statements in per_table.items():
            statements.append(f"ANALYZE {table}")
        work = sorted(per_table.items(), key=lambda kv: -sizes.get(kv[0], 0))
        for statements in Writer._side_by_side([s for _t, s in work], connections, failed):
            left += statements
        left = [s for statements, _exc in failed for s in statements] + left
        left += [s for item in waiting for s in item.statements()]
        if left:
            raise RuntimeError(
                "re-creating the synthetic tables' indexes and keys failed; still to run:\n"
                + ";\n".join(left)
            ) from failed[0][1] if failed else None

    @staticmethod
    def _side_by_side(
        work: list[list[str]], connections: int, failed: list[tuple[list[str], BaseException]]
    ) -> list[list[str]]:
        """Run each list of statements in one transaction, in `work`'s order, on `connections`
        connections of their own; a failure (appended to `failed`) rolls back that list alone.
        Returns the lists never started (no connection could be opened)."""
        queue = list(work)
        lock = threading.Lock()

        def run() -> None:
            try:
                raw = connect()
            except Exception as exc:
                with lock:
                    failed.append(([], exc))
                return
            with raw:
                raw.execute("SET synchronous_commit = off")
                raw.execute("SET maintenance_work_mem = '512MB'")  # as `restore`
                raw.commit()
                while True:
                    with lock:
                        if not queue:
                            return
                        statements = queue.pop(0)
                    try:
                        with raw.transaction():
                            for sql in statements:
                                raw.execute(sql)
                    except Exception as exc:  # these statements are rolled back; the others go on
                        with lock:
                            failed.append((statements, exc))

        threads = [threading.Thread(target=run, name=f"synthetic-restore-{i}") for i in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return queue

    def set_aside(self) -> list[SetAside]:
        """Drop the written tables' indexes and their primary-key and unique constraints, and every
        foreign key from or to them (a key needs the referenced table's unique index); returns what
        re-creates them as they were, comments included, in an order that can re-create them: the
        constraints' and plain indexes first, table by table, then the foreign keys.

        The unique indexes go too: checking each row against them as it is copied cost 20-50 % of
        the COPY's server time (page splits where workers' interleaved ids meet), building them once
        after the load a tenth of that; a duplicate would still be refused, by the re-creation."""
        names = [t.db_table for t in self.tables]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT format('DROP INDEX %%s', i.indexrelid::regclass), i.indrelid::regclass::text, NULL,
                       pg_get_indexdef(i.indexrelid),
                       CASE WHEN obj_description(i.indexrelid, 'pg_class') IS NOT NULL
                       THEN format('COMMENT ON INDEX %%s IS %%L', i.indexrelid::regclass,
                                   obj_description(i.indexrelid, 'pg_class')) END
                FROM pg_index i
                WHERE i.indrelid = ANY (SELECT to_regclass(n) FROM unnest(%s::text[]) AS n)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                                  AND c.conrelid = i.indrelid)
                ORDER BY i.indexrelid
                """,
                [names],
            )
            indexes = cursor.fetchall()
            written = "ANY (SELECT to_regclass(n) FROM unnest(%s::text[]) AS n)"
            constraint = """
                SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', c.conrelid::regclass, c.conname),
                       c.conrelid::regclass::text, {key},
                       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', c.conrelid::regclass, c.conname,
                              pg_get_constraintdef(c.oid)),
                       CASE WHEN obj_description(c.oid, 'pg_constraint') IS NOT NULL
                       THEN format('COMMENT ON CONSTRAINT %%I ON %%s IS %%L', c.conname,
                                   c.conrelid::regclass, obj_description(c.oid, 'pg_constraint')) END
                       {more}
                FROM pg_constraint c
                WHERE {where}
                ORDER BY c.oid
                """
            cursor.execute(
                constraint.format(
                    key="NULL",
                    more="""
                       , pg_get_indexdef(c.conindid),
                       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s USING INDEX %%s', c.conrelid::regclass,
                              c.conname, CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END,
                              c.conindid::regclass,
                              CASE WHEN c.condeferred THEN ' DEFERRABLE INITIALLY DEFERRED'
                                   WHEN c.condeferrable THEN ' DEFERRABLE' ELSE '' END)""",
                    where=f"c.contype IN ('p', 'u') AND c.conrelid = {written}",
                ),
                [names],
            )
            uniques = cursor.fetchall()
            cursor.execute(
                constraint.format(
                    key="quote_ident(c.conname)",
                    more="",
                    where=f"c.contype = 'f' AND (c.conrelid = {written} OR c.confrelid = {written})",
                ),
                [names, names],
            )
            keys = cursor.fetchall()
            for drop, *_rest in keys + uniques + indexes:
                cursor.execute(drop)
        return [SetAside(*rest) for _drop, *rest in uniques + indexes + keys]

    # --- Batches -----------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the rows gathered so far (on PostgreSQL: hand them to the COPY thread and return)."""
        batch = []
        for table in self.tables:
            if table.rows:
                batch.append((table, table.rows))
                table.written += len(table.rows)
                table.rows = []
        if not self.copy:
            with transaction.atomic():
                for table, rows in batch:
                    objs = [table.model(**dict(zip(table.columns, row, strict=True))) for row in rows]
                    table.model.objects.bulk_create(objs, batch_size=self.batch_size)
            return
        self.wait()  # one batch in flight: the connection serves one COPY at a time
        # The raw psycopg connection: Django's wrapper is per thread, and this one leaves the
        # connection alone until it has joined the COPY thread.
        raw = self.raw or connection.connection
        self._thread = threading.Thread(target=self._copy_batch, args=(raw, batch), name="synthetic-copy")
        self._thread.start()

    def wait(self) -> None:
        """Wait for the batch in flight; raise what it failed with."""
        self._join()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _copy_batch(self, raw, batch: list[tuple[Table, list[str]]]) -> None:
        try:
            with raw.cursor() as cursor:
                for table, lines in batch:
                    self._copy(cursor, table, lines)
        except BaseException as exc:  # handed to the main thread by wait()
            self._failure = exc

    @staticmethod
    def _copy(cursor, table: Table, lines: list[str]) -> None:
        quote = connection.ops.quote_name
        sql = f"COPY {quote(table.db_table)} ({', '.join(quote(c) for c in table.columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for i in range(0, len(lines), 50_000):  # a few MB a write
                copy.write("".join(lines[i : i + 50_000]))


# --- COPY text ------------------------------------------------------------------------------------

NULL = "\\N"
_SPECIAL = str.maketrans(
    {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\b": "\\b", "\f": "\\f", "\v": "\\v"}
)


def text_cell(value: Any) -> str:
    """A text value as a COPY text cell: escaped only when it holds a backslash or a control character
    (the generator's texts almost never do, and checking is several times cheaper than escaping)."""
    if value is None:
        return NULL
    if type(value) is not str:
        value = str(value)  # TextChoices members: their value
    if "\\" not in value and value.isprintable():
        return value
    return value.translate(_SPECIAL)


# None is a key too: the compiled lines' `DATES.get(x) or date_cell(x)` then finds a null at once.
_DATES: dict[date | None, str] = {None: NULL}


def date_cell(value: date | None) -> str:
    """Memoised: a few thousand distinct days fill tens of millions of cells."""
    if value is None:
        return NULL
    text = _DATES.get(value)
    if text is None:
        text = _DATES[value] = value.isoformat()
    return text


def datetime_cell(value: datetime | str | None) -> str:
    """Timestamps come as ISO 8601 text already (`Generator.at`) or as datetimes."""
    if value is None:
        return NULL
    if type(value) is str:
        return value
    return value.isoformat()


def json_cell(value: Any) -> str:
    """JSON as COPY text. The audit trail's changes ({"state": [from, to], "field": [before, after]},
    strings, numbers and nulls) are written here directly, json.dumps's way, three times cheaper."""
    if value is None:
        return NULL
    if type(value) is list and not value:
        return "[]"
    if type(value) is dict:
        parts = []
        for key, pair in value.items():
            if type(pair) is not list or len(pair) != 2 or type(key) is not str or not _plain(key):
                break
            a, b = pair
            a = _JSON_SCALAR.get(type(a), _json_other)(a)
            b = _JSON_SCALAR.get(type(b), _json_other)(b)
            parts.append(f'"{key}": [{a}, {b}]')
        else:
            return text_cell("{" + ", ".join(parts) + "}")
    return text_cell(json.dumps(value, ensure_ascii=False))


def _plain(text: str) -> bool:
    """Needs no escaping in JSON nor in COPY text."""
    return text.isprintable() and "\\" not in text and '"' not in text


def _json_str(text: str) -> str:
    return f'"{text}"' if _plain(text) else json.dumps(text, ensure_ascii=False)


def _json_other(value: Any) -> str:
    if isinstance(value, str):  # TextChoices members (states): their value; remembered per class
        _JSON_SCALAR[type(value)] = _json_choice
        return _json_choice(value)
    return json.dumps(value, ensure_ascii=False)


def _json_choice(value: str) -> str:
    return _json_str(str(value))


_JSON_SCALAR = {
    str: _json_str,
    type(None): lambda _v: "null",
    int: str,
    bool: lambda v: "true" if v else "false",
}


def compile_line(
    fields: list[models.Field], defaults: dict[str, Any], only: frozenset[str] | None = None
) -> Any:
    """A function from a row's values (a dict; missing columns take their default) to its line of COPY
    text, written as one f-string: per cell a dict lookup and, where needed, a conversion. Columns
    outside `only` (when given) are always their default: constant text in the line."""
    namespace: dict[str, Any] = {
        "NULL": NULL,
        "text_cell": text_cell,
        "date_cell": date_cell,
        "datetime_cell": datetime_cell,
        "json_cell": json_cell,
        "DATES": _DATES,
        "BS": "\\",
    }
    cells = []
    for i, f in enumerate(fields):
        name, default = f"d{i}", defaults[f.attname]
        if isinstance(default, str):
            default = str(default)  # a TextChoices member: its plain value, no conversion per row
        namespace[name] = default
        if only is not None and f.attname not in only and f.attname != "id":
            cells.append(_literal(_constant_cell(f, default)))
            continue
        get = f"g({f.attname!r}, {name})"
        # The common cases inline (a function call per cell cost more than the rest of the line).
        if isinstance(f, models.JSONField):
            cell = f"json_cell({get})"
        elif isinstance(f, models.BooleanField):
            cell = f"(NULL if (x := {get}) is None else 't' if x else 'f')"
        elif isinstance(f, models.DateTimeField):
            # Timestamps as text are the generator's own ISO 8601 (`Generator.at`): nothing to escape.
            cell = f"(x if type(x := {get}) is str else datetime_cell(x))"
        elif isinstance(f, models.DateField):
            cell = f"(DATES.get(x := {get}) or date_cell(x))"
        elif isinstance(f, models.IntegerField | models.AutoField | models.DecimalField | models.ForeignKey):
            # An int (or Decimal) prints as its COPY text; a missing non-null value prints "None" and
            # COPY refuses it, as bulk_create would.
            cell = f"(NULL if (x := {get}) is None else x)" if f.null else get
        else:
            cell = f"(x if type(x := {get}) is str and x.isprintable() and BS not in x else text_cell(x))"
        cells.append("{" + cell + "}")
    source = 'def line(v):\n    g = v.get\n    return f"' + "\\t".join(cells) + '\\n"\n'
    exec(source, namespace)  # the source is built from the model's own field names
    return namespace["line"]


class _Literal(str):
    """A constant cell's COPY text written into a compiled f-string's source (`_literal`)."""


def _literal(text: str) -> _Literal:
    """`text` as it goes into the source of an f-string literal: a constant column's cell is then
    part of the line's literal text, not one more value the f-string formats and joins per row
    (the case line has some 30 of them). Any character survives: backslash escapes for what the
    source cannot hold as it is, quotes escaped, braces doubled."""
    escaped = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return _Literal(escaped.replace("{", "{{").replace("}", "}}"))


def _piece(cell: str) -> str:
    """A cell of `compile_adder`'s f-string: a constant's literal text, or an expression in braces."""
    return cell if isinstance(cell, _Literal) else "{" + cell + "}"


def _constant_cell(field: models.Field, value: Any) -> str:
    """A default as its COPY text, once."""
    if value is None:
        return NULL
    if isinstance(field, models.JSONField):
        return json_cell(value)
    if isinstance(field, models.BooleanField):
        return "t" if value else "f"
    if isinstance(field, models.DateTimeField):
        return datetime_cell(value)
    if isinstance(field, models.DateField):
        return date_cell(value)
    if isinstance(field, models.IntegerField | models.AutoField | models.DecimalField | models.ForeignKey):
        return str(value)
    return text_cell(value)


def compile_adder(
    table: Table, columns: tuple[str, ...], trusted: frozenset[str], constants: dict[str, Any], with_id: bool
) -> Any:
    """`Table.adder`: the row as one f-string (COPY) or one tuple (bulk_create), its values positional."""
    by_name = {f.attname: f for f in table.fields}
    unknown = set(columns) - set(by_name) or set(constants) - set(by_name)
    if unknown or "id" in columns:
        raise ValueError(f"{table.db_table}: no such columns {sorted(unknown or {'id'})}")
    namespace: dict[str, Any] = {
        "t": table,
        "NULL": NULL,
        "text_cell": text_cell,
        "date_cell": date_cell,
        "DATES": _DATES,
        "BS": "\\",
        "loads": json.loads,
    }
    args = [f"v{i}" for i in range(len(columns))]
    position = dict(zip(columns, args, strict=True))
    cells = []
    for i, f in enumerate(table.fields):
        if f.attname == "id":
            cells.append("pk")
            continue
        v = position.get(f.attname)
        if v is None:  # a constant: the default or `constants`
            name = f"c{i}"
            value = constants.get(f.attname, table.defaults[f.attname])
            if isinstance(value, str):
                value = str(value)  # a TextChoices member: its plain value
            if table.text:
                cells.append(_literal(_constant_cell(f, value)))
            else:
                namespace[name] = value
                cells.append(name)
        elif not table.text:
            cells.append(f"loads({v})" if isinstance(f, models.JSONField) else v)
        elif isinstance(f, models.JSONField):
            cells.append(v if f.attname in trusted else f"text_cell({v})")
        elif isinstance(f, models.BooleanField):
            cells.append(
                f"(NULL if {v} is None else 't' if {v} else 'f')" if f.null else f"('t' if {v} else 'f')"
            )
        elif isinstance(f, models.DateTimeField):  # the generator's ISO 8601 text
            cells.append(f"(NULL if {v} is None else {v})" if f.null else v)
        elif isinstance(f, models.DateField):
            cells.append(f"(DATES.get({v}) or date_cell({v}))")
        elif isinstance(f, models.IntegerField | models.AutoField | models.DecimalField | models.ForeignKey):
            cells.append(f"(NULL if {v} is None else {v})" if f.null else v)
        elif f.attname in trusted:
            cells.append(v)
        else:
            cells.append(
                f"({v} if type({v}) is str and {v}.isprintable() and BS not in {v} else text_cell({v}))"
            )
    if table.text:
        row = 'f"' + "\\t".join(_piece(c) for c in cells) + '\\n"'
    else:
        row = "(" + ", ".join(cells) + ",)"
    params = ", ".join((["pk"] if with_id else []) + args)
    take = "" if with_id else "    pk = t.next_id\n    t.next_id = pk + t.stride\n"
    source = f"def add({params}):\n{take}    t.rows.append({row})\n    return pk\n"
    exec(source, namespace)  # the source is built from the model's own field names
    return namespace["add"]
