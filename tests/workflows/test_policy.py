"""The deadline policy table: which row governs which case, and the due date it gives.

Counting (DOMAIN.md §3, Civil Code 2015 Arts. 147–148): the day of the triggering event is not counted.
Calendar days: day D+N, moved to the next working day if it is a weekend day or a public holiday.
Working days: the N-th working day after D. Each worked example below shows the count.

Reference days: Tết 2026 = Mon 16 – Fri 20 Feb 2026; Tết 2027 = Thu 4 – Wed 10 Feb 2027;
30 Apr and 1 May 2026 fall on Thu and Fri; 26–27 Apr 2026 are Hung Kings' day (Sun) and its Monday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from casework.choices import (
    CaseKind,
    DayType,
    DeadlineKind,
    DeadlineStatus,
    DialogueKind,
    ExtensionReason,
)
from casework.rules import policy
from casework.rules.policy import DeadlineRule, ExtensionCap, StartEvent
from casework.services import record_dialogue
from tests.factories import act, register
from workflows.errors import RuleViolation

TODAY = date(2027, 3, 1)  # after every example below, so no effective date is in the future

COMPLAINT, DENUNCIATION = CaseKind.COMPLAINT, CaseKind.DENUNCIATION
RECOMMENDATION, REFLECTION = CaseKind.RECOMMENDATION, CaseKind.REFLECTION
OUTCOME = {
    COMPLAINT: "partly_right",
    DENUNCIATION: "partly_true",
    RECOMMENDATION: "answered",
    REFLECTION: "answered",
}


# --- Helpers ------------------------------------------------------------------------------------


def _people(org, unit: str):
    """(unit, reception officer, head, handler) of one of the fixture's units."""
    return {
        "commune": (org.commune, org.reception, org.head, org.handler),
        "remote_commune": (org.remote_commune, org.remote_reception, org.remote_head, org.remote_head),
        "province": (org.province, org.p_reception, org.p_head, org.p_handler),
    }[unit]


