"""Querysets on the hot path compiled once per connection instead of on every call.

Building and compiling a queryset (joins, select_related columns, annotations, converters) costs far
more Python than running it: for the transition's row lock about as much as the rest of the
transition. A `PreparedQuery` builds its queryset once per database connection with placeholder
arguments, keeps the SQL and Django's compiler, and on each call only substitutes the arguments, runs
the SQL through the connection's ordinary cursor (so debug logging and query counting see it) and turns
the rows into model instances the way a queryset does (select_related objects and annotations
included). The rows, and therefore the instances, are exactly those the queryset would return.

Only for querysets whose SQL depends on nothing but their arguments: no dates taken from "now", no
lists whose length varies, no per-request state.

Writes: INSERT and UPDATE statements built once per connection (`insert`, `save_fields`,
`update_rows`), and writes held back to run as parts of a transaction's closing statement
(`holding_writes`, `save_and_insert`: one round trip for a transition's writes on PostgreSQL).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.constants import OnConflict
from django.db.models.expressions import RawSQL
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, RelatedPopulator, get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.utils.asyncio import async_unsafe
from django_fsm import FSMFieldDescriptor, FSMFieldMixin
from psycopg import Cursor as _ServerCursor  # binds on the server (psycopg's default cursor)
from psycopg import Pipeline
from psycopg.types.numeric import Int8BinaryDumper, Int8Dumper

# Placeholder argument values, chosen so that they cannot be confused with a real parameter.
_PLACEHOLDER_BASE = -7_310_000_001


class _Compiled:
    def __init__(self, queryset: QuerySet, alias: str, placeholders: list[int] | list[str]):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = [
            [
                i
                for i, value in enumerate(self.params)
                if type(value) is type(placeholder) and value == placeholder
            ]
            for placeholder in placeholders
        ]
        if any(len(slot) == 0 for slot in self.slots):
            raise ValueError("Every argument of a prepared query must appear in its SQL parameters.")
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = [FastPopulator(p) for p in get_related_populators(klass_info, select, alias)]
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.plain = _plain_init(self.model, self.init_list)


def _plain_init(model: type[Model], init_list: list[str]) -> bool:
    """True when building an instance is only storing its column values: every column selected in
    model order, each attribute a plain deferred-attribute descriptor (nothing runs on assignment) or
    django-fsm's state descriptor whose first assignment only stores the value (no proxy class per
    state), no __init__ or from_db of the model's own, and nothing listening to pre_init or post_init
    (checked again on each call: `_plain_now`)."""
    fields = model._meta.concrete_fields
    return (
        init_list == [f.attname for f in fields]
        and model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__
        and all(_stores_only(model, f) for f in fields)
    )


def _stores_only(model: type[Model], field) -> bool:
    descriptor = model.__dict__.get(field.attname)
    if type(descriptor) in (DeferredAttribute, ForeignKeyDeferredAttribute):
        return True
    # django-fsm: on an instance being built (no state yet, so `protected` does not refuse) __set__ is
    # set_proxy, a no-op without state_proxy, then set_state, which stores the value as given.
    return (
        type(descriptor) is FSMFieldDescriptor
        and isinstance(field, FSMFieldMixin)
        and not field.state_proxy
        and type(field).set_state is FSMFieldMixin.set_state
        and type(field).set_proxy is FSMFieldMixin.set_proxy
    )


_plain_models_read: dict[tuple, bool] = {}


def _plain_now(model: type[Model], init_list: list[str]) -> bool:
    key = (model, tuple(init_list))
    plain = _plain_models_read.get(key)
    if plain is None:
        plain = _plain_models_read[key] = _plain_init(model, init_list)
    return plain and not signals.pre_init.has_listeners(model) and not signals.post_init.has_listeners(model)


def _build(model: type[Model], alias: str, names: list[str], values, plain: bool) -> Model:
    """What Model.from_db does, without the per-column descriptor calls when `plain` (_plain_now)."""
    if not plain:
        return model.from_db(alias, names, values)
    obj = model.__new__(model)
    state = ModelState()
    state.adding, state.db = False, alias
    obj.__dict__["_state"] = state
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


class FastPopulator:
    """Django's RelatedPopulator (a select_related object of each row), building plain instances by
    storing their values (_build). `ready()` before each query's rows: whether something now listens
    to the models' init signals."""

    def __init__(self, populator: RelatedPopulator):
        self.p = populator
        self.children = [FastPopulator(c) for c in populator.related_populators]
        self.plain = False

    def ready(self) -> FastPopulator:
        self.plain = _plain_now(self.p.model_cls, self.p.init_list)
        for child in self.children:
            child.ready()
        return self

    def populate(self, row, from_obj) -> None:
        p = self.p
        data = p.reorder_for_init(row) if p.reorder_for_init else row[p.cols_start : p.cols_end]
        if data[p.pk_idx] is None:
            obj = None
        else:
            obj = _build(p.model_cls, p.db, p.init_list, data, self.plain)
            for child in self.children:
                child.populate(row, obj)
        p.local_setter(from_obj, obj)
        if obj is not None:
            p.remote_setter(obj, from_obj)


class FastModelIterable(ModelIterable):
    """A queryset's model instances (`queryset._iterable_class`), as ModelIterable builds them, but
    by storing the values of plain models (_build), and with the SQL around the WHERE clause compiled
    once per connection and query shape (_PageShape): a list page builds a case and its unit per row,
    and compiling the case query's select list, joins and ordering cost more than running it. Anything
    else (known related objects) goes through ModelIterable."""

    def __iter__(self):
        queryset = self.queryset
        if queryset._known_related_objects:
            yield from super().__iter__()
            return
        db = queryset.db
        connection = connections[db]
        query = queryset.query
        key = _shape_key(query)
        shapes = _page_shapes.setdefault(connection, {})
        shape = shapes.get(key) if key is not None else False
        compiler = query.get_compiler(using=db)
        where = _where_of(compiler) if shape is not False else None
        rows = None
        if where is not None:
            if shape is None and len(shapes) < _SHAPES_AT_MOST:
                # False: a shape whose WHERE could not be told apart, compiled the ordinary way.
                shape = shapes[key] = _PageShape.of(compiler, *compiler.as_sql(), *where) or False
            if shape:
                rows = shape.fetch(connection, *where)
        if rows is None:
            compiler = query.get_compiler(using=db)
            results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
            shape = _PageShape(compiler)
            rows = compiler.results_iter(results)
        populators = [FastPopulator(p).ready() for p in shape.populators]
        plain = _plain_now(shape.model, shape.names)
        yield from _instances(
            rows, shape.model, db, shape.names, shape.start, shape.end, plain, populators, shape.annotations
        )


