"""What a citizen following a case online sees, and the limits on guessing lookup codes.

The view is built field by field from an allow-list: kind, unit, state in plain words, the dates the
law counts from, the deadline that runs now, the outcome once decided. Never the summary as edited by
staff, notes, staff names, handlers, other parties, intake flags or anything about a denouncer: the
only way in is the case's own lookup code, which only its sender holds.

Guessing: each wrong code counts against the client's address (LOOKUP_FAILURES_PER_CLIENT) and against
the reference *from the client's network* (LOOKUP_FAILURES_PER_REFERENCE, per /24 or /56); once either
allowance is spent, lookups from that client (or of that reference from that network) are refused for
the rest of the window, right code or not, so a refused guesser learns nothing more. The reference is
printed on paper, so a count of its failures from everywhere must not lock anyone out: a stranger
could then keep its rightful citizen out for a day. That count (LOOKUP_GUESSING_ALERT) only raises a
flag that the case page shows to staff. Guessing stays bounded: per address, and per network on one
reference, and the code is 80 random bits kept as an HMAC. A reference that does not exist is counted
and answered exactly like a wrong code, so the answers tell nothing about which references exist."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import ratelimit
from casework.choices import CaseState, DeadlineKind, DeadlineStatus
from casework.models import Case, Unit
from casework.text import fold

from .errors import CaseNotFound, TooManyAttempts
from .intake.online import case_for_code

# The state in the words a citizen uses. Internal steps (a draft awaiting the head's approval) read as
# the step the citizen can see.
STATE_WORDS = {
    CaseState.RECEIVED: gettext_lazy("Received: your letter is being sorted and checked"),
    CaseState.UNDER_REVIEW: gettext_lazy("Being examined: can it be accepted for resolution here?"),
    CaseState.TRANSFERRED: gettext_lazy("Sent on to the agency competent to resolve it"),
    CaseState.GUIDED: gettext_lazy("Not for this agency: you were told where to send it"),
    CaseState.FILED: gettext_lazy("Not processed (the reason is in the notice to you)"),
    CaseState.REJECTED: gettext_lazy("Not accepted for resolution (the reasons are in the notice to you)"),
    CaseState.ACCEPTED: gettext_lazy("Accepted for resolution"),
    CaseState.VERIFYING: gettext_lazy("Being verified and resolved"),
    CaseState.AWAITING_APPROVAL: gettext_lazy("Being verified and resolved"),
    CaseState.DECIDED: gettext_lazy("Resolved: the answer has been issued"),
    CaseState.SUSPENDED: gettext_lazy("Resolution suspended for now"),
    CaseState.WITHDRAWN: gettext_lazy("Withdrawn"),
    CaseState.APPEALED: gettext_lazy("Resolved; a second complaint was lodged"),
    CaseState.CLOSED: gettext_lazy("Closed"),
}

# Which clock the citizen is told about: the first of these that is running (or paused).
DEADLINE_WORDS = {
    DeadlineKind.APPEAL_WINDOW: gettext_lazy("A second complaint may be lodged until"),
    DeadlineKind.RESOLUTION: gettext_lazy("To be resolved by"),
    DeadlineKind.ACCEPTANCE: gettext_lazy("Decision whether to accept it by"),
    DeadlineKind.PROCESSING: gettext_lazy("Your letter is to be sorted by"),
}
_DECIDED = {CaseState.DECIDED, CaseState.APPEALED, CaseState.CLOSED}


def _conf(name: str) -> str:
    return settings.PUBLIC_SUBMISSIONS[name]


def _reference_key(reference: str) -> str:
    return str(reference or "").strip().upper()[:64]


def _network(client: str) -> str:
    """The client's network (/24 for IPv4, /56 for IPv6: what one household or office is usually
    given), so a guesser cannot buy fresh attempts on one reference by hopping to a neighbour address."""
    try:
        address = ipaddress.ip_address(str(client).strip())
    except ValueError:
        return str(client)
    prefix = 24 if address.version == 4 else 56
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def follow(reference: str, code: str, *, client: str) -> Case:
    """The case for its citizen. Raises TooManyAttempts (429) or CaseNotFound (404, one message for a
    wrong code and an unknown reference alike)."""
    per_client, per_reference = _conf("LOOKUP_FAILURES_PER_CLIENT"), _conf("LOOKUP_FAILURES_PER_REFERENCE")
    ref = _reference_key(reference)
    ref_from_network = f"{ref}\n{_network(client)}"
    if ratelimit.exhausted("lookup-client", client, per_client) or ratelimit.exhausted(
        "lookup-reference", ref_from_network, per_reference
    ):
        raise TooManyAttempts(_("Too many wrong codes: try again later."))
    case = case_for_code(ref, code)
    if case is None:
        ratelimit.record("lookup-client", client, per_client)
        ratelimit.record("lookup-reference", ref_from_network, per_reference)
        # Counted for every reference alike, known or not, and never refusing: the alert for staff.
        ratelimit.record("lookup-reference-all", ref, _conf("LOOKUP_GUESSING_ALERT"))
        raise CaseNotFound(_("No case matches this reference and lookup code."))
    return case


def guessing_alert(reference: str) -> int | None:
    """The wrong codes tried on `reference` from anywhere in the current window, when they reached
    LOOKUP_GUESSING_ALERT (someone is guessing its code; its citizen is not locked out), else None."""
    rate = _conf("LOOKUP_GUESSING_ALERT")
    used = ratelimit.used("lookup-reference-all", _reference_key(reference))
    return used if used >= ratelimit.parse_rate(rate)[0] else None


def current_deadline(case: Case):
    open_ = {
        d.kind: d
        for d in case.deadlines.all()
        if d.status in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED) and d.due_date
    }
    return next(((kind, open_[kind]) for kind in DEADLINE_WORDS if kind in open_), None)


def citizen_view(case: Case) -> dict[str, Any]:
    """The facts about `case` its citizen is told (the allow-list above)."""
    found = current_deadline(case)
    decided = case.state in _DECIDED
    return {
        "reference": case.reference,
        "kind": case.kind,
        "kind_label": case.get_kind_display(),
        "unit": {"name": case.unit.name, "address": case.unit.address},
        "state": case.state,
        "state_label": str(STATE_WORDS.get(case.state, case.get_state_display())),
        "received_at": case.received_at,
        "accepted_at": case.accepted_at,
        "decided_at": case.decided_at,
        "closed_at": case.closed_at,
        "deadline": (
            {"kind": found[0], "label": str(DEADLINE_WORDS[found[0]]), "due_date": found[1].due_date}
            if found
            else None
        ),
        "outcome": case.outcome if decided else "",
        "outcome_label": case.get_outcome_display() if decided and case.outcome else "",
    }


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def search_units(query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Active units whose name, address or enclosing units' names have a word starting with each word
    of `query`,
    without regard to case or diacritics ("ha noi" finds "Hà Nội"). Each with its place: the names of
    the units above it, nearest first, so two "Phường 1" can be told apart."""
    words = _words(query)[:8]
    if not words:
        return []
    units = list(Unit.objects.filter(is_active=True).values("id", "code", "name", "address", "path"))
    names = {u["id"]: u["name"] for u in units}
    found = []
    for u in units:
        above = [int(p) for p in u["path"].strip("/").split("/") if p][:-1]
        place = ", ".join(names[i] for i in reversed(above) if i in names)
        haystack = _words(f"{u['name']} {u['address']} {place}")
        if all(any(h.startswith(w) for h in haystack) for w in words):
            # Matches in the unit's own name first, then the higher units.
            own_words = _words(u["name"])
            own = all(any(h.startswith(w) for h in own_words) for w in words)
            found.append((not own, len(above), u["name"], {**u, "place": place}))
    found.sort(key=lambda t: t[:3])
    return [
        {"id": u["id"], "code": u["code"], "name": u["name"], "place": u["place"], "address": u["address"]}
        for *_k, u in found[:limit]
    ]