def _case_with_clock(org, *, kind, deadline, start, unit="commune", round=None, several_locations=False):
    """A case whose `deadline` clock starts on `start` (receipt, acceptance or the decision)."""
    where, reception, head, handler = _people(org, unit)
    extra = {"several_locations": several_locations} if several_locations else {}
    case = register(where, reception, kind=kind, received_at=start, round=round, **extra)
    if deadline in (DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE):
        return case
    case = act(case, "review", reception, on=start)
    case = act(case, "accept", head, on=start)
    if deadline == DeadlineKind.RESOLUTION:
        return case
    case = act(case, "start_verification", head, on=start, handler=handler.pk)
    if round == 2:  # a second-round decision needs its dialogue (LKN Art. 39)
        record_dialogue(
            actor=head,
            unit=where,
            kind=DialogueKind.CASE,
            chair=head,
            held_at=datetime.combine(start, time(9), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
            place="Trụ sở UBND",
            minutes="Biên bản đối thoại",
            cases=[case],
        )
    case = act(case, "submit_for_approval", handler, on=start, outcome=OUTCOME[kind], summary="Kết luận")
    return act(case, "approve", head, on=start, decision_number="01/QĐ")


@dataclass(frozen=True)
class Example:
    code: str
    deadline: str
    kind: str
    start: date
    due: date
    unit: str = "commune"
    round: int | None = None
    several_locations: bool = False

    def __str__(self) -> str:
        return f"{self.code}:{self.kind}:{self.start}"


P, A, R, W, PUB = (
    DeadlineKind.PROCESSING,
    DeadlineKind.ACCEPTANCE,
    DeadlineKind.RESOLUTION,
    DeadlineKind.APPEAL_WINDOW,
    DeadlineKind.PUBLICATION,
)

EXAMPLES = [
    # letter.processing, 10 calendar days from receipt (Circular 05/2021).
    # Thu 5 Feb 2026 + 10 = Sun 15 Feb; Sun 15, Mon 16 – Fri 20 (Tết), Sat 21, Sun 22 -> Mon 23 Feb.
    Example("letter.processing", P, COMPLAINT, date(2026, 2, 5), date(2026, 2, 23)),
    # Wed 4 Mar 2026 + 10 = Sat 14 Mar -> Mon 16 Mar.
    Example("letter.processing", P, REFLECTION, date(2026, 3, 4), date(2026, 3, 16)),
    # Mon 2 Mar 2026 + 10 = Thu 12 Mar, a working day: no roll-forward.
    Example("letter.processing", P, DENUNCIATION, date(2026, 3, 2), date(2026, 3, 12)),
    # complaint.acceptance, 10 calendar days from receipt (LKN Art. 27).
    # Wed 4 Mar 2026 + 10 = Sat 14 Mar -> Mon 16 Mar.
    Example("complaint.acceptance", A, COMPLAINT, date(2026, 3, 4), date(2026, 3, 16), round=1),
    # Thu 28 Jan 2027 + 10 = Sun 7 Feb 2027 (Tết); Sun 7 – Wed 10 Feb are Tết -> Thu 11 Feb 2027.
    Example("complaint.acceptance", A, COMPLAINT, date(2027, 1, 28), date(2027, 2, 11), round=1),
    # complaint.r1.resolution, 30 calendar days from acceptance (LKN Art. 28).
    # Thu 5 Mar 2026 + 30 = Sat 4 Apr -> Mon 6 Apr.
    Example("complaint.r1.resolution", R, COMPLAINT, date(2026, 3, 5), date(2026, 4, 6), round=1),
    # Tue 5 Jan 2027 + 30 = Thu 4 Feb 2027, the first day of Tết 2027; Thu 4 – Wed 10 -> Thu 11 Feb.
    Example("complaint.r1.resolution", R, COMPLAINT, date(2027, 1, 5), date(2027, 2, 11), round=1),
    # complaint.r1.resolution.remote, 45 calendar days.
    # Wed 31 Dec 2025 + 45 = Sat 14 Feb 2026; Sat 14, Sun 15, Tết 16–20, Sat 21, Sun 22 -> Mon 23 Feb.
    Example(
        "complaint.r1.resolution.remote",
        R,
        COMPLAINT,
        date(2025, 12, 31),
        date(2026, 2, 23),
        unit="remote_commune",
        round=1,
    ),
    # complaint.r2.resolution, 45 calendar days (LKN Art. 37).
    # Wed 21 Jan 2026 + 10 = Sat 31 Jan, + 28 (Feb) = Sat 28 Feb, + 7 = Sat 7 Mar -> Mon 9 Mar.
    Example("complaint.r2.resolution", R, COMPLAINT, date(2026, 1, 21), date(2026, 3, 9), "province", 2),
    # complaint.r2.resolution.remote, 60 calendar days.
    # Tue 8 Dec 2026 + 23 = Thu 31 Dec, + 31 = Sun 31 Jan 2027, + 6 = Sat 6 Feb 2027 (Tết) -> Thu 11 Feb.
    Example(
        "complaint.r2.resolution.remote",
        R,
        COMPLAINT,
        date(2026, 12, 8),
        date(2027, 2, 11),
        "remote_commune",
        2,
    ),
    # complaint.appeal_window, 30 calendar days from the first-round decision (LKN Art. 33).
    # Thu 2 Apr 2026 + 30 = Sat 2 May (after the 30 Apr / 1 May holidays); Sat 2, Sun 3 -> Mon 4 May.
    Example("complaint.appeal_window", W, COMPLAINT, date(2026, 4, 2), date(2026, 5, 4), round=1),
    # complaint.appeal_window.remote, 45 calendar days.
    # Thu 2 Apr 2026 + 45 = Sun 17 May -> Mon 18 May.
    Example(
        "complaint.appeal_window.remote",
        W,
        COMPLAINT,
        date(2026, 4, 2),
        date(2026, 5, 18),
        unit="remote_commune",
        round=1,
    ),
    # Tue 22 Dec 2026 + 9 = Thu 31 Dec, + 31 = Sun 31 Jan 2027, + 5 = Fri 5 Feb 2027 (Lunar New Year's
    # Eve); Fri 5 – Wed 10 Feb are Tết -> Thu 11 Feb 2027.
    Example(
        "complaint.appeal_window.remote",
        W,
        COMPLAINT,
        date(2026, 12, 22),
        date(2027, 2, 11),
        unit="remote_commune",
        round=1,
    ),
    # complaint.r2.publication, 15 calendar days from the second-round decision (Decree 75/2012).
    # Fri 10 Apr 2026 + 15 = Sat 25 Apr; Sat 25, Sun 26, Mon 27 (Hung Kings' day, observed) -> Tue 28 Apr.
    Example("complaint.r2.publication", PUB, COMPLAINT, date(2026, 4, 10), date(2026, 4, 28), "province", 2),
    # Thu 21 Jan 2027 + 15 = Fri 5 Feb 2027 (Lunar New Year's Eve); Fri 5 – Wed 10 Feb are Tết -> Thu 11 Feb.
    Example("complaint.r2.publication", PUB, COMPLAINT, date(2027, 1, 21), date(2027, 2, 11), "province", 2),
    # denunciation.acceptance, 7 working days from receipt (LTC Art. 24.1).
    # Thu 5 Mar 2026: Fri 6 (1), [Sat 7, Sun 8], Mon 9 (2), Tue 10 (3), Wed 11 (4), Thu 12 (5),
    # Fri 13 (6), [Sat 14, Sun 15], Mon 16 (7).
    Example("denunciation.acceptance", A, DENUNCIATION, date(2026, 3, 5), date(2026, 3, 16)),
    # Wed 11 Feb 2026: Thu 12 (1), Fri 13 (2), [Sat 14 – Sun 22: weekend + Tết], Mon 23 (3), Tue 24 (4),
    # Wed 25 (5), Thu 26 (6), Fri 27 (7).
    Example("denunciation.acceptance", A, DENUNCIATION, date(2026, 2, 11), date(2026, 2, 27)),
    # Mon 1 Feb 2027: Tue 2 (1), Wed 3 (2), [Thu 4 – Wed 10 Tết], Thu 11 (3), Fri 12 (4), [Sat 13, Sun 14],
    # Mon 15 (5), Tue 16 (6), Wed 17 (7).
    Example("denunciation.acceptance", A, DENUNCIATION, date(2027, 2, 1), date(2027, 2, 17)),
    # The 7 days apply at a remote unit too: the denunciation rows do not depend on the area.
    Example(
        "denunciation.acceptance", A, DENUNCIATION, date(2026, 3, 5), date(2026, 3, 16), "remote_commune"
    ),
    # denunciation.acceptance.several_locations, 10 working days: continue each count above.
    # Thu 5 Mar 2026: ... Mon 16 (7), Tue 17 (8), Wed 18 (9), Thu 19 (10).
    Example(
        "denunciation.acceptance.several_locations",
        A,
        DENUNCIATION,
        date(2026, 3, 5),
        date(2026, 3, 19),
        several_locations=True,
    ),
    # Wed 11 Feb 2026: ... Fri 27 Feb (7), [Sat 28, Sun 1 Mar], Mon 2 (8), Tue 3 (9), Wed 4 Mar (10).
    Example(
        "denunciation.acceptance.several_locations",
        A,
        DENUNCIATION,
        date(2026, 2, 11),
        date(2026, 3, 4),
        several_locations=True,
    ),
    # Mon 1 Feb 2027: ... Wed 17 (7), Thu 18 (8), Fri 19 (9), [Sat 20, Sun 21], Mon 22 Feb 2027 (10).
    Example(
        "denunciation.acceptance.several_locations",
        A,
        DENUNCIATION,
        date(2027, 2, 1),
        date(2027, 2, 22),
        several_locations=True,
    ),
    # denunciation.resolution, 30 calendar days from acceptance (LTC Art. 30).
    # Thu 15 Jan 2026 + 16 = Sat 31 Jan, + 14 = Sat 14 Feb; Sat 14, Sun 15, Tết 16–20, Sat 21, Sun 22
    # -> Mon 23 Feb 2026.
    Example("denunciation.resolution", R, DENUNCIATION, date(2026, 1, 15), date(2026, 2, 23)),
    # Mon 2 Mar 2026 + 29 = Tue 31 Mar, + 1 = Wed 1 Apr, a working day; same at a remote unit.
    Example("denunciation.resolution", R, DENUNCIATION, date(2026, 3, 2), date(2026, 4, 1), "remote_commune"),
    # petition.resolution, the unit's 30-day service level.
    # Mon 2 Mar 2026 + 30 = Wed 1 Apr.
    Example("petition.resolution", R, RECOMMENDATION, date(2026, 3, 2), date(2026, 4, 1)),
    # Fri 16 Jan 2026 + 15 = Sat 31 Jan, + 15 = Sun 15 Feb; Sun 15, Tết 16–20, Sat 21, Sun 22 -> Mon 23 Feb.
    Example("petition.resolution", R, REFLECTION, date(2026, 1, 16), date(2026, 2, 23)),
]


# --- Every row, selected for its facts and worked through ---------------------------------------


def test_every_rule_row_has_at_least_one_worked_example():
    assert {ex.code for ex in EXAMPLES} == {rule.code for rule in policy.DEADLINE_RULES}


@pytest.mark.parametrize("ex", EXAMPLES, ids=str)
def test_rule_row_governs_its_case_and_gives_the_worked_due_date(org, frozen_today, ex):
    frozen_today(TODAY)
    case = _case_with_clock(
        org,
        kind=ex.kind,
        deadline=ex.deadline,
        start=ex.start,
        unit=ex.unit,
        round=ex.round,
        several_locations=ex.several_locations,
    )
    deadline = case.deadlines.get(kind=ex.deadline)
    rule = policy.rule_by_code(ex.code)
    assert deadline.rule_code == ex.code
    assert (deadline.start_date, deadline.base_days, deadline.day_type) == (
        ex.start,
        rule.days,
        rule.day_type,
    )
    assert deadline.basis == rule.citation
    assert deadline.status == DeadlineStatus.RUNNING
    assert deadline.due_date == ex.due


@pytest.mark.parametrize(
    "deadline, kind, facts, code",
    [
        (P, RECOMMENDATION, {"round": None, "remote": True, "several_locations": False}, "letter.processing"),
        (A, COMPLAINT, {"round": 1, "remote": True, "several_locations": False}, "complaint.acceptance"),
        (R, COMPLAINT, {"round": 1, "remote": False, "several_locations": False}, "complaint.r1.resolution"),
        (
            R,
            COMPLAINT,
            {"round": 1, "remote": True, "several_locations": False},
            "complaint.r1.resolution.remote",
        ),
        (R, COMPLAINT, {"round": 2, "remote": False, "several_locations": False}, "complaint.r2.resolution"),
        (
            R,
            COMPLAINT,
            {"round": 2, "remote": True, "several_locations": False},
            "complaint.r2.resolution.remote",
        ),
        (W, COMPLAINT, {"round": 1, "remote": False, "several_locations": False}, "complaint.appeal_window"),
        (
            PUB,
            COMPLAINT,
            {"round": 2, "remote": True, "several_locations": False},
            "complaint.r2.publication",
        ),
        (
            W,
            COMPLAINT,
            {"round": 1, "remote": True, "several_locations": False},
            "complaint.appeal_window.remote",
        ),
        (
            A,
            DENUNCIATION,
            {"round": None, "remote": False, "several_locations": False},
            "denunciation.acceptance",
        ),
        (
            A,
            DENUNCIATION,
            {"round": None, "remote": True, "several_locations": True},
            "denunciation.acceptance.several_locations",
        ),
        (
            R,
            DENUNCIATION,
            {"round": None, "remote": True, "several_locations": True},
            "denunciation.resolution",
        ),
        (R, REFLECTION, {"round": None, "remote": False, "several_locations": False}, "petition.resolution"),
    ],
)
def test_rule_selection_follows_the_case_facts(deadline, kind, facts, code):
    assert policy.deadline_rule(deadline=deadline, kind=kind, on=date(2026, 3, 2), facts=facts).code == code


@pytest.mark.parametrize(
    "deadline, kind, facts",
    [
        # Recommendations and reflections have no statutory acceptance step.
        (A, RECOMMENDATION, {"round": None, "remote": False, "several_locations": False}),
        # A second-round decision can only go to court: no appeal window.
        (W, COMPLAINT, {"round": 2, "remote": False, "several_locations": False}),
        (W, DENUNCIATION, {"round": None, "remote": False, "several_locations": False}),
        # Only a second-round complaint decision has a publication period.
        (PUB, COMPLAINT, {"round": 1, "remote": False, "several_locations": False}),
        (PUB, DENUNCIATION, {"round": None, "remote": False, "several_locations": False}),
    ],
)
def test_no_rule_where_the_law_sets_no_deadline(deadline, kind, facts):
    assert not policy.has_rule(deadline=deadline, kind=kind, on=date(2026, 3, 2), facts=facts)
    with pytest.raises(policy.RuleNotFound):
        policy.deadline_rule(deadline=deadline, kind=kind, on=date(2026, 3, 2), facts=facts)


def test_a_recommendation_gets_no_acceptance_clock(org, frozen_today):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, kind=RECOMMENDATION, received_at=date(2026, 3, 2))
    assert set(case.deadlines.values_list("kind", flat=True)) == {DeadlineKind.PROCESSING}