# Per connection: the compiled SQL around the WHERE clause of each query shape seen (_shape_key).
_page_shapes: weakref.WeakKeyDictionary[Any, dict[tuple, _PageShape | bool]] = weakref.WeakKeyDictionary()
_SHAPES_AT_MOST = 256


def _shape_key(query) -> tuple | None:
    """Everything about `query` that its SQL depends on besides its WHERE clause (which is compiled
    on every call and is part of the statement's identity through its text): the model, the tables
    and joins, the select_related tree, the annotations (only RawSQL ones: their SQL and parameters),
    the ordering and the slice. None for a query this does not cover (aggregates, extra(), distinct,
    deferred fields, values(), locks, set operations), which is compiled the ordinary way."""
    if (
        query.combinator
        or query.extra
        or query.extra_select
        or query.extra_order_by
        or query.extra_tables
        or query.group_by is not None
        or query.distinct
        or query.select_for_update
        or query.values_select
        or query.select
        or query.subquery
        or query.deferred_loading != (frozenset(), True)
        or query.annotation_select_mask is not None
        or query.where.contains_aggregate
        or query.where.contains_over_clause
        or getattr(query, "selected", None) is not None
        or not all(type(a) is RawSQL for a in query.annotations.values())
    ):
        return None
    joins = tuple(
        (
            alias,
            type(join),
            join.table_name,
            getattr(join, "parent_alias", None),
            getattr(join, "join_type", None),
            getattr(join, "nullable", None),
            getattr(join, "join_field", None),
            getattr(join, "filtered_relation", None) is not None,
        )
        for alias, join in query.alias_map.items()
    )
    key = (
        query.model,
        joins,
        tuple(query.alias_refcount.items()),
        _frozen(query.select_related),
        tuple(query.order_by),
        tuple((name, a.sql, tuple(a.params), a.output_field) for name, a in query.annotations.items()),
        query.default_ordering,
        query.standard_ordering,
        query.low_mark,
        query.high_mark,
    )
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _frozen(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def _where_of(compiler) -> tuple[str, list] | None:
    """The query's WHERE clause compiled (what as_sql writes after "WHERE"); None when there is none
    to write (everything or nothing matches), which the ordinary path handles."""
    try:
        sql, params = compiler.compile(compiler.query.where)
    except (EmptyResultSet, FullResultSet):
        return None
    return (sql, list(params)) if sql else None


_PARAMETER = re.compile(r"%%|%s")


class _PageShape:
    """A query's SQL before and after its WHERE clause, with their parameters, and what turns its
    rows into instances (select columns, select_related, annotations, converters)."""

    def __init__(self, compiler, sql: str = "", params: tuple = (), where: str = "", where_params=()):
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.names = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, compiler.using)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.before = self.after = ""
        self.params_before: list = []
        self.params_after: list = []

    @classmethod
    def of(cls, compiler, sql: str, params, where: str, where_params: list) -> _PageShape | None:
        """The shape of a compiled query, if its WHERE clause (compiled alone) is found in its SQL once,
        with its parameters in place, and no other placeholder depends on the WHERE."""
        params = list(params)
        marker = f" WHERE {where}"
        if sql.count(marker) != 1 or sql.count(where) != 1:
            return None
        at = sql.index(marker)
        before, after = sql[:at], sql[at + len(marker) :]
        if after and not after.startswith((" ORDER BY ", " LIMIT ", " OFFSET ")):
            return None
        count = sum(1 for m in _PARAMETER.finditer(before) if m.group() == "%s")
        if params[count : count + len(where_params)] != where_params:
            return None
        shape = cls(compiler)
        shape.before, shape.after = before + " WHERE ", after
        shape.params_before = params[:count]
        shape.params_after = params[count + len(where_params) :]
        if sum(1 for m in _PARAMETER.finditer(after) if m.group() == "%s") != len(shape.params_after):
            return None
        return shape

    def fetch(self, connection, where: str, where_params: list) -> list:
        sql = self.before + where + self.after
        rows = fetch_rows(connection, sql, [*self.params_before, *where_params, *self.params_after])
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return rows


@async_unsafe
def fetch_rows(connection, sql: str, params: list, *, prepare: bool = False) -> list:
    """`cursor.execute(sql, params); cursor.fetchall()` through the connection's cursor, or, on
    PostgreSQL when nothing watches the statements (no query logging, no execute wrappers: tests and
    DEBUG count them as usual), through a plain psycopg client cursor with psycopg's own timestamp
    loader. Django's loader for timestamptz is a Python subclass of psycopg's Python loader that only
    sets the UTC tzinfo psycopg's compiled loader already gives on a session in UTC (it was a tenth of
    a list page's Python). Everything else the cursor wrapper does is done here: the health check,
    connecting, the thread and broken-transaction checks, database errors as Django's.

    With `prepare` (a statement of fixed text, run again and again), as a prepared statement of the
    session where `prepared_statements` says so."""
    if prepare and prepared_statements(connection):
        return run_prepared(connection, sql, params)[0]
    raw_cursor = _plain_cursor(connection)
    if raw_cursor is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with connection.wrap_database_errors, raw_cursor:
        raw_cursor.execute(sql, params)
        return raw_cursor.fetchall()


