"""The generator's view of the real engine, read and never restated.

* `StateGraph`: the transitions of a kind's django-fsm machine (`workflows.machines.MACHINES`): which
  action is possible from which state, where it leads and which guards it has. A simulated step the
  machine does not declare, or whose guard fails on the simulated case, raises `Drift`.
* `SimCase`: the case being simulated, shaped like a `Case` where the guards and
  `casework.rules.periods.case_facts` read it, so the machines' own guard functions judge it.
* `Clocks`: the case's deadlines in memory, changed per action as `workflows.clock_effects` declares,
  under the rule `casework.rules.policy` has in force on the day a clock starts, and due when
  `casework.rules.periods` counts it (the same functions `workflows.clocks` uses).

Only the decisions (which action, when, by whom) belong to the generator.
"""

from __future__ import annotations

import bisect
from datetime import date
from functools import cache, cached_property
from typing import Any

from django_fsm import RETURN_VALUE

from casework.choices import DeadlineStatus, DialogueKind
from casework.models import Case, CaseParty, DeadlineEntry, Dialogue, Party
from casework.rules import periods, policy
from casework.rules.calendar import WorkingCalendar
from workflows.clock_effects import NO_EFFECT, effects_of
from workflows.clocks import PAUSE_REASON_CODE
from workflows.machines import MACHINES

E = DeadlineEntry.Kind
OPEN = frozenset(periods.OPEN_STATUSES)
INITIAL_STATE = Case._meta.get_field("state").get_default()


class Drift(RuntimeError):
    """The generator took a step the machines or rules would refuse: fix the generator."""


class StateGraph:
    """One kind's machine as a graph: (source state, action) -> the django-fsm transition."""

    def __init__(self, kind: str):
        machine = MACHINES[kind]
        self.kind = kind
        self.transitions = {
            (str(t.source), t.name): t for t in machine._meta.get_field("state").get_all_transitions(machine)
        }
        # Per (state, action): the guards, and the target (None: a RETURN_VALUE, whose allowed states).
        self.steps = {
            key: (
                tuple(t.conditions),
                None if isinstance(t.target, RETURN_VALUE) else str(t.target),
                frozenset(t.target.allowed_states or ()) if isinstance(t.target, RETURN_VALUE) else None,
            )
            for key, t in self.transitions.items()
        }

    def target(self, case: SimCase, action: str, returned: str | None = None) -> str:
        """Where `action` takes `case` from its current state, after the machine's guards pass.

        `returned` is the state a RETURN_VALUE transition (extend, resume, withdraw) gives back."""
        step = self.steps.get((case.state, action))
        if step is None:
            raise Drift(f"{self.kind}: the machine has no {action} from {case.state}")
        conditions, target, allowed = step
        for condition in conditions:
            if not condition(case):
                failed = self.failing(case, action)
                raise Drift(f"{self.kind}: {action} from {case.state} fails {', '.join(failed)}")
        if target is None:
            if returned not in allowed:
                raise Drift(f"{self.kind}: {action} from {case.state} cannot return {returned}")
            return returned
        return target

    def failing(self, case: SimCase, action: str) -> list[str]:
        """The codes of the guards of `action` from the case's state that do not pass now."""
        t = self.transitions[(case.state, action)]
        return [getattr(c, "guard_code", c.__name__) for c in t.conditions if not c(case)]

    @cached_property
    def actions(self) -> frozenset[str]:
        return frozenset(action for _source, action in self.transitions)


@cache
def graph(kind: str) -> StateGraph:
    return StateGraph(kind)


class Related(list):
    """A list answering `.all()`, as the related managers the guards and periods read."""

    def all(self) -> Related:
        return self