def test_no_rule_before_the_law_came_into_force():
    facts = {"round": None, "remote": False, "several_locations": False}
    # The Law on Denunciations 25/2018 applies from 1 Jan 2019.
    assert not policy.has_rule(deadline=A, kind=DENUNCIATION, on=date(2018, 12, 31), facts=facts)
    assert policy.has_rule(deadline=A, kind=DENUNCIATION, on=date(2019, 1, 1), facts=facts)


# --- Rules changing over time -------------------------------------------------------------------

AMENDED_R1 = DeadlineRule(
    "complaint.r1.resolution.2026-07",
    DeadlineKind.RESOLUTION,
    (COMPLAINT,),
    20,
    DayType.CALENDAR,
    StartEvent.ACCEPTED,
    date(2026, 7, 1),
    "Hypothetical amendment: first-round complaint resolved within 20 days of acceptance",
    when={"round": 1, "remote": False},
    extensions={ExtensionReason.COMPLEX: ExtensionCap(1, 10)},
)


@pytest.fixture
def amended_r1(monkeypatch):
    monkeypatch.setattr(policy, "DEADLINE_RULES", (*policy.DEADLINE_RULES, AMENDED_R1))


def test_a_later_rule_row_governs_cases_accepted_from_its_effective_date(org, frozen_today, amended_r1):
    frozen_today(TODAY)
    # Accepted Wed 1 Jul 2026, the day the new row takes effect: 20 days -> Tue 21 Jul 2026.
    case = _case_with_clock(org, kind=COMPLAINT, deadline=R, start=date(2026, 7, 1), round=1)
    resolution = case.deadlines.get(kind=R)
    assert (resolution.rule_code, resolution.base_days) == ("complaint.r1.resolution.2026-07", 20)
    assert resolution.due_date == date(2026, 7, 21)


