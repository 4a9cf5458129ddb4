import gc
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


@pytest.fixture
def org(db) -> Org:
    return build_org()


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


TEST_GC_THRESHOLD = 20_000

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


def pytest_collection_finish(session):
    # The suite is CPU-bound and builds many short-lived model instances, forms and responses: with
    # Python's default thresholds (700 allocations) the cyclic collector ran thousands of times per
    # worker, each pass re-walking the long-lived modules imported by the collection. Those are
    # frozen out of the collector's view, and it runs every TEST_GC_THRESHOLD allocations (gunicorn's
    # workers freeze the same way once the app is loaded: config/gunicorn.conf.py).
    gc.collect()
    gc.freeze()
    gc.set_threshold(TEST_GC_THRESHOLD, *gc.get_threshold()[1:])


def pytest_collection_modifyitems(session, config, items):
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    last = len(LONGEST_FIRST)
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], last))  # stable: others keep order
