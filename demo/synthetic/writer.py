"""Rows written in bulk: ids assigned in memory so related rows can point at them, then COPY on
PostgreSQL or bulk_create elsewhere, one transaction per flush."""

from __future__ import annotations

import json
from operator import itemgetter
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone


class Table:
    """Rows of one model with ids assigned here, so that related rows can point at them."""

    def __init__(self, model: type[models.Model]):
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
        self.next_id = (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.rows: list[tuple] = []
        self.written = 0

    def new_id(self) -> int:
        pk, self.next_id = self.next_id, self.next_id + 1
        return pk

    def add(self, values: dict[str, Any]) -> int:
        if "id" not in values:
            values["id"] = self.new_id()
        row = self.defaults.copy()
        row.update(values)
        self.rows.append(self._getter(row))
        return values["id"]


class Writer:
    """COPY on PostgreSQL, bulk_create (5,000 a statement) elsewhere."""

    def __init__(self, tables: list[Table], batch_size: int):
        self.tables = tables
        self.batch_size = batch_size
        self.copy = connection.vendor == "postgresql"

    def flush(self) -> None:
        with transaction.atomic():
            if self.copy:
                with connection.cursor() as cursor:
                    # Losing the last batches in a crash is harmless here; waiting for each flush is not.
                    cursor.execute("SET LOCAL synchronous_commit = off")
            for table in self.tables:  # in dependency order
                if table.rows:
                    self._write(table)
                    table.written += len(table.rows)
                    table.rows = []

    def _write(self, table: Table) -> None:
        if self.copy:
            json_idx = [i for i, c in enumerate(table.columns) if c in table.json_columns]
            columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
            sql = f"COPY {connection.ops.quote_name(table.model._meta.db_table)} ({columns}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in table.rows:
                    if json_idx:
                        row = list(row)
                        for i in json_idx:
                            row[i] = json.dumps(row[i], ensure_ascii=False)
                    copy.write_row(row)
        else:
            objs = [table.model(**dict(zip(table.columns, row, strict=True))) for row in table.rows]
            table.model.objects.bulk_create(objs, batch_size=self.batch_size)