def prepared_statements(connection) -> bool:
    """Whether the hot paths' statements run as server-side prepared statements on `connection`:
    PostgreSQL, unless settings.PREPARED_STATEMENTS is off (a pooler that does not keep them per
    client, e.g. pgbouncer in transaction mode before 1.21 or without max_prepared_statements).

    Django binds parameters on the client (psycopg's ClientCursor; OPTIONS server_side_binding is off:
    it breaks the reports' GROUP BY on parameterised expressions), so PostgreSQL parses, analyses and
    plans every statement anew: most of its CPU for a primary-key read. The statements compiled once
    per connection here (PreparedQuery, PreparedInQuery, the writes of a transition) have a fixed text,
    and a server-binding cursor sends them with `prepare=True`: the session parses and analyses each
    once, and plans it once (`generic_plans`). psycopg keeps them by text and parameter types (every
    int is sent as a bigint, so one statement per text), at most `prepared_max` (100) per connection,
    deallocating the least recently used; it forgets them all on a rollback (DEALLOCATE ALL) and with
    the connection, and the next call prepares again. Django leaves psycopg's prepare_threshold at None
    (nothing prepared); it is set only while these statements are sent, so no other is prepared."""
    return connection.vendor == "postgresql" and getattr(settings, "PREPARED_STATEMENTS", True)


def generic_plans(sender, connection, **kwargs) -> None:
    """connection_created: the session's prepared statements (only `prepared_statements`' ones) use
    their generic plan from the first call. PostgreSQL's default plans a prepared statement anew for
    its first five calls, and for good when the generic plan's estimate is above the custom plans':
    always for `= ANY(keys)` (PreparedInQuery), which the generic plan reckons at ten keys and a
    custom one at the one key of a case detail: the same index scans, re-planned on every call. No
    other statement of the project is a prepared one (no function runs queries), so nothing else is
    planned differently. As Django's own session set-up, sent on the raw connection (not logged)."""
    if prepared_statements(connection):
        with connection.connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")


# psycopg's prepare_threshold while prepared statements are sent: `prepare=True` asks for them; nothing
# else is sent meanwhile, and no count reaches this.
_ONLY_WHEN_ASKED = 1 << 62


@contextmanager
def _preparing(raw):
    """psycopg prepares nothing while the threshold is None (as Django leaves it), not even what asks
    with `prepare=True`: for the statements sent meanwhile, a threshold no count reaches instead."""
    threshold = raw.prepare_threshold
    raw.prepare_threshold = _ONLY_WHEN_ASKED
    try:
        yield
    finally:
        raw.prepare_threshold = threshold


@async_unsafe
def run_prepared(connection, sql: str, params: list, *, rows: bool = True) -> tuple[list, int]:
    """`cursor.execute(sql, params)` of a statement of fixed text run again and again: its rows (with
    `rows`; a statement that returns none must say False) and its rowcount; a prepared statement (see
    `prepared_statements`) when nothing watches the statements (see `fetch_rows`), otherwise through
    the connection's cursor."""
    ready = _plain_ready(connection) if prepared_statements(connection) else None
    if ready is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return (cursor.fetchall() if rows else []), cursor.rowcount
    with connection.wrap_database_errors:
        (cursor,) = _server_cursors(connection, ready, 1)
        with _preparing(ready[0]):
            cursor.execute(sql, params, prepare=True)
        return (cursor.fetchall() if rows else []), cursor.rowcount


def _server_cursors(connection, ready: tuple, count: int) -> list:
    """`count` server-binding cursors on the connection, with psycopg's compiled timestamp loader (see
    `fetch_rows`) and ints sent as bigints (psycopg's own choice by magnitude, int2 to int8, would make
    a prepared statement per combination). Made once per connection and kept: setting up a psycopg
    cursor's adapters cost more Python than sending a short statement. Each is used for one statement
    at a time, its rows read before the next."""
    raw, oid, loader = ready
    kept = getattr(connection, "_server_cursors", None)  # (`connection` may be django.db's proxy)
    if kept is None or kept[0] is not raw:
        kept = connection._server_cursors = (raw, [])
    cursors = kept[1]
    while len(cursors) < count:
        cursor = _ServerCursor(raw)
        cursor.adapters.register_loader(oid, loader)
        cursor.adapters.register_dumper(int, Int8Dumper)
        cursor.adapters.register_dumper(int, Int8BinaryDumper)  # the last one serves %s
        cursors.append(cursor)
    return cursors[:count]


def _plain_cursor(connection):
    ready = _plain_ready(connection)
    if ready is None:
        return None
    raw, oid, loader = ready
    with connection.wrap_database_errors:
        cursor = raw.cursor()
    cursor.adapters.register_loader(oid, loader)
    return cursor


def _plain_ready(connection) -> tuple | None:
    """The raw connection and the timestamp loader for plain cursors on it, after the checks the
    cursor wrapper makes; None when the connection's own cursor must serve."""
    if connection.vendor != "postgresql" or connection.queries_logged or connection.execute_wrappers:
        return None
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    raw = connection.connection
    loader = _compiled_tz_loader(raw)
    if loader is None or connection.timezone is not UTC:
        return None
    if not issubclass(raw.cursor_factory, connection.Database.ClientCursor):
        return None  # server-side binding configured: the connection's own cursor serves
    return raw, *loader


def _compiled_tz_loader(raw):
    """psycopg's own timestamptz loader (compiled with psycopg[binary]) when the session is in UTC, which
    then gives exactly what Django's loader gives (aware datetimes with datetime.timezone.utc)."""
    global _TZ_LOADER
    if raw.pgconn.parameter_status(b"TimeZone") != b"UTC":
        return None
    if _TZ_LOADER is None:
        from psycopg import adapters
        from psycopg.pq import Format

        oid = adapters.types["timestamptz"].oid
        loader = adapters.get_loader(oid, Format.TEXT)
        # Only the compiled loader: the pure-Python one gains nothing over Django's.
        compiled = loader is not None and not loader.__module__.startswith("psycopg.")
        _TZ_LOADER = (oid, loader) if compiled else False
    return _TZ_LOADER or None