def test_a_case_accepted_before_the_change_keeps_the_old_rule(org, frozen_today, amended_r1):
    frozen_today(TODAY)
    # Accepted Tue 30 Jun 2026: old 30 days -> Thu 30 Jul 2026.
    case = _case_with_clock(org, kind=COMPLAINT, deadline=R, start=date(2026, 6, 30), round=1)
    resolution = case.deadlines.get(kind=R)
    assert (resolution.rule_code, resolution.base_days) == ("complaint.r1.resolution", 30)
    assert resolution.due_date == date(2026, 7, 30)


def test_a_later_row_for_ordinary_areas_leaves_remote_cases_on_their_own_row(org, frozen_today, amended_r1):
    frozen_today(TODAY)
    case = _case_with_clock(
        org, kind=COMPLAINT, deadline=R, start=date(2026, 7, 1), unit="remote_commune", round=1
    )
    assert case.deadlines.get(kind=R).rule_code == "complaint.r1.resolution.remote"


def test_the_extension_cap_comes_from_the_row_the_case_started_under(org, frozen_today, amended_r1):
    frozen_today(TODAY)
    old = _case_with_clock(org, kind=COMPLAINT, deadline=R, start=date(2026, 6, 30), round=1)
    new = _case_with_clock(org, kind=COMPLAINT, deadline=R, start=date(2026, 7, 1), round=1)
    with pytest.raises(RuleViolation) as refused:
        act(new, "extend", org.head, on=date(2026, 7, 2), days=11, reason=ExtensionReason.COMPLEX)
    assert refused.value.code == "extension_too_long"
    act(old, "extend", org.head, on=date(2026, 7, 2), days=15, reason=ExtensionReason.COMPLEX)
    # Old case: Tue 30 Jun + 45 = Fri 14 Aug 2026.
    assert old.deadlines.get(kind=R).due_date == date(2026, 8, 14)


