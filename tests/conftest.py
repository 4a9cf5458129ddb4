from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import translation

from casework.choices import AuthorityLevel, Role
from casework.models import Membership, Unit, UnitLevel


@dataclass
class Org:
    province: Unit
    department: Unit
    commune: Unit
    remote_commune: Unit
    other_commune: Unit
    reception: object
    handler: object
    head: object
    p_reception: object
    p_handler: object
    p_head: object
    monitor: object
    outsider: object
    remote_reception: object
    remote_head: object


# (code, rank, authority level, is an agency) of the three levels, and each unit: (attribute, code, name,
# level, remote). The province is the parent of the others.
LEVELS = [
    ("province", 1, AuthorityLevel.PROVINCE, False),
    ("department", 2, AuthorityLevel.PROVINCE, True),
    ("commune", 3, AuthorityLevel.COMMUNE, False),
]
UNITS = [
    ("province", "tinh", "UBND tỉnh Thử", "province", False),
    ("department", "so-xd", "Sở Xây dựng", "department", False),
    ("commune", "xa-a", "UBND xã A", "commune", False),
    ("remote_commune", "xa-xa", "UBND xã Vùng Cao", "commune", True),
    ("other_commune", "xa-b", "UBND xã B", "commune", False),
]
# (username, unit attribute, role); the first unit head of a unit is its head, as grant_role makes it.
STAFF = [
    ("reception", "commune", Role.RECEPTION_OFFICER),
    ("handler", "commune", Role.HANDLER),
    ("head", "commune", Role.UNIT_HEAD),
    ("p_reception", "province", Role.RECEPTION_OFFICER),
    ("p_handler", "province", Role.HANDLER),
    ("p_head", "province", Role.UNIT_HEAD),
    ("monitor", "province", Role.MONITOR),
    ("outsider", "other_commune", Role.UNIT_HEAD),
    ("remote_reception", "remote_commune", Role.RECEPTION_OFFICER),
    ("remote_head", "remote_commune", Role.UNIT_HEAD),
]


def _org(db, request) -> Org:
    """The org, from the worker's shared build when `_org_shared` opened it before this test's transaction
    (a deep copy: a test changing an instance in memory changes no other test's), else built afresh."""
    shared = _SHARED_ORG.get("holder")
    if shared is not None and shared.atomic is not None and request.node.stash.get(_READS_SHARED_ORG, False):
        return shared.copy()
    return build_org()


org = pytest.fixture(name="org")(_org)


# The org is built once per worker and kept for the run of tests that read it, as tests.shared keeps a
# module's data: its rows are written in a transaction opened before the test's own (the test's `db`
# then works in a savepoint inside it and rolls back to the built rows), and that transaction is rolled
# back before a test that uses the database without this org (it must not see the rows) and before a
# transactional test (it must commit for real). 1,300 tests use it; building it cost ~15 ms of CPU each.
_SHARED_ORG: dict = {}
_READS_SHARED_ORG = pytest.StashKey[bool]()


def _reads_the_shared_org(item) -> bool:
    """`org` is this conftest's fixture (not a module's own, as tests.shared.shared_cases gives), the test
    is not transactional and its module keeps no shared data of its own (whose org would collide)."""
    names = getattr(item, "fixturenames", ())
    if "org" not in names or "transactional_db" in names or "live_server" in names:
        return False
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return False
    if any(name.startswith("_") and name.endswith("_opened") for name in names):
        return False
    definitions = item._fixtureinfo.name2fixturedefs.get("org", ())
    return bool(definitions) and definitions[-1].func is _org


_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "django_db_blocker", "live_server"}


