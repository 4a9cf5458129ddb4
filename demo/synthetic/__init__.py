"""The synthetic dataset for demos and benchmarks: a province / department / commune tree with staff,
and cases spread over the years with realistic kind, state and outcome mixes, their deadlines and
ledgers, the audit trail, the reception book and dialogues (`manage.py generate_synthetic`).

Everything is marked synthetic: unit codes and usernames start with ``syn-``, party names with
"(syn)", case summaries with "[SYN]". Nothing goes through the transition service (far too slow for
a million cases), but nothing restates the engine either: each case's life is decided here and
every step is taken on the engine's own declarations, so the rows are what the service would have
written:

* a step is a transition its kind's machine declares (`workflows.machines.MACHINES`), whose guards
  pass on the simulated case (`engine.StateGraph`); every step is dated no earlier than the one
  before and never after ``--until``;
* what a step does to the clocks is `workflows.clock_effects` (which the machines apply too); the
  rule of each clock is the one `casework.rules.policy` has in force on the day it starts (remote
  area, several locations, extension caps), and its due date is `casework.rules.periods`' counting
  on the working calendar, pauses included;
* a transfer opens a linked case at the competent unit (without the denouncer's identity), an appeal
  opens a round-2 case at the parent unit; reference and book numbers are gap-free per unit and year
  and follow the order of receipt; the reference counters are left where the service continues;
* no outbox message is written: synthetic cases must never notify anyone.

Modules: `mixes` (what cases are made of), `tree` (units and staff), `engine` (the bridge to the
machines and rules), `lives` (one case's life and rows), `reception` (visits and dialogues),
`writer` (bulk rows: COPY on PostgreSQL, bulk_create elsewhere), `generator` (the main loop).
"""

from .generator import Generator
from .mixes import PREFIX
from .progress import Progress

__all__ = ["PREFIX", "Generator", "Progress"]