_TZ_LOADER: tuple | bool | None = None


class PreparedQuery:
    """`build(*args)` returns the queryset for the given arguments: each an int (a primary key), or
    each a str with `key_type=str` (a token's key)."""

    def __init__(self, build: Callable[..., QuerySet], *, for_write: bool = False, key_type: type = int):
        self.build = build
        self.for_write = for_write
        self.key_type = key_type
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()
        self._model: type[Model] | None = None

    def _alias(self) -> str:
        if self._model is None:
            self._model = self.build(*self._placeholders()).model
        pick = router.db_for_write if self.for_write else router.db_for_read
        return pick(self._model)

    def _placeholders(self) -> list[int] | list[str]:
        count = self.build.__code__.co_argcount
        if self.key_type is str:
            return [f"\x00prepared-argument-{i}" for i in range(count)]
        return [_PLACEHOLDER_BASE - i for i in range(count)]

    def fetch(self, *args: int | str) -> list[Model]:
        statement = self.statement(*args)
        return statement.run() if statement is not None else []

    def statement(self, *args: int | str) -> Statement | None:
        """The statement `fetch(*args)` runs, to run alone or with others (`fetch_together`); None when
        no row can match (a key no column can hold)."""
        alias = self._alias()
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            placeholders = self._placeholders()
            compiled = _Compiled(self.build(*placeholders), alias, placeholders)
            self._compiled[connection] = compiled
        params = list(compiled.params)
        # A key no column can hold matches nothing, as the ORM's lookups answer (the database driver
        # would raise OverflowError for an int, PostgreSQL an error for a NUL character, instead).
        low, high = connection.ops.integer_field_range("BigIntegerField")
        for slot, value in zip(compiled.slots, args, strict=True):
            if self.key_type is str:
                value = str(value)
                if "\x00" in value:
                    return None
            else:
                value = int(value)
                if not low <= value <= high:
                    return None
            for i in slot:
                params[i] = value
        return Statement(compiled, alias, connection, params)


class Statement:
    """One prepared statement with its arguments in place: `run()` alone, or `fetch_together` with
    others in one round trip."""

    __slots__ = ("alias", "compiled", "connection", "params")

    def __init__(self, compiled: _Compiled, alias: str, connection, params: list):
        self.compiled, self.alias, self.connection, self.params = compiled, alias, connection, params

    def run(self) -> list[Model]:
        return _run(self.compiled, self.alias, self.connection, self.params)

    def instances(self, rows: list) -> list[Model]:
        return _instances_of(self.compiled, self.alias, rows)


def fetch_together(statements: list[Statement | None]) -> list[list[Model]]:
    """What `statement.run()` gives for each of `statements` (None: no rows), on PostgreSQL in one round
    trip when they share a connection: their SQL sent as one query string (client-side binding sends
    it with the simple protocol, which runs several statements) and their result sets read in turn.
    Each statement still reads its own snapshot, as when run one after the other; a page of reads
    paid about a quarter of a millisecond of driver and wrapper Python per statement, and a round trip.
    With prepared statements (`prepared_statements`), each is sent as a prepared statement instead, all
    in one psycopg pipeline: still one round trip (`fetch_prepared_sets`).
    Elsewhere (another backend, server-side binding) they run one after the other."""
    present = [s for s in statements if s is not None]
    connection = present[0].connection if present else None
    if (
        len(present) < 2
        or connection.vendor != "postgresql"
        or any(s.connection is not connection for s in present)
    ):
        return [s.run() if s is not None else [] for s in statements]
    row_sets = fetch_prepared_sets(connection, [(s.compiled.sql, s.params) for s in present])
    if row_sets is None:
        sql = "; ".join(s.compiled.sql for s in present)
        params = [p for s in present for p in s.params]
        row_sets = fetch_row_sets(connection, sql, params, len(present))
    if row_sets is None:
        return [s.run() if s is not None else [] for s in statements]
    found = iter([s.instances(rows) for s, rows in zip(present, row_sets, strict=True)])
    return [next(found) if s is not None else [] for s in statements]


@async_unsafe
def fetch_row_sets(connection, sql: str, params: list, count: int) -> list[list] | None:
    """The `count` result sets of the statements in `sql`, through the plain cursor as `fetch_rows`
    reads them or the connection's own (query logging and counting see one query); None when the
    connection's cursor binds on the server, which runs one statement per call."""
    raw_cursor = _plain_cursor(connection)
    if raw_cursor is None:
        with connection.cursor() as cursor:
            if not isinstance(cursor.cursor, connection.Database.ClientCursor):
                return None
            cursor.execute(sql, params)
            return _row_sets(cursor, count)
    with connection.wrap_database_errors, raw_cursor:
        raw_cursor.execute(sql, params)
        return _row_sets(raw_cursor, count)


_PIPELINE = Pipeline.is_supported()  # libpq 14 or later (psycopg[binary] brings its own)


@async_unsafe
def fetch_prepared_sets(connection, statements: list[tuple[str, list]]) -> list[list] | None:
    """The rows of each (sql, params) of `statements`, each run as a prepared statement (see
    `prepared_statements`), all sent in one psycopg pipeline and answered in one round trip (a single
    query string of several statements needs the simple protocol, which has no parameters, hence
    client-side binding); None where they cannot run so (something watches the statements, no prepared
    statements, another backend): then `fetch_row_sets` serves."""
    if not (_PIPELINE and prepared_statements(connection)):
        return None
    ready = _plain_ready(connection)
    if ready is None:
        return None
    raw = ready[0]
    with connection.wrap_database_errors:
        cursors = _server_cursors(connection, ready, len(statements))
        with _preparing(raw), raw.pipeline():
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql, params, prepare=True)
        return [cursor.fetchall() for cursor in cursors]


