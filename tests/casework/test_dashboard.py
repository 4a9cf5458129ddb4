"""The monitor dashboard in the admin: who sees it, and that it shows the report's figures as SVG."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import bar_chart, line_chart
from tests.factories import act, register

pytestmark = pytest.mark.sql

URL = "/admin/dashboard/"


@pytest.fixture
def some_cases(org, frozen_today):
    frozen_today(date(2026, 5, 20))
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    case = act(case, "review", org.reception, on=date(2026, 3, 2))
    case = act(case, "accept", org.head, on=date(2026, 3, 3))  # due 02/04, still open: overdue
    done = register(org.commune, org.reception, received_at=date(2026, 3, 3))
    done = act(done, "review", org.reception, on=date(2026, 3, 3))
    done = act(done, "accept", org.head, on=date(2026, 3, 4))
    done = act(done, "start_verification", org.head, on=date(2026, 3, 5), handler=org.handler.pk)
    done = act(done, "submit_for_approval", org.head, on=date(2026, 3, 20), outcome="right", summary="Đúng")
    act(done, "approve", org.head, on=date(2026, 3, 20), decision_number="1/QĐ")
    return case


def test_dashboard_shows_rates_per_level_and_the_overdue_trend_to_a_monitor(client, org, some_cases):
    client.force_login(org.monitor)
    response = client.get(URL, {"period_kind": "month", "year": 2026, "month": 3})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    levels = response.context["levels"]
    assert [(lv["level"], lv["in_competence"], lv["resolved"], lv["resolution_rate"]) for lv in levels] == [
        ("commune", 2, 1, 50.0)
    ]
    trend = response.context["trend"]
    assert len(trend) == 12 and trend[-1]["overdue"] == 1 and trend[-1]["date"] == date(2026, 5, 20)
    assert "50.0" in html
    # Links to the downloads of the report API.
    assert "/api/v1/reports/resolution-rates/?" in html and "format=xlsx" in html


def test_dashboard_defaults_to_the_current_year(client, org, some_cases):
    client.force_login(org.head)
    response = client.get(URL)
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.date_from, period.date_to) == (date(2026, 1, 1), date(2026, 12, 31))


def test_dashboard_from_the_summaries_shows_until_when_they_count(client, org, some_cases):
    from casework.reports import summary

    client.force_login(org.monitor)
    query = {"period_kind": "month", "year": 2026, "month": 3}
    assert "Figures as of" not in client.get(URL, query).content.decode()  # case table: always current
    summary.refresh()
    response = client.get(URL, query)
    as_of = response.context["report"].extra["figures_as_of"]
    assert as_of is not None
    assert [(lv["in_competence"], lv["resolved"]) for lv in response.context["levels"]] == [(2, 1)]
    assert f"Figures as of {timezone.localtime(as_of):%H:%M %d/%m/%Y}" in response.content.decode()


def test_dashboard_is_refused_to_a_reception_officer(client, org):
    client.force_login(org.reception)
    assert client.get(URL).status_code == 403


def test_dashboard_sends_anonymous_visitors_to_the_admin_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_dashboard_refuses_a_unit_outside_the_users_scope(client, org, some_cases):
    client.force_login(org.head)
    response = client.get(URL, {"period_kind": "year", "year": 2026, "within": org.province.pk})
    assert response.status_code == 200
    assert response.context["report"] is None and "within" in response.context["form"].errors


def test_admin_index_links_the_dashboard_for_monitors_only(client, org):
    client.force_login(org.monitor)
    assert URL in client.get(reverse("admin:index")).content.decode()
    client.force_login(org.reception)
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200 and URL not in page.content.decode()


def test_charts_escape_labels_and_mark_missing_values():
    svg = bar_chart([("<b>", [("Rate", None), ("On time", 40.0)])])
    assert "&lt;b&gt;" in svg and "<b>" not in svg and "–" in svg
    assert 'height="72.0"' in svg  # 40 % of the 180-pixel scale
    assert "polyline" in line_chart([("01/26", 0), ("02/26", 3)])


def test_dashboard_page_carries_the_admin_site_header_and_user_links(client, org):
    client.force_login(org.monitor)
    html = client.get(URL).content.decode()
    assert "Tiếp công dân — Case management" in html
    assert "Django administration" not in html
    assert "/admin/logout/" in html


def test_dashboard_unit_choice_is_the_same_select_as_djangos(org):
    """The dashboard writes its <select> options itself (speed): same options, values, labels (escaped)
    and selection as forms.Select."""
    from django import forms

    from backoffice.dashboard import PlainSelect

    choices = [("", "---"), ("1", "UBND xã A & B"), ("2", "<b>")]
    ours = PlainSelect(choices=choices).render("within", "1", attrs={"id": "id_within"})
    django = forms.Select(choices=choices).render("within", "1", attrs={"id": "id_within"})
    assert ours == "".join(line.strip() for line in django.splitlines())
    assert '<option value="1" selected>UBND xã A &amp; B</option>' in ours and "&lt;b&gt;" in ours
