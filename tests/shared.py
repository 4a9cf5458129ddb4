"""Data that many tests of a module read, built once for each run of consecutive tests that use it instead
of once per test (Django's setUpTestData, for pytest functions).

The data is written inside a transaction opened before the test's own: pytest-django's `db` then opens the
test's transaction as a savepoint inside it and rolls back to it after the test, so each test still starts
from exactly the built rows, whatever the one before it wrote. The outer transaction is rolled back as soon
as a test of the module that does not use the data comes next (it must not see those rows) and at the end
of the module. Each test gets its own deep copy of the built objects, so one test changing an instance in
memory cannot change what the next one reads.

In a module:

    _march_holder, _march_opened = shared_data("march", build_march)

    @pytest.fixture
    def march(db, _march_holder):
        return _march_holder.copy()

`build` is called with the database unblocked and must not need function-scoped fixtures; time-dependent
building freezes its own time (tests.shared.frozen).

Cases built in an org of their own, on a frozen day, with the module's `org` fixture giving that org to
the tests that use them (`shared_cases`):

    _march_holder, _march_opened, march, org = shared_cases("march", march_cases, TODAY)
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.db import transaction


def frozen(day: date):
    """Time frozen at 09:00 of `day` in Asia/Ho_Chi_Minh, as conftest's frozen_today fixture freezes it."""
    return time_machine.travel(f"{day.isoformat()} 09:00 +0700", tick=False)


class SharedData:
    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None
        self.value = None

    def enter(self, build: Callable[[], object]) -> None:
        if self.atomic is not None:
            return
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                self.value = build()
            except BaseException:
                self.release()
                raise

    def copy(self):
        return copy.deepcopy(self.value)

    def release(self) -> None:
        if self.atomic is None:
            return
        atomic, self.atomic, self.value = self.atomic, None, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def shared_data(name: str, build: Callable[[], object]):
    """The module-scoped holder, and the autouse fixture that opens the data before a test using fixture
    `name` (before its `db` savepoint) and rolls it back before a test that does not. Assign both to
    module-level names so pytest collects them (see the module docstring)."""

    holder_name = f"_{name}_holder"

    @pytest.fixture(scope="module", name=holder_name)
    def holder(django_db_setup, django_db_blocker):
        shared = SharedData(django_db_blocker)
        yield shared
        shared.release()

    @pytest.fixture(autouse=True, name=f"_{name}_opened")
    def opened(request):
        holder = request.getfixturevalue(holder_name)
        if name in request.fixturenames:
            holder.enter(build)
        else:
            holder.release()

    return holder, opened


def shared_cases(name: str, build_cases: Callable[[object], object], day: date):
    """`shared_data` for `build_cases(org)` run in a fresh org (tests.conftest.build_org) with time frozen
    on `day`, plus the fixture `name` (the cases, the test's time frozen on `day` too) and an `org`
    fixture for the module: the cases' org for a test that uses them, a fresh one otherwise. Assign the
    four to module-level names."""
    from tests.conftest import build_org

    def build():
        org = build_org()
        with frozen(day):
            return org, build_cases(org)

    holder, opened = shared_data(name, build)
    holder_name = f"_{name}_holder"

    @pytest.fixture(name=name)
    def cases(db, frozen_today, request):
        frozen_today(day)
        return request.getfixturevalue(holder_name).copy()[1]

    @pytest.fixture(name="org")
    def org(request):
        request.getfixturevalue("db")
        if name in request.fixturenames:
            return request.getfixturevalue(holder_name).copy()[0]
        return build_org()

    return holder, opened, cases, org