def _row_sets(cursor, count: int) -> list[list]:
    sets = [cursor.fetchall()]
    while len(sets) < count:
        if not cursor.nextset():
            raise DatabaseError(f"Expected {count} result sets, got {len(sets)}.")
        sets.append(cursor.fetchall())
    return sets


def _run(compiled: _Compiled, alias: str, connection, params: list) -> list[Model]:
    return _instances_of(compiled, alias, fetch_rows(connection, compiled.sql, params, prepare=True))


def _instances_of(compiled: _Compiled, alias: str, rows: list) -> list[Model]:
    if compiled.converters:
        rows = compiled.compiler.apply_converters(rows, compiled.converters)
    model, names, start, end = compiled.model, compiled.init_list, compiled.start, compiled.end
    # What Model.from_db does for such a model, without the per-column descriptor calls (a list page
    # builds a few hundred related instances).
    plain = compiled.plain and _plain_now(model, names)
    if plain and not compiled.populators and not compiled.annotations:
        return _plain_instances(rows, model, alias, names, start, end)
    populators = [p.ready() for p in compiled.populators]
    return list(_instances(rows, model, alias, names, start, end, plain, populators, compiled.annotations))


def _plain_instances(rows, model, alias, names, start, end) -> list[Model]:
    """`_instances` of a plain model's rows with no select_related objects nor annotations: _build's
    instance, in one loop (a list page's clocks and ledgers are most of its related rows)."""
    new, whole = model.__new__, start == 0
    built = []
    for row in rows:
        obj = new(model)
        state = ModelState()
        state.adding, state.db = False, alias
        values = obj.__dict__
        values["_state"] = state
        values.update(zip(names, row if whole and len(row) == end else row[start:end], strict=True))
        built.append(obj)
    return built


def _instances(rows, model, alias, names, start, end, plain, populators, annotations) -> Iterator[Model]:
    """The rows as a queryset gives them: the model's instance from its columns, its select_related
    objects, its annotations."""
    for row in rows:
        obj = _build(model, alias, names, row[start:end], plain)
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations:
            setattr(obj, name, row[position])
        yield obj


class PreparedInQuery:
    """`build(keys)` returns the queryset for a list of primary keys (an `__in` lookup), compiled once
    per connection and size bucket: the list is padded to the next power of two with its last key
    (which matches nothing more), so a handful of statements serve every list length."""

    def __init__(self, build: Callable[[list[int]], QuerySet]):
        self.build = build
        self._compiled: weakref.WeakKeyDictionary[Any, dict[int, _Compiled]] = weakref.WeakKeyDictionary()
        self._model: type[Model] | None = None

    def fetch(self, keys: list[int]) -> list[Model]:
        statement = self.statement(keys)
        return statement.run() if statement is not None else []

    def statement(self, keys: list[int]) -> Statement | None:
        """The statement `fetch(keys)` runs (see PreparedQuery.statement); None when nothing can match."""
        if not keys:
            return None
        if self._model is None:
            self._model = self.build([_PLACEHOLDER_BASE]).model
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        low, high = connection.ops.integer_field_range("BigIntegerField")
        keys = [int(k) for k in keys if low <= int(k) <= high]
        if not keys:
            return None
        buckets = self._compiled.setdefault(connection, {})
        if connection.vendor == "postgresql":
            compiled = buckets.get(0)
            if compiled is None:
                compiled = buckets[0] = _any_of(self.build, alias)
            if compiled:
                params = list(compiled.params)
                # The array as its text ('{1,2,3}', the keys are ints), which the database casts to
                # the column's array type: the driver's list dumper cost more than the statement's
                # other Python.
                params[compiled.slots[0][0]] = "{" + ",".join(map(str, keys)) + "}"
                return Statement(compiled, alias, connection, params)
        size = 1 << (len(keys) - 1).bit_length()
        compiled = buckets.get(size)
        if compiled is None:
            placeholders = [_PLACEHOLDER_BASE - i for i in range(size)]
            compiled = buckets[size] = _Compiled(self.build(placeholders), alias, placeholders)
        params = list(compiled.params)
        for slot, value in zip(compiled.slots, keys + [keys[-1]] * (size - len(keys)), strict=True):
            for i in slot:
                params[i] = value
        return Statement(compiled, alias, connection, params)


def _any_of(build: Callable[[list[int]], QuerySet], alias: str) -> _Compiled | bool:
    """On PostgreSQL, the `__in` query for any number of keys as one statement, `= ANY(%s)` with the
    keys as one array parameter (as a hand-written query has it): the same rows, and one short
    statement whose conversion the database driver caches, where a long IN list is parsed afresh
    on every call. False if the query's one IN cannot be told apart (then the size buckets serve)."""
    compiled = _Compiled(build([_PLACEHOLDER_BASE]), alias, [_PLACEHOLDER_BASE])
    (slot,) = compiled.slots
    fragment = " IN (%s)"
    if len(slot) != 1 or compiled.sql.count(fragment) != 1:
        return False
    at = compiled.sql.index(fragment)
    before = compiled.sql[:at]
    if sum(1 for m in _PARAMETER.finditer(before) if m.group() == "%s") != slot[0]:
        return False
    compiled.sql = before + " = ANY(%s)" + compiled.sql[at + len(fragment) :]
    return compiled


# --- Inserts ------------------------------------------------------------------------------------


class _InsertSQL:
    def __init__(self, connection, model: type[Model], rows: int, conflict: tuple | None):
        opts = model._meta
        self.fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.auto_field]
        qn = connection.ops.quote_name
        on_conflict = OnConflict.UPDATE if conflict else None
        row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        parts = [
            f"{connection.ops.insert_statement(on_conflict=on_conflict)} {qn(opts.db_table)}",
            "(" + ", ".join(qn(f.column) for f in self.fields) + ")",
            "VALUES " + ", ".join([row] * rows),
        ]
        if conflict:
            unique, update = conflict
            get = opts.get_field
            parts.append(
                connection.ops.on_conflict_suffix_sql(
                    self.fields, on_conflict, [get(n).column for n in update], [get(n).column for n in unique]
                )
            )
        returning, self.returning_params = connection.ops.return_insert_columns([opts.pk])
        parts.append(returning)
        self.sql = " ".join(parts)


