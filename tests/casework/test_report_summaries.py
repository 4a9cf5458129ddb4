"""The resolution report from the summaries (casework.reports.summary) equals the case-table query, on
random cases across levels, kinds, states and dates, for many periods and scopes; again after changes
and an incremental refresh, and after real transitions."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import reports
from casework.choices import AuthorityLevel, CaseKind, CaseState, Channel, DeadlineKind, DeadlineStatus, Role
from casework.models import Case, Deadline, ReportIrregularCase, ReportOverdueSpell, ReportSummary
from casework.reports import summary
from tests.factories import UnitFactory, UnitLevelFactory, act, petitioner, register, staff

pytestmark = pytest.mark.sql

KINDS = list(CaseKind.values)
START = date(2024, 6, 1)


def _periods(today: date) -> list[reports.Period]:
    return [
        reports.calendar_month(2025, 3),
        reports.calendar_quarter(2025, 4),
        reports.cutoff_month(2025, 7),
        reports.cutoff_months(2025, 12),
        reports.cutoff_months(today.year, 12),  # still running: overdue as of today
        reports.calendar_month(today.year, today.month),
        reports.custom_period(date(2025, 1, 15), date(2025, 9, 30)),
        # Cut half-months: the whole ones from the summaries, the cut days from the case table.
        reports.custom_period(date(2025, 1, 16), date(2025, 9, 30)),
        reports.custom_period(date(2025, 2, 3), date(2025, 2, 9)),  # inside one half-month
        reports.custom_period(date(2025, 2, 10), date(2025, 2, 20)),  # across two
        reports.custom_period(date(2024, 12, 31), date(2025, 6, 15)),
        reports.custom_period(date(2026, 1, 7), today),  # to today, mid half-month
        reports.custom_period(date(2026, 1, 1), today - timedelta(days=1)),
    ]


def _random_periods(rng: random.Random, today: date, n: int) -> list[reports.Period]:
    """Random date ranges, most cutting half-months, some running past today."""
    periods = []
    for _ in range(n):
        start = START + timedelta(days=rng.randrange((today - START).days + 30))
        periods.append(reports.custom_period(start, start + timedelta(days=rng.randrange(400))))
    return periods


def _current(today: date) -> list[reports.Period]:
    return [reports.cutoff_months(today.year, 12), reports.calendar_month(today.year, today.month)]


@pytest.fixture
def tree(org):
    """The conftest org (province, department, three communes) plus a district with a commune and a
    central unit: four authority levels."""
    district_level = UnitLevelFactory(code="district", rank=2, authority_level=AuthorityLevel.DISTRICT)
    central_level = UnitLevelFactory(code="ministry", rank=0, authority_level=AuthorityLevel.CENTRAL)
    commune_level = org.commune.level
    district = UnitFactory(code="huyen", name="UBND huyện Thử", level=district_level, parent=org.province)
    inner = UnitFactory(code="xa-c", name="UBND xã C", level=commune_level, parent=district)
    central = UnitFactory(code="bo", name="Bộ Thử", level=central_level)
    units = [
        org.province,
        org.department,
        org.commune,
        org.other_commune,
        org.remote_commune,
        district,
        inner,
    ]
    return org, [*units, central], district


def _random_case(rng: random.Random, unit, n: int) -> tuple[Case, dict | None]:
    """A case with random dates: mostly as the workflow leaves them, one in eight scrambled."""
    kind = rng.choice(KINDS)
    received = START + timedelta(days=rng.randrange(760))
    accepted = received + timedelta(days=rng.randrange(15)) if rng.random() < 0.8 else None
    state, decided, closed, res = CaseState.RECEIVED, None, None, None
    if accepted is None:
        state = rng.choice(
            [CaseState.RECEIVED, CaseState.TRANSFERRED, CaseState.REJECTED, CaseState.WITHDRAWN]
        )
        if state != CaseState.RECEIVED:
            closed = received + timedelta(days=rng.randrange(10))
    else:
        due = accepted + timedelta(days=rng.randrange(20, 60)) if rng.random() < 0.9 else None
        res = {"due_date": due, "status": DeadlineStatus.RUNNING if due else DeadlineStatus.PAUSED}
        fate = rng.choice(["open", "decided", "decided", "withdrawn", "ended", "transferred"])
        later = accepted + timedelta(days=rng.randrange(90))
        if fate == "open":
            state = rng.choice([CaseState.ACCEPTED, CaseState.VERIFYING, CaseState.SUSPENDED])
        elif fate == "decided":
            state, decided = rng.choice([CaseState.DECIDED, CaseState.CLOSED, CaseState.APPEALED]), later
            closed = later + timedelta(days=rng.randrange(30)) if state != CaseState.DECIDED else None
            res.update(status=DeadlineStatus.MET, completed_on=later)
        elif fate == "withdrawn":
            state, closed = CaseState.WITHDRAWN, later
            res.update(status=DeadlineStatus.CANCELLED, completed_on=later)
        elif (
            fate == "ended"
        ):  # taken to the second round after the clock lapsed: clock cancelled, no decision
            state = CaseState.APPEALED
            res.update(status=DeadlineStatus.CANCELLED, completed_on=later)
        else:
            state = CaseState.TRANSFERRED
        if rng.random() < 0.125:  # scrambled: dates that do not follow the workflow
            decided = rng.choice([None, received + timedelta(days=rng.randrange(-20, 120))])
            closed = rng.choice([None, closed, received + timedelta(days=rng.randrange(-5, 120))])
            res["completed_on"] = rng.choice([None, received + timedelta(days=rng.randrange(-5, 120))])
            res["due_date"] = rng.choice([None, received + timedelta(days=rng.randrange(-10, 80))])
            res["status"] = rng.choice(DeadlineStatus.values)
            if rng.random() < 0.3:
                state = CaseState.WITHDRAWN
    case = Case(
        unit=unit,
        year=received.year,
        sequence=n,
        reference=f"R-{n}",
        kind=kind,
        round=rng.choice([1, 2]) if kind == CaseKind.COMPLAINT else None,
        channel=Channel.POST,
        received_at=received,
        summary="Đơn thử",
        state=state,
        accepted_at=accepted,
        decided_at=decided,
        closed_at=closed,
    )
    return case, res


def _create_random_cases(rng: random.Random, units, count: int, first: int = 0) -> list[Case]:
    made = [_random_case(rng, rng.choice(units), first + i) for i in range(count)]
    cases = Case.objects.bulk_create([c for c, _res in made])
    Deadline.objects.bulk_create(
        Deadline(
            case=c,
            kind=DeadlineKind.RESOLUTION,
            rule_code="test",
            basis="test",
            day_type="working",
            start_date=c.accepted_at,
            base_days=30,
            **res,
        )
        for c, (_c, res) in zip(cases, made, strict=True)
        if res is not None
    )
    return cases


def _scopes(org, district):
    everything = reports.Scope.all()
    return [
        dict(scope=everything, group_by=reports.GROUP_BY_LEVEL),
        dict(scope=everything, group_by=reports.GROUP_BY_UNIT),
        dict(scope=everything, group_by=reports.GROUP_BY_LEVEL, within=org.province, compare=False),
        dict(scope=everything, group_by=reports.GROUP_BY_UNIT, within=district),
        dict(scope=reports.Scope(paths=(org.commune.path, district.path)), group_by=reports.GROUP_BY_UNIT),
        dict(scope=everything, group_by=reports.GROUP_BY_LEVEL, kind=CaseKind.RECOMMENDATION),
        # A province monitor's view: the province's subtree rows.
        dict(scope=reports.Scope(paths=(org.province.path,)), group_by=reports.GROUP_BY_LEVEL),
    ]


def _analyze() -> None:
    """Fresh planner statistics on PostgreSQL (ANALYZE counts this transaction's own rows): without
    them the planner keeps whatever an earlier test's committed data left, and in CI it chose plans
    that took seconds a query on these few hundred cases. A real database is analysed by autovacuum."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _assert_same(org, district, periods: list[reports.Period]) -> int:
    """Every period and scope: the summary-based report equals the case-table one; returns how many
    reports the summaries answered."""
    answered = 0
    for period in periods:
        for params in _scopes(org, district):
            from_cases = reports.resolution_rates(period=period, source="cases", **params)
            auto = reports.resolution_rates(period=period, **params)
            assert from_cases.extra["figures_as_of"] is None
            expected, got = from_cases.as_dict(), auto.as_dict()
            expected.pop("figures_as_of"), got.pop("figures_as_of")
            assert got == expected, (period, params)
            if auto.extra["figures_as_of"] is not None:
                answered += 1
    return answered


def _assert_public_figures_same(org, district, periods: list[reports.Period]) -> None:
    """The citizens' published figures from the summaries equal those from the case table."""
    for period in periods:
        for unit in (org.province, district, org.commune):
            got = reports.public_figures(unit=unit, period=period)
            assert got["figures_as_of"] is not None
            expected = reports.public_figures(unit=unit, period=period, source="cases")
            assert expected["figures_as_of"] is None
            got.pop("figures_as_of"), expected.pop("figures_as_of")
            assert got == expected, (period, unit)


def test_summaries_give_the_case_table_figures_on_random_cases_then_after_changes_and_a_refresh(
    tree, frozen_today
):
    org, units, district = tree
    today = date(2026, 3, 20)
    frozen_today(today)
    rng = random.Random(14)
    cases = _create_random_cases(rng, units, 500)
    # Before the first build every report reads the case table.
    assert (
        reports.resolution_rates(period=reports.calendar_month(2025, 3), scope=reports.Scope.all()).extra[
            "figures_as_of"
        ]
        is None
    )

    result = summary.refresh()
    _analyze()
    assert result.full
    assert ReportIrregularCase.objects.exists()  # the scrambled cases take the case-table path
    assert ReportSummary.objects.filter(unit__isnull=True).exists()
    totals = reports.resolution_rates(period=reports.cutoff_months(2025, 12), scope=reports.Scope.all())
    assert totals.totals["in_competence"] > 100 and totals.totals["overdue"] > 0
    # Every fixed period on SQLite; on PostgreSQL every other one (still every kind of cut: whole
    # half-months, cut ones, around today), since each report there costs real round trips and the code
    # answering them is the same. Two random periods besides (each costs 28 reports; the fixed ones
    # already take every path, the random ones add combinations of dates).
    full = connection.vendor == "sqlite"
    fixed = _periods(today) if full else _periods(today)[::2]
    many = 2
    assert _assert_same(org, district, fixed) == len(_scopes(org, district)) * len(fixed)
    _assert_same(org, district, _random_periods(rng, today, many))
    _assert_public_figures_same(
        org, district, [*fixed[:: 1 if full else 2], *_random_periods(rng, today, many)]
    )

    # Changes after the build: new cases, rewritten dates and states; the change time moves with them.
    _create_random_cases(rng, units, 60, first=10_000)
    for case in rng.sample(cases, 60):
        replacement, res = _random_case(rng, case.unit, case.sequence)
        Case.objects.filter(pk=case.pk).update(
            state=replacement.state,
            accepted_at=replacement.accepted_at,
            decided_at=replacement.decided_at,
            closed_at=replacement.closed_at,
            updated_at=timezone.now(),
        )
        if res is not None:
            Deadline.objects.filter(case=case, kind=DeadlineKind.RESOLUTION).update(**res)
    result = summary.refresh()
    _analyze()
    assert not result.full and 0 < result.units <= len(units)
    _assert_same(org, district, [*fixed, *_random_periods(rng, today, many // 2)])

    # Another day: "today" moves into the next half-month and the live overdue edge moves with it.
    frozen_today(date(2026, 4, 16))
    _assert_same(org, district, _current(date(2026, 4, 16)))


def test_summaries_follow_real_transitions_after_a_refresh(tree, frozen_today):
    org, units, district = tree
    frozen_today(date(2026, 3, 2))
    rng = random.Random(7)
    _create_random_cases(rng, units, 100)
    summary.refresh()
    head = staff(org.commune, Role.UNIT_HEAD, "head2")
    handler = staff(org.commune, Role.HANDLER, "handler2")
    opened = []
    for i, kind in enumerate([CaseKind.COMPLAINT, CaseKind.DENUNCIATION, CaseKind.REFLECTION]):
        case = register(
            org.commune,
            org.reception,
            kind=kind,
            received_at=date(2026, 2, 20 + i),
            petitioners=[petitioner(i + 1)],
        )
        case = act(case, "review", org.reception, on=date(2026, 2, 20 + i))
        opened.append(act(case, "accept", head, on=date(2026, 2, 24)))
    summary.refresh()
    _assert_same(org, district, _current(date(2026, 3, 2)))

    frozen_today(date(2026, 5, 20))  # past the complaint's due date: overdue until decided
    first = act(opened[0], "start_verification", head, on=date(2026, 5, 4), handler=handler.pk)
    first = act(first, "submit_for_approval", head, on=date(2026, 5, 18), outcome="right", summary="Kết luận")
    act(first, "approve", head, on=date(2026, 5, 18), decision_number="QĐ-1")
    act(opened[1], "withdraw", head, on=date(2026, 5, 19))
    before = reports.resolution_rates(period=reports.calendar_month(2026, 5), scope=reports.Scope.all())
    summary.refresh()
    after = reports.resolution_rates(period=reports.calendar_month(2026, 5), scope=reports.Scope.all())
    assert after.totals["resolved"] == before.totals["resolved"] + 2  # the refresh picked both up
    assert after.extra["figures_as_of"] > before.extra["figures_as_of"]
    _assert_same(org, district, [*_current(date(2026, 5, 20)), reports.calendar_quarter(2026, 2)])


def test_a_period_in_half_months_only_is_answered_by_the_summaries():
    assert summary.answers(reports.cutoff_month(2025, 3))
    assert summary.answers(reports.calendar_month(2024, 2))
    assert summary.answers(reports.custom_period(date(2025, 1, 15), date(2025, 2, 28)))
    assert not summary.answers(reports.custom_period(date(2025, 1, 2), date(2025, 2, 28)))
    assert not summary.answers(reports.custom_period(date(2025, 1, 1), date(2025, 2, 27)))
    for day in (date(2025, 1, 1), date(2025, 1, 14), date(2025, 1, 15), date(2024, 12, 31)):
        assert summary.bucket_start(summary.bucket(day)) == day.replace(day=1 if day.day < 15 else 15)


def test_summary_source_refuses_until_the_summaries_are_built(db):
    period = reports.custom_period(date(2025, 1, 2), date(2025, 1, 20))
    with pytest.raises(reports.ReportError):
        reports.resolution_rates(period=period, scope=reports.Scope.all(), source="summary")
    summary.refresh()
    report = reports.resolution_rates(period=period, scope=reports.Scope.all(), source="summary")
    assert report.extra["figures_as_of"] is not None


def _add_random_clocks(rng: random.Random, cases: list[Case]) -> None:
    """Processing and acceptance clocks (besides the resolution one) with random due and stop days:
    a case's clocks overlap, follow each other or never lapse; some run, some are paused."""
    clocks = []
    for case in cases:
        for kind in (DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE, DeadlineKind.APPEAL_WINDOW):
            if rng.random() < 0.5:
                continue
            due = case.received_at + timedelta(days=rng.randrange(-3, 60)) if rng.random() < 0.9 else None
            stopped = due + timedelta(days=rng.randrange(-20, 90)) if due and rng.random() < 0.7 else None
            clocks.append(
                Deadline(
                    case=case,
                    kind=kind,
                    rule_code="test",
                    basis="test",
                    day_type="working",
                    start_date=case.received_at,
                    base_days=10,
                    due_date=due,
                    completed_on=stopped,
                    status=rng.choice(DeadlineStatus.values),
                )
            )
    Deadline.objects.bulk_create(clocks)


def _assert_same_trend(org, district, as_of_days: list[date]) -> None:
    for as_of in as_of_days:
        for params in _scopes(org, district):
            scope, within = params["scope"], params.get("within")
            expected = reports.overdue_trend(scope=scope, within=within, as_of=as_of, source="cases")
            got = reports.overdue_trend(scope=scope, within=within, as_of=as_of)
            assert got == expected, (as_of, params)


def test_overdue_trend_from_the_summaries_equals_the_deadline_table_on_random_clocks(tree, frozen_today):
    org, units, district = tree
    today = date(2026, 3, 20)
    frozen_today(today)
    rng = random.Random(21)
    cases = _create_random_cases(rng, units, 400)
    _add_random_clocks(rng, cases)
    days = [today, date(2025, 11, 30), date(2025, 6, 14), date(2026, 8, 1)]
    summary.refresh()
    assert ReportOverdueSpell.objects.filter(unit__isnull=True).exists()
    trend = reports.overdue_trend(scope=reports.Scope.all(), as_of=today)
    assert sum(p["overdue"] for p in trend) > 50  # the comparison below is not between zeros
    _assert_same_trend(org, district, days)

    # Changed clocks of some cases, then an incremental refresh of their units.
    for case in rng.sample(cases, 40):
        Deadline.objects.filter(case=case).update(
            due_date=case.received_at + timedelta(days=rng.randrange(0, 40)), completed_on=None
        )
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    result = summary.refresh()
    assert not result.full
    _assert_same_trend(org, district, days)


def test_set_based_build_counts_each_case_once_per_summary(tree, frozen_today):
    """The main rows count every case received exactly once, and the national rows are the unit rows
    summed, after a full build and after a refresh of some units."""
    org, units, _district = tree
    frozen_today(date(2026, 3, 20))
    rng = random.Random(5)
    _create_random_cases(rng, units, 300)
    summary.refresh(full=True)

    def totals():
        unit = ReportSummary.objects.filter(unit__isnull=False, subtree=False)
        unit = unit.aggregate(n=Sum("received"))["n"]
        national = ReportSummary.objects.filter(unit__isnull=True).aggregate(n=Sum("received"))["n"]
        return unit, national

    def in_province():  # the province's subtree rows against its cases
        rows = ReportSummary.objects.filter(subtree=True, unit=org.province).aggregate(n=Sum("received"))
        return rows["n"], Case.objects.filter(unit__path__startswith=org.province.path).count()

    assert totals() == (300, 300)
    assert in_province()[0] == in_province()[1] > 0
    _create_random_cases(rng, units[:2], 25, first=5000)
    summary.refresh()
    assert totals() == (325, 325)
    assert in_province()[0] == in_province()[1]
    assert summary.refresh(full=True).full and totals() == (325, 325)
    assert in_province()[0] == in_province()[1]


def test_a_change_time_ahead_of_the_clock_does_not_rebuild_its_unit_on_every_refresh(tree, frozen_today):
    _org, units, _district = tree
    frozen_today(date(2026, 3, 20))
    rng = random.Random(3)
    cases = _create_random_cases(rng, units, 20)
    Case.objects.update(updated_at=timezone.now() - timedelta(days=1))
    summary.refresh()
    Case.objects.filter(pk=cases[0].pk).update(updated_at=timezone.now() + timedelta(hours=9))
    assert summary.refresh().units == 0
    Case.objects.filter(pk=cases[1].pk).update(updated_at=timezone.now())
    assert summary.refresh().units == 1


def test_a_repeated_report_reuses_the_summary_rows_until_the_next_refresh(tree, frozen_today):
    """On PostgreSQL a worker answers the same report again without rebuilding its summary queries;
    a refresh (a new version of the summaries) is followed at once, and the figures stay the case
    table's."""
    if connection.vendor != "postgresql":
        pytest.skip("the summaries' version is PostgreSQL's xmin; elsewhere every report reads them")
    _org, units, _district = tree
    frozen_today(date(2026, 3, 20))
    rng = random.Random(3)
    _create_random_cases(rng, units, 80)
    summary.refresh()
    period, params = reports.cutoff_months(2026, 12), dict(scope=reports.Scope.all(), group_by="level")

    def report():
        with CaptureQueriesContext(connection) as queries:
            result = reports.resolution_rates(period=period, **params)
        tables = ('FROM "casework_reportsummary"', 'FROM "casework_reportoverduesummary"')
        reads = sum(1 for q in queries if any(table in q["sql"] for table in tables))
        return result.as_dict(), reads

    first, reads = report()
    assert reads >= 2  # the summary and the overdue summary
    again, reads_again = report()
    assert again == first and reads_again == reads - 2

    # New cases and a refresh: the next report reads the new rows and equals the case table.
    _create_random_cases(rng, units, 40, first=1000)
    summary.refresh()
    after, reads_after = report()
    assert reads_after == reads
    expected = reports.resolution_rates(period=period, source="cases", **params).as_dict()
    after.pop("figures_as_of"), expected.pop("figures_as_of")
    assert after == expected
    assert after["totals"]["received"] > first["totals"]["received"]


def test_the_case_table_report_compiled_once_per_shape_returns_its_querysets_rows(tree, frozen_today):
    """resolution_rates reads the case table through its query compiled once per shape, the period's
    days put in place of placeholders (and the summaries' reports their irregular cases through it): the
    same rows as the queryset built for each period, for every scope, with and without a kind, periods
    running past today included."""
    from casework.reports.resolution import _COMPILED, _compiled_rows, resolution_queryset
    from casework.reports.scope import Grouping

    org, units, district = tree
    today = date(2026, 3, 20)
    frozen_today(today)
    rng = random.Random(8)
    _create_random_cases(rng, units, 150)
    summary.refresh()  # the irregular cases, which the summaries' reports read through the same query
    assert ReportIrregularCase.objects.exists()
    irregular = ReportIrregularCase.objects.values("case_id")
    _COMPILED.clear()

    def ordered(rows):
        return sorted(rows, key=lambda r: (str(r["key"]), r["kind"]))

    compared, shapes = 0, set()
    # A calendar month, a reporting year, the current one (past today), days inside a half-month and a
    # random period (the equality test above reads every period through the compiled query too).
    fixed = _periods(today)
    for period in [fixed[0], fixed[3], fixed[4], fixed[8], *_random_periods(rng, today, 1)]:
        for params in _scopes(org, district):
            grouping = Grouping(params["group_by"], params["scope"], params.get("within"))
            for kind in {params.get("kind"), CaseKind.COMPLAINT}:
                for only_irregular in (False, True):
                    qs = resolution_queryset(period=period, grouping=grouping, kind=kind)
                    expected = ordered(qs.filter(pk__in=irregular) if only_irregular else qs)
                    f, t = period.date_from, period.date_to
                    got = _compiled_rows("default", f, t, grouping, kind, irregular=only_irregular)
                    assert ordered(got) == expected, (period, params, kind, only_irregular)
                    compared += bool(expected)
                    shapes.add(
                        (params["group_by"], params.get("within"), params["scope"], kind, only_irregular)
                    )
    assert compared > 40  # not a comparison of empty reports
    assert len(_COMPILED) == len(shapes)  # one compilation per shape, whatever the period
