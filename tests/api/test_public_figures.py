"""The public endpoints of issue 15: the rating of a decided case with its lookup code, the published
figures of a unit's area, and the staff's conference endpoints."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from casework import reports
from casework.choices import CaseKind, CaseState
from casework.models import ServiceRating
from tests.helpers import drive
from workflows.intake.inputs import PetitionerInput
from workflows.intake.online import OnlineSubmission, submit_online

pytestmark = pytest.mark.django_db

RATING = {
    "satisfaction": "very_satisfied",
    "timeliness": "on_time",
    "contacts": 1,
    "staff_attitude": "good",
    "answer_clarity": "fair",
    "comment": "Trả lời rõ ràng",
}


def sent_online(org, kind=CaseKind.RECOMMENDATION):
    receipt = submit_online(
        OnlineSubmission(
            unit=org.commune,
            kind=kind,
            summary="Đề nghị sửa đèn đường thôn 3",
            petitioner=PetitionerInput(full_name="Lê Văn Tám", address="Thôn 3, xã A", phone="0912345678"),
        )
    )
    return receipt.case, receipt.lookup_code


def rating_url(case) -> str:
    return f"/api/v1/public/cases/{case.reference}/rating/"


def test_the_petitioner_rates_a_decided_case_once_with_the_lookup_code(org, today):
    case, code = sent_online(org)
    drive(case, org, CaseState.DECIDED)
    client = APIClient()
    answer = client.post(rating_url(case), {**RATING, "code": code}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["satisfaction"] == "very_satisfied"
    again = client.post(rating_url(case), {**RATING, "code": code.lower()}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert ServiceRating.objects.filter(case=case).count() == 1


def test_a_case_not_yet_decided_answers_409_not_rateable(org, today):
    case, code = sent_online(org)
    answer = APIClient().post(rating_url(case), {**RATING, "code": code}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "not_rateable"


def test_a_wrong_code_and_an_unknown_reference_answer_alike_and_guessing_is_cut_off(org, today):
    case, code = sent_online(org)
    drive(case, org, CaseState.DECIDED)
    client = APIClient()
    wrong = client.post(rating_url(case), {**RATING, "code": "AAAA-BBBB-CCCC"}, format="json")
    unknown = client.post(
        "/api/v1/public/cases/XA-A/2026/99999/rating/", {**RATING, "code": code}, format="json"
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    for _ in range(12):
        last = client.post(rating_url(case), {**RATING, "code": "AAAA-BBBB-CCCC"}, format="json")
    assert last.status_code == 429, last.json()
    # Even the right code is refused once the client has spent its guesses.
    assert client.post(rating_url(case), {**RATING, "code": code}, format="json").status_code == 429
    assert not ServiceRating.objects.exists()


def test_a_rating_outside_the_scale_is_a_400_naming_the_field(org, today):
    case, code = sent_online(org)
    drive(case, org, CaseState.DECIDED)
    answer = APIClient().post(rating_url(case), {**RATING, "contacts": 0, "code": code}, format="json")
    assert answer.status_code == 400 and "contacts" in answer.json()["errors"]


def test_the_published_figures_count_per_level_with_the_units_sentences(org, today):
    for _ in range(2):
        case, code = sent_online(org)
        drive(case, org, CaseState.DECIDED)
    APIClient().post(rating_url(case), {**RATING, "code": code}, format="json")
    sent_online(org)  # received, not yet accepted
    answer = APIClient().get(
        "/api/v1/public/statistics/",
        {"unit": org.province.pk, "date_from": "2026-01-01", "date_to": "2026-03-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    [commune] = body["levels"]
    assert commune["level"] == "commune"
    assert (commune["received"], commune["in_competence"], commune["resolved"]) == (3, 2, 2)
    assert commune["phrases"]["resolved"] == "2 of 2 resolved, 100.0%"
    assert commune["phrases"]["satisfaction"] == "1 of 1 satisfied, 100.0%"
    assert body["totals"]["ratings"] == 1
    text = answer.content.decode()
    for private in ("Lê Văn Tám", "0912345678", "Thôn 3", "đèn đường", case.reference):
        assert private not in text


def test_the_published_figures_default_to_the_year_so_far_and_refuse_bad_input(org, today):
    client = APIClient()
    body = client.get("/api/v1/public/statistics/", {"unit": org.commune.pk}).json()
    assert body["period"]["date_from"] == "2026-01-01" and body["period"]["date_to"] == today.isoformat()
    assert client.get("/api/v1/public/statistics/", {"unit": 999999}).status_code == 404
    bad = client.get("/api/v1/public/statistics/", {"unit": org.commune.pk, "date_from": "2026-05-01"})
    assert bad.status_code == 400
    assert client.get("/api/v1/public/statistics/").status_code == 400


def test_staff_schedule_announce_record_and_publish_a_conference_through_the_api(org, today, client_for):
    head = client_for(org.head)
    made = head.post(
        "/api/v1/conferences/",
        {
            "unit": org.commune.pk,
            "starts_at": "2026-04-02T08:00:00+07:00",
            "topics": "Đường liên thôn",
            "place": "Hội trường xã",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    conference = made.json()
    assert conference["notice_due_on"] == "2026-03-26"
    url = f"/api/v1/conferences/{conference['id']}/"
    assert head.post(url + "announce/", {}, format="json").json()["announced_on_time"] is True
    early = head.post(url + "record/", {"held_on": "2026-04-02", "questions": "Khi nào làm?"}, format="json")
    assert early.status_code == 400 and "held_on" in early.json()["errors"]
    outsider = client_for(org.outsider).post(url + "announce/", {}, format="json")
    assert outsider.status_code == 404
    report = client_for(org.monitor).get("/api/v1/reports/conferences/", {"year": 2026})
    assert report.status_code == 200
    assert {r["unit"] for r in report.json()["rows"]} >= {org.commune.pk, org.other_commune.pk}
    assert client_for(org.handler).get("/api/v1/reports/conferences/").status_code == 403


def test_the_satisfaction_report_is_for_report_readers(org, today, client_for):
    answer = client_for(org.monitor).get(
        "/api/v1/reports/satisfaction/", {"date_from": "2026-01-01", "date_to": "2026-03-31"}
    )
    assert answer.status_code == 200 and answer.json()["totals"]["ratings"] == 0
    assert client_for(org.handler).get("/api/v1/reports/satisfaction/", {"period": "2026"}).status_code == 403
    assert date(2026, 3, 20) == today


def test_the_figures_are_computed_once_per_unit_period_and_language_while_cached(org, today, settings):
    settings.PUBLIC_FIGURES_CACHE_SECONDS = 300
    period = reports.custom_period(date(2026, 1, 1), today)
    first = reports.cached_public_figures(unit=org.province, period=period)
    with CaptureQueriesContext(connection) as queries:
        again = reports.cached_public_figures(unit=org.province, period=period)
    assert again == first and len(queries) == 0
    settings.PUBLIC_FIGURES_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        reports.cached_public_figures(unit=org.province, period=period)
    assert len(queries) > 0
