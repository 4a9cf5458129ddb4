"""The case list reads the running clocks, not every case, and costs the same number of queries for any
page size; its deadlines read exactly as DRF's generic representation would write them."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.serializers import DeadlineSerializer, request_context
from casework.choices import DeadlineStatus, Role
from casework.models import Case, Deadline
from casework.selectors import overdue_cases
from tests.conftest import build_org
from tests.factories import petitioner, register, staff
from tests.shared import frozen, shared_data

from .conftest import TODAY

# No module-wide django_db mark: its database would open before the shared cases below (tests.shared), and
# roll them back after the first test that reads them; each test here reaches the database through `org`.
pytestmark = [pytest.mark.sql]


def shuffle_clocks(org, seed: int, n: int = 24) -> None:
    """n cases whose clocks get random statuses and due dates around today."""
    rng = random.Random(seed)
    for _i in range(n):
        register(org.commune, org.reception, received_at=TODAY - timedelta(days=rng.randint(0, 30)))
    for deadline in Deadline.objects.all():
        status = rng.choice([DeadlineStatus.RUNNING, DeadlineStatus.MET, DeadlineStatus.CANCELLED])
        due = TODAY + timedelta(days=rng.randint(-20, 20)) if rng.random() < 0.9 else None
        Deadline.objects.filter(pk=deadline.pk).update(status=status, due_date=due)


def listed(client, url: str) -> set[int]:
    # One page: cursor pages over received_at alone can repeat or skip rows received on the same day
    # on PostgreSQL (a tie order the pagination does not fix; not what these tests are about).
    ids = set()
    while url:
        body = client.get(url).json()
        ids |= {row["id"] for row in body["results"]}
        url = body["next"]
    return ids


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_overdue_list_equals_the_per_case_definition_on_random_data(org, today, client_for, seed):
    shuffle_clocks(org, seed)
    expected = {
        case.pk for case in Case.objects.all() if any(d.is_overdue(TODAY) for d in case.deadlines.all())
    }
    assert expected, "the random data should hold overdue cases"
    client = client_for(org.monitor)

    assert listed(client, "/api/v1/cases/?overdue=true&page_size=100") == expected
    assert listed(client, "/api/v1/cases/?overdue=false&page_size=100") == set(
        Case.objects.exclude(pk__in=expected).values_list("pk", flat=True)
    )
    assert set(overdue_cases(Case.objects.all(), TODAY).values_list("pk", flat=True)) == expected


def test_due_before_lists_the_cases_with_a_running_clock_due_by_that_day(org, today, client_for):
    shuffle_clocks(org, seed=7)
    day = TODAY + timedelta(days=3)
    expected = {
        d.case_id
        for d in Deadline.objects.filter(status=DeadlineStatus.RUNNING, due_date__isnull=False)
        if d.due_date <= day
    }

    assert listed(client_for(org.monitor), f"/api/v1/cases/?due_before={day}&page_size=100") == expected


def test_overdue_list_is_scoped_to_the_readers_units(org, today, client_for):
    shuffle_clocks(org, seed=4, n=6)
    Deadline.objects.update(status=DeadlineStatus.RUNNING, due_date=TODAY - timedelta(days=1))
    outsider = register(
        org.other_commune, staff(org.other_commune, Role.RECEPTION_OFFICER), received_at=TODAY
    )
    Deadline.objects.filter(case=outsider).update(due_date=TODAY - timedelta(days=1))
    commune_handler = staff(org.commune, Role.HANDLER, "commune_reader")

    assert outsider.pk not in listed(client_for(commune_handler), "/api/v1/cases/?overdue=true")
    assert outsider.pk in listed(client_for(org.monitor), "/api/v1/cases/?overdue=true")


def test_case_list_query_count_does_not_grow_with_page_size(org, today, client_for):
    shuffle_clocks(org, seed=5, n=30)
    client = client_for(org.monitor)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries("/api/v1/cases/?page_size=3") == queries("/api/v1/cases/?page_size=30")
    assert queries("/api/v1/cases/?overdue=true&page_size=2") == queries(
        "/api/v1/cases/?overdue=true&page_size=30"
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_deadline_rows_read_as_drf_would_write_them(org, today, rf, language, settings):
    from django.utils import translation

    shuffle_clocks(org, seed=6, n=8)
    request = rf.get("/")
    request.user = org.monitor
    with translation.override(language):
        serializer = DeadlineSerializer(context=request_context(request))
        for _twice in range(2):  # the second time the rows are remembered ones
            for deadline in Deadline.objects.prefetch_related("entries"):
                assert serializer.to_representation(deadline) == serializer.generic_representation(deadline)


def test_a_remembered_deadline_row_follows_its_clock_and_the_day(org, today, rf):
    from casework.models import DeadlineEntry

    case = register(org.commune, org.reception, received_at=TODAY - timedelta(days=10))
    request = rf.get("/")
    request.user = org.monitor
    context = request_context(request)

    def row(day=TODAY) -> tuple[dict, dict]:
        deadline = Deadline.objects.prefetch_related("entries").filter(case=case).order_by("id").first()
        serializer = DeadlineSerializer(context={**context, "today": day})
        return serializer.to_representation(deadline), serializer.generic_representation(deadline)

    first, generic = row()
    assert first == generic and first["status"] == DeadlineStatus.RUNNING
    later, generic = row(TODAY + timedelta(days=7))
    assert later == generic and later["working_days_left"] != first["working_days_left"]
    Deadline.objects.filter(case=case).update(due_date=TODAY - timedelta(days=1))
    moved, generic = row()
    assert moved == generic and moved["overdue"] and not first["overdue"]
    deadline = Deadline.objects.filter(case=case).order_by("id").first()
    DeadlineEntry.objects.create(deadline=deadline, kind=DeadlineEntry.Kind.PAUSE, on=TODAY, note="chờ")
    paused, generic = row()
    assert paused == generic and paused["explanation"] != moved["explanation"]
    Deadline.objects.filter(case=case).update(status=DeadlineStatus.MET, completed_on=TODAY)
    met, generic = row()
    assert met == generic and met["working_days_left"] is None and met["status"] == DeadlineStatus.MET
    # A row handed out is the caller's: changing it changes no remembered row.
    met["explanation"] = "changed"
    assert row()[0] == generic


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_overdue_cases_are_fetched_by_key_from_the_running_clock_index(org, today):
    shuffle_clocks(org, seed=8, n=4)
    page = overdue_cases(Case.objects.order_by("-received_at"), TODAY)[:26]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be read whole anyway
    plan = page.explain()

    assert "deadline_running_due_idx" in plan
    # An init-plan read once, then the cases by primary key: no semi-join walking the cases.
    assert "InitPlan" in plan and "Semi Join" not in plan


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_a_list_page_reads_the_newest_cases_in_order_from_one_index_however_many_share_a_day(org, today):
    # Many cases received the same day: with received_at alone indexed, the first page read and sorted
    # every case of that day; with (received_at, id) it reads the page's rows in order and stops.
    for _i in range(6):
        register(org.commune, org.reception, received_at=TODAY)
    page = Case.objects.filter(unit__path__startswith=org.commune.path).order_by(*Case._meta.ordering)[:26]
    with connection.cursor() as cursor:
        # A tiny table would be read whole and sorted anyway: what is asked here is whether an index
        # gives the order by itself (without one, the plan still sorts, at the cost of the switch).
        for switch in ("seqscan", "sort", "incremental_sort"):
            cursor.execute(f"SET LOCAL enable_{switch} = off")
    plan = page.explain()

    assert "Index Scan Backward using case_received_idx on casework_case" in plan
    assert "Sort" not in plan


# --- Rows written out directly --------------------------------------------------------------------


def cases_along_their_machines(org, seed: int, n: int = 14) -> list[int]:
    """n complaints and denunciations (a denouncer is sealed), each moved a random number of random
    steps by the unit's head, so the cases stand in many states with their clocks started, paused,
    extended, met or cancelled."""
    from casework.choices import CaseKind
    from tests.helpers import wander

    rng = random.Random(seed)
    ids = []
    for i in range(n):
        kind = rng.choice([CaseKind.COMPLAINT, CaseKind.DENUNCIATION])
        case = register(
            org.commune,
            org.reception,
            kind=kind,
            received_at=TODAY - timedelta(days=rng.randint(20, 60)),
            petitioners=[petitioner(i + 1)],
            # Names the petitioner, so a sealed denouncer's summary is scrubbed for most readers.
            summary=f"Ông Nguyễn Văn {i + 1} phản ánh việc thu hồi đất",
        )
        case = wander(case, org, rng, last_day=TODAY, conclusion="Kết luận")
        ids.append(case.pk)
    return ids


@pytest.mark.parametrize("seed", [1, 2])
def test_available_actions_are_the_state_actions_the_role_permits(org, today, seed):
    from workflows.permissions import may_perform
    from workflows.service import available_actions, state_actions

    ids = cases_along_their_machines(org, seed)
    readers = [org.monitor, org.head, org.handler, org.reception, org.p_head, org.outsider]
    states = set()
    memos: dict[int, dict] = {}
    for case in (
        Case.objects.filter(pk__in=ids)
        .select_related("unit")
        .prefetch_related("deadlines", "dialogues", "case_parties__party")
    ):
        states.add(case.state)
        for reader in readers:
            expected = [a for a in state_actions(case) if may_perform(reader, case, a)]
            assert available_actions(case, reader) == expected, (case.state, reader.username)
            # With the memo a list page keeps across its rows: the same answer for every case.
            remembered = memos.setdefault(reader.pk, {})
            assert available_actions(case, reader, remembered) == expected, (case.state, reader.username)
    assert len(states) >= 4, states


def build_machines():
    with frozen(TODAY):
        org = build_org()
        return org, cases_along_their_machines(org, seed=3)


# The same cases for both languages, built once for the run of tests that read them (tests.shared).
_machines_holder, _machines_opened = shared_data("machines", build_machines)


@pytest.fixture
def machines(db, _machines_holder, today):
    return _machines_holder.copy()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_case_rows_read_as_drf_would_write_them(machines, rf, language):
    from django.utils import translation

    from api.serializers import CaseSerializer
    from api.views import case_queryset

    org, ids = machines
    cases = list(case_queryset(Case.objects.filter(pk__in=ids)))
    assert any(c.kind == "denunciation" for c in cases)
    with translation.override(language):
        for reader in (org.monitor, org.head, org.reception, org.handler):
            request = rf.get("/")
            request.user = reader
            serializer = CaseSerializer(context=request_context(request))
            for case in cases:
                row = serializer.to_representation(case)
                assert row == serializer.generic_representation(case)
                linked = Case.objects.order_by("pk")
                assert row["transferred_to"] == [c.pk for c in linked.filter(transferred_from=case)]
                appeal = linked.filter(first_round_case=case).first()
                assert row["appeal_case"] == (appeal.pk if appeal else None)
    assert (
        any(c.transfer_ids for c in cases if hasattr(c, "transfer_ids")) or connection.vendor != "postgresql"
    )


def test_list_filters_validate_alike_on_every_request_and_in_each_language(org, today, client_for):
    # The filter set's form class is built once per language and reused (api.filters.StrictFilterSet).
    shuffle_clocks(org, seed=4, n=6)
    client = client_for(org.head)
    messages = {"vi": "Phải là true hoặc false.", "en": "Must be true or false."}
    for _twice in range(2):
        for language, message in messages.items():
            bad = client.get("/api/v1/cases/?overdue=maybe", HTTP_ACCEPT_LANGUAGE=language)
            assert bad.status_code == 400 and message in json.dumps(bad.json(), ensure_ascii=False)
            assert client.get("/api/v1/cases/?overdue=", HTTP_ACCEPT_LANGUAGE=language).status_code == 400
            overdue = listed(client, "/api/v1/cases/?overdue=true")
            assert overdue and listed(client, "/api/v1/cases/?overdue=true&kind=complaint") <= overdue
            assert listed(client, "/api/v1/cases/?overdue=false").isdisjoint(overdue)
            assert overdue == {c.pk for c in overdue_cases(Case.objects.all(), TODAY)}


def test_filter_sets_copy_their_filters_as_a_deep_copy_would():
    import copy

    from django.http import QueryDict
    from django_filters.filters import FilterMethod

    from api import filters as api_filters

    sets = [api_filters.CaseFilter, api_filters.UnitFilter, api_filters.VisitFilter]
    sets += [api_filters.DialogueFilter, api_filters.PartyFilter, api_filters.AccessLogFilter]
    # The case list's filters are all of the kinds copied this way.
    assert all(type(f) in api_filters._PLAIN_FILTERS for f in api_filters.CaseFilter.base_filters.values())
    for filter_set in sets:
        cheap = filter_set(QueryDict("kind=complaint"))
        deep = copy.deepcopy(filter_set.base_filters)
        assert list(cheap.filters) == list(deep)
        for name, copied in cheap.filters.items():
            declared = filter_set.base_filters[name]
            assert copied is not declared and copied.extra is not declared.extra
            assert type(copied) is type(deep[name]) and copied.parent is cheap
            # `_field` is the form field django-filter caches on a filter once built (generating the
            # OpenAPI schema builds the declared ones): the copy builds its own, never the declared one's.
            assert "_field" not in vars(copied)
            left = {k: v for k, v in vars(copied).items() if k not in ("parent", "filter", "model")}
            right = {k: v for k, v in vars(deep[name]).items() if k not in ("filter", "_field")}
            assert left == right, (filter_set.__name__, name)
            if isinstance(declared.__dict__.get("filter"), FilterMethod):
                # The method resolves on this filter set, not on the class's declared filter.
                assert copied.filter.f is copied
                assert copied.filter.method == getattr(cheap, declared.method)
            copied.extra["changed"] = True
            assert "changed" not in declared.extra


def test_a_pages_dialogues_are_read_once_for_the_page_and_only_when_asked_for(org):
    from api.views import case_queryset, with_related
    from tests.helpers import hold_dialogue, new_case

    cases = [new_case(org) for _ in range(3)]
    held = [hold_dialogue(cases[0], org), hold_dialogue(cases[2], org), hold_dialogue(cases[2], org)]
    with CaptureQueriesContext(connection) as captured:
        page = with_related(list(case_queryset(Case.objects.filter(pk__in=[c.pk for c in cases]))))
    assert not any("casework_dialogue" in q["sql"] for q in captured)
    by_id = {case.pk: case for case in page}
    with CaptureQueriesContext(connection) as captured:
        read = {pk: [d.pk for d in by_id[pk].dialogues.all()] for pk in reversed(list(by_id))}
        assert len(by_id[cases[2].pk].dialogues.all()) == 2 and not by_id[cases[1].pk].dialogues.all()
    assert len(captured) == 1
    # The same dialogues, in the same order, as Django's own prefetching gives.
    expected = Case.objects.filter(pk__in=by_id).prefetch_related("dialogues")
    assert read == {c.pk: [d.pk for d in c.dialogues.all()] for c in expected}
    assert read[cases[0].pk] == [held[0].pk] and set(read[cases[2].pk]) == {held[1].pk, held[2].pk}


def test_a_listed_page_leaves_its_related_instances_to_be_freed_without_the_garbage_collector(
    org, today, client_for
):
    import gc

    from casework.models import CaseParty, DeadlineEntry

    shuffle_clocks(org, seed=9, n=6)
    client = client_for(org.monitor)
    assert DeadlineEntry.objects.exists() and CaseParty.objects.exists()
    client.get("/api/v1/cases/?page_size=4")  # warm: what a first request builds once
    gc.collect()
    gc.disable()
    try:
        body = client.get("/api/v1/cases/?page_size=4").json()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = {type(o) for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert body["results"] and any(row["deadlines"] for row in body["results"])
    # The people, clocks and ledgers the page read were freed when the request let go of them; only
    # the cyclic garbage collector would have found them in a cycle.
    assert not found & {Deadline, DeadlineEntry, CaseParty}


def test_a_remembered_filter_validation_reads_as_a_fresh_one(org, today, client_for, monkeypatch):
    from api import filters as api_filters

    shuffle_clocks(org, seed=10, n=8)
    client = client_for(org.head)
    since = (TODAY - timedelta(days=15)).isoformat()
    urls = [
        "/api/v1/cases/?overdue=true",
        f"/api/v1/cases/?received_from={since}&kind=complaint",
        "/api/v1/cases/?overdue=false&page_size=3",
    ]
    for language in ("vi", "en"):
        fresh = {}
        for url in urls:
            api_filters._cleaned_data.clear()
            fresh[url] = client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()
        assert fresh[urls[1]]["results"]
        for url in urls:  # validated once more, and remembered
            assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).json() == fresh[url]
        built = []
        original = api_filters.StrictFilterSet.get_form_class
        monkeypatch.setattr(
            api_filters.StrictFilterSet,
            "get_form_class",
            lambda self, built=built, original=original: built.append(1) or original(self),
        )
        for _twice in range(2):
            for url in urls:
                assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).json() == fresh[url]
        monkeypatch.undo()
        assert not built  # each of them validated from what was remembered
        # Bad values are still refused, in the reader's language, after good ones were remembered.
        bad = client.get(f"/api/v1/cases/?received_from={since}x", HTTP_ACCEPT_LANGUAGE=language)
        assert bad.status_code == 400 and bad.json()["codes"] == {"received_from": ["invalid"]}