def test_an_amended_row_that_keeps_its_code_applies_its_caps_only_to_new_cases(
    org, frozen_today, monkeypatch
):
    # The law changes the denunciation extension cap to 20 days from 1 Jul 2026 and the row keeps its code.
    current = policy.rule_by_code("denunciation.resolution")
    amended = DeadlineRule(
        current.code,
        current.deadline,
        current.kinds,
        current.days,
        current.day_type,
        current.starts_on,
        date(2026, 7, 1),
        "Hypothetical amendment: one extension of up to 20 days",
        extensions={ExtensionReason.COMPLEX: ExtensionCap(1, 20)},
    )
    monkeypatch.setattr(policy, "DEADLINE_RULES", (*policy.DEADLINE_RULES, amended))
    assert policy.rule_by_code(current.code, date(2026, 6, 30)).extensions[ExtensionReason.COMPLEX].days == 30
    assert policy.rule_by_code(current.code, date(2026, 7, 1)).extensions[ExtensionReason.COMPLEX].days == 20

    frozen_today(TODAY)
    old = _case_with_clock(org, kind=DENUNCIATION, deadline=R, start=date(2026, 6, 30))
    new = _case_with_clock(org, kind=DENUNCIATION, deadline=R, start=date(2026, 7, 1))
    with pytest.raises(RuleViolation) as refused:
        act(new, "extend", org.head, on=date(2026, 7, 2), days=30, reason=ExtensionReason.COMPLEX)
    assert refused.value.code == "extension_too_long"
    act(old, "extend", org.head, on=date(2026, 7, 2), days=30, reason=ExtensionReason.COMPLEX)
    # Old case: Tue 30 Jun + 60 = Sat 29 Aug 2026 -> Sun 30, Mon 31 Aug (the National Day bridge day off)
    # -> Tue 1, Wed 2 Sep (National Day) -> Thu 3 Sep 2026.
    assert old.deadlines.get(kind=R).due_date == date(2026, 9, 3)


