"""Monitoring reports checked figure by figure against hand-computed fixtures. Every case is moved
through the real transition service (tests.factories.act) with the dates on the paper, time frozen."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from casework import exports, reports
from casework.choices import CaseKind, CaseState, DeadlineKind, DialogueKind, Role
from casework.models import Deadline
from casework.services import record_dialogue
from tests.factories import act, petitioner, register, staff
from tests.helpers import api_client
from tests.shared import shared_cases
from workflows.intake import PetitionerInput, VisitInput, record_visit

pytestmark = pytest.mark.sql

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = reports.calendar_month(2026, 3)
FEBRUARY = reports.calendar_month(2026, 2)
TODAY = date(2026, 5, 20)


def decide(case, head, *, verify_on, decide_on, outcome, handler):
    case = act(case, "start_verification", head, on=verify_on, handler=handler.pk)
    case = act(case, "submit_for_approval", head, on=decide_on, outcome=outcome, summary="Kết luận")
    return act(case, "approve", head, on=decide_on, decision_number=f"QĐ-{case.pk}")


def accepted(unit, reception, head, *, received, accepted_on, kind=CaseKind.COMPLAINT, n=1):
    case = register(unit, reception, kind=kind, received_at=received, petitioners=[petitioner(n)])
    case = act(case, "review", reception, on=received)
    return act(case, "accept", head, on=accepted_on)


def march_cases(org):
    """Cases around March 2026 at commune A (org.commune), commune B and the province.

    Commune A, complaints:
      c1  accepted 05/02, decided 04/03 (due 09/03)            carried over, resolved on time
      c2  received 02/03, accepted 05/03, verifying              newly accepted, in progress
      c3  accepted 08/01 (due 09/02), decided 10/04              carried over, in progress, overdue
      c4  accepted 12/02 (due 16/03), decided 20/03               carried over, resolved late
      c5  received 03/03, accepted 06/03, withdrawn 10/03         newly accepted, resolved (on time)
      c6  received 04/03, withdrawn 05/03 before acceptance       received only
      c7  received 09/03, transferred 10/03 to commune B          received only (counted at B)
      c8  decided 10/02, appealed 02/03 -> round 2 at province   nothing in March at A
      c9  accepted 22/01, decided 20/02                          nothing in March
      c11 received 11/03, rejected 12/03                          received only
      c12 received 30/03, not yet reviewed                        received only
      c14 received 16/02, accepted 20/02, suspended 10/03        carried over, in progress, paused
      c15 accepted 06/01 (due 05/02), appealed 20/02 undecided   ended in February
      c13 received 02/03/2025, decided 20/03/2025                the previous year
    Commune A, denunciations:
      c10 received 02/03, accepted 03/03, concluded 25/03         newly accepted, resolved on time
      c16 accepted 02/02 (due 04/03), extended +30 (due 03/04), concluded 26/03: carried, on time
    Commune B: c7' received 10/03, accepted 12/03, open.  Province: c8' received 02/03, accepted 04/03.
    """
    A, rec, head, h = org.commune, org.reception, org.head, org.handler
    c = {}
    c["c1"] = accepted(A, rec, head, received=date(2026, 2, 2), accepted_on=date(2026, 2, 5), n=1)
    c["c1"] = decide(
        c["c1"], head, verify_on=date(2026, 2, 6), decide_on=date(2026, 3, 4), outcome="right", handler=h
    )
    c["c2"] = accepted(A, rec, head, received=date(2026, 3, 2), accepted_on=date(2026, 3, 5), n=2)
    c["c2"] = act(c["c2"], "start_verification", head, on=date(2026, 3, 6), handler=h.pk)
    c["c3"] = accepted(A, rec, head, received=date(2026, 1, 5), accepted_on=date(2026, 1, 8), n=3)
    c["c3"] = decide(
        c["c3"], head, verify_on=date(2026, 1, 9), decide_on=date(2026, 4, 10), outcome="wrong", handler=h
    )
    c["c4"] = accepted(A, rec, head, received=date(2026, 2, 10), accepted_on=date(2026, 2, 12), n=4)
    c["c4"] = decide(
        c["c4"],
        head,
        verify_on=date(2026, 2, 13),
        decide_on=date(2026, 3, 20),
        outcome="partly_right",
        handler=h,
    )
    c["c5"] = accepted(A, rec, head, received=date(2026, 3, 3), accepted_on=date(2026, 3, 6), n=5)
    c["c5"] = act(c["c5"], "withdraw", rec, on=date(2026, 3, 10))
    c["c6"] = register(A, rec, received_at=date(2026, 3, 4), petitioners=[petitioner(6)])
    c["c6"] = act(c["c6"], "withdraw", rec, on=date(2026, 3, 5))
    c["c7"] = register(A, rec, received_at=date(2026, 3, 9), petitioners=[petitioner(7)])
    c["c7"] = act(c["c7"], "review", rec, on=date(2026, 3, 9))
    c["c7"] = act(c["c7"], "transfer", rec, on=date(2026, 3, 10), target_unit=org.other_commune.pk)
    c["c7b"] = c["c7"].transfers.get()
    b_reception = staff(org.other_commune, Role.RECEPTION_OFFICER, "b_reception")
    c["c7b"] = act(c["c7b"], "review", b_reception, on=date(2026, 3, 11))
    c["c7b"] = act(c["c7b"], "accept", org.outsider, on=date(2026, 3, 12))
    c["c8"] = accepted(A, rec, head, received=date(2026, 1, 12), accepted_on=date(2026, 1, 14), n=8)
    c["c8"] = decide(
        c["c8"], head, verify_on=date(2026, 1, 15), decide_on=date(2026, 2, 10), outcome="wrong", handler=h
    )
    c["c8"] = act(c["c8"], "appeal", rec, on=date(2026, 3, 2))
    c["c8b"] = c["c8"].appeal_cases.get()
    c["c8b"] = act(c["c8b"], "review", org.p_reception, on=date(2026, 3, 3))
    c["c8b"] = act(c["c8b"], "accept", org.p_head, on=date(2026, 3, 4))
    c["c9"] = accepted(A, rec, head, received=date(2026, 1, 20), accepted_on=date(2026, 1, 22), n=9)
    c["c9"] = decide(
        c["c9"], head, verify_on=date(2026, 1, 23), decide_on=date(2026, 2, 20), outcome="wrong", handler=h
    )
    c["c11"] = register(A, rec, received_at=date(2026, 3, 11), petitioners=[petitioner(11)])
    c["c11"] = act(c["c11"], "review", rec, on=date(2026, 3, 11))
    c["c11"] = act(c["c11"], "reject", head, on=date(2026, 3, 12), reason="not_affected")
    c["c12"] = register(A, rec, received_at=date(2026, 3, 30), petitioners=[petitioner(12)])
    c["c14"] = accepted(A, rec, head, received=date(2026, 2, 16), accepted_on=date(2026, 2, 20), n=14)
    c["c14"] = act(c["c14"], "suspend", head, on=date(2026, 3, 10), reason="Chờ kết quả giám định")
    c["c15"] = accepted(A, rec, head, received=date(2026, 1, 5), accepted_on=date(2026, 1, 6), n=15)
    c["c15"] = act(c["c15"], "appeal", rec, on=date(2026, 2, 20))
    c["c13"] = accepted(A, rec, head, received=date(2025, 3, 2), accepted_on=date(2025, 3, 4), n=13)
    c["c13"] = decide(
        c["c13"], head, verify_on=date(2025, 3, 5), decide_on=date(2025, 3, 20), outcome="right", handler=h
    )
    den = CaseKind.DENUNCIATION
    c["c10"] = accepted(A, rec, head, received=date(2026, 3, 2), accepted_on=date(2026, 3, 3), kind=den, n=10)
    c["c10"] = decide(
        c["c10"],
        head,
        verify_on=date(2026, 3, 4),
        decide_on=date(2026, 3, 25),
        outcome="partly_true",
        handler=h,
    )
    c["c16"] = accepted(
        A, rec, head, received=date(2026, 1, 28), accepted_on=date(2026, 2, 2), kind=den, n=16
    )
    c["c16"] = act(c["c16"], "extend", head, on=date(2026, 2, 25), days=30, reason="complex")
    c["c16"] = decide(
        c["c16"], head, verify_on=date(2026, 2, 26), decide_on=date(2026, 3, 26), outcome="untrue", handler=h
    )
    return c


# Built once for each run of consecutive tests that use it (tests.shared), ~60 transitions per build;
# `org` is the org they were built in for those tests, a fresh one for the others.
_march_holder, _march_opened, march, org = shared_cases("march", march_cases, TODAY)


def resolution(report, **key):
    """The one row of `report` matching `key` (e.g. level="commune", kind="complaint")."""
    rows = [r for r in report.rows if all(r.get(k) == v for k, v in key.items())]
    assert len(rows) == 1, rows
    return rows[0]


FIGURES = (
    "received",
    "carried_over",
    "newly_accepted",
    "in_competence",
    "resolved",
    "resolved_on_time",
    "in_progress",
    "overdue",
    "resolution_rate",
    "on_time_rate",
)


def figures(row):
    return tuple(row[f] for f in FIGURES)


# --- The fixture is what it says -----------------------------------------------------------------


def test_fixture_deadlines_are_the_ones_the_hand_computation_assumes(march, org):
    due = {
        k: march[k].deadlines.get(kind=DeadlineKind.RESOLUTION).due_date for k in ("c1", "c3", "c4", "c16")
    }
    assert due == {
        "c1": date(2026, 3, 9),  # 7 March is a Saturday
        "c3": date(2026, 2, 9),
        "c4": date(2026, 3, 16),
        "c16": date(2026, 4, 3),  # 30 + 30 days: the extension is inside the due date
    }
    assert march["c14"].deadlines.get(kind=DeadlineKind.RESOLUTION).due_date is None  # paused
    assert march["c7"].state == CaseState.TRANSFERRED and march["c7b"].unit == org.other_commune
    assert march["c15"].state == CaseState.APPEALED and march["c15"].decided_at is None


# --- Resolution rates ----------------------------------------------------------------------------


def test_rates_per_authority_level_count_each_case_once_at_its_competent_unit(march):
    report = reports.resolution_rates(period=MARCH, scope=reports.Scope.all(), compare=False)
    assert [(r["level"], r["kind"]) for r in report.rows] == [
        ("province", "complaint"),
        ("commune", "complaint"),
        ("commune", "denunciation"),
    ]
    # received, carried over, newly accepted, in competence, resolved, on time, in progress, overdue, rates
    assert figures(resolution(report, level="commune", kind="complaint")) == (
        7,
        4,
        3,
        7,
        3,
        2,
        4,
        1,
        42.9,
        66.7,
    )
    assert figures(resolution(report, level="commune", kind="denunciation")) == (
        1,
        1,
        1,
        2,
        2,
        2,
        0,
        0,
        100.0,
        100.0,
    )
    # The round-2 complaint is counted at the province, which accepted it.
    assert figures(resolution(report, level="province", kind="complaint")) == (
        1,
        0,
        1,
        1,
        0,
        0,
        1,
        0,
        0.0,
        None,
    )
    assert figures(report.totals) == (9, 5, 5, 10, 5, 4, 5, 1, 50.0, 80.0)


def test_transferred_case_is_in_competence_only_at_the_receiving_commune(march, org):
    report = reports.resolution_rates(
        period=MARCH, scope=reports.Scope.all(), group_by="unit", within=org.province, compare=False
    )
    a = resolution(report, unit=org.commune.pk, kind="complaint")
    b = resolution(report, unit=org.other_commune.pk, kind="complaint")
    # A received c7 but never accepted it; B accepted it and is working on it.
    assert figures(a) == (6, 4, 2, 6, 3, 2, 3, 1, 50.0, 66.7)
    assert figures(b) == (1, 0, 1, 1, 0, 0, 1, 0, 0.0, None)


def test_unit_rows_roll_up_each_child_subtree_and_keep_the_anchor_own_cases_apart(march, org):
    report = reports.resolution_rates(
        period=MARCH, scope=reports.Scope.all(), group_by="unit", within=org.province, compare=False
    )
    keys = [(r["unit_code"], r["kind"], r["includes_subtree"]) for r in report.rows]
    assert keys == [
        ("tinh", "complaint", False),  # the province office itself: the round-2 case
        ("xa-a", "complaint", True),
        ("xa-a", "denunciation", True),
        ("xa-b", "complaint", True),
    ]
    assert report.totals["in_competence"] == 10  # the subtree: same as the national figure
    own = reports.resolution_rates(
        period=MARCH, scope=reports.Scope.all(), group_by="unit", within=org.commune, compare=False
    )
    assert [(r["unit_code"], r["includes_subtree"]) for r in own.rows] == [("xa-a", False), ("xa-a", False)]


def test_case_accepted_before_and_decided_within_the_period_is_carried_over_and_resolved(march, org):
    february = reports.resolution_rates(
        period=FEBRUARY, scope=reports.Scope.all(), within=org.commune, kind="complaint", compare=False
    )
    # Carried over: c3, c8, c9, c15; newly accepted: c1, c4, c14; resolved: c8, c9 (on time);
    # overdue at 28/02: c3 (due 09/02) and c15 (due 05/02, taken to round 2 on 20/02 undecided).
    assert figures(resolution(february, level="commune", kind="complaint")) == (
        3, 4, 3, 7, 2, 2, 5, 2, 28.6, 100.0,
    )  # fmt: skip


def test_overdue_is_as_of_the_end_of_the_period_even_if_decided_later(march, org):
    report = reports.resolution_rates(
        period=MARCH, scope=reports.Scope.all(), within=org.commune, kind="complaint", compare=False
    )
    # c3 was decided on 10/04 (after the period) but at 31/03 it was 50 days past its due date.
    assert report.totals["overdue"] == 1
    assert march["c3"].decided_at == date(2026, 4, 10)


def test_previous_year_and_change_compare_the_same_period_a_year_earlier(march, org):
    report = reports.resolution_rates(period=MARCH, scope=reports.Scope.all(), within=org.commune)
    assert report.previous_period == reports.Period(
        date(2025, 3, 1), date(2025, 3, 31), report.previous_period.label
    )
    row = resolution(report, level="commune", kind="complaint")
    assert row["previous_year"] == {"received": 1, "resolved": 1, "resolution_rate": 100.0}
    assert row["change"] == {"received": 5, "resolved": 2, "resolution_rate": -50.0}
    denunciations = resolution(report, level="commune", kind="denunciation")
    assert denunciations["previous_year"] == {"received": 0, "resolved": 0, "resolution_rate": None}
    assert denunciations["change"]["resolution_rate"] is None


def test_kind_filter_restricts_rows_and_totals(march):
    report = reports.resolution_rates(
        period=MARCH, scope=reports.Scope.all(), kind="denunciation", compare=False
    )
    assert [r["kind"] for r in report.rows] == ["denunciation"]
    assert report.totals["kind"] == "denunciation" and report.totals["resolved"] == 2


def test_scope_limits_a_commune_head_to_their_commune(march, org):
    scope = reports.Scope.for_user(org.head)
    report = reports.resolution_rates(period=MARCH, scope=scope, compare=False)
    assert report.totals["in_competence"] == 8  # commune A's 6 complaints and 2 denunciations
    with pytest.raises(reports.ReportError) as refused:
        reports.resolution_rates(period=MARCH, scope=scope, within=org.province)
    assert refused.value.code == "not_found"
    assert reports.Scope.for_user(org.reception) is None
    assert reports.Scope.for_user(org.handler) is None


# Periods, rounding and the API's parameter checks: tests/casework/test_report_parameters.py.


# --- Outcomes ------------------------------------------------------------------------------------


def test_outcomes_count_decisions_by_result_and_withdrawals_with_shares(march):
    report = reports.outcomes(period=MARCH, scope=reports.Scope.all())
    complaints = resolution(report, level="commune", kind="complaint")
    assert {k: complaints[k] for k in ("resolved", "right", "partly_right", "wrong", "withdrawn")} == {
        "resolved": 3,
        "right": 1,
        "partly_right": 1,
        "wrong": 0,
        "withdrawn": 1,
    }
    assert complaints["shares"]["right"] == 33.3 and complaints["shares"]["wrong"] == 0.0
    assert complaints["shares"]["withdrawn"] == 33.3
    denunciations = resolution(report, level="commune", kind="denunciation")
    assert (denunciations["partly_true"], denunciations["untrue"], denunciations["true"]) == (1, 1, 0)
    assert denunciations["shares"]["untrue"] == 50.0
    assert report.totals["resolved"] == 5 and report.totals["shares"]["right"] == 20.0
    # The province's round-2 case is not resolved yet: no row.
    assert all(r["level"] == "commune" for r in report.rows)


# --- Reception -----------------------------------------------------------------------------------


def visit(org, unit, officer, when, *, head, people=1, case=False, guidance="Hướng dẫn", existing=()):
    visitors = [PetitionerInput.from_dict(petitioner(90 + i)) for i in range(min(people, 2))]
    cases = []
    if case:
        from workflows.intake import CaseInput

        cases = [
            CaseInput(
                unit=unit,
                kind=CaseKind.RECOMMENDATION,
                channel="in_person",
                received_at=when.date(),
                summary="Kiến nghị",
            )
        ]
    return record_visit(
        VisitInput(
            unit=unit,
            visited_at=when,
            summary="Công dân trình bày",
            visitors=visitors,
            visitor_count=people,
            cases=cases,
            received_by_head=head,
            guidance="" if case or existing else guidance,
            existing_cases=list(existing),
        ),
        actor=officer,
    )


def test_reception_counts_visits_visitors_groups_cases_and_head_days(org, frozen_today):
    frozen_today(TODAY)
    A = org.commune
    old = register(A, org.reception, received_at=date(2026, 3, 2))
    visit(org, A, org.reception, datetime(2026, 4, 6, 9, tzinfo=VN), head=True, case=True)
    visit(org, A, org.reception, datetime(2026, 4, 6, 14, tzinfo=VN), head=True, people=6)
    visit(org, A, org.reception, datetime(2026, 4, 13, 9, tzinfo=VN), head=True, people=2, existing=[old])
    visit(org, A, org.reception, datetime(2026, 4, 20, 9, tzinfo=VN), head=False)
    # Just outside April in local time (1 May 00:30 is 30 April 17:30 UTC).
    visit(org, A, org.reception, datetime(2026, 5, 1, 0, 30, tzinfo=VN), head=True)
    visit(org, org.province, org.p_reception, datetime(2026, 4, 7, 9, tzinfo=VN), head=True)
    record_dialogue(
        actor=org.head,
        unit=A,
        kind=DialogueKind.PERIODIC,
        chair=org.head,
        held_at=datetime(2026, 4, 15, 8, tzinfo=VN),
        place="Hội trường xã",
    )

    april = reports.calendar_month(2026, 4)
    by_unit = reports.reception_activity(
        period=april, scope=reports.Scope.all(), group_by="unit", within=org.province
    )
    a = resolution(by_unit, unit=A.pk)
    assert {k: a[k] for k in ("visits", "visitors", "group_visits", "cases_opened", "head_days_held")} == {
        "visits": 4,
        "visitors": 10,
        "group_visits": 1,
        "cases_opened": 1,
        "head_days_held": 2,  # 6 and 13 April
    }
    # Commune chair: 1 day a week, counted as 4 days a month, until 30/06/2026.
    assert (a["head_days_required"], a["head_reception_compliance"]) == (4.0, 50.0)
    assert (a["dialogues_held"], a["dialogues_required"]) == (1, 0.1)  # 1 a year, April = 30/365
    province = resolution(by_unit, unit=org.province.pk)
    assert (
        province["head_days_held"],
        province["head_days_required"],
        province["head_reception_compliance"],
    ) == (
        1,
        1.0,
        100.0,
    )
    # The department (agency head: 1 day a month) and the two other communes received no one.
    department = resolution(by_unit, unit=org.department.pk)
    assert (
        department["visits"],
        department["head_days_required"],
        department["head_reception_compliance"],
    ) == (
        0,
        1.0,
        0.0,
    )

    by_level = reports.reception_activity(period=april, scope=reports.Scope.all())
    communes = resolution(by_level, level="commune")
    assert (
        communes["head_days_held"],
        communes["head_days_required"],
        communes["head_reception_compliance"],
    ) == (
        2,
        12.0,
        16.7,
    )
    assert by_level.totals["visits"] == 5 and by_level.totals["head_days_required"] == 14.0


def test_head_reception_requirement_follows_the_rule_in_force_each_month(org):
    # July 2026 on: 2 days a month (Law 136/2025). June–July 2026: 4 + 2.
    period = reports.custom_period(date(2026, 6, 1), date(2026, 7, 31))
    report = reports.reception_activity(
        period=period, scope=reports.Scope.all(), group_by="unit", within=org.commune
    )
    assert report.rows[0]["head_days_required"] == 6.0
    # A cut-off quarter is exactly three months: 3 × 4 days.
    q1 = reports.reception_activity(
        period=reports.cutoff_quarter(2026, 1), scope=reports.Scope.all(), within=org.commune
    )
    assert q1.totals["head_days_required"] == 12.0


# --- Overdue audit -------------------------------------------------------------------------------


@pytest.fixture
def overdue_cases(org, frozen_today):
    frozen_today(TODAY)
    org.handler.first_name, org.handler.last_name = "Thị Xử Lý", "Trần"
    org.handler.save()
    A = org.commune
    o1 = accepted(A, org.reception, org.head, received=date(2026, 4, 1), accepted_on=date(2026, 4, 3), n=41)
    o1 = act(o1, "start_verification", org.head, on=date(2026, 4, 6), handler=org.handler.pk)
    o2 = register(A, org.reception, received_at=date(2026, 5, 8), petitioners=[petitioner(42)])
    o3 = accepted(
        org.province,
        org.p_reception,
        org.p_head,
        received=date(2026, 3, 2),
        accepted_on=date(2026, 3, 4),
        kind=CaseKind.DENUNCIATION,
        n=43,
    )
    suspended = accepted(
        A, org.reception, org.head, received=date(2026, 3, 2), accepted_on=date(2026, 3, 3), n=44
    )
    act(suspended, "suspend", org.head, on=date(2026, 3, 20), reason="Chờ giám định")
    lapsed_window = accepted(
        A, org.reception, org.head, received=date(2026, 3, 2), accepted_on=date(2026, 3, 3), n=45
    )
    decide(
        lapsed_window,
        org.head,
        verify_on=date(2026, 3, 4),
        decide_on=date(2026, 4, 1),
        outcome="wrong",
        handler=org.handler,
    )
    return {"o1": o1, "o2": o2, "o3": o3}


def test_overdue_audit_lists_every_running_deadline_past_due_with_age_and_people(overdue_cases, org):
    report = reports.overdue_audit(scope=reports.Scope.all(), as_of=TODAY)
    rows = [
        (r["reference"], r["deadline_kind"], r["due_date"], r["days_overdue"], r["age_bucket"])
        for r in report.rows
    ]
    o1, o2, o3 = overdue_cases["o1"], overdue_cases["o2"], overdue_cases["o3"]
    assert rows == [
        (o3.reference, "resolution", date(2026, 4, 3), 47, ">30"),
        (o1.reference, "resolution", date(2026, 5, 4), 16, "11-30"),  # 3 May is a Sunday
        (o2.reference, "acceptance", date(2026, 5, 18), 2, "1-5"),
        (o2.reference, "processing", date(2026, 5, 18), 2, "1-5"),
    ]
    first = report.rows[1]
    # Working days in (04/05, 20/05]: 5–8, 11–15, 18–20 May.
    assert first["working_days_overdue"] == 12
    assert report.rows[2]["working_days_overdue"] == 2
    assert (first["handler"], first["unit_head"], first["unit_code"], first["level"]) == (
        "Trần Thị Xử Lý",
        "head",
        "xa-a",
        "commune",
    )
    assert report.totals == {
        "deadlines": 4,
        "cases": 3,
        "buckets": {"1-5": 2, "6-10": 0, "11-30": 1, ">30": 1},
    }


def test_overdue_audit_scope_and_trend(overdue_cases, org):
    commune_only = reports.overdue_audit(scope=reports.Scope.for_user(org.head), as_of=TODAY)
    assert {r["unit_code"] for r in commune_only.rows} == {"xa-a"}
    # The audit reads the working calendar itself: working days are always counted.
    assert [r["working_days_overdue"] for r in commune_only.rows] == [12, 2, 2]
    trend = reports.overdue_trend(scope=reports.Scope.all(), as_of=TODAY)
    assert [p["date"] for p in trend][-3:] == [date(2026, 3, 31), date(2026, 4, 30), TODAY]
    # 31/03: none past due; 30/04: o3 (due 03/04); today: o1, o2, o3.
    assert [p["overdue"] for p in trend][-3:] == [0, 1, 3]


def test_overdue_trend_counts_a_case_until_its_deadline_was_met(march):
    trend = {p["date"]: p["overdue"] for p in reports.overdue_trend(scope=reports.Scope.all(), as_of=TODAY)}
    assert trend[date(2026, 1, 31)] == 0
    assert trend[date(2026, 2, 28)] == 1  # c3 only: c15's clock stopped on 20/02
    # c3, and c15's round-2 case at the province, never reviewed: its intake clocks ran out on 02/03.
    # c4 (due 16/03) was decided on 20/03, so it is no longer overdue at the month end.
    assert trend[date(2026, 3, 31)] == 2
    # c3 was decided on 10/04; now past due: c2 (06/04), c7' (13/04), c8' (20/04), c12 (intake, 09/04), c15'.
    assert trend[date(2026, 4, 30)] == 5
    assert Deadline.objects.filter(case=march["c3"], kind=DeadlineKind.RESOLUTION).get().completed_on == date(
        2026, 4, 10
    )


# --- Exports -------------------------------------------------------------------------------------


def test_csv_export_has_vietnamese_headers_the_rows_and_a_totals_line(march):
    report = reports.resolution_rates(period=MARCH, scope=reports.Scope.all(), compare=True)
    text = exports.to_csv("resolution", report).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Cấp", "Loại đơn", "Số đơn tiếp nhận", "Kỳ trước chuyển sang", "Thụ lý mới"]
    assert "Tỷ lệ giải quyết (%)" in rows[0] and "Tỷ lệ đúng hạn (%)" in rows[0]
    header = rows[0]
    commune = dict(zip(header, rows[2], strict=True))
    assert (commune["Cấp"], commune["Loại đơn"]) == ("Xã", "Khiếu nại")
    assert (commune["Thuộc thẩm quyền"], commune["Đã giải quyết"], commune["Tỷ lệ giải quyết (%)"]) == (
        "7",
        "3",
        "42.9",
    )
    assert commune["Cùng kỳ năm trước: tiếp nhận"] == "1"
    province = dict(zip(header, rows[1], strict=True))
    assert province["Tỷ lệ đúng hạn (%)"] == ""  # nothing resolved: no rate
    totals = dict(zip(header, rows[-1], strict=True))
    assert (totals["Cấp"], totals["Loại đơn"], totals["Thuộc thẩm quyền"], totals["Tỷ lệ đúng hạn (%)"]) == (
        "Tổng cộng",
        "Tất cả",
        "10",
        "80.0",
    )


def test_xlsx_export_in_english_parses_back_with_numbers(march, org):
    report = reports.resolution_rates(
        period=MARCH, scope=reports.Scope.all(), group_by="unit", within=org.province, compare=False
    )
    workbook = load_workbook(io.BytesIO(exports.to_xlsx("resolution", report, "en")))
    sheet = workbook["Report"]
    values = list(sheet.values)
    header = list(values[0])
    assert header[:4] == ["Level", "Unit code", "Unit", "Kind"]
    rows = [dict(zip(header, v, strict=True)) for v in values[1:]]
    b = next(r for r in rows if r["Unit code"] == "xa-b")
    assert (b["In competence"], b["Resolution rate (%)"], b["On-time rate (%)"]) == (1, 0.0, None)
    assert rows[-1]["Level"] == "Total" and rows[-1]["Resolved"] == 5 and rows[-1]["On-time rate (%)"] == 80.0
    assert sheet.cell(row=2, column=header.index("Resolution rate (%)") + 1).number_format == "0.0"
    assert "About" in workbook.sheetnames


def test_exports_never_contain_a_denouncer_or_any_petitioner(march, overdue_cases):
    names = [petitioner(n)["full_name"] for n in (10, 16, 43)] + [
        petitioner(n)["id_number"] for n in (10, 16, 43)
    ]
    files = [
        exports.to_csv("resolution", reports.resolution_rates(period=MARCH, scope=reports.Scope.all())),
        exports.to_csv("outcomes", reports.outcomes(period=MARCH, scope=reports.Scope.all())),
        exports.to_csv("overdue", reports.overdue_audit(scope=reports.Scope.all(), as_of=TODAY)),
    ]
    for body in files:
        text = body.decode("utf-8-sig")
        assert not any(n in text for n in names)


def test_overdue_and_reception_exports_have_their_headers(overdue_cases, org):
    text = exports.to_csv("overdue", reports.overdue_audit(scope=reports.Scope.all(), as_of=TODAY)).decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Số hồ sơ", "Mã đơn vị", "Đơn vị"]
    assert rows[1][rows[0].index("Loại thời hạn")] == "Giải quyết"
    assert rows[1][rows[0].index("Hạn")] == "03/04/2026"
    assert len(rows) == 5  # no totals line in a list of cases
    reception = reports.reception_activity(period=reports.calendar_month(2026, 4), scope=reports.Scope.all())
    book = load_workbook(io.BytesIO(exports.to_xlsx("reception", reception, "vi")))
    header = [c.value for c in book["Bao cao"][1]]
    assert header[:3] == ["Cấp", "Số lượt tiếp", "Số người được tiếp"]


def test_spreadsheet_formula_text_is_neutralised(org, frozen_today):
    frozen_today(TODAY)
    org.commune.name = "=HYPERLINK(1)"
    org.commune.save()
    accepted(org.commune, org.reception, org.head, received=date(2026, 3, 2), accepted_on=date(2026, 3, 3))
    report = reports.resolution_rates(
        period=MARCH, scope=reports.Scope.all(), group_by="unit", within=org.commune, compare=False
    )
    assert "'=HYPERLINK(1)" in exports.to_csv("resolution", report).decode("utf-8-sig")


# --- API -----------------------------------------------------------------------------------------

RATES_URL = "/api/v1/reports/resolution-rates/"


def test_api_resolution_rates_shape_for_a_monitor(march, org):
    response = api_client(org.monitor).get(RATES_URL, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"rows", "totals", "period", "previous_period", "group_by"}
    row = next(r for r in body["rows"] if r["level"] == "commune" and r["kind"] == "complaint")
    assert {k: row[k] for k in FIGURES} == dict(
        zip(FIGURES, (7, 4, 3, 7, 3, 2, 4, 1, 42.9, 66.7), strict=True)
    )
    assert row["previous_year"] == {"received": 1, "resolved": 1, "resolution_rate": 100.0}
    assert "unit" not in row
    assert body["totals"]["resolution_rate"] == 50.0 and body["totals"]["on_time_rate"] == 80.0


def test_api_groups_by_unit_within_a_subtree_and_takes_a_period_spec(march, org):
    response = api_client(org.monitor).get(
        RATES_URL,
        {
            "period": "2026-03",
            "cutoff": "false",
            "group_by": "unit",
            "within": org.province.pk,
            "kind": "complaint",
        },
    )
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert [(r["unit"], r["unit_code"], r["kind"]) for r in rows] == [
        (org.province.pk, "tinh", "complaint"),
        (org.commune.pk, "xa-a", "complaint"),
        (org.other_commune.pk, "xa-b", "complaint"),
    ]
    assert response.json()["period"]["date_from"] == "2026-03-01"


def test_api_within_outside_the_users_units_is_not_found(march, org):
    response = api_client(org.head).get(
        RATES_URL, {"date_from": "2026-03-01", "date_to": "2026-03-31", "within": org.province.pk}
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    unknown = api_client(org.monitor).get(
        RATES_URL, {"date_from": "2026-03-01", "date_to": "2026-03-31", "within": 99999}
    )
    assert unknown.status_code == 404
    own = api_client(org.head).get(RATES_URL, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert own.json()["totals"]["in_competence"] == 8  # commune A only


def test_api_downloads_csv_and_xlsx_of_the_same_rows(march, org):
    params = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    response = api_client(org.monitor).get(RATES_URL, {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="ty-le-giai-quyet-20260301-20260331.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Cấp" and rows[-1][0] == "Tổng cộng"
    xlsx = api_client(org.monitor).get(RATES_URL, {**params, "format": "xlsx", "lang": "en"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["Report"]
    values = list(sheet.values)
    assert values[0][0] == "Level" and values[-1][0] == "Total"
    assert values[-1][list(values[0]).index("In competence")] == 10


@pytest.mark.parametrize("path", ["outcomes", "reception", "overdue"])
def test_api_other_reports_answer_json_csv_and_xlsx(march, org, path):
    url = f"/api/v1/reports/{path}/"
    params = {} if path == "overdue" else {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    body = api_client(org.monitor).get(url, params).json()
    assert "rows" in body and "totals" in body
    assert (
        api_client(org.monitor).get(url, {**params, "format": "csv"})["Content-Type"].startswith("text/csv")
    )
    workbook = load_workbook(
        io.BytesIO(api_client(org.monitor).get(url, {**params, "format": "xlsx"}).content)
    )
    assert workbook.sheetnames[0] == "Bao cao"
    assert api_client(org.reception).get(url, params).status_code == 403


def test_api_overdue_pages_json_and_counts_all(overdue_cases, org):
    body = api_client(org.monitor).get("/api/v1/reports/overdue/", {"limit": 1, "offset": 1}).json()
    assert body["count"] == 4 and len(body["rows"]) == 1
    assert body["rows"][0]["reference"] == overdue_cases["o1"].reference
    assert body["rows"][0]["working_days_overdue"] == 12
    assert body["totals"]["buckets"] == {"1-5": 2, "6-10": 0, "11-30": 1, ">30": 1}
    outside = api_client(org.head).get("/api/v1/reports/overdue/", {"within": org.province.pk})
    assert outside.status_code == 404


def test_overdue_audit_lists_a_second_round_decision_not_yet_published(org, frozen_today):
    from tests.helpers import TODAY as DECIDED_ON
    from tests.helpers import drive, new_case

    frozen_today(DECIDED_ON)  # Fri 20 Mar 2026: published by Mon 6 Apr
    first = drive(new_case(org), org, CaseState.DECIDED)
    act(first, "appeal", org.reception)
    second = drive(first.appeal_cases.get(), org, CaseState.DECIDED)
    report = reports.overdue_audit(scope=reports.Scope.all(), as_of=date(2026, 4, 9))
    assert [(r["reference"], r["deadline_kind"], r["days_overdue"]) for r in report.rows] == [
        (second.reference, "publication", 3)
    ]
