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
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# Placeholder argument values, chosen so that they cannot be confused with a real parameter.
_PLACEHOLDER_BASE = -7_310_000_001


class _Compiled:
    def __init__(self, queryset: QuerySet, alias: str, placeholders: list[int]):
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = [
            [i for i, value in enumerate(self.params) if type(value) is int and value == placeholder]
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
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])


class PreparedQuery:
    """`build(*args)` returns the queryset for the given arguments (each an int: a primary key)."""

    def __init__(self, build: Callable[..., QuerySet], *, for_write: bool = False):
        self.build = build
        self.for_write = for_write
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()
        self._model: type[Model] | None = None

    def _alias(self) -> str:
        if self._model is None:
            self._model = self.build(*self._placeholders()).model
        pick = router.db_for_write if self.for_write else router.db_for_read
        return pick(self._model)

    def _placeholders(self) -> list[int]:
        count = self.build.__code__.co_argcount
        return [_PLACEHOLDER_BASE - i for i in range(count)]

    def fetch(self, *args: int) -> list[Model]:
        alias = self._alias()
        connection = connections[alias]
        compiled = self._compiled.get(connection)
        if compiled is None:
            placeholders = self._placeholders()
            compiled = _Compiled(self.build(*placeholders), alias, placeholders)
            self._compiled[connection] = compiled
        params = list(compiled.params)
        for slot, value in zip(compiled.slots, args, strict=True):
            for i in slot:
                params[i] = int(value)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        objects = []
        for row in rows:
            obj = compiled.model.from_db(alias, compiled.init_list, row[compiled.start : compiled.end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
