"""Cases opened by a transition at another unit: the competent unit's case after a transfer, the
second-round complaint after an appeal.

The machines decide that such a case is needed and where (an ActionContext.linked_case request); the
transition service opens it here, in the same transaction and before its audit record and outbox
message. Nothing here imports the machines, and the machines do not import intake.
"""

from __future__ import annotations

from datetime import date

from casework import confidentiality
from casework.choices import CaseKind, Channel, PartyRole
from casework.models import Case, Unit

from .checks import intake_checks
from .inputs import PARTY_FIELDS, CaseInput, PetitionerInput
from .register import Resolved, create_case


def _petitioners_of(case: Case) -> tuple[list[PetitionerInput], Resolved]:
    """The petitioners of `case` as inputs, with the very Party records they are on file as: the
    linked case continues the same paper, so it names the same people."""
    links = list(case.case_parties.select_related("party").order_by("id"))
    representatives = {cp.party_id for cp in links if cp.role == PartyRole.REPRESENTATIVE}
    petitioners = [cp for cp in links if cp.role == PartyRole.PETITIONER]
    inputs = [
        PetitionerInput(
            **{f: getattr(cp.party, f) for f in PARTY_FIELDS},
            kind=cp.party.kind,
            is_representative=cp.party_id in representatives,
        )
        for cp in petitioners
    ]
    return inputs, ([cp.party for cp in petitioners], [])


def open_transferred_case(*, source: Case, target_unit: Unit, actor, on: date) -> Case:
    """The linked case at the competent unit. A denouncer's identity does not travel (LTC Art. 47)."""
    if source.kind == CaseKind.DENUNCIATION:
        petitioners, resolved = [], ([], [])
    else:
        petitioners, resolved = _petitioners_of(source)
    data = CaseInput(
        unit=target_unit,
        kind=source.kind,
        channel=Channel.TRANSFERRED_IN,
        received_at=on,
        # The identity travels neither as a petitioner nor inside the text (LTC Art. 47).
        summary=confidentiality.strip_identity(source.summary, source),
        petitioners=petitioners,
        round=source.round,
        first_round_case=source.first_round_case,
        respondent_unit=source.respondent_unit,
        respondent=confidentiality.strip_identity(source.respondent, source),
        decision_known_at=source.decision_known_at,
        limitation_excuse=confidentiality.strip_identity(source.limitation_excuse, source),
        several_locations=source.several_locations,
        law_field=source.law_field,
    )
    flags = intake_checks(data)
    if source.kind == CaseKind.DENUNCIATION and source.petitioner_identified():
        # Stripped for confidentiality, not anonymous: the sending unit checked the identity.
        flags = [f for f in flags if f["code"] != "anonymous_denunciation"]
    return create_case(data, actor=actor, transferred_from=source, flags=flags, resolved=resolved)


def open_appeal_case(*, first_round: Case, target_unit: Unit, actor, on: date) -> Case:
    """A second-round complaint at `target_unit`, the unit above the first-round unit (LKN Arts.
    17–21). Its channel says what it is: the complainant's second complaint, not a forwarded letter."""
    petitioners, resolved = _petitioners_of(first_round)
    data = CaseInput(
        unit=target_unit,
        kind=CaseKind.COMPLAINT,
        channel=Channel.APPEAL,
        received_at=on,
        summary=first_round.summary,
        petitioners=petitioners,
        round=2,
        first_round_case=first_round,
        respondent_unit=first_round.unit,
        respondent=first_round.respondent,
        law_field=first_round.law_field,
    )
    return create_case(data, actor=actor, flags=intake_checks(data), resolved=resolved)


def open_linked_case(*, action: str, source: Case, target_unit: Unit, actor, on: date) -> Case:
    """Open the case that `action` (transfer or appeal) of `source` asks for at `target_unit`."""
    if action == "transfer":
        return open_transferred_case(source=source, target_unit=target_unit, actor=actor, on=on)
    if action == "appeal":
        return open_appeal_case(first_round=source, target_unit=target_unit, actor=actor, on=on)
    raise ValueError(f"{action} opens no linked case")