def test_on_the_same_date_the_more_specific_row_wins(monkeypatch):
    general = DeadlineRule(
        "complaint.resolution.any",
        DeadlineKind.RESOLUTION,
        (COMPLAINT,),
        99,
        DayType.CALENDAR,
        StartEvent.ACCEPTED,
        policy.LKN_IN_FORCE,
        "A general row with no conditions",
    )
    monkeypatch.setattr(policy, "DEADLINE_RULES", (*policy.DEADLINE_RULES, general))
    facts = {"round": 1, "remote": False, "several_locations": False}
    rule = policy.deadline_rule(deadline=R, kind=COMPLAINT, on=date(2026, 3, 2), facts=facts)
    assert rule.code == "complaint.r1.resolution"


# --- Per-deployment overrides -------------------------------------------------------------------


def test_override_changes_the_days_of_a_rule_code(org, frozen_today, settings):
    settings.DEADLINE_RULE_OVERRIDES = {"petition.resolution": {"days": 15}}
    frozen_today(TODAY)
    # Mon 2 Mar 2026 + 15 = Tue 17 Mar 2026.
    case = _case_with_clock(org, kind=RECOMMENDATION, deadline=R, start=date(2026, 3, 2))
    resolution = case.deadlines.get(kind=R)
    assert (resolution.base_days, resolution.due_date) == (15, date(2026, 3, 17))