class SimCase:
    """The facts of a case being simulated, under the attribute names the engine reads."""

    # The domain's own predicate, read off the same attributes (case_parties, transferred_from).
    petitioner_identified = Case.petitioner_identified

    def __init__(
        self, *, kind: str, round_: int | None, unit: Any, several: bool, received_at: date, source=None
    ):
        self.kind, self.round, self.unit, self.several_locations = kind, round_, unit, several
        self.received_at = received_at
        self.state = INITIAL_STATE
        self.transferred_from: SimCase | None = source
        self.published_at: date | None = None
        self.awaiting_citizen_since: date | None = None
        self.is_group = False
        self.deadlines = Related()
        self.dialogues = Related()
        self.case_parties = Related()
        # The facts the rules match, as a memo key: none of them changes during a case's life. A small
        # int stands for them in the opening memo, hashed for every clock a case starts.
        self.facts_key = tuple(sorted(self.facts.items()))
        self.facts_id = _FACTS_IDS.setdefault(self.facts_key, len(_FACTS_IDS))

    def add_petitioner(self, *, anonymous: bool) -> None:
        """Only whether the petitioner is named matters to the guards; the row itself is written later."""
        self.case_parties.append(_petitioner(anonymous))

    def add_dialogue(self) -> None:
        self.dialogues.append(_case_dialogue())

    @property
    def facts(self) -> dict[str, Any]:
        return periods.case_facts(self)


_FACTS_IDS: dict[tuple, int] = {}


# The guards only read these, so one instance each serves every simulated case (building model
# instances was a tenth of the generation).
@cache
def _petitioner(anonymous: bool) -> CaseParty:
    named = {} if anonymous else {"full_name": "(syn)", "id_number": "(syn)"}
    return CaseParty(party=Party(**named))


@cache
def _case_dialogue() -> Dialogue:
    return Dialogue(kind=DialogueKind.CASE)


class Entry:
    """A ledger row being built, readable by casework.rules.periods like a DeadlineEntry (attributes,
    not a dict: the rows read every field of every entry)."""

    __slots__ = ("days", "due_after", "due_before", "kind", "note", "on", "reason")

    def __init__(
        self,
        kind: str,
        on: date,
        days: int = 0,
        reason: str = "",
        note: str = "",
        due_before: date | None = None,
        due_after: date | None = None,
    ):
        self.kind, self.on, self.days, self.reason, self.note = kind, on, days, reason, note
        self.due_before, self.due_after = due_before, due_after


class Clock:
    """One deadline in memory, with the attributes casework.rules.periods reads from a Deadline."""

    __slots__ = (
        "base_days",
        "completed_on",
        "day_type",
        "due_date",
        "entries",
        "extension_days",
        "kind",
        "paused",
        "rule",
        "rule_code",
        "start_date",
        "status",
    )

    def __init__(self, kind: str, rule: policy.DeadlineRule, start: date):
        self.kind, self.rule, self.start_date = kind, rule, start
        self.rule_code = rule.code
        self.base_days, self.day_type = rule.days, rule.day_type
        self.extension_days = 0
        self.status = DeadlineStatus.RUNNING
        self.completed_on: date | None = None
        self.due_date: date | None = None
        self.entries = Related()
        self.paused = False  # ever: then the due date is counted from the ledger

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def log(self, kind: str, on: date, *args, **fields) -> None:
        self.entries.append(Entry(kind, on, *args, **fields))


