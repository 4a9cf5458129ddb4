"""The reception book and dialogues of the synthetic units: visits at the desk (with the cases they
open), the days heads receive citizens in person, case dialogues and the communes' periodic ones."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from casework.choices import AuthorityLevel, DialogueKind, ReceptionKind, VisitOutcome
from casework.models import Dialogue
from casework.reports import head_reception_days_per_month
from casework.rules import policy

from .mixes import randint
from .tree import UnitInfo

PERIODIC, REGULAR = str(ReceptionKind.PERIODIC), str(ReceptionKind.REGULAR)


class Reception:
    """Mixed into the Generator: uses its rng, tables, numbering, parties, tree and date range."""

    @cache  # noqa: B019  (one generator per run; the cache dies with it)
    def group_min(self, day: date) -> int:
        """People that make a group visit (Decree 124/2020), under the rule in force on `day`."""
        try:
            return policy.legal_value("group.min_people", day)
        except policy.RuleNotFound:  # before the decree: its first row, the threshold in practice
            rows = [p for p in policy.LEGAL_PARAMETERS if p.code == "group.min_people"]
            return min(rows, key=lambda p: p.effective_from).value

    def case_dialogue(self, unit: UnitInfo, case_id: int, held: date) -> None:
        dialogue = self.tables[Dialogue].add(
            {
                "kind": DialogueKind.CASE,
                "unit_id": unit.id,
                "chair_id": unit.head,
                "held_at": self.at(held),
                "place": "Trụ sở UBND (syn)",
                "participants": "Các bên (syn)",
                "minutes": "Biên bản đối thoại (syn)",
                "recorded_by_id": unit.handlers[0],
                "created_at": self.at(held),
            }
        )
        self.tables[Dialogue.cases.through].add({"dialogue_id": dialogue, "case_id": case_id})

    def add_visit(
        self,
        unit: UnitInfo,
        day: date,
        *,
        people: int,
        by_head: bool,
        outcome: str,
        party: int | None = None,
        case_id: int | None = None,
    ) -> None:
        rng = self.rng
        visited = self.at(day)
        guidance = "" if outcome == VisitOutcome.CASES_OPENED else "Hướng dẫn công dân (syn)"
        refusal = ""
        if outcome == VisitOutcome.GUIDED and rng.random() < 0.05:
            outcome, refusal, guidance = VisitOutcome.REFUSED, "threatening", ""
        year = day.year
        visit = self.add_visit_row(
            unit.id,
            year,
            self.number(unit.id, year, "visit"),
            unit.reception,
            visited,
            PERIODIC if by_head else REGULAR,
            by_head,
            people,
            people >= self.group_min(day),
            outcome,
            refusal,
            guidance,
            visited,
        )
        if party is None:
            party = self.new_party(province=unit.province)
        self.add_visitor(visit, party)
        if case_id is not None:
            self.add_visit_case(visit, case_id)

    def plan_head_days(self, units: list[UnitInfo]) -> list[tuple[date, UnitInfo]]:
        """Days each head receives citizens in person: the legal number per month, met by most."""
        rng = self.rng
        level_code = {
            "province": (AuthorityLevel.PROVINCE, False),
            "department": (AuthorityLevel.PROVINCE, True),
            "commune": (AuthorityLevel.COMMUNE, False),
        }
        diligence = {u.id: min(1.2, max(0.3, rng.gauss(0.9, 0.2))) for u in units}
        plan = []
        month = date(self.start.year, self.start.month, 1)
        while month <= self.until:
            nxt = (month + timedelta(days=32)).replace(day=1)
            working = self.month_working.get(month)
            if working is None:  # the same for every province
                days = [month + timedelta(days=i) for i in range((nxt - month).days)]
                working = [d for d in days if self.start <= d <= self.until and self.working(d)]
                self.month_working[month] = working
            for u in units:
                required = head_reception_days_per_month(*level_code[u.level], month) or 0
                held = min(len(working), max(0, round(required * diligence[u.id] + rng.uniform(-0.6, 0.6))))
                for d in rng.sample(working, held) if held else []:
                    plan.append((d, u))
            month = nxt
        plan.sort(key=lambda p: (p[0], p[1].id))
        self.head_day_set = {(d, u.id) for d, u in plan}
        return plan

    def periodic_dialogues(self, units: list[UnitInfo]) -> None:
        rng = self.rng
        for u in units:
            if u.level != "commune":
                continue
            for year in range(self.start.year, self.until.year + 1):
                if rng.random() < 0.8:
                    day = date(year, randint(rng, 1, 12), randint(rng, 1, 28))
                    if self.start <= day <= self.until:
                        self.tables[Dialogue].add(
                            {
                                "kind": DialogueKind.PERIODIC,
                                "unit_id": u.id,
                                "chair_id": u.head,
                                "held_at": self.at(day),
                                "place": "Hội trường UBND xã (syn)",
                                "participants": "Đại diện cử tri (syn)",
                                "minutes": "Biên bản đối thoại (syn)",
                                "recorded_by_id": u.head,
                                "created_at": self.at(day),
                            }
                        )
