"""Online submissions from the citizens' pages and the public API: the same intake as the desk
(validation, duplicate checks and flags, numbering, clocks, audit, outbox), with channel `online`, no
staff actor, the lookup code of the receipt, and the files the citizen attached.

Who registered it: nobody on the staff. The case's `registered_by` and the audit entry's actor are
empty (the audit trail reads "citizen (online)"), so a sealed denouncer is visible to the unit's head
alone (casework.confidentiality: head and registering officer; there is no registering officer).

What the law asks of the sender, per kind:
- complaint: name and address (LKN Art. 8.2); an anonymous complaint is not accepted (Art. 11), so the
  form asks for them rather than register a case bound to be filed;
- denunciation: name and address (LTC Art. 23), sealed from the start like at the desk (Art. 47); an
  anonymous denunciation is still registered: intake flags it, and the officer files it or, when it
  names the violator with concrete evidence, has it checked (LTC Art. 25);
- recommendation and reflection: a name and contact if the citizen wishes; anonymous is fine.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import subprocess
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import events
from casework.choices import CaseKind, Channel, Topic
from casework.models import Attachment, Case, CitizenAccess, Unit

from ..errors import ValidationFailed
from .checks import intake_checks, validate
from .inputs import CaseInput, PetitionerInput
from .register import create_case

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives. 16 characters
# are 80 random bits: guessing is hopeless within the lookup limits, so a fast keyed hash suffices.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_SALT = "workflows.intake.online.lookup-code"

# File types a citizen may attach: the declared type, the endings allowed for it, and the first bytes
# the content must start with (the declared type alone is the sender's word).
ATTACHMENT_TYPES: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {
    "application/pdf": ((".pdf",), (b"%PDF-",)),
    "image/jpeg": ((".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    "image/png": ((".png",), (b"\x89PNG\r\n\x1a\n",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ((".docx",), (b"PK\x03\x04",)),
}

ONLINE_FLAG_MESSAGE = gettext_lazy(
    "Sent online: the sender typed their identity themselves and it is not verified. Check it (and the "
    "attached files) before relying on it."
)


def conf(name: str):
    return settings.PUBLIC_SUBMISSIONS[name]


# --- Lookup codes ---------------------------------------------------------------------------------


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(code: str) -> str:
    """What the citizen typed, as the code was issued: case, spaces and dashes do not matter, and the
    letters people confuse with digits are read as those digits (Crockford)."""
    text = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))[:64]


def code_digest(code: str) -> str:
    return salted_hmac(_SALT, normalize_code(code), algorithm="sha256").hexdigest()


# Compared against when the reference does not exist, so both answers cost the same work.
_NO_CASE_DIGEST = hashlib.sha256(b"no such case").hexdigest()


def case_for_code(reference: str, code: str) -> Case | None:
    """The case under `reference` if `code` is its lookup code; None otherwise, after the same work
    whether or not the reference exists (one indexed query, one keyed hash, one constant-time compare)."""
    access = (
        CitizenAccess.objects.select_related("case", "case__unit")
        .filter(case__reference=str(reference or "").strip().upper()[:64])
        .first()
    )
    stored = access.code_digest if access is not None else _NO_CASE_DIGEST
    matches = hmac.compare_digest(code_digest(code), stored)
    return access.case if (matches and access is not None) else None


# --- Attachments ----------------------------------------------------------------------------------


class Infected(Exception):
    """Raised by a virus scanner for a file it refuses."""


def clamdscan_scan(name: str, data: bytes) -> None:
    """The default scan hook: ClamAV's daemon through `clamdscan` when settings name it, else accept
    (a deployment without ClamAV relies on the type checks and on staff opening files with care).
    Exit 0 is clean, 1 infected; anything else (daemon down) refuses the file: fail closed."""
    path = conf("CLAMDSCAN")
    if not path:
        return
    result = subprocess.run(
        [path, "--no-summary", "--stdout", "-"], input=data, capture_output=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise Infected(
            result.stdout.decode("utf-8", "replace").strip() or f"clamdscan exit {result.returncode}"
        )


@dataclass
class Upload:
    name: str
    content_type: str
    data: bytes


def attachment_errors(uploads: list[Upload]) -> list[str]:
    """Why the files cannot be taken, in the order the citizen should fix them; empty when they can."""
    errors: list[str] = []
    limit = conf("MAX_ATTACHMENT_BYTES")
    if len(uploads) > conf("MAX_ATTACHMENTS"):
        return [_("At most %(n)d files.") % {"n": conf("MAX_ATTACHMENTS")}]
    scan = import_string(conf("VIRUS_SCAN"))
    for upload in uploads:
        name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "file"
        endings, magics = ATTACHMENT_TYPES.get(upload.content_type, ((), ()))
        if len(upload.data) > limit:
            errors.append(
                _("%(name)s: larger than %(mb).1f MB.") % {"name": name, "mb": limit / (1024 * 1024)}
            )
        elif not endings or not name.lower().endswith(endings) or not upload.data.startswith(magics):
            errors.append(_("%(name)s: only PDF, JPEG, PNG or Word (.docx) files.") % {"name": name})
        else:
            try:
                scan(name, upload.data)
            except Exception:
                errors.append(_("%(name)s: refused by the virus check.") % {"name": name})
    return errors


# --- Submitting -----------------------------------------------------------------------------------


@dataclass
class OnlineSubmission:
    unit: Unit | None
    kind: str
    summary: str
    petitioner: PetitionerInput = field(default_factory=PetitionerInput)
    anonymous: bool = False
    respondent: str = ""
    decision_known_at: date | None = None
    attachments: list[Upload] = field(default_factory=list)


@dataclass
class Receipt:
    case: Case
    lookup_code: str


def _errors(sub: OnlineSubmission) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if sub.unit is None or not sub.unit.is_active:
        errors["unit"] = [_("Choose the agency you are writing to.")]
    if sub.kind not in CaseKind.values:
        errors["kind"] = [_("Must be one of: %(c)s.") % {"c": ", ".join(CaseKind.values)}]
    if len(sub.summary) > conf("MAX_SUMMARY_CHARS"):
        errors["summary"] = [_("At most %(n)d characters.") % {"n": conf("MAX_SUMMARY_CHARS")}]
    p = sub.petitioner
    if sub.anonymous:
        if sub.kind == CaseKind.COMPLAINT:
            errors["anonymous"] = [
                _("A complaint gives the complainant's name and address (Law on Complaints, Art. 8).")
            ]
    elif sub.kind in (CaseKind.COMPLAINT, CaseKind.DENUNCIATION):
        for name in ("full_name", "address"):
            if not getattr(p, name).strip():
                errors[f"petitioner.{name}"] = [
                    _("Required for a complaint (Law on Complaints, Art. 8).")
                    if sub.kind == CaseKind.COMPLAINT
                    else _("Required for a denunciation (Law on Denunciations, Art. 23); it is kept secret.")
                ]
    if p.email and not sub.anonymous:
        try:
            validate_email(p.email)
        except DjangoValidationError:
            errors["petitioner.email"] = [_("Not an e-mail address.")]
    if sub.decision_known_at and sub.decision_known_at > timezone.localdate():
        errors["decision_known_at"] = [_("Cannot be in the future.")]
    files = attachment_errors(sub.attachments)
    if files:
        errors["attachments"] = files
    return errors


def case_input(sub: OnlineSubmission) -> CaseInput:
    p = sub.petitioner
    named = not sub.anonymous and any(
        getattr(p, f).strip() for f in ("full_name", "address", "phone", "email")
    )
    return CaseInput(
        unit=sub.unit,
        kind=sub.kind,
        channel=Channel.ONLINE,
        received_at=timezone.localdate(),
        summary=sub.summary,
        petitioners=[PetitionerInput(**{**p.__dict__, "is_representative": False})] if named else [],
        round=1 if sub.kind == CaseKind.COMPLAINT else None,
        respondent=sub.respondent,
        decision_known_at=sub.decision_known_at if sub.kind == CaseKind.COMPLAINT else None,
    )


def submit_online(sub: OnlineSubmission) -> Receipt:
    """Register an online submission at the chosen unit; nothing is written unless all of it is valid.

    Raises ValidationFailed (code `invalid`, errors per field) for what the citizen must fix."""
    errors = _errors(sub)
    if errors:
        # Refusals that depend on what the server holds or on today carry their own code.
        codes = {"unit": ["does_not_exist"], "decision_known_at": ["in_future"]}
        if len(sub.attachments) <= conf("MAX_ATTACHMENTS"):  # then each message is about a file's bytes
            codes["attachments"] = ["file_content"] * len(errors.get("attachments", ()))
        raise ValidationFailed(errors, {k: v for k, v in codes.items() if k in errors})
    data = case_input(sub)
    validate(data)  # the desk's rules: text, phone and ID formats, dates
    flags = [{"code": "online_unverified", "message": str(ONLINE_FLAG_MESSAGE)}, *intake_checks(data)]
    code = new_code()
    with transaction.atomic():
        case = create_case(data, actor=None, flags=flags)
        CitizenAccess.objects.create(case=case, code_digest=code_digest(code))
        for upload in sub.attachments:
            Attachment.objects.create(
                case=case,
                file=ContentFile(upload.data, name=f"{secrets.token_hex(16)}"),
                original_name=upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200] or "file",
                content_type=upload.content_type,
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
            )
        email = data.petitioners[0].email if data.petitioners else ""
        if email:
            # The receipt goes to the address the citizen typed; for a denunciation it is marked
            # confidential like every notice to a denouncer (notifications.planning).
            events.enqueue(
                topic=Topic.INTAKE_RECEIPT,
                case=case,
                payload={"case_id": case.pk, "reference": case.reference, "lookup_code": code},
                dedup_key=f"case:{case.pk}:receipt",
            )
    return Receipt(case=case, lookup_code=code)