class Clocks:
    """A case's deadlines, changed per action as workflows.clock_effects declares."""

    def __init__(self, rules: Rules, case: SimCase):
        self.rules, self.case = rules, case
        self.by_kind: dict[str, Clock] = {}

    def get(self, kind: str) -> Clock | None:
        return self.by_kind.get(kind)

    def values(self):
        return self.by_kind.values()

    def start(self, kind: str, on: date) -> Clock | None:
        rule, due = self.rules.opening(kind, self.case, on)
        if rule is None:
            return None
        clock = Clock(kind, rule, on)
        clock.entries.append(Entry(E.START, on, rule.days))
        clock.due_date = due
        previous = self.by_kind.get(kind)
        if previous is not None:
            self.case.deadlines.remove(previous)
        self.by_kind[kind] = clock
        self.case.deadlines.append(clock)  # the guards read the same clocks
        return clock

    def apply(self, action: str, on: date, note: str = "") -> None:
        """The mirror of workflows.clocks.apply_effects."""
        effects = effects_of(action)
        if effects is NO_EFFECT:  # most steps (review, start_verification, submit_for_approval, ...)
            return
        for kind in effects.complete:
            clock = self.by_kind.get(kind)
            if clock is not None and clock.is_open:
                clock.log(effects.ledger_entry, on)
                clock.status, clock.completed_on = DeadlineStatus.MET, on
        if effects.cancel_open:
            for clock in self.by_kind.values():
                if clock.is_open:
                    clock.log(E.CANCEL, on, reason=effects.cancel_open)
                    clock.status, clock.completed_on = DeadlineStatus.CANCELLED, on
        if effects.pause:
            for clock in self.by_kind.values():
                if clock.status == DeadlineStatus.RUNNING:
                    clock.log(E.PAUSE, on, reason=PAUSE_REASON_CODE, note=note, due_before=clock.due_date)
                    clock.status, clock.due_date, clock.paused = DeadlineStatus.PAUSED, None, True
        if effects.resume:
            for clock in self.by_kind.values():
                if clock.status == DeadlineStatus.PAUSED:
                    clock.log(E.RESUME, on)  # first: the counting reads the pause's end from the ledger
                    clock.status = DeadlineStatus.RUNNING
                    clock.due_date = clock.entries[-1].due_after = self.rules.due(clock)
        for kind in effects.start:
            self.start(kind, on)

    def extension_room(self, reason: str) -> int:
        """The most days one extension for `reason` may add now (0: none), as periods.extension_room
        judges the running clock an extension lengthens."""
        clock = self.by_kind.get(effects_of("extend").extend)
        if clock is None or not clock.is_open or clock.due_date is None:
            return 0
        remaining, max_days = periods.extension_room(clock, reason)
        return max_days if remaining else 0

    def extend(self, on: date, days: int, reason: str) -> None:
        """The mirror of workflows.clocks.extend_deadline, for an extension the caps allow."""
        clock = self.by_kind[effects_of("extend").extend]
        before = clock.due_date
        clock.extension_days += days
        clock.due_date = self.rules.due(clock)
        clock.log(E.EXTEND, on, days=days, reason=reason, due_before=before, due_after=clock.due_date)


class Rules:
    """The policy table and period counting, with memos: a million cases ask the same questions."""

    def __init__(self):
        self.calendar = WorkingCalendar.load()
        # Which row is in force changes only on a row's effective date: between two, every day
        # gets the same answer.
        self.epochs = sorted({r.effective_from for r in policy.DEADLINE_RULES})
        self.memo: dict[tuple, policy.DeadlineRule | None] = {}
        self.openings: dict[tuple, tuple[policy.DeadlineRule | None, date | None]] = {}

    def opening(
        self, deadline: str, case: SimCase, on: date
    ) -> tuple[policy.DeadlineRule | None, date | None]:
        """The rule of a clock started on `on` and its due date: they depend on nothing else, and a
        million cases start a few million clocks on a few thousand days."""
        key = (deadline, case.kind, on, case.facts_id)
        try:
            return self.openings[key]
        except KeyError:
            rule = self.rule(deadline, case, on)
            due = None if rule is None else self._due_plain(on, rule.days, rule.day_type)
            opened = self.openings[key] = (rule, due)
            return opened

    def rule(self, deadline: str, case: SimCase, on: date) -> policy.DeadlineRule | None:
        key = (deadline, case.kind, bisect.bisect_right(self.epochs, on), case.facts_key)
        try:
            return self.memo[key]
        except KeyError:
            rule = self.memo[key] = self._rule(deadline, case.kind, on, case.facts_key)
            return rule

    @staticmethod
    def _rule(deadline: str, kind: str, on: date, facts: tuple) -> policy.DeadlineRule | None:
        facts_ = dict(facts)
        if not policy.has_rule(deadline=deadline, kind=kind, on=on, facts=facts_):
            return None
        return policy.deadline_rule(deadline=deadline, kind=kind, on=on, facts=facts_)

    def due(self, clock: Clock) -> date | None:
        """periods.computation_for(clock), memoised for the common clock that was never paused."""
        if clock.paused:
            return periods.computation_for(clock, self.calendar).due_date
        return self._due_plain(clock.start_date, clock.base_days + clock.extension_days, clock.day_type)

    @cache  # noqa: B019
    def _due_plain(self, start: date, days: int, day_type: str) -> date | None:
        return periods.compute_due(
            start=start, days=days, day_type=day_type, pauses=[], calendar=self.calendar
        ).due_date
