"""The case list and detail, read through their fast path (relations fetched by api.views.with_related,
annotations and the SQL around the WHERE compiled once, instances built by storing their values,
explanations, deadline rows and permitted actions remembered, filters skipped when none is named and
their form class built once), answer exactly
what the generic path answers: Django's prefetching, DRF's field-by-field representation and a fresh
explain() per clock. Same rows in the same order, same keys in the same order, same values, for every
kind of case, many states, and readers who may and may not see a denouncer."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from django.db.models import Prefetch
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from api.serializers import CaseSerializer, request_context
from casework.choices import CaseKind
from casework.confidentiality import MASK, can_see_denouncer
from casework.models import Case, CaseParty, Deadline
from casework.rules.explain import explain
from tests.factories import petitioner, register
from tests.helpers import wander

from .conftest import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.sql]


def cases_of_every_kind(org, seed: int, n: int = 16) -> list[int]:
    """n cases of the four kinds (denouncers sealed), several received on the same day, each moved a
    random number of random steps by the unit's head (transfers included), so the rows stand in many
    states with clocks started, paused, extended, met or cancelled."""
    rng = random.Random(seed)
    kinds = list(CaseKind.values)
    ids = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        case = register(
            org.commune,
            org.reception,
            kind=kind,
            received_at=TODAY - timedelta(days=rng.choice([20, 20, 35, 48, 60])),
            petitioners=[petitioner(i + 1)],
            # Names the petitioner, so a sealed denouncer's summary is scrubbed for most readers.
            summary=f"Ông Nguyễn Văn {i + 1} phản ánh việc thu hồi đất",
        )
        case = wander(case, org, rng, last_day=TODAY, conclusion=f"Kết luận về ông Nguyễn Văn {i + 1}")
        ids.append(case.pk)
    return ids


def generic_rows(reader, ids) -> list[dict]:
    """The rows as the generic path writes them, newest first, rendered to JSON and read back."""
    from django.test import RequestFactory

    cases = (
        Case.objects.filter(pk__in=ids)
        .select_related("unit")
        .prefetch_related(
            Prefetch("case_parties", queryset=CaseParty.objects.select_related("party").order_by("id")),
            Prefetch("deadlines", queryset=Deadline.objects.order_by("id").prefetch_related("entries")),
            "dialogues",
            Prefetch("transfers", queryset=Case.objects.order_by("id")),
            Prefetch("appeal_cases", queryset=Case.objects.order_by("id")),
        )
        .order_by("-received_at", "-id")
    )
    request = RequestFactory().get("/")
    request.user = reader
    context = request_context(request)
    serializer = CaseSerializer(context=context)
    rows = []
    for case in cases:
        row = serializer.generic_representation(case)
        for written, deadline in zip(row["deadlines"], case.deadlines.all(), strict=True):
            written["explanation"] = explain(deadline, context["calendar"])
        rows.append(row)
    return json.loads(JSONRenderer().render(rows))


def api_rows(client, url: str) -> list[dict]:
    rows = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = json.loads(response.content)
        rows += body["results"]
        url = body["next"]
    return rows


@pytest.mark.parametrize(("seed", "language"), [(1, "vi"), (2, "en")])
def test_case_list_and_detail_answer_what_the_generic_path_answers(org, today, client_for, seed, language):
    cases_of_every_kind(org, seed)
    # Every case, the transferred ones' successors in the other commune included.
    cases = {c.pk: c for c in Case.objects.select_related("unit")}
    assert {c.kind for c in cases.values()} == set(CaseKind.values)
    assert len({c.state for c in cases.values()}) >= 4
    readers = [org.monitor, org.head, org.reception, org.handler, org.p_head]
    seen = set()
    for reader in readers:
        client = client_for(reader)
        client.credentials(**client._credentials, HTTP_ACCEPT_LANGUAGE=language)
        visible = visible_ids(client)  # once per reader, not once per row
        with translation.override(language):
            expected = [r for r in generic_rows(reader, list(cases)) if r["id"] in visible]
        assert expected, reader.username
        for _twice in range(2):  # the second time the explanations are remembered ones
            rows = api_rows(client, "/api/v1/cases/?page_size=5")
            assert [list(r) for r in rows] == [list(r) for r in expected]
            assert rows == expected, reader.username
        overdue = api_rows(client, "/api/v1/cases/?overdue=true&page_size=3")
        assert overdue == [r for r in expected if any(d["overdue"] for d in r["deadlines"])]
        for row in expected:
            detail = json.loads(client.get(f"/api/v1/cases/{row['id']}/").content)
            assert list(detail) == list(row) and detail == row
            # Masking stays exactly as casework.confidentiality decides.
            case = cases[row["id"]]
            sealed = [p for p in detail["petitioners"] if p["confidential"]]
            links = CaseParty.objects.filter(case=case, confidential=True)
            assert len(sealed) == links.values("party").distinct().count()
            for person in sealed:
                assert person["masked"] is not can_see_denouncer(reader, case)
                assert (person["full_name"] == MASK) is person["masked"]
                seen.add(person["masked"])
    assert seen == {True, False}, "some reader should see a denouncer masked and some unmasked"


def visible_ids(client) -> set[int]:
    return {r["id"] for r in api_rows(client, "/api/v1/cases/?page_size=100")}


def test_a_remembered_explanation_follows_a_change_of_the_clock_or_its_ledger(org, today):
    from casework.models import DeadlineEntry
    from casework.rules.calendar import WorkingCalendar
    from casework.rules.explain import explanation

    case = register(org.commune, org.reception, received_at=TODAY - timedelta(days=10))
    calendar = WorkingCalendar.load()

    def fresh() -> Deadline:
        return Deadline.objects.prefetch_related("entries").filter(case=case).order_by("id").first()

    before = explanation(fresh(), calendar)
    assert before == explain(fresh(), calendar) == explanation(fresh(), calendar)
    DeadlineEntry.objects.create(
        deadline=fresh(), kind=DeadlineEntry.Kind.PAUSE, on=TODAY - timedelta(days=3), note="chờ giám định"
    )
    paused = explanation(fresh(), calendar)
    assert paused == explain(fresh(), calendar) != before
    Deadline.objects.filter(case=case).update(start_date=TODAY - timedelta(days=9))
    assert explanation(fresh(), calendar) == explain(fresh(), calendar) != paused
    with translation.override("en"):
        assert explanation(fresh(), calendar) == explain(fresh(), calendar)


def test_a_remembered_row_follows_its_data_and_its_reader_and_logs_every_unmasked_read(org, client_for):
    from casework.models import AccessLog, Party

    case = register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=TODAY - timedelta(days=5),
        petitioners=[petitioner(7)],
        summary="Ông Nguyễn Văn 7 tố cáo cán bộ địa chính",
    )
    head, monitor = client_for(org.head), client_for(org.monitor)

    def row(client) -> dict:
        rows = api_rows(client, "/api/v1/cases/?page_size=5")
        return next(r for r in rows if r["id"] == case.pk)

    def logged() -> int:
        return AccessLog.objects.filter(user=org.head, case=case).count()

    # The head may see the denouncer: every read, remembered or not, is logged.
    first = row(head)
    assert first["petitioners"][0]["full_name"] == "Nguyễn Văn 7" and logged() == 1
    assert row(head) == first and logged() == 2
    # The same case for a reader who may not: masked and scrubbed, nothing logged for them.
    masked = row(monitor)
    assert masked["petitioners"][0]["full_name"] == MASK and "Nguyễn Văn 7" not in masked["summary"]
    assert row(monitor) == masked and not AccessLog.objects.filter(user=org.monitor).exists()
    # Changes the row is written from, made behind the API's back (no new version).
    people = CaseParty.objects.filter(case=case).values("party")
    Party.objects.filter(pk__in=people).update(full_name="Trần Thị 8")
    Case.objects.filter(pk=case.pk).update(summary="Bà Trần Thị 8 tố cáo cán bộ địa chính")
    assert row(head)["petitioners"][0]["full_name"] == "Trần Thị 8" and logged() == 3
    assert row(head)["summary"] == "Bà Trần Thị 8 tố cáo cán bộ địa chính"
    assert "Trần Thị 8" not in row(monitor)["summary"]


def test_a_remembered_row_is_handed_out_as_a_copy(org):
    from django.test import RequestFactory

    from api.views import case_queryset, with_related

    case = register(org.commune, org.reception, received_at=TODAY - timedelta(days=5))
    request = RequestFactory().get("/")
    request.user = org.head

    def written() -> dict:
        fresh = with_related([case_queryset(Case.objects.filter(pk=case.pk)).get()])[0]
        return CaseSerializer(fresh, context=request_context(request)).data

    first = written()
    expected = json.loads(JSONRenderer().render(first))
    first["summary"] = "changed"
    first["deadlines"][0]["explanation"] = "changed"
    first["petitioners"][0]["full_name"] = "changed"
    first["transferred_to"].append(1)
    first["available_actions"].append("changed")
    assert json.loads(JSONRenderer().render(written())) == expected


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_list_page_is_written_byte_for_byte_as_drfs_json_renderer_writes_it(
    org, today, client_for, language
):
    from api.serializers.cases import WrittenRow

    ids = cases_of_every_kind(org, seed=5, n=8)
    # Characters DRF escapes after encoding (U+2028, U+2029), a quote and a backslash in free text.
    Case.objects.filter(pk=ids[0]).update(summary='Đơn "khẩn"\u2028dòng hai\u2029 C:\\ ông Nguyễn Văn 1')
    acted = False
    for reader in (org.monitor, org.head, org.reception, org.handler):
        client = client_for(reader)
        for _twice in range(2):  # the second time every row is a remembered one, with its text
            for url in ("/api/v1/cases/?page_size=3", "/api/v1/cases/?overdue=false&page_size=100"):
                while url:
                    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                    assert response.status_code == 200
                    assert response.content == JSONRenderer().render(response.data)
                    acted |= any(row["available_actions"] for row in response.data["results"])
                    url = response.json()["next"]
        assert all(type(row) is WrittenRow for row in response.data["results"])
    assert acted  # rows with actions written between their remembered text
    # An indent asked for in the Accept header is written by DRF's renderer itself.
    response = client.get("/api/v1/cases/", HTTP_ACCEPT="application/json; indent=2")
    assert response.content == JSONRenderer().render(response.data, "application/json; indent=2")
    assert b'\n  "next"' in response.content


@pytest.mark.parametrize(("seed", "language"), [(3, "vi"), (4, "en")])
def test_a_case_detail_and_an_actions_answer_are_written_byte_for_byte_as_drf_writes_the_generic_row(
    org, today, client_for, seed, language
):
    from api.serializers.cases import WrittenCase
    from tests.factories import act

    ids = cases_of_every_kind(org, seed, n=8)
    # Characters DRF escapes after encoding (U+2028, U+2029), a quote and a backslash in free text.
    Case.objects.filter(pk=ids[0]).update(summary='Đơn "khẩn"\u2028dòng hai\u2029 C:\\ ông Nguyễn Văn 1')
    everything = list(Case.objects.values_list("pk", flat=True))
    masked = set()
    for reader in (org.monitor, org.head, org.reception, org.handler):
        client = client_for(reader)
        visible = visible_ids(client)
        with translation.override(language):
            expected = {row["id"]: row for row in generic_rows(reader, everything) if row["id"] in visible}
        for _twice in range(2):  # written afresh, then from the remembered row and its text
            for pk, row in expected.items():
                response = client.get(f"/api/v1/cases/{pk}/", HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code == 200
                assert type(response.data) is WrittenCase and response.data.json_around
                assert response.content == JSONRenderer().render(row), (reader.username, pk)
                masked |= {p["masked"] for p in row["petitioners"] if p["confidential"]}
    assert masked == {True, False}
    # An action's answer: the case after the transition, as the generic path writes it then.
    case = register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=TODAY - timedelta(days=4),
        petitioners=[petitioner(9)],
        summary="Ông Nguyễn Văn 9 tố cáo cán bộ địa chính",
    )
    case = act(case, "review", org.reception, on=TODAY - timedelta(days=3))
    head = client_for(org.head)
    response = head.post(
        f"/api/v1/cases/{case.pk}/actions/accept/",
        {"version": case.version, "note": "Thụ lý"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    with translation.override(language):
        [row] = generic_rows(org.head, [case.pk])
    assert row["state"] == "accepted" and row["available_actions"]
    assert type(response.data) is WrittenCase
    assert response.content == JSONRenderer().render(row)
    # An indent asked for in the Accept header is written by DRF's renderer itself.
    response = head.get(f"/api/v1/cases/{case.pk}/", HTTP_ACCEPT="application/json; indent=2")
    assert response.content == JSONRenderer().render(response.data, "application/json; indent=2")
    assert b'\n  "id"' in response.content


def test_a_written_case_changed_after_it_was_written_is_encoded_again(org, today):
    from django.test import RequestFactory

    from api.serializers.cases import WrittenCase
    from api.views import CaseListRenderer, case_queryset, with_related

    case = register(org.commune, org.reception, received_at=TODAY - timedelta(days=5))
    request = RequestFactory().get("/")
    request.user = org.head
    fresh = with_related([case_queryset(Case.objects.filter(pk=case.pk)).get()])[0]
    data = CaseSerializer(fresh, context=request_context(request)).data
    assert type(data) is WrittenCase and data.json_around
    data["summary"] = "changed"
    assert data.json_around is None
    assert CaseListRenderer().render(data) == JSONRenderer().render(data)
    assert b'"summary":"changed"' in CaseListRenderer().render(data)