_inserts: weakref.WeakKeyDictionary[Any, dict[tuple, _InsertSQL]] = weakref.WeakKeyDictionary()
# Values that cannot be expressions (exactly these types, not subclasses), not asked about it.
_VALUE_TYPES = frozenset({type(None), bool, int, float, str, Decimal, date, datetime, dict, list, ModelState})
# Per model: no field with its own placeholder SQL (the model's fields do not change at run time).
_plain_models: dict[type[Model], bool] = {}


def _insertable(connection, model: type[Model], objs: list[Model]) -> bool:
    opts = model._meta
    plain = _plain_models.get(model)
    if plain is None:
        plain = _plain_models[model] = (
            opts.db_returning_fields == [opts.pk]
            and opts.auto_field is opts.pk
            and not any(hasattr(f, "get_placeholder") for f in opts.concrete_fields)
        )
    return (
        plain
        and connection.features.can_return_rows_from_bulk_insert
        and all(type(o) is model and o.pk is None for o in objs)
        # An expression as a value (F(), Now(), ...) is the ORM's to compile.
        and not any(
            type(v) not in _VALUE_TYPES and hasattr(v, "resolve_expression")
            for o in objs
            for v in o.__dict__.values()
        )
    )


def _insert_plan(
    connection, alias, objs, conflict, send_signals, checked: bool = False
) -> tuple[_InsertSQL, list] | None:
    """The prepared statement and its parameters for inserting `objs`, after their pre_save signals
    (with `send_signals`); None if the fast path cannot take them (`checked`: known that it can)."""
    model = type(objs[0])
    if not checked and not _insertable(connection, model, objs):
        return None
    key = (model, len(objs), conflict)
    cache = _inserts.setdefault(connection, {})
    prepared = cache.get(key)
    if prepared is None:
        prepared = cache[key] = _InsertSQL(connection, model, len(objs), conflict)
    for obj in objs:  # as bulk_create and save() do: refuse unsaved related objects, take their keys
        obj._prepare_related_fields_for_save(operation_name="save" if send_signals else "bulk_create")
    if send_signals:
        for obj in objs:
            signals.pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    params = []
    for obj in objs:
        for field in prepared.fields:
            params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection=connection))
    params.extend(prepared.returning_params)
    return prepared, params


def _inserted(objs, keys, alias, send_signals) -> None:
    model = type(objs[0])
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = alias
    if send_signals:
        for obj in objs:
            signals.post_save.send(
                sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias
            )


