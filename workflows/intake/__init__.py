"""Intake: registering letters and visits, the checks that stop a second case being opened where the
law wants a classification, and the linked cases opened by a transfer or an appeal.

inputs     what intake receives (PetitionerInput, CaseInput, VisitInput)
checks     flags for the officer, similarity, validation
numbering  reference numbers
register   the people on a paper, the case row, register_case
linked     cases a transfer or an appeal opens at another unit
visits     the reception book (record_visit)
"""

from .checks import SIMILARITY_THRESHOLD, intake_checks, similarity
from .inputs import PARTY_FIELDS, CaseInput, PetitionerInput, VisitInput
from .linked import open_appeal_case, open_linked_case, open_transferred_case
from .numbering import next_number
from .register import register_case
from .visits import record_visit

__all__ = [
    "PARTY_FIELDS",
    "SIMILARITY_THRESHOLD",
    "CaseInput",
    "PetitionerInput",
    "VisitInput",
    "intake_checks",
    "next_number",
    "open_appeal_case",
    "open_linked_case",
    "open_transferred_case",
    "record_visit",
    "register_case",
    "similarity",
]
