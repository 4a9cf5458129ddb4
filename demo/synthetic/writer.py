"""Rows written in bulk: ids assigned in memory so related rows can point at them, then COPY on
PostgreSQL or bulk_create elsewhere.

On PostgreSQL the whole run is one transaction (`Writer.session`). Its foreign keys and plain indexes
are dropped at the start and re-created at the end from their own definitions, read from the catalog
just before: checking a key or updating an index row by row costs several times the COPY itself, and
building them once over the loaded table is a single sort or join. DDL is transactional there, so a
failed or interrupted run rolls back to the schema it found. Each batch's COPY runs in a thread while
the next batch is generated, so the server ingests on one core while Python computes on the other.
Elsewhere each flush is a transaction of bulk_create statements.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import date
from operator import itemgetter
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

try:
    from psycopg.adapt import Dumper
except ImportError:  # psycopg is only needed on PostgreSQL
    Dumper = object


def first_id(model: type[models.Model]) -> int:
    """The first id free in `model`'s table."""
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


class Table:
    """Rows of one model with ids assigned here, so that related rows can point at them.

    Each province's rows take every `stride`-th id from `start` (its `offset` first), so that
    provinces generated in separate processes never collide and each gets the same ids whatever the
    number of processes."""

    def __init__(self, model: type[models.Model], start: int, stride: int = 1, offset: int = 0):
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
        self.rows: list[tuple] = []
        self.written = 0

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id = pk + self.stride
        return pk

    def add(self, values: dict[str, Any]) -> int:
        if "id" not in values:
            values["id"] = self.new_id()
        self.rows.append(self._getter({**self.defaults, **values}))
        return values["id"]


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
        """The whole run: on PostgreSQL one transaction with the tables' keys and plain indexes set
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
    def restore(statements: list[str]) -> None:
        """Re-create what `set_aside` dropped (in the current transaction)."""
        with connection.cursor() as cursor:
            # Index builds sort in memory when they can, and may use parallel workers.
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in statements:
                cursor.execute(sql)

    def set_aside(self) -> list[str]:
        """Drop the foreign keys and the plain (non-unique, non-constraint) indexes of the tables
        written; returns the statements that re-create them as they were, comments included."""
        names = [t.db_table for t in self.tables]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT format('DROP INDEX %%s', i.indexrelid::regclass),
                       pg_get_indexdef(i.indexrelid),
                       CASE WHEN obj_description(i.indexrelid, 'pg_class') IS NOT NULL
                       THEN format('COMMENT ON INDEX %%s IS %%L', i.indexrelid::regclass,
                                   obj_description(i.indexrelid, 'pg_class')) END
                FROM pg_index i
                WHERE i.indrelid = ANY (SELECT to_regclass(n) FROM unnest(%s::text[]) AS n)
                  AND NOT i.indisunique AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                                  AND c.conrelid = i.indrelid)
                ORDER BY i.indexrelid
                """,
                [names],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                """
                SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', c.conrelid::regclass, c.conname),
                       format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', c.conrelid::regclass, c.conname,
                              pg_get_constraintdef(c.oid)),
                       CASE WHEN obj_description(c.oid, 'pg_constraint') IS NOT NULL
                       THEN format('COMMENT ON CONSTRAINT %%I ON %%s IS %%L', c.conname,
                                   c.conrelid::regclass, obj_description(c.oid, 'pg_constraint')) END
                FROM pg_constraint c
                WHERE c.contype = 'f'
                  AND c.conrelid = ANY (SELECT to_regclass(n) FROM unnest(%s::text[]) AS n)
                ORDER BY c.oid
                """,
                [names],
            )
            keys = cursor.fetchall()
            for drop, _create, _comment in keys + indexes:
                cursor.execute(drop)
        return [sql for _drop, create, comment in indexes + keys for sql in (create, comment) if sql]

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

    def _copy_batch(self, raw, batch: list[tuple[Table, list[tuple]]]) -> None:
        try:
            with raw.cursor() as cursor:
                cursor.adapters.register_dumper(date, _MemoDateDumper)
                for table, rows in batch:
                    self._copy(cursor, table, rows)
        except BaseException as exc:  # handed to the main thread by wait()
            self._failure = exc

    @staticmethod
    def _copy(cursor, table: Table, rows: list[tuple]) -> None:
        quote = connection.ops.quote_name
        json_idx = [i for i, c in enumerate(table.columns) if c in table.json_columns]
        sql = f"COPY {quote(table.db_table)} ({', '.join(quote(c) for c in table.columns)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            write_row = copy.write_row
            if not json_idx:
                for row in rows:
                    write_row(row)
                return
            dumps = json.dumps
            for row in rows:
                row = list(row)
                for i in json_idx:
                    row[i] = dumps(row[i], ensure_ascii=False)
                write_row(row)


class _MemoDateDumper(Dumper):
    """Dates in COPY text, memoised: a few thousand distinct days fill tens of millions of cells, and
    psycopg's own date dumper costs about a microsecond a cell."""

    memo: dict[date, bytes] = {}

    def dump(self, obj: date) -> bytes:
        text = self.memo.get(obj)
        if text is None:
            text = self.memo[obj] = obj.isoformat().encode()
        return text
