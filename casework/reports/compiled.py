"""Report queries compiled once per shape and run with each call's days and numbers put in place.

Building a report's grouped aggregate query (a dozen filtered counts over Q trees) costs Django several
times what the database takes to answer it over a unit's cases, and the same few shapes are asked for
with other days on every request. A query is built once with placeholder values, compiled, the
positions of each placeholder among its parameters noted, and later calls run the SQL with their own
values in those positions.

The placeholders are values no report can ask for: days before MIN_YEAR and integers far above any
half-month number (still inside PositiveIntegerField's range: a lookup out of the column's range is
folded away by Django, which would change the query's shape). The caller's key must name everything
else the query depends on (database aside): grouping, kind, which optional parts it has, unit ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

_INT_BASE = 1_000_000_000
MAX_ENTRIES = 512


def placeholder(value: date | int, i: int) -> date | int:
    """The i-th value's stand-in, of its type."""
    if isinstance(value, date):
        return date(1001 + i, 2, 3)
    if isinstance(value, int) and not isinstance(value, bool):
        return _INT_BASE + i
    raise TypeError(f"no placeholder for {type(value).__name__}")


def compiled_rows(
    cache: dict[tuple, tuple | None],
    key: tuple,
    alias: str,
    values: Sequence[date | int],
    build: Callable[[list], QuerySet],
) -> list[dict[str, Any]]:
    """The rows (dicts) of the `.values(...).annotate(...)` queryset `build(stand_ins)` would give with
    `values` for `stand_ins`, read on database `alias`; compiled on the first call for `key`."""
    connection = connections[alias]
    full_key = (alias, connection.vendor, *key)
    compiled = cache.get(full_key, False)
    if compiled is False:
        compiled = _compile(alias, [placeholder(v, i) for i, v in enumerate(values)], build)
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[full_key] = compiled
    if compiled is None:  # a query Django found empty (a scope of no unit): nothing to read
        return []
    sql, params, slots, names, converters = compiled
    params = list(params)
    adapt = connection.ops.adapt_datefield_value
    for slot, value in zip(slots, values, strict=True):
        for i in slot:
            params[i] = adapt(value) if isinstance(value, date) else type(params[i])(value)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for i, (convert, expression) in converters:
                for each in convert:
                    row[i] = each(row[i], expression, connection)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _compile(alias: str, stand_ins: list, build: Callable[[list], QuerySet]) -> tuple | None:
    qs = build(stand_ins).using(alias)
    compiler = qs.query.get_compiler(using=alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    adapt = connections[alias].ops.adapt_datefield_value
    wanted = [adapt(v) if isinstance(v, date) else v for v in stand_ins]
    # An integer parameter never stands for a day, nor a day for a number. (PostgreSQL's integers come
    # wrapped for psycopg, Int4 and such: int subclasses, kept for the values put in their place.)
    slots = [
        [i for i, p in enumerate(params) if isinstance(p, int) == isinstance(w, int) and p == w]
        for w in wanted
    ]
    if not all(slots):  # every value has its place, or the query is not what it is taken for
        raise ValueError("a placeholder is missing from the report query's parameters")
    query = qs.query
    names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    select = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    converters = sorted(compiler.get_converters(select).items())
    return sql, tuple(params), slots, names, converters