def insert(
    objs: list[Model],
    *,
    unique_fields: tuple[str, ...] = (),
    update_fields: tuple[str, ...] = (),
    send_signals: bool = False,
) -> None:
    """INSERT new rows in one statement and set their primary keys, as `bulk_create` does (and, with
    `unique_fields`, as `bulk_create(update_conflicts=True, ...)` does; with `send_signals`, as `save()`
    does: pre_save and post_save with created=True), but with the statement built once per connection,
    model and row count instead of compiled on every call. Values are prepared by each field exactly as
    the ORM prepares them (defaults, auto_now_add, JSON, time zones). Objects the fast path cannot take
    (a backend without INSERT ... RETURNING, an expression as a value) go through the ORM."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model, instance=objs[0])
    connection = connections[alias]
    conflict = (tuple(unique_fields), tuple(update_fields)) if unique_fields else None
    plan = _insert_plan(connection, alias, objs, conflict, send_signals)
    if plan is None:
        _insert_through_orm(objs, alias, conflict, send_signals)
        return
    prepared, params = plan
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, params)
        rows = cursor.fetchall()
    _inserted(objs, [row[0] for row in rows], alias, send_signals)


def _insert_through_orm(objs, alias, conflict, send_signals) -> None:
    model = type(objs[0])
    if send_signals:
        for obj in objs:
            obj.save(using=alias, force_insert=True)
        return
    if conflict:
        unique, update = conflict
        model._default_manager.using(alias).bulk_create(
            objs, update_conflicts=True, unique_fields=list(unique), update_fields=list(update)
        )
    else:
        model._default_manager.using(alias).bulk_create(objs)


# --- Updates ------------------------------------------------------------------------------------

_updates: weakref.WeakKeyDictionary[Any, dict[tuple, str]] = weakref.WeakKeyDictionary()


def _update_sql(connection, model: type[Model], columns: tuple[str, ...], rows: int) -> str:
    cache = _updates.setdefault(connection, {})
    key = (model, columns, rows)
    sql = cache.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        opts = model._meta
        where = (
            f"{qn(opts.pk.column)} IN (%s)" % ", ".join(["%s"] * rows)
            if rows > 1
            else f"{qn(opts.pk.column)} = %s"
        )
        assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
        sql = cache[key] = f"UPDATE {qn(opts.db_table)} SET {assignments} WHERE {where}"
    return sql


def update_rows(model: type[Model], pks: list[int], **values) -> int:
    """`model.objects.filter(pk__in=pks).update(**values)` for plain values (no expressions), with the
    statement built once per connection, columns and row count. Returns the rows updated."""
    if not pks:
        return 0
    model = model._meta.concrete_model
    connection = connections[router.db_for_write(model)]
    if any(hasattr(v, "resolve_expression") for v in values.values()):
        return model._default_manager.filter(pk__in=pks).update(**values)
    fields = [model._meta.get_field(name) for name in values]
    params = [f.get_db_prep_save(values[f.name], connection=connection) for f in fields]
    sql = _update_sql(connection, model, tuple(f.column for f in fields), len(pks))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *(int(pk) for pk in pks)])
        return cursor.rowcount


# Per model and set of names: the fields save(update_fields=...) would write (None: not all concrete).
_named_fields: dict[tuple, list | None] = {}


def _update_plan(obj: Model, update_fields) -> tuple[str, list, str, frozenset] | None:
    """The UPDATE that `obj.save(update_fields=...)` would run, with its parameters, after the pre_save
    signal; None if only save() itself can do it (a model overriding save(), an expression as a value,
    a name that is not a concrete field, ...)."""
    origin = type(obj)
    opts = origin._meta
    names = frozenset(update_fields)
    key = (origin, names)
    if key not in _named_fields:
        fields = [f for f in opts.concrete_fields if f.name in names or f.attname in names]
        ok = bool(names) and len(fields) == len(names) and not any(f.primary_key for f in fields)
        # A set for save()'s related-object check: it asks `field in fields` of every concrete field.
        _named_fields[key] = (fields, frozenset(fields), any(f.is_relation for f in fields)) if ok else None
    named = _named_fields[key]
    fields = named[0] if named else None
    if (
        fields is None
        or obj.pk is None
        or origin.save is not Model.save
        or any(hasattr(getattr(obj, f.attname), "resolve_expression") for f in fields)
    ):
        return None
    alias = router.db_for_write(origin, instance=obj)
    connection = connections[alias]
    if named[2]:  # with no relation among the fields, the check has nothing to look at
        obj._prepare_related_fields_for_save(operation_name="save", fields=named[1])
    signals.pre_save.send(sender=origin, instance=obj, raw=False, using=alias, update_fields=names)
    params = [f.get_db_prep_save(f.pre_save(obj, add=False), connection=connection) for f in fields]
    sql = _update_sql(connection, opts.concrete_model, tuple(f.column for f in fields), 1)
    return sql, [*params, obj.pk], alias, names


def _updated(obj: Model, alias: str, names: frozenset) -> None:
    obj._state.db = alias
    obj._state.adding = False
    signals.post_save.send(
        sender=type(obj), instance=obj, created=False, update_fields=names, raw=False, using=alias
    )


def save_fields(obj: Model, update_fields: list[str]) -> None:
    """`obj.save(update_fields=...)` for a saved object whose model does not override save(): the same
    signals, auto_now values and "did not affect any rows" error, with the statement built once per
    connection and set of columns."""
    plan = _update_plan(obj, update_fields)
    if plan is None:
        obj.save(update_fields=update_fields)
        return
    sql, params, alias, names = plan
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    _updated(obj, alias, names)


def save_and_insert(obj: Model, update_fields: list[str], inserts: list[Model]) -> None:
    """`save_fields(obj, update_fields)`, then `insert([row], send_signals=True)` for each of `inserts`
    (each of its own model): on PostgreSQL in one statement, the UPDATE and the INSERTs as the parts of
    one WITH, which all run to completion (one round trip instead of one per row), after the writes
    held by an open `holding_writes` block (its first parts). Every pre_save signal is sent before the
    statement and every post_save after it, in the order of the objects. Elsewhere, or when the fast
    path cannot take one of them, what is held runs first and the statements run one after the other."""
    alias = router.db_for_write(type(obj), instance=obj)
    connection = connections[alias]
    held = getattr(connection, "_held_writes", None)
    if connection.vendor != "postgresql" or any(
        router.db_for_write(type(row), instance=row) != alias or not _insertable(connection, type(row), [row])
        for row in inserts
    ):
        if held is not None:
            held.flush()
        save_fields(obj, update_fields)
        for row in inserts:
            insert([row], send_signals=True)
        return
    update = _update_plan(obj, update_fields)
    if update is None:
        if held is not None:
            held.flush()
        obj.save(update_fields=update_fields)
        for row in inserts:
            insert([row], send_signals=True)
        return
    update_sql, params, _alias, names = update
    # The writes held back for this statement come first (their parameters before the update's).
    parts, first, params = held.take(params) if held is not None else ([], [], params)
    parts.append(f"_u AS ({update_sql} RETURNING 1)")
    for i, row in enumerate(inserts):
        prepared, row_params = _insert_plan(connection, alias, [row], None, True, checked=True)
        parts.append(f"_i{i} AS ({prepared.sql})")
        params += row_params
    outputs = ", ".join(
        [*first, "(SELECT count(*) FROM _u)", *(f"(SELECT * FROM _i{i})" for i in range(len(inserts)))]
    )
    # A prepared statement: one text per action's set of writes (run_prepared).
    rows, _count = run_prepared(connection, f"WITH {', '.join(parts)} SELECT {outputs}", params)
    updated, *keys = rows[0][len(first) :]
    if updated == 0:
        raise DatabaseError("Save with update_fields did not affect any rows.")
    _updated(obj, alias, names)
    for row, key in zip(inserts, keys, strict=True):
        _inserted([row], [key], alias, True)


# --- Writes held for the closing statement ------------------------------------------------------


class HeldWrites:
    """Data-modifying statements of a transaction held back to run as parts (WITH queries) of its
    closing statement (`save_and_insert`, PostgreSQL only), instead of one round trip each, in the
    order they were added, before the closing statement's own writes. Each part has a RETURNING
    clause (the statement reads every part, which fixes their order); a part may read the rows an
    earlier part returns, by the name `add` gives it. Only for writes that no
    statement in between reads: whoever reads (or writes the same rows) must `flush()` first."""

    def __init__(self, connection):
        self.connection = connection
        self._parts: list[str] = []
        self._params: list = []

    def add(self, sql: str, params: list) -> str:
        name = f"_h{len(self._parts)}"
        self._parts.append(f"{name} AS ({sql})")
        self._params.extend(params)
        return name

    def take(self, then: list) -> tuple[list[str], list[str], list]:
        """The held parts, the outputs that run them in the order they were added (a part no output
        reads runs after the statement, in no set order), and their parameters followed by `then`;
        nothing is held afterwards."""
        parts, params = self._parts, [*self._params, *then]
        outputs = [f"(SELECT count(*) FROM _h{i})" for i in range(len(parts))]
        self._parts, self._params = [], []
        return parts, outputs, params

    def flush(self) -> None:
        """Run what is held now, as one statement (every part of a WITH runs to completion)."""
        if self._parts:
            parts, outputs, params = self.take([])
            sql = f"WITH {', '.join(parts)} SELECT {', '.join(outputs)}"
            run_prepared(self.connection, sql, params, rows=False)


@contextmanager
def holding_writes(model: type[Model]) -> Iterator[HeldWrites | None]:
    """Hold writes (see HeldWrites) on `model`'s database until the block's closing statement; what is
    still held when the block ends runs then. None (nothing held) on a backend other than PostgreSQL.
    A block inside another runs what the outer one held first, so the writes keep their order."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        yield None
        return
    outer = getattr(connection, "_held_writes", None)
    if outer is not None:
        outer.flush()
    held = connection._held_writes = HeldWrites(connection)
    try:
        yield held
        held.flush()
    finally:
        connection._held_writes = outer


