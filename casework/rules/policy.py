"""The legal rules, as data.

Every number the law sets lives in one of the two tables below, each row citing its article and
carrying the date it takes effect. The row in force on the date of the triggering event applies, so
a case keeps the rule in force when its clock started (DOMAIN.md §0). To follow a change in the law,
add a row with the new `effective_from`; never edit a row that cases may already have used.

Citations are stored on deadlines and in messages as the English text below, which is also the
msgid of the Vietnamese catalogue: `translate_citation` shows one in the active language, so a
stored citation reads in whichever language its reader uses.

Per-deployment adjustments (e.g. a province's own SLA for petitions) go in the setting
DEADLINE_RULE_OVERRIDES = {"<rule code>": {"days": N, ...}}.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, gettext, gettext_noop

from casework.choices import CaseKind, DayType, DeadlineKind, ExtensionReason

C, W = DayType.CALENDAR, DayType.WORKING
COMPLAINT, DENUNCIATION = CaseKind.COMPLAINT, CaseKind.DENUNCIATION
PETITIONS = (CaseKind.RECOMMENDATION, CaseKind.REFLECTION)
ALL_KINDS = tuple(CaseKind.values)

# Law on Complaints 02/2011 and Law on Denunciations 25/2018 were both in force well before any case
# this system holds; these dates mark the rows as the baseline.
LKN_IN_FORCE = date(2012, 7, 1)
LTC_IN_FORCE = date(2019, 1, 1)
CIRCULAR_05_IN_FORCE = date(2021, 11, 15)
LAW_136_IN_FORCE = date(2026, 7, 1)


class StartEvent:
    RECEIVED = "received"
    ACCEPTED = "accepted"
    DECIDED = "decided"


@dataclass(frozen=True)
class ExtensionCap:
    times: int  # how many extensions of this reason a case may have in all
    days: int  # the most days one extension may add


@dataclass(frozen=True)
class DeadlineRule:
    code: str
    deadline: str
    kinds: tuple[str, ...]
    days: int
    day_type: str
    starts_on: str
    effective_from: date
    citation: str
    # Case attributes the row applies to; a row with more matching conditions wins over a general one.
    when: dict[str, Any] = field(default_factory=dict)
    extensions: dict[str, ExtensionCap] = field(default_factory=dict)
    reminder_working_days: int = 3

    def matches(self, facts: dict[str, Any]) -> bool:
        return all(facts.get(k) == v for k, v in self.when.items())


DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    # --- Processing of a received letter (all kinds) -----------------------------------------
    DeadlineRule(
        "letter.processing",
        DeadlineKind.PROCESSING,
        ALL_KINDS,
        10,
        C,
        StartEvent.RECEIVED,
        CIRCULAR_05_IN_FORCE,
        gettext_noop("Circular 05/2021/TT-TTCP: classify and process a letter within 10 days of receipt"),
    ),
    # --- Complaints (Law on Complaints 02/2011/QH13) ----------------------------------------
    DeadlineRule(
        "complaint.acceptance",
        DeadlineKind.ACCEPTANCE,
        (COMPLAINT,),
        10,
        C,
        StartEvent.RECEIVED,
        LKN_IN_FORCE,
        gettext_noop("LKN Art. 27: accept or refuse within 10 days of receipt"),
    ),
    DeadlineRule(
        "complaint.r1.resolution",
        DeadlineKind.RESOLUTION,
        (COMPLAINT,),
        30,
        C,
        StartEvent.ACCEPTED,
        LKN_IN_FORCE,
        gettext_noop(
            "LKN Art. 28: first-round complaint resolved within 30 days of acceptance (complex: 45)"
        ),
        when={"round": 1, "remote": False},
        extensions={ExtensionReason.COMPLEX: ExtensionCap(1, 15)},
    ),
    DeadlineRule(
        "complaint.r1.resolution.remote",
        DeadlineKind.RESOLUTION,
        (COMPLAINT,),
        45,
        C,
        StartEvent.ACCEPTED,
        LKN_IN_FORCE,
        gettext_noop("LKN Art. 28: remote area, first round within 45 days of acceptance (complex: 60)"),
        when={"round": 1, "remote": True},
        extensions={ExtensionReason.COMPLEX: ExtensionCap(1, 15)},
    ),
    DeadlineRule(
        "complaint.r2.resolution",
        DeadlineKind.RESOLUTION,
        (COMPLAINT,),
        45,
        C,
        StartEvent.ACCEPTED,
        LKN_IN_FORCE,
        gettext_noop(
            "LKN Art. 37: second-round complaint resolved within 45 days of acceptance (complex: 60)"
        ),
        when={"round": 2, "remote": False},
        extensions={ExtensionReason.COMPLEX: ExtensionCap(1, 15)},
    ),
    DeadlineRule(
        "complaint.r2.resolution.remote",
        DeadlineKind.RESOLUTION,
        (COMPLAINT,),
        60,
        C,
        StartEvent.ACCEPTED,
        LKN_IN_FORCE,
        gettext_noop("LKN Art. 37: remote area, second round within 60 days of acceptance (complex: 70)"),
        when={"round": 2, "remote": True},
        extensions={ExtensionReason.COMPLEX: ExtensionCap(1, 10)},
    ),
    DeadlineRule(
        "complaint.appeal_window",
        DeadlineKind.APPEAL_WINDOW,
        (COMPLAINT,),
        30,
        C,
        StartEvent.DECIDED,
        LKN_IN_FORCE,
        gettext_noop("LKN Art. 33: second-round complaint within 30 days of the first decision"),
        when={"round": 1, "remote": False},
    ),
    DeadlineRule(
        "complaint.appeal_window.remote",
        DeadlineKind.APPEAL_WINDOW,
        (COMPLAINT,),
        45,
        C,
        StartEvent.DECIDED,
        LKN_IN_FORCE,
        gettext_noop("LKN Art. 33: remote area, second-round complaint within 45 days of the first decision"),
        when={"round": 1, "remote": True},
    ),
    DeadlineRule(
        "complaint.r2.publication",
        DeadlineKind.PUBLICATION,
        (COMPLAINT,),
        15,
        C,
        StartEvent.DECIDED,
        LKN_IN_FORCE,
        gettext_noop(
            "Second-round decision published within 15 days (Decree 75/2012; carry-over unverified)"
        ),
        when={"round": 2},
    ),
    # --- Denunciations (Law on Denunciations 25/2018/QH14) ----------------------------------
    DeadlineRule(
        "denunciation.acceptance",
        DeadlineKind.ACCEPTANCE,
        (DENUNCIATION,),
        7,
        W,
        StartEvent.RECEIVED,
        LTC_IN_FORCE,
        gettext_noop("LTC Art. 24.1: classify and check conditions within 7 working days of receipt"),
        when={"several_locations": False},
    ),
    DeadlineRule(
        "denunciation.acceptance.several_locations",
        DeadlineKind.ACCEPTANCE,
        (DENUNCIATION,),
        10,
        W,
        StartEvent.RECEIVED,
        LTC_IN_FORCE,
        gettext_noop("LTC Art. 24.1: up to 10 working days when checks are needed at several locations"),
        when={"several_locations": True},
    ),
    DeadlineRule(
        "denunciation.resolution",
        DeadlineKind.RESOLUTION,
        (DENUNCIATION,),
        30,
        C,
        StartEvent.ACCEPTED,
        LTC_IN_FORCE,
        gettext_noop(
            "LTC Art. 30: 30 days from acceptance; complex: one extension of up to 30 days; "
            "very complex: two extensions of up to 30 days each"
        ),
        extensions={
            ExtensionReason.COMPLEX: ExtensionCap(1, 30),
            ExtensionReason.VERY_COMPLEX: ExtensionCap(2, 30),
        },
    ),
    # --- Recommendations and reflections: no statutory resolution deadline (DOMAIN.md §5) -------
    DeadlineRule(
        "petition.resolution",
        DeadlineKind.RESOLUTION,
        PETITIONS,
        30,
        C,
        StartEvent.ACCEPTED,
        CIRCULAR_05_IN_FORCE,
        gettext_noop(
            "Service level set by the unit (no statutory deadline for recommendations and reflections)"
        ),
    ),
)


@dataclass(frozen=True)
class LegalParameter:
    code: str
    value: Any
    effective_from: date
    citation: str


LEGAL_PARAMETERS: tuple[LegalParameter, ...] = (
    LegalParameter(
        "complaint.limitation_days",
        90,
        LKN_IN_FORCE,
        gettext_noop("LKN Art. 9: complain within 90 days of receiving or learning of the decision or act"),
    ),
    # Whether content withdrawn in full is barred from being examined again (the withdrawal was not
    # coerced); intake flags a complaint that raises it again, judged on the date it is received.
    LegalParameter(
        "complaint.withdrawn_content_not_reexamined",
        False,
        LKN_IN_FORCE,
        gettext_noop(
            "LKN Art. 10: the complainant may withdraw the complaint at any time before the decision"
        ),
    ),
    LegalParameter(
        "complaint.withdrawn_content_not_reexamined",
        True,
        LAW_136_IN_FORCE,
        gettext_noop(
            "Law 136/2025/QH15: withdrawn complaint content is not examined again unless the withdrawal "
            "was coerced"
        ),
    ),
    # Decree 75/2012/NĐ-CP set the same group rules before Decree 124/2020 replaced it.
    LegalParameter(
        "group.min_people",
        5,
        LKN_IN_FORCE,
        gettext_noop(
            "Decree 75/2012/NĐ-CP Art. 8 (article unverified): five or more people form a group",
        ),
    ),
    LegalParameter(
        "group.max_representatives_up_to_10",
        2,
        LKN_IN_FORCE,
        gettext_noop(
            "Decree 75/2012/NĐ-CP Art. 8: groups of 5–10 people name at most 2 representatives",
        ),
    ),
    LegalParameter(
        "group.max_representatives_over_10",
        5,
        LKN_IN_FORCE,
        gettext_noop(
            "Decree 75/2012/NĐ-CP Art. 8: groups of 11 or more name at most 5 representatives",
        ),
    ),
    LegalParameter(
        "group.min_people",
        5,
        date(2020, 11, 25),
        gettext_noop(
            "Decree 124/2020/NĐ-CP Art. 6: five or more people on the same content form a group",
        ),
    ),
    LegalParameter(
        "group.max_representatives_up_to_10",
        2,
        date(2020, 11, 25),
        gettext_noop(
            "Decree 124/2020/NĐ-CP Art. 6: groups of 5–10 people name at most 2 representatives",
        ),
    ),
    LegalParameter(
        "group.max_representatives_over_10",
        5,
        date(2020, 11, 25),
        gettext_noop(
            "Decree 124/2020/NĐ-CP Art. 6: groups of 11 or more name at most 5 representatives",
        ),
    ),
    # Personal reception by the head, in days per month (a week counted as 52/12 weeks a month).
    LegalParameter(
        "reception.commune_chair.days_per_month",
        4,
        date(2014, 7, 1),
        gettext_noop("LTCD Art. 15.2.d: commune chair receives citizens at least 1 day a week"),
    ),
    LegalParameter(
        "reception.commune_chair.days_per_month",
        2,
        LAW_136_IN_FORCE,
        gettext_noop("Law 136/2025/QH15: commune chair receives citizens at least 2 days a month"),
    ),
    LegalParameter(
        "reception.province_chair.days_per_month",
        1,
        date(2014, 7, 1),
        gettext_noop("LTCD Art. 12.5: province chair receives citizens at least 1 day a month"),
    ),
    LegalParameter(
        "reception.agency_head.days_per_month",
        1,
        date(2014, 7, 1),
        gettext_noop("LTCD Art. 18.2; Decree 64/2014 Art. 4.2: agency heads at least 1 day a month"),
    ),
    LegalParameter(
        "dialogue.commune.per_year",
        1,
        date(2025, 7, 1),
        gettext_noop(
            "Law on Local Government Organisation 2025 Art. 43: commune dialogue at least once a year"
        ),
    ),
    # The conference's two clocks and the voters' threshold (Art. 43, as DOMAIN.md §11 gives it and as
    # the National Assembly's paper quoted the article). The law says plain "ngày": calendar days
    # (DOMAIN.md §3), the results' last day rolling past a weekend or holiday (Civil Code Art. 148);
    # the notice's "at least 7 days before" counts back from the conference and does not roll.
    LegalParameter(
        "dialogue.commune.notice_days_before",
        7,
        date(2025, 7, 1),
        gettext_noop(
            "Law on Local Government Organisation 2025 Art. 43: announce the time, place, content and way "
            "to attend on the mass media at least 7 days before the dialogue conference"
        ),
    ),
    LegalParameter(
        "dialogue.commune.results_days_after",
        10,
        date(2025, 7, 1),
        gettext_noop(
            "Law on Local Government Organisation 2025 Art. 43: publish the results of the dialogue "
            "conference within 10 days of the conference"
        ),
    ),
    LegalParameter(
        "dialogue.commune.day_type",
        DayType.CALENDAR,
        date(2025, 7, 1),
        gettext_noop(
            "Law on Local Government Organisation 2025 Art. 43 counts the conference's periods in days "
            "(calendar days)"
        ),
    ),
    LegalParameter(
        "dialogue.commune.voter_request_percent",
        10,
        date(2025, 7, 1),
        gettext_noop(
            "Law on Local Government Organisation 2025 Art. 43: a dialogue conference when at least 10% "
            "of the commune's voters ask for one"
        ),
    ),
)


class RuleNotFound(LookupError):
    pass


def _with_overrides(rule: DeadlineRule) -> DeadlineRule:
    override = getattr(settings, "DEADLINE_RULE_OVERRIDES", {}).get(rule.code)
    return dataclasses.replace(rule, **override) if override else rule


def deadline_rule(*, deadline: str, kind: str, on: date, facts: dict[str, Any]) -> DeadlineRule:
    """The row that governs `deadline` for a case of `kind` whose clock starts on `on`."""
    candidates = [
        r
        for r in DEADLINE_RULES
        if r.deadline == deadline and kind in r.kinds and r.effective_from <= on and r.matches(facts)
    ]
    if not candidates:
        raise RuleNotFound(f"No {deadline} rule for {kind} in force on {on}")
    # The newest row in force wins; on the same date, the more specific one.
    best = max(candidates, key=lambda r: (r.effective_from, len(r.when)))
    return _with_overrides(best)


def rule_by_code(code: str, on: date | None = None) -> DeadlineRule:
    """The row `code` in force on `on` (the date the clock started), or its newest row if `on` is None.

    A change in the law may add a row that keeps an existing code with a later `effective_from`; a
    clock started under the older row keeps that row's extension caps."""
    rows = [r for r in DEADLINE_RULES if r.code == code and (on is None or r.effective_from <= on)]
    if not rows:
        raise RuleNotFound(code if on is None else f"{code} in force on {on}")
    return _with_overrides(max(rows, key=lambda r: r.effective_from))


def has_rule(*, deadline: str, kind: str, on: date, facts: dict[str, Any]) -> bool:
    try:
        deadline_rule(deadline=deadline, kind=kind, on=on, facts=facts)
    except RuleNotFound:
        return False
    return True


def legal_parameter(code: str, on: date) -> LegalParameter:
    rows = [p for p in LEGAL_PARAMETERS if p.code == code and p.effective_from <= on]
    if not rows:
        raise RuleNotFound(f"No legal parameter {code} in force on {on}")
    return max(rows, key=lambda p: p.effective_from)


def legal_value(code: str, on: date) -> Any:
    return legal_parameter(code, on).value


def translate_citation(citation: str) -> str:
    """A stored citation in the active language (citations outside the catalogue, e.g. from
    DEADLINE_RULE_OVERRIDES, come back unchanged)."""
    return _translated_citation(citation, get_language()) if citation else citation


@lru_cache(maxsize=1024)
def _translated_citation(citation: str, language: str | None) -> str:
    # Every clock of a list page names its article: translated once per language (the catalogues
    # do not change while the process runs).
    return gettext(citation)
