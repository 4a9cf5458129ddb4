"""What intake receives: the petitioners, a case as written on its paper, a line of the reception book."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casework.choices import PartyKind, ReceptionKind
from casework.models import Case, Unit

# A person's identity as written on a paper; intake copies these onto a Party and never rewrites them.
PARTY_FIELDS = ("full_name", "id_number", "address", "phone", "email")


@dataclass
class PetitionerInput:
    full_name: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    kind: str = PartyKind.PERSON
    is_representative: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PetitionerInput:
        return cls(
            **{
                k: (v if isinstance(v, bool) else str(v or "").strip())
                for k, v in data.items()
                if k in cls.__dataclass_fields__
            }
        )

    @property
    def is_anonymous(self) -> bool:
        return not (self.full_name and (self.address or self.id_number))


@dataclass
class CaseInput:
    unit: Unit
    kind: str
    channel: str
    received_at: date
    summary: str
    petitioners: list[PetitionerInput] = field(default_factory=list)
    round: int | None = None
    first_round_case: Case | None = None
    respondent_unit: Unit | None = None
    respondent: str = ""
    decision_known_at: date | None = None
    limitation_excuse: str = ""
    several_locations: bool = False
    law_field: str = ""  # casework.choices.LawField, "" when not classified


@dataclass
class VisitInput:
    unit: Unit
    visited_at: datetime
    summary: str
    visitors: list[PetitionerInput]
    cases: list[CaseInput] = field(default_factory=list)
    visitor_count: int | None = None
    reception_kind: str = ReceptionKind.REGULAR
    received_by_head: bool = False
    refusal_reason: str = ""
    guidance: str = ""
    previously_handled_by: str = ""
    existing_cases: list[Case] = field(default_factory=list)
    notes: str = ""
