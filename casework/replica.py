"""Reports, the dashboard, the overdue board and exports may read from a PostgreSQL read replica.

When REPORTS_DATABASE_URL is set, the settings add a ``reports`` database alias pointing at a streaming
replica, and `ReportsRouter` (settings.DATABASE_ROUTERS) sends reads there, but only:

- inside an explicit `reading_reports()` scope (a context manager and decorator) — the report endpoints,
  the admin dashboard, the overdue board and the reception book enter it after the user is authenticated,
  so a session or token created a moment ago on the primary is never looked up on a replica behind it;
- and outside any transaction on ``default``: a transition or any other atomic block in the scope reads
  what it is about to change (row locks included) on the primary, and sees its own writes.

Writes always go to ``default`` (the replica is read-only anyway, and the settings open its sessions
read-only too); migrations run on ``default`` only. Objects read from the replica may be related to and
saved with objects of the primary: it is the same database, a few milliseconds behind (see README,
"Scaling out").

Without a ``reports`` alias every read goes to ``default`` and the scope changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPORTS = "reports"

_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def reading_reports() -> Iterator[None]:
    """Reads in this block may be served by the replica (also usable as a view decorator)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def replica_configured() -> bool:
    return REPORTS in connections.settings


def reads_from_replica() -> bool:
    """Where a read issued now would go: the replica only in the scope and outside a transaction."""
    return (
        _reading_reports.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    )


class ReportsRouter:
    def db_for_read(self, model, **hints) -> str:
        # Always an answer: without one, Django would follow an instance read from the replica back there.
        return REPORTS if reads_from_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # One database seen through two connections: a unit read on the replica may go into a new row.
        known = {DEFAULT_DB_ALIAS, REPORTS, None}
        return True if {obj1._state.db, obj2._state.db} <= known else None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db == REPORTS else None
