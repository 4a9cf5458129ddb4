"""One synthetic case's life, from receipt to wherever it stands on --until, and its rows.

The generator decides what happens and when (the mixes, the delays); every step is then taken on the
kind's machine graph with its guards (`engine.StateGraph`), and what a step does to the clocks is the
engine's declaration (`engine.Clocks` reading `workflows.clock_effects`), so the rows are what the
transition service would have written.
"""

from __future__ import annotations

import heapq
from datetime import date, timedelta
from typing import Any

from casework.choices import (
    CaseKind,
    Channel,
    DeadlineKind,
    ExtensionReason,
    FileReason,
    VisitOutcome,
)
from casework.choices import CaseState as S
from casework.models import Case
from workflows.clock_effects import CLOCK_EFFECTS

from .engine import Clocks, SimCase, graph
from .mixes import (
    FILE_REASONS,
    INTAKE_MIX,
    INTAKE_NO_TRANSFER,
    OUTCOME_MIX,
    REJECT_REASONS,
    ROUND_2_MIX,
    SUMMARIES,
    choice,
    pick,
    randint,
    randrange,
)
from .tree import UnitInfo

# The office-hours minutes of `Generator.at`, 07:00 to 15:59, as text.
MINUTES = [f" {7 + m // 60:02d}:{m % 60:02d}:00" for m in range(540)]


def changed(field: str, day: date) -> str:
    """A date set from nothing, as the audit trail's JSON records it (a member of its changes)."""
    return f', "{field}": [null, "{day.isoformat()}"]'


class Stop(Exception):
    """The next step of a case would happen after --until: the case stays where it is."""