def _uses_the_database(item) -> bool:
    """The test, or a fixture of it (one building module data under django_db_blocker, say), may read or
    write the database."""
    names = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(names & _DATABASE_FIXTURES)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture of the test: mark whether it reads the shared org, and roll the shared org back
    if the test uses the database without it (a test without the database leaves it as it is)."""
    item.stash[_READS_SHARED_ORG] = reads = _reads_the_shared_org(item)
    if not reads and _uses_the_database(item) and _SHARED_ORG.get("holder") is not None:
        _SHARED_ORG["holder"].release()


@pytest.fixture(scope="session")
def _org_holder(django_db_setup, django_db_blocker):
    from tests.shared import SharedData

    holder = _SHARED_ORG["holder"] = SharedData(django_db_blocker)
    yield holder
    holder.release()
    _SHARED_ORG.clear()


@pytest.fixture(autouse=True)
def _org_shared(request):
    """Opens the shared org for a test that reads it, unless a transaction is already open (a module's
    django_db mark or its own shared data opened one first): `org` then builds its own inside the test."""
    if not request.node.stash.get(_READS_SHARED_ORG, False):
        return
    holder = request.getfixturevalue("_org_holder")
    if holder.atomic is None:
        from django.db import connection

        with holder.blocker.unblock():
            if connection.in_atomic_block:
                return
        holder.enter(build_org)


def build_org() -> Org:
    """The same rows as UnitLevelFactory, UnitFactory and tests.factories.staff (user, membership, group,
    unit head) would make one by one, written in a few bulk statements: most tests of the suite use it,
    and the ~130 single-row statements of building it row by row were a tenth of the suite's time."""
    levels = {level.code: level for level in UnitLevel.objects.filter(code__in=[c for c, *_ in LEVELS])}
    missing = [
        UnitLevel(code=code, name=code.title(), rank=rank, authority_level=authority, is_agency=agency)
        for code, rank, authority, agency in LEVELS
        if code not in levels
    ]
    levels.update({level.code: level for level in UnitLevel.objects.bulk_create(missing)})

    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=name, password=make_password("pw"), email=f"{name}@example.gov.vn", is_staff=True
        )
        for name, _unit, _role in STAFF
    )
    people = {user.username: user for user in users}

    def build(code, name, level, remote, parent=None):
        return Unit(code=code, name=name, level=levels[level], parent=parent, is_remote=remote)

    (_first, *province_spec), *others = UNITS
    units = {"province": Unit.objects.bulk_create([build(*province_spec)])[0]}
    children = Unit.objects.bulk_create(build(*spec, units["province"]) for _attr, *spec in others)
    units.update(zip([attribute for attribute, *_ in others], children, strict=True))
    # As Unit.save() sets them once the primary key is known, and the heads as grant_role sets them.
    for each in units.values():
        each.path = f"{each.parent.path if each.parent_id else '/'}{each.pk}/"
        each.depth = each.path.count("/") - 2
    for name, attribute, role in STAFF:
        if role == Role.UNIT_HEAD and units[attribute].head_id is None:
            units[attribute].head = people[name]
    for each in units.values():  # plain updates: bulk_update's CASE expressions cost more to build
        Unit.objects.filter(pk=each.pk).update(path=each.path, depth=each.depth, head=each.head)

    Membership.objects.bulk_create(
        Membership(user=people[name], unit=units[attribute], role=role) for name, attribute, role in STAFF
    )
    groups = dict(Group.objects.filter(name__in={role for *_, role in STAFF}).values_list("name", "pk"))
    User = get_user_model()
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=people[name].pk, group_id=groups[role]) for name, _unit, role in STAFF
    )
    return Org(**units, **people)


@pytest.fixture(autouse=True)
def _language_restored():
    """A request leaves its language active in the thread (LocaleMiddleware activates it and nothing
    deactivates it): a test after one in Vietnamese read translated strings, depending on the order."""
    language = translation.get_language()
    yield
    if language:
        translation.activate(language)
    else:
        translation.deactivate_all()


@pytest.fixture
def frozen_today():
    """Freeze "today" in Asia/Ho_Chi_Minh; use as frozen_today(date(...))."""
    travellers = []

    def freeze(day: date):
        traveller = time_machine.travel(f"{day.isoformat()} 09:00 +0700", tick=False)
        traveller.start()
        travellers.append(traveller)

    yield freeze
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture(scope="session")
def _api_schema_json(django_db_setup, django_db_blocker) -> bytes:
    """/api/schema/ as JSON, fetched once for the run: generating it costs over a second of CPU and it
    depends only on the code (no rows, no time), so each test reading it needs no generation of its own."""
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200, response.status_code
    return response.content


@pytest.fixture
def api_schema(_api_schema_json) -> dict:
    """The served OpenAPI document, parsed afresh for each test (a test may change its copy)."""
    import json

    return json.loads(_api_schema_json)


# The longest modules (a minute of CPU or more each on 2 cores), first: pytest-xdist's worksteal hands
# each worker a contiguous share of the collection and steals only whole remaining tests, so a long test
# collected last ran alone on one worker while the other had finished. Each module keeps its tests' order
# (tests.shared builds data once per run of consecutive tests of a module).
LONGEST_FIRST = (
    "tests/api/test_fuzz.py",
    "tests/casework/test_report_summaries.py",
    "tests/casework/test_synthetic_postgres.py",
    "tests/api/test_leak_matrix.py",
    "tests/api/test_case_rows_equivalence.py",
    "tests/e2e/test_public_accessibility.py",
    "tests/e2e/test_walk.py",
)


def pytest_collection_modifyitems(session, config, items):
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    last = len(LONGEST_FIRST)
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], last))  # stable: others keep order
