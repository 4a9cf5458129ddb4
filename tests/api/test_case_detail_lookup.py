"""The case detail and every action's answer read the case with one prepared statement, its relations in
the same round trip (api.views.fetch_case_with_related), and check the user's reach in Python; these pin
that to what the queryset, with_related and the scope query answered."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.views import case_queryset, fetch_case_with_related, with_related
from casework.access import visible_cases
from casework.models import Case
from tests.factories import act, register

pytestmark = pytest.mark.sql

CASES = "/api/v1/cases/"


def _as_read(case: Case) -> dict:
    """Everything the representation reads of a case row: columns, annotations, its unit, its transfers."""
    transfers = (
        sorted(case.transfer_ids or [])
        if hasattr(case, "transfer_ids")
        else [c.pk for c in case._prefetched_objects_cache["transfers"]]
    )
    unit = case.unit
    return {
        "columns": {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields},
        "annotations": (case.first_appeal_id, case.due_date, case.calendar_rows, case.calendar_changed),
        "unit": {f.attname: getattr(unit, f.attname) for f in type(unit)._meta.concrete_fields},
        "transfers": transfers,
        "state_adding": (case._state.adding, case._state.db, unit._state.adding),
    }


def _by_queryset(pk: int) -> Case:
    return case_queryset(Case.objects.filter(pk=pk)).get()


def test_the_prepared_case_read_is_what_the_case_queryset_reads(org, today):
    moved = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    act(moved, "transfer", org.reception, target_unit=org.province.pk)
    plain = register(org.commune, org.reception, received_at=date(2026, 3, 9))
    for case in (moved, plain, Case.objects.get(transferred_from=moved)):
        assert _as_read(fetch_case_with_related(case.pk)) == _as_read(_by_queryset(case.pk))
    assert fetch_case_with_related(moved.pk).transferred_from_id is None
    assert _as_read(fetch_case_with_related(moved.pk))["transfers"] != []


def test_the_prepared_case_read_finds_nothing_for_an_unknown_or_impossible_id(org, today):
    assert fetch_case_with_related(10**9) is None
    assert fetch_case_with_related(10**30) is None  # beyond any column: nothing, as the ORM's lookup answers


def test_detail_is_found_exactly_where_the_scope_query_finds_it(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    users = [org.reception, org.head, org.p_head, org.monitor, org.outsider]
    for user in users:
        in_scope = visible_cases(user).filter(pk=case.pk).exists()
        response = client_for(user).get(f"{CASES}{case.pk}/")
        assert response.status_code == (200 if in_scope else 404), user
        if not in_scope:
            assert response.json() == {"code": "not_found", "detail": "No such object."}
    assert {u.username for u in users if visible_cases(u).filter(pk=case.pk).exists()} != {
        u.username for u in users
    }


def test_detail_answers_as_before_with_the_same_relations_in_few_statements(org, today, client_for):
    case = act(register(org.commune, org.reception, received_at=date(2026, 3, 2)), "review", org.reception)
    client = client_for(org.head)
    client.get(f"{CASES}{case.pk}/")  # the token's and the statements' first use
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"{CASES}{case.pk}/").json()
    expected = with_related([_by_queryset(case.pk)])[0]
    assert (body["id"], body["version"], body["state"]) == (case.pk, expected.version, expected.state)
    assert [d["kind"] for d in body["deadlines"]] == [d.kind for d in expected.deadlines.all()]
    assert len(body["petitioners"]) == len(expected.case_parties.all())
    # token, memberships, the case, its people, clocks, ledgers, dialogues (+ the access log, if any)
    assert len(queries) <= 8


def test_a_detail_with_a_query_string_still_goes_through_the_list_filters(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    client = client_for(org.head)
    assert client.get(f"{CASES}{case.pk}/").status_code == 200
    assert client.get(f"{CASES}{case.pk}/?state=received").status_code == 200
    assert client.get(f"{CASES}{case.pk}/?state=closed").status_code == 404
    assert client.get(f"{CASES}{case.pk}/?state=nonsense").status_code == 400


def test_an_action_answers_with_the_case_as_the_detail_shows_it(org, today, client_for):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    client = client_for(org.reception)
    answer = client.post(f"{CASES}{case.pk}/actions/review/", {"version": case.version}, format="json")
    assert answer.status_code == 200
    assert answer.json() == client.get(f"{CASES}{case.pk}/").json()
    assert answer.json()["state"] == "under_review"


def _related(case: Case) -> dict:
    cache = case._prefetched_objects_cache
    return {
        "people": [(link.pk, link.party_id, link.party.full_name) for link in cache["case_parties"]],
        "clocks": [
            (d.pk, d.status, [e.pk for e in d._prefetched_objects_cache["entries"]])
            for d in cache["deadlines"]
        ],
        "dialogues": [d.pk for d in cache["dialogues"]],
    }


def test_the_case_with_its_relations_read_together_is_what_reading_them_apart_gives(org, today):
    moved = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    act(moved, "transfer", org.reception, target_unit=org.province.pk)
    reviewed = act(
        register(org.commune, org.reception, received_at=date(2026, 3, 9)), "review", org.reception
    )
    for case in (moved, reviewed, Case.objects.get(transferred_from=moved)):
        together = fetch_case_with_related(case.pk)
        apart = with_related([_by_queryset(case.pk)])[0]
        assert _as_read(together) == _as_read(apart)
        assert _related(together) == _related(apart)
    assert _related(fetch_case_with_related(reviewed.pk))["clocks"]  # clocks with ledgers: compared
    assert fetch_case_with_related(10**9) is None and fetch_case_with_related(10**30) is None


def test_a_detail_is_two_round_trips_on_postgresql(org, today, client_for):
    case = act(register(org.commune, org.reception, received_at=date(2026, 3, 2)), "review", org.reception)
    client = client_for(org.monitor)
    client.get(f"{CASES}{case.pk}/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{CASES}{case.pk}/").status_code == 200
    if connection.vendor == "postgresql":
        # the token with the user's memberships; the case with its people, clocks and ledgers
        assert len(queries) == 2, [q["sql"][:80] for q in queries]


def test_token_authentication_gives_the_user_the_memberships_they_hold(org, today):
    from rest_framework.authtoken.models import Token

    from api.authentication import ExpiringTokenAuthentication
    from casework.access import memberships, memberships_of

    for user in (org.head, org.monitor, org.outsider):
        key = Token.objects.get_or_create(user=user)[0].key
        authenticated, _token = ExpiringTokenAuthentication().authenticate_credentials(key)
        with CaptureQueriesContext(connection) as queries:
            held = memberships(authenticated)
        assert len(queries) == 0  # read with the token
        expected = memberships_of(user.pk)
        assert sorted((m.pk, m.role, m.unit.path, m.unit.level.code) for m in held) == sorted(
            (m.pk, m.role, m.unit.path, m.unit.level.code) for m in expected
        )
        assert held


def test_a_membership_given_or_taken_counts_from_the_next_request(org, today, client_for):
    from casework.choices import Role
    from casework.models import Membership

    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    client = client_for(org.outsider)
    assert client.get(f"{CASES}{case.pk}/").status_code == 404
    given = Membership.objects.create(user=org.outsider, unit=org.province, role=Role.MONITOR)
    assert client.get(f"{CASES}{case.pk}/").status_code == 200
    given.delete()
    assert client.get(f"{CASES}{case.pk}/").status_code == 404
