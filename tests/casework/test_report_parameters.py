"""The reports' periods, rates and API parameters: what is checked before any case is read (parsing,
rounding, refusals, the schema). No SQL of their own, so unlike tests/casework/test_reports.py they are not
marked `sql`: `make test` runs them on SQLite and the PostgreSQL pass does not repeat them."""

from __future__ import annotations

from datetime import date

import pytest

from casework import reports
from tests.helpers import api_client

RATES_URL = "/api/v1/reports/resolution-rates/"


def test_rates_round_half_up_to_one_decimal_and_are_none_without_denominator():
    assert reports.rate(1, 3) == 33.3
    assert reports.rate(2, 3) == 66.7
    assert reports.rate(1, 8) == 12.5
    assert reports.rate(1, 16) == 6.3  # 6.25 rounds up, not to even
    assert reports.rate(0, 0) is None


def test_cutoff_periods_follow_circular_01_2024():
    assert reports.cutoff_months(2025, 3) == reports.Period(
        date(2024, 12, 15), date(2025, 3, 14), "3M/2025 (15–14)"
    )
    assert (reports.cutoff_months(2025, 6).date_from, reports.cutoff_months(2025, 6).date_to) == (
        date(2024, 12, 15),
        date(2025, 6, 14),
    )
    assert reports.cutoff_months(2025, 9).date_to == date(2025, 9, 14)
    assert reports.cutoff_months(2025, 12).date_to == date(2025, 12, 14)
    q2 = reports.cutoff_quarter(2025, 2)
    assert (q2.date_from, q2.date_to) == (date(2025, 3, 15), date(2025, 6, 14))
    month = reports.cutoff_month(2025, 1)
    assert (month.date_from, month.date_to) == (date(2024, 12, 15), date(2025, 1, 14))


def test_calendar_periods_and_parsing():
    assert reports.parse_period("2025-Q3", cutoff=False).date_from == date(2025, 7, 1)
    assert reports.parse_period("2025-6M", cutoff=False).date_to == date(2025, 6, 30)
    assert reports.parse_period("2024-02", cutoff=False).date_to == date(2024, 2, 29)
    assert reports.parse_period("2025").date_from == date(2024, 12, 15)
    assert reports.calendar_month(2025, 2).previous_year().date_to == date(2024, 2, 29)
    with pytest.raises(reports.ReportError):
        reports.parse_period("2025-Q5")
    with pytest.raises(reports.ReportError):
        reports.Period(date(2025, 2, 1), date(2025, 1, 1))


def test_api_refuses_reception_officers_and_anonymous_users(org):
    params = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    refused = api_client(org.reception).get(RATES_URL, params)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert api_client(None).get(RATES_URL, params).status_code == 401
    csv_refused = api_client(org.reception).get(RATES_URL, {**params, "format": "csv"})
    assert csv_refused.status_code == 403 and csv_refused.json()["code"] == "forbidden"


def test_api_rejects_a_missing_or_inverted_period_with_a_code(org):
    missing = api_client(org.monitor).get(RATES_URL)
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"
    assert "date_from" in missing.json()["errors"]
    inverted = api_client(org.monitor).get(RATES_URL, {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert inverted.status_code == 400
    bad_group = api_client(org.monitor).get(RATES_URL, {"period": "2026", "group_by": "province"})
    assert bad_group.status_code == 400 and "group_by" in bad_group.json()["errors"]


def test_api_schema_documents_the_report_parameters_and_bodies(api_schema):
    schema = api_schema
    operation = schema["paths"]["/api/v1/reports/resolution-rates/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"date_from", "date_to", "group_by", "kind", "within", "format", "lang"} <= names
    content = operation["responses"]["200"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("/ResolutionReport")
    assert "text/csv" in content
    row = schema["components"]["schemas"]["ResolutionRow"]["properties"]
    assert {"level", "unit", "kind", "in_competence", "resolution_rate", "on_time_rate"} <= set(row)


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "0001-01-01", "date_to": "0001-12-31"},
        {"period": "2026-Q9"},
        {"period": "2026", "kind": "nonsense"},
        {"period": "2026", "date_from": "2026-01-01"},
        {"date_from": "2026-01-01", "date_to": "2026-01-31", "within": "abc"},
    ],
)
def test_api_bad_parameters_are_a_400_with_a_code(org, params):
    response = api_client(org.monitor).get(RATES_URL, params)
    assert response.status_code == 400 and response.json()["code"] == "invalid"