def test_override_leaves_other_rule_codes_alone(org, frozen_today, settings):
    settings.DEADLINE_RULE_OVERRIDES = {"petition.resolution": {"days": 15}}
    frozen_today(TODAY)
    case = _case_with_clock(org, kind=DENUNCIATION, deadline=R, start=date(2026, 3, 2))
    assert case.deadlines.get(kind=R).base_days == 30


def test_override_can_count_the_complaint_acceptance_in_working_days(org, frozen_today, settings):
    settings.DEADLINE_RULE_OVERRIDES = {"complaint.acceptance": {"day_type": DayType.WORKING}}
    frozen_today(TODAY)
    # Wed 4 Mar 2026: Thu 5 (1), Fri 6 (2), [Sat 7, Sun 8], Mon 9 (3) – Fri 13 (7), [Sat 14, Sun 15],
    # Mon 16 (8), Tue 17 (9), Wed 18 Mar (10).
    case = _case_with_clock(org, kind=COMPLAINT, deadline=A, start=date(2026, 3, 4), round=1)
    acceptance = case.deadlines.get(kind=A)
    assert (acceptance.day_type, acceptance.due_date) == (DayType.WORKING, date(2026, 3, 18))


# --- Legal parameters ---------------------------------------------------------------------------


def test_commune_chair_receives_four_days_a_month_until_law_136_takes_effect():
    assert policy.legal_value("reception.commune_chair.days_per_month", date(2026, 6, 30)) == 4


def test_commune_chair_receives_two_days_a_month_from_1_july_2026():
    assert policy.legal_value("reception.commune_chair.days_per_month", date(2026, 7, 1)) == 2
    assert (
        "136/2025"
        in policy.legal_parameter("reception.commune_chair.days_per_month", date(2027, 1, 1)).citation
    )


def test_unknown_or_not_yet_effective_parameter_is_an_error():
    with pytest.raises(policy.RuleNotFound):
        policy.legal_value("dialogue.commune.per_year", date(2025, 6, 30))
    with pytest.raises(policy.RuleNotFound):
        policy.legal_value("no.such.parameter", date(2026, 1, 1))


def test_complaint_limitation_is_90_days():
    assert policy.legal_value("complaint.limitation_days", date(2026, 3, 2)) == 90


# --- Citations in the reader's language ------------------------------------------------------------

ALL_CITATIONS = sorted(
    {rule.citation for rule in policy.DEADLINE_RULES} | {p.citation for p in policy.LEGAL_PARAMETERS}
)


@pytest.mark.parametrize("citation", ALL_CITATIONS)
def test_every_citation_reads_in_vietnamese_and_keeps_its_article_numbers(citation):
    from django.utils import translation

    with translation.override("vi"):
        vietnamese = policy.translate_citation(citation)
    with translation.override("en"):
        assert policy.translate_citation(citation) == citation
    assert vietnamese != citation
    # Article, law and day numbers survive translation (e.g. "LTC Art. 24.1" -> "Khoản 1 Điều 24").
    assert set(re.findall(r"\d+", citation)) <= set(re.findall(r"\d+", vietnamese))


def test_a_citation_outside_the_catalogue_comes_back_unchanged():
    from django.utils import translation

    with translation.override("vi"):
        assert policy.translate_citation("Provincial decision 12/2026: 20 days") == (
            "Provincial decision 12/2026: 20 days"
        )
        assert policy.translate_citation("") == ""
