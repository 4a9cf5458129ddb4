"""The citizens' pages of issue 15: rating a decided case with its code, a province's published
figures, the dialogue conferences' notices and results — no login, no personal data."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from casework import conferences
from casework.choices import CaseKind, CaseState
from casework.models import ServiceRating
from tests.helpers import drive
from workflows.intake.inputs import PetitionerInput
from workflows.intake.online import OnlineSubmission, submit_online

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 20)
RATING = {
    "satisfaction": "satisfied",
    "timeliness": "late",
    "contacts": "3",
    "staff_attitude": "good",
    "answer_clarity": "poor",
    "comment": "Phải đi lại nhiều lần",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def decided(org, frozen_today):
    frozen_today(TODAY)
    receipt = submit_online(
        OnlineSubmission(
            unit=org.commune,
            kind=CaseKind.REFLECTION,
            summary="Rác thải ở chợ xã chưa được thu gom",
            petitioner=PetitionerInput(full_name="Hoàng Thị Lan", address="Chợ xã A", phone="0987654321"),
        )
    )
    return drive(receipt.case, org, CaseState.DECIDED), receipt.lookup_code


def test_the_petitioner_rates_a_decided_case_on_the_rating_page(decided):
    case, code = decided
    client = Client()
    form = client.get("/cong-dan/danh-gia/", {"reference": case.reference}).content.decode()
    assert f'value="{case.reference}"' in form
    done = client.post("/cong-dan/danh-gia/", {"reference": case.reference, "code": code, **RATING})
    assert done.status_code == 200 and case.reference in done.content.decode()
    rating = ServiceRating.objects.get(case=case)
    assert (rating.satisfaction, rating.contacts, rating.answer_clarity) == ("satisfied", 3, "poor")
    again = client.post("/cong-dan/danh-gia/", {"reference": case.reference, "code": code, **RATING})
    assert 'role="alert"' in again.content.decode()
    assert ServiceRating.objects.count() == 1


def test_a_wrong_code_on_the_rating_page_records_nothing(decided):
    case, _code = decided
    page = Client().post("/cong-dan/danh-gia/", {"reference": case.reference, "code": "ZZZZ-ZZZZ", **RATING})
    assert page.status_code == 200 and 'class="error"' in page.content.decode()
    assert not ServiceRating.objects.exists()


def test_a_provinces_figures_page_phrases_the_figures_as_units_publish_them(decided, org):
    case, code = decided
    Client().post("/cong-dan/danh-gia/", {"reference": case.reference, "code": code, **RATING})
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    index = client.get("/cong-dan/so-lieu/").content.decode()
    assert f"/cong-dan/so-lieu/{org.province.code}/" in index
    page = client.get(f"/cong-dan/so-lieu/{org.province.code}/").content.decode()
    assert "1 of 1 resolved, 100.0%" in page and "1 of 1 satisfied, 100.0%" in page
    for private in ("Hoàng Thị Lan", "0987654321", "Rác thải", case.reference, "Phải đi lại"):
        assert private not in page
    bad = client.get(
        f"/cong-dan/so-lieu/{org.province.code}/", {"date_from": "2026-04-01", "date_to": "2026-03-01"}
    )
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    assert client.get(f"/cong-dan/so-lieu/{org.commune.code}/").status_code == 404


def test_a_conference_is_public_once_announced_and_its_results_once_published(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    conference = conferences.schedule_conference(
        actor=org.head,
        unit=org.commune,
        starts_at=timezone.make_aware(datetime(2026, 3, 20, 8)),
        topics="Quy hoạch chợ xã",
        place="Nhà văn hoá thôn 2",
    )
    client = Client()
    assert client.get(f"/cong-dan/doi-thoai/{conference.pk}/").status_code == 404
    conferences.announce_conference(actor=org.head, conference=conference)
    listing = client.get("/cong-dan/doi-thoai/").content.decode()
    assert "Nhà văn hoá thôn 2" in listing
    frozen_today(date(2026, 3, 20))
    conferences.record_conference(
        actor=org.head,
        conference=conference,
        held_on=date(2026, 3, 20),
        participants="Ông Nguyễn Văn Hỏi, thôn 2",
        questions="Ông Hỏi hỏi về giá thuê ki-ốt",
        commitments="Giữ nguyên giá thuê năm 2026",
    )
    page = client.get(f"/cong-dan/doi-thoai/{conference.pk}/").content.decode()
    assert "Giữ nguyên giá thuê" not in page
    frozen_today(date(2026, 3, 25))
    conferences.publish_conference_results(
        actor=org.head, conference=conference, results="Thống nhất phương án chợ"
    )
    page = client.get(f"/cong-dan/doi-thoai/{conference.pk}/").content.decode()
    assert "Thống nhất phương án chợ" in page and "Giữ nguyên giá thuê" in page
    assert "Nguyễn Văn Hỏi" not in page and "giá thuê ki-ốt" not in page


def test_the_follow_page_of_a_decided_case_leads_to_the_rating_form_with_the_code_filled_in(decided):
    case, code = decided
    client = Client()
    follow = client.post("/cong-dan/theo-doi/", {"reference": case.reference, "code": code}).content.decode()
    assert 'action="/cong-dan/danh-gia/"' in follow
    form = client.post(
        "/cong-dan/danh-gia/", {"reference": case.reference, "code": code, "start": "1"}
    ).content.decode()
    assert f'value="{code}"' in form and 'class="error"' not in form


def test_the_figures_period_is_read_as_day_month_year_whatever_the_browser_language(org, frozen_today):
    frozen_today(TODAY)
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = f"/cong-dan/so-lieu/{org.province.code}/"
    page = client.get(url, {"date_from": "02/03/2026", "date_to": "10/03/2026"}).content.decode()
    assert "From 02/03/2026 to 10/03/2026" in page  # 2 March, not 3 February
    assert 'value="02/03/2026"' in page and "Day/month/year" in page
    iso = client.get(url, {"date_from": "2026-03-02", "date_to": "2026-03-10"}).content.decode()
    assert "From 02/03/2026 to 10/03/2026" in iso
    # A month-first date is refused, said beside the field and tied to it, not silently swapped.
    wrong = client.get(url, {"date_from": "03/31/2026"}).content.decode()
    assert "Write the date as day/month/year" in wrong
    assert 'aria-invalid="true" aria-describedby="id_date_from_helptext id_date_from_error"' in wrong
    assert 'id="id_date_from_error"' in wrong


def test_the_figures_say_until_when_they_were_counted_once_read_from_the_report_summaries(decided, org):
    from casework.reports import summary

    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = f"/cong-dan/so-lieu/{org.province.code}/"
    assert "Figures as of" not in client.get(url).content.decode()
    assert client.get("/api/v1/public/statistics/", {"unit": org.province.pk}).json()["figures_as_of"] is None
    summary.refresh()
    cache.clear()
    page = client.get(url, {"date_from": "03/01/2026", "date_to": "20/03/2026"}).content.decode()
    as_of = timezone.localtime(summary.as_of())
    assert f"Figures as of {as_of:%H:%M %d/%m/%Y}" in page and "1 of 1 resolved, 100.0%" in page
    body = client.get("/api/v1/public/statistics/", {"unit": org.province.pk}).json()
    assert body["figures_as_of"] and body["totals"]["resolved"] == 1