class Lives:
    """Mixed into the Generator: uses its rng, rules, tables, tree, numbering and reception book."""

    def simulate(self, spec: dict) -> None:
        """Run one case from receipt to wherever it is on --until, and write its rows."""
        rng, until = self.rng, self.until
        unit: UnitInfo = spec["unit"]
        kind, d0 = spec["kind"], spec["received_at"]
        round_ = spec.get("round") or (1 if kind == CaseKind.COMPLAINT else None)
        several = kind == CaseKind.DENUNCIATION and rng.random() < 0.1
        case_id = self.tables[Case].new_id()
        c: dict[str, Any] = {
            "id": case_id,
            "unit_id": unit.id,
            "kind": kind,
            "round": round_,
            "channel": spec["channel"],
            "received_at": d0,
            "summary": "[SYN] " + choice(rng, SUMMARIES[kind]),
            "several_locations": several,
            "registered_by_id": unit.reception,
            "first_round_case_id": spec.get("first_round"),
            "transferred_from_id": spec.get("transferred_from"),
            "respondent_unit_id": spec.get(
                "respondent_unit", unit.id if kind == CaseKind.COMPLAINT else None
            ),
            "decision_known_at": d0 - timedelta(days=randrange(rng, 3, 80))
            if kind == CaseKind.COMPLAINT and round_ == 1
            else None,
            "intake_flags": [],
        }
        case = SimCase(
            kind=kind, round_=round_, unit=unit, several=several, received_at=d0, source=spec.get("source")
        )
        if not spec.get("strip_identity"):  # a transferred denunciation arrives without its denouncer
            case.add_petitioner(anonymous=bool(spec.get("anonymous")))
        machine = graph(kind)
        clocks = Clocks(self.rules, case)
        events: list[tuple] = [(d0, "register", "", str(case.state), unit.reception, "{}")]
        last = d0

        def step(
            day: date,
            action: str,
            actor: int | None,
            changes: str = "",  # the audit changes besides the state's, as JSON members (`changed`)
            returned: str | None = None,
            note: str = "",
        ) -> date:
            """Take `action` on `day` (never before the previous step) as the machine allows it."""
            nonlocal last
            if day > until:
                raise Stop
            if day < last:
                day = last
            to = machine.target(case, action, returned)
            events.append(
                (day, action, case.state, to, actor, f'{{"state": ["{case.state}", "{to}"]{changes}}}')
            )
            case.state, last = to, day
            if action in CLOCK_EFFECTS:  # most steps change no clock
                clocks.apply(action, day, note)
            return day

        clocks.apply("register", d0)
        head, reception = unit.head, unit.reception
        derived: list[dict] = []
        try:
            # Intake ---------------------------------------------------------------------------
            review = d0 + timedelta(days=choice(rng, (0, 0, 1, 1, 2, 3)))
            step(review, "review", reception)
            late = rng.random() < 0.05
            classified = review + timedelta(days=randint(rng, 8, 25) if late else randint(rng, 1, 7))
            mix = INTAKE_MIX[kind]
            if spec.get("no_transfer") or len(self.tree.province_units[unit.province]) < 2:
                mix = INTAKE_NO_TRANSFER[kind]
            if round_ == 2:
                mix = ROUND_2_MIX
            decision = pick(rng, mix)
            if spec.get("anonymous"):
                decision = "file"  # an anonymous denunciation is filed, never accepted (LTC Art. 25)
            if decision == "withdraw":
                c["closed_at"] = step(
                    classified, "withdraw", reception, changed("closed_at", classified), returned=S.WITHDRAWN
                )
                raise Stop
            if decision == "transfer":
                target = choice(rng, [u for u in self.tree.province_units[unit.province] if u.id != unit.id])
                step(classified, "transfer", reception)
                derived.append(
                    {
                        "unit": target,
                        "kind": kind,
                        "received_at": classified,
                        "round": round_,
                        "channel": Channel.TRANSFERRED_IN,
                        "transferred_from": case_id,
                        "source": case,
                        "no_transfer": True,
                        "strip_identity": kind == CaseKind.DENUNCIATION,
                    }
                )
                raise Stop
            if decision == "guide":
                c["guidance"] = "Hướng dẫn công dân gửi đơn đến cơ quan có thẩm quyền (syn)"
                step(classified, "guide", reception)
                raise Stop
            if decision == "file":
                anonymous = spec.get("anonymous")
                c["reason_code"] = FileReason.ANONYMOUS if anonymous else choice(rng, FILE_REASONS)
                step(classified, "file", reception)
                raise Stop
            if decision == "reject":
                c["reason_code"] = choice(rng, REJECT_REASONS)
                step(classified, "reject", head)
                raise Stop

            # Acceptance and resolution ----------------------------------------------------------
            accepted = c["accepted_at"] = step(classified, "accept", head, changed("accepted_at", classified))
            res = clocks.get(DeadlineKind.RESOLUTION)  # None before the rule existed (petitions < 11/2021)
            handler = choice(rng, unit.handlers)
            verify = accepted + timedelta(days=randint(rng, 1, 6))
            step(verify, "start_verification", head, f', "handler": [null, {handler}]')
            c["handler_id"] = handler

            # Extensions (decided before the due date, within the rule's caps).
            extensions = []
            if kind == CaseKind.COMPLAINT and rng.random() < 0.06:
                extensions = [ExtensionReason.COMPLEX]
            elif kind == CaseKind.DENUNCIATION:
                roll = rng.random()
                extensions = [ExtensionReason.COMPLEX] if roll < 0.10 else []
                extensions = [ExtensionReason.VERY_COMPLEX] * 2 if roll > 0.97 else extensions
            for reason in extensions if res is not None else ():
                days = clocks.extension_room(reason)
                if not days:
                    break
                on = max(res.due_date - timedelta(days=randint(rng, 1, 8)), last)
                if on > res.due_date:  # an extension is decided before the deadline passes
                    break
                step(on, "extend", head, returned=case.state)
                clocks.extend(on, days, reason)

            # Suspension: the clock stops from the decision to the resumption.
            if res is not None and "suspend" in machine.actions and rng.random() < 0.02:
                on = last + timedelta(days=randint(rng, 1, 15))
                step(on, "suspend", head, note="Chờ kết quả giám định (syn)")
                c["suspended_from"] = events[-1][2]
                back = on + timedelta(days=randint(rng, 10, 60))
                step(back, "resume", head, returned=c["suspended_from"])
                c["suspended_from"] = ""

            # When the decision comes: mostly in time, some late.
            due = res.due_date if res is not None else accepted + timedelta(days=30)
            if rng.random() < 0.86:
                span = max((due - last).days, 1)
                decide_on = last + timedelta(days=max(1, int(span * rng.uniform(0.35, 1.0))))
                decide_on = min(decide_on, due)
            else:
                decide_on = due + timedelta(days=randint(rng, 1, 45))
            decide_on = self.next_working(decide_on) if decide_on < due else decide_on

            # Withdrawal, or a first-round complaint taken up a level once its deadline lapsed.
            if rng.random() < {CaseKind.COMPLAINT: 0.05, CaseKind.DENUNCIATION: 0.03}.get(kind, 0.02):
                on = last + timedelta(days=randint(rng, 1, max((decide_on - last).days, 1)))
                c["closed_at"] = step(on, "withdraw", reception, changed("closed_at", on), S.WITHDRAWN)
                raise Stop
            parent = self.tree.by_id.get(unit.parent) if unit.parent else None
            if (
                kind == CaseKind.COMPLAINT
                and round_ == 1
                and decide_on > due
                and parent
                and rng.random() < 0.1
            ):
                lapse = timedelta(days=randint(rng, 1, min(20, (decide_on - due).days)))
                on = step(due + lapse, "appeal", reception)
                derived.append(self._appeal_spec(unit, parent, on, case_id))
                raise Stop

            outcome = pick(rng, OUTCOME_MIX[kind])
            submit = max(last, decide_on - timedelta(days=randint(rng, 0, 5)))
            needs_dialogue = kind == CaseKind.COMPLAINT and (round_ == 2 or rng.random() < 0.2)
            if kind == CaseKind.COMPLAINT:
                c["claim_differs"] = needs_dialogue and round_ == 1
            if needs_dialogue:
                held = max(last, submit - timedelta(days=randint(rng, 1, 5)))
                if held > until:
                    raise Stop
                self.case_dialogue(unit, case_id, held)
                case.add_dialogue()
            step(submit, "submit_for_approval", handler, f', "outcome": ["", "{outcome}"]')
            c["outcome"], c["outcome_summary"] = outcome, "Kết luận nội dung (syn)"
            c["decided_at"] = step(decide_on, "approve", head, changed("decided_at", decide_on))
            c["decision_number"] = f"{randrange(rng, 1, 999)}/QĐ-SYN"

            # After the decision ----------------------------------------------------------------
            window = clocks.get(DeadlineKind.APPEAL_WINDOW)
            if window is not None:
                if parent and rng.random() < 0.12:
                    on = decide_on + timedelta(days=randint(rng, 1, (window.due_date - decide_on).days))
                    on = step(on, "appeal", reception)
                    derived.append(self._appeal_spec(unit, parent, on, case_id))
                    raise Stop
                close_on = window.due_date + timedelta(days=randint(rng, 1, 5))
                c["closed_at"] = step(close_on, "close", None, changed("closed_at", close_on))
                raise Stop
            if "publication_required" in machine.failing(case, "close"):
                on = decide_on + timedelta(days=randint(rng, 1, 10))
                case.published_at = c["published_at"] = step(on, "publish", head, changed("published_at", on))
            close_on = last + timedelta(days=randint(rng, 1, 15))
            c["closed_at"] = step(close_on, "close", head, changed("closed_at", close_on))
        except Stop:
            pass

        self._write_case(c, spec, unit, case.state, events, clocks)
        for d in derived:
            if not d.get("strip_identity"):
                d["party"] = spec["party"]  # the same person follows the matter
            self.heap_seq += 1
            heapq.heappush(self.heap, (d["received_at"], self.heap_seq, d))

    def _appeal_spec(self, unit: UnitInfo, parent: UnitInfo, on: date, case_id: int) -> dict:
        return {
            "unit": parent,
            "kind": CaseKind.COMPLAINT,
            "received_at": on,
            "round": 2,
            "channel": Channel.APPEAL,
            "first_round": case_id,
            "respondent_unit": unit.id,
            "no_transfer": True,
        }

    def _write_case(
        self, c: dict, spec: dict, unit: UnitInfo, state: str, events: list, clocks: Clocks
    ) -> None:
        rng = self.rng
        d0 = c["received_at"]
        year = d0.year
        seq = self.number(unit.id, year, "case")
        created = self.at(d0)
        c.update(
            year=year,
            sequence=seq,
            reference=f"{unit.code.upper()}/{year}/{seq:05d}",
            state=state,
            version=len(events),
            created_at=created,
            updated_at=self.at(events[-1][0]) if len(events) > 1 else created,
        )
        self.tables[Case].add(c)
        case_id = c["id"]

        # Petitioner: the same person follows the matter through transfers and appeals, except that a
        # denouncer's identity never travels with a transfer.
        party = spec.get("party")
        if spec.get("strip_identity"):
            party = None
        elif party is None:
            party = self.new_party(anonymous=bool(spec.get("anonymous")), province=unit.province)
        if party is not None:
            self.add_case_party(case_id, party, c["kind"] == CaseKind.DENUNCIATION)
        spec["party"] = party

        audit, add_entry = self.audit, self.add_entry
        # `Generator.at` inlined: a case's ~14 timestamps, drawn in the same order.
        day_text, day_prefix, random = self.day_text, self.day_prefix, rng.random
        for clock in clocks.values():
            rule = clock.rule
            deadline = self.add_deadline(
                case_id,
                clock.kind,
                rule.code,
                rule.citation,
                rule.day_type,
                clock.start_date,
                clock.base_days,
                clock.extension_days,
                clock.due_date,
                clock.status,
                clock.completed_on,
                rule.reminder_working_days,
            )
            if audit:
                for e in clock.entries:
                    on = e.on
                    p = day_text.get(on) or day_prefix(on)
                    add_entry(
                        deadline,
                        e.kind,
                        on,
                        e.days,
                        e.reason,
                        e.note,
                        e.due_before,
                        e.due_after,
                        p[0] + MINUTES[int(random() * 540)] + p[1],
                    )
        if audit:
            add_event = self.add_event
            for day, action, from_state, to_state, actor, changes in events:
                p = day_text.get(day) or day_prefix(day)
                add_event(
                    case_id,
                    actor,
                    p[0] + MINUTES[int(random() * 540)] + p[1],
                    action,
                    from_state,
                    to_state,
                    day,
                    changes,
                )

        # A case raised at the desk is a line of the reception book.
        if c["channel"] == Channel.IN_PERSON:
            group = self.group_min(d0)
            people = randint(rng, group, 3 * group) if rng.random() < 0.03 else 1
            head_day = (d0, unit.id) in self.head_day_set
            self.add_visit(
                unit,
                d0,
                people=people,
                by_head=head_day,
                outcome=VisitOutcome.CASES_OPENED,
                party=party,
                case_id=case_id,
            )
            if rng.random() < 0.4:  # someone else at the desk the same day, sent elsewhere
                self.add_visit(unit, d0, people=1, by_head=head_day, outcome=VisitOutcome.GUIDED)
