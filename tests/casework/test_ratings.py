"""The citizen's rating of the service: once per case, only after the decision, counted in the
satisfaction report per unit and authority level."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from casework import reports
from casework.choices import CaseKind, CaseState, Quality, Satisfaction, Timeliness
from casework.models import ServiceRating
from casework.ratings import RatingRefused, may_rate, rate_case
from casework.services import ServiceError
from tests.helpers import TODAY, drive, new_case

pytestmark = pytest.mark.django_db

GOOD = {
    "satisfaction": Satisfaction.SATISFIED,
    "timeliness": Timeliness.ON_TIME,
    "contacts": 2,
    "staff_attitude": Quality.GOOD,
    "answer_clarity": Quality.GOOD,
}


@pytest.fixture
def decided(org, frozen_today):
    frozen_today(TODAY)
    return drive(new_case(org, CaseKind.RECOMMENDATION), org, CaseState.DECIDED)


def test_a_decided_case_is_rated_once_and_a_second_rating_is_refused(decided):
    assert may_rate(decided)
    rating = rate_case(case=decided, comment="  Cán bộ nhiệt tình  ", **GOOD)
    assert rating.comment == "Cán bộ nhiệt tình"
    assert not may_rate(decided)
    with pytest.raises(RatingRefused) as refused:
        rate_case(case=decided, **{**GOOD, "satisfaction": Satisfaction.NOT_SATISFIED})
    assert refused.value.code == "already_rated"
    assert ServiceRating.objects.get().satisfaction == Satisfaction.SATISFIED


def test_the_database_itself_refuses_a_second_rating_of_a_case(decided):
    rate_case(case=decided, **GOOD)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRating.objects.create(case=decided, **GOOD)


def test_a_case_still_being_handled_cannot_be_rated(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, CaseKind.RECOMMENDATION), org, CaseState.VERIFYING)
    assert not may_rate(case)
    with pytest.raises(RatingRefused) as refused:
        rate_case(case=case, **GOOD)
    assert refused.value.code == "not_rateable"
    assert not ServiceRating.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"satisfaction": "delighted"},
        {"timeliness": "whenever"},
        {"contacts": 0},
        {"contacts": True},
        {"staff_attitude": "rude"},
        {"comment": "x" * 2001},
    ],
)
def test_a_rating_outside_the_scale_is_refused_with_the_field_named(decided, bad):
    with pytest.raises(ServiceError) as error:
        rate_case(case=decided, **{**GOOD, **bad})
    assert set(error.value.errors) == {next(iter(bad))}
    assert not ServiceRating.objects.exists()


def test_satisfaction_is_counted_per_level_and_per_unit_with_the_rate(org, frozen_today):
    frozen_today(TODAY)
    commune_cases = [drive(new_case(org, CaseKind.RECOMMENDATION), org, CaseState.DECIDED) for _ in range(3)]
    province_case = drive(new_case(org, CaseKind.REFLECTION, unit=org.province), org, CaseState.DECIDED)
    levels = [Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.NOT_SATISFIED]
    for case, level in zip(commune_cases, levels, strict=True):
        rate_case(case=case, **{**GOOD, "satisfaction": level, "timeliness": Timeliness.LATE, "contacts": 3})
    rate_case(case=province_case, **GOOD)
    period = reports.custom_period(date(2026, 1, 1), TODAY)

    by_level = reports.satisfaction(period=period, scope=reports.Scope.all())
    rows = {r["level"]: r for r in by_level.rows}
    assert rows["commune"]["ratings"] == 3
    assert rows["commune"]["satisfaction_rate"] == 66.7
    assert rows["commune"]["late"] == 3 and rows["commune"]["average_contacts"] == 3.0
    assert rows["province"]["satisfaction_rate"] == 100.0
    assert by_level.totals["ratings"] == 4 and by_level.totals["satisfaction_rate"] == 75.0

    by_unit = reports.satisfaction(
        period=period, scope=reports.Scope.all(), group_by="unit", within=org.province
    )
    units = {r["unit"]: r for r in by_unit.rows}
    assert units[org.commune.pk]["not_satisfied"] == 1
    assert units[org.province.pk]["ratings"] == 1

    before = reports.custom_period(date(2025, 1, 1), date(2025, 12, 31))
    assert reports.satisfaction(period=before, scope=reports.Scope.all()).totals["ratings"] == 0