def held_writes(model: type[Model]) -> HeldWrites | None:
    """The writes being held on `model`'s database, if a `holding_writes` block is open."""
    return getattr(connections[router.db_for_write(model)], "_held_writes", None)


class _RowPlan:
    """How each column of an inserted row gets its value: from the row's own values (a parameter), from
    a column of another part (`sources`), or as a constant written into the statement (`constants`, and
    the fields' fixed defaults): the statement then has the same text for every call, and few enough
    parameters that the driver keeps its parsed form. Values are prepared by their fields as the ORM
    prepares them; constants are quoted by the driver."""

    def __init__(self, connection, model: type[Model], names, sources: dict, constants: dict):
        opts = model._meta
        self.fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.auto_field]
        qn = connection.ops.quote_name
        self.exprs: list[str] = []
        self.params: list[tuple[Any, str | None]] = []  # (field, name in the row; None: now or default)

        def constant(field, value) -> str:
            return connection.ops.compose_sql("%s", [field.get_db_prep_save(value, connection=connection)])

        for field in self.fields:
            name = field.attname
            if name in sources:
                self.exprs.append(qn(sources[name]))
            elif name in names:
                self.exprs.append("%s")
                self.params.append((field, name))
            elif name in constants:
                self.exprs.append(constant(field, constants[name]))
            elif (
                getattr(field, "auto_now", False)
                or getattr(field, "auto_now_add", False)
                or (field.has_default() and callable(field.default))
            ):
                self.exprs.append("%s")
                self.params.append((field, None))
            else:
                self.exprs.append(constant(field, field.get_default()))
        self.columns = "(" + ", ".join(qn(f.column) for f in self.fields) + ")"

    def values(self, connection, row: dict[str, Any]) -> list:
        values = []
        for field, name in self.params:
            if name is not None:
                value = row[name]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = field.pre_save(SimpleNamespace(), add=True)  # now (no instance to set it on)
            else:
                value = field.get_default()
            values.append(field.get_db_prep_save(value, connection=connection))
        return values


_row_sql: weakref.WeakKeyDictionary[Any, dict[tuple, tuple[_RowPlan, str]]] = weakref.WeakKeyDictionary()


def values_insert(
    connection,
    model: type[Model],
    rows: list[dict[str, Any]],
    *,
    constants: dict[str, Any] | None = None,
    unique_fields: tuple[str, ...] = (),
    update_fields: tuple[str, ...] = (),
    returning: tuple[str, ...],
) -> tuple[str, list]:
    """INSERT ... RETURNING `returning` (column names) of `rows` given as {attname: value}, as a part for
    `HeldWrites`, without instances: the columns every row has the same value for in `constants`, a
    missing column its field's default (auto_now(_add): now). With `unique_fields`, an upsert as
    `insert()` makes it. Statement built once per connection, model, row count and constants."""
    constants = constants or {}
    shape = (tuple(rows[0]), tuple(constants.items()), unique_fields, update_fields, returning)
    key = (model, len(rows), *shape)
    cache = _row_sql.setdefault(connection, {})
    found = cache.get(key)
    if found is None:
        plan = _RowPlan(connection, model, rows[0], {}, constants)
        qn = connection.ops.quote_name
        opts = model._meta
        parts = [
            f"INSERT INTO {qn(opts.db_table)} {plan.columns} VALUES",
            ", ".join(["(" + ", ".join(plan.exprs) + ")"] * len(rows)),
        ]
        if unique_fields:
            get = opts.get_field
            parts.append(
                connection.ops.on_conflict_suffix_sql(
                    plan.fields,
                    OnConflict.UPDATE,
                    [get(n).column for n in update_fields],
                    [get(n).column for n in unique_fields],
                )
            )
        parts.append("RETURNING " + ", ".join(qn(opts.get_field(n).column) for n in returning))
        found = cache[key] = (plan, " ".join(parts))
    plan, sql = found
    return sql, [value for row in rows for value in plan.values(connection, row)]


def select_insert(
    connection,
    model: type[Model],
    source: str,
    sources: dict[str, str],
    row: dict[str, Any],
    *,
    constants: dict[str, Any] | None = None,
    order: str,
) -> tuple[str, list]:
    """INSERT INTO `model` one row per row of the part named `source`, in the order `order` (SQL over
    `source`'s columns, constants only): the columns of `sources` ({attname: column of source}) read
    from it, the others from `row`, `constants` or their fields' defaults, as `values_insert` has them."""
    constants = constants or {}
    key = (model, source, tuple(sources.items()), tuple(row), tuple(constants.items()), order)
    cache = _row_sql.setdefault(connection, {})
    found = cache.get(key)
    if found is None:
        plan = _RowPlan(connection, model, row, sources, constants)
        sql = (
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} {plan.columns} "
            f"SELECT {', '.join(plan.exprs)} FROM {source} ORDER BY {order} RETURNING 1"
        )
        found = cache[key] = (plan, sql)
    plan, sql = found
    return sql, plan.values(connection, row)
