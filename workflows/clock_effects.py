"""Which deadline clocks each action starts, completes, cancels, pauses, resumes or extends.

Declared once, here: the machines apply an action's row through `workflows.clocks.apply_effects`, and
the synthetic generator (`demo.synthetic`) mirrors the same rows in memory, so a rule change made
here reaches both. Only what an action does to the clocks is declared; how long a clock runs is the
policy table's (`casework.rules.policy`) and how it is counted is `casework.rules.periods`'.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.choices import Action, AuditStep, DeadlineKind
from casework.models import DeadlineEntry

# The clocks a received letter runs until it is classified.
INTAKE_CLOCKS = (DeadlineKind.PROCESSING, DeadlineKind.ACCEPTANCE)


@dataclass(frozen=True)
class ClockEffects:
    """One action's effect on the clocks, applied in this order: complete, cancel, pause, resume, start."""

    complete: tuple[str, ...] = ()  # open clocks of these kinds are met on the action's date
    ledger_entry: str = DeadlineEntry.Kind.COMPLETE  # the ledger entry a completion writes
    cancel_open: str = ""  # if set, every clock still open is cancelled with this reason
    pause: bool = False  # running clocks stop (the note is the action's reason)
    resume: bool = False  # paused clocks run again
    start: tuple[str, ...] = ()  # clocks (re)started, each only where a policy rule applies to the case
    extend: str = ""  # the kind of clock an extension lengthens


CLOCK_EFFECTS: dict[str, ClockEffects] = {
    # Registering a case (intake, not a machine action) starts the intake clocks.
    AuditStep.REGISTER: ClockEffects(start=INTAKE_CLOCKS),
    # Classifying the letter (transfer, guidance, filing, acceptance, refusal) meets both intake clocks.
    Action.TRANSFER: ClockEffects(complete=INTAKE_CLOCKS, ledger_entry=DeadlineEntry.Kind.TRANSFER),
    Action.GUIDE: ClockEffects(complete=INTAKE_CLOCKS),
    Action.FILE: ClockEffects(complete=INTAKE_CLOCKS),
    Action.ACCEPT: ClockEffects(complete=INTAKE_CLOCKS, start=(DeadlineKind.RESOLUTION,)),
    Action.REJECT: ClockEffects(complete=INTAKE_CLOCKS, cancel_open="rejected"),
    # The decision meets the resolution clock and opens the appeal window (first-round complaint) or
    # the publication clock (second round); the policy table says which applies to which case.
    Action.APPROVE: ClockEffects(
        complete=(DeadlineKind.RESOLUTION,), start=(DeadlineKind.APPEAL_WINDOW, DeadlineKind.PUBLICATION)
    ),
    Action.PUBLISH: ClockEffects(complete=(DeadlineKind.PUBLICATION,)),
    Action.CLOSE: ClockEffects(cancel_open="closed"),
    Action.WITHDRAW: ClockEffects(cancel_open="withdrawn"),  # in full; a partial withdrawal changes no clock
    Action.APPEAL: ClockEffects(complete=(DeadlineKind.APPEAL_WINDOW,), cancel_open="appealed"),
    Action.EXTEND: ClockEffects(extend=DeadlineKind.RESOLUTION),
    Action.SUSPEND: ClockEffects(pause=True),
    Action.RESUME: ClockEffects(resume=True),
    Action.AWAIT_CITIZEN: ClockEffects(pause=True),
    Action.CITIZEN_RESPONDED: ClockEffects(resume=True),
}
NO_EFFECT = ClockEffects()


def effects_of(action: str) -> ClockEffects:
    """The clock effects of `action` (none for review, start_verification, submit_for_approval, ...)."""
    return CLOCK_EFFECTS.get(action, NO_EFFECT)
