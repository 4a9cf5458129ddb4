"""The one place that decides who sees a denouncer and hides the identity from everyone else
(LTC 2018 Art. 47; DOMAIN.md §9).

- Who: `can_see_denouncer(user, case)` (the head of the competent unit and the officer who registered
  the case, nobody else, administrators included) and its queryset form `visible_party_links(user)`.
- Structured fields: `party_view()` masks a sealed person with `MASK`; `petitioners_for(case, user)` and
  `visitors_for(visit, user)` are the people of a case or a visit as a given user may see them.
- Free text: `scrub(value, case, user)` replaces the denouncer's identity wherever it is written (name
  folded for diacritics, case and spacing; ID and phone digits with any grouping and a +84 prefix;
  e-mail; a distinctive address) by `placeholder()`, keeping the rest of the text as written.
  `strip_identity()` does it for nobody (a transfer), `names_identity()` only detects (the intake warning).
- Logging: `record_disclosure()` is the one path that writes AccessLog rows; `Disclosures` collects the
  unmasked reads of one response and writes them through it.

Every surface (API, admin, reception book, notifications, Open311, search) calls this module; none
decides on its own. Text is scrubbed when it is read, not when it is written: see README "Who sees
what" for why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from .access import visible_cases, visible_units
from .choices import CaseKind, PartyRole
from .models import AccessLog, Case, CaseParty, Party, Visit
from .text import fold

# The one mask of a structured identity value (name, ID number, address, phone, e-mail).
MASK = "***"
IDENTITY_FIELDS = ("full_name", "id_number", "address", "phone", "email")
# The free text of each record that may name a denouncer; every surface scrubs exactly these fields.
CASE_FREE_TEXT = ("summary", "respondent", "limitation_excuse", "guidance", "outcome_summary", "intake_flags")
VISIT_FREE_TEXT = ("summary", "previously_handled_by", "guidance", "notes")
DIALOGUE_FREE_TEXT = ("place", "participants", "minutes", "agreed_points")
EVENT_FREE_TEXT = ("note", "changes")
_PLACEHOLDER = gettext_lazy("[denouncer]")
_MASK_REASON = gettext_lazy("confidential, LTC Art. 47")


def mask_label() -> str:
    """MASK with its reason, for pages people read (the admin)."""
    return f"{MASK} ({_MASK_REASON})"


def placeholder() -> str:
    """What replaces a denouncer's identity inside free text, in the active language."""
    return str(_PLACEHOLDER)


# --- Who ------------------------------------------------------------------------------------------


def can_see_denouncer(user, case: Case) -> bool:
    """Only the resolver (head of the competent unit) and the officer who registered the case see a
    denouncer's identity (DOMAIN.md §9). Administrators do not get it by default either."""
    if not user or not user.is_authenticated:
        return False
    return user.pk in (case.unit.head_id, case.registered_by_id)


def denouncer_visible(user, prefix: str = "") -> Q:
    """The cases whose denouncer `user` may see (the rule of can_see_denouncer, as a filter on Case,
    or on a relation to it through `prefix`, e.g. "case__")."""
    if not user or not user.is_authenticated:
        return Q(pk__in=[])  # `head_id=None` would match every unit without a head
    return Q(**{f"{prefix}unit__head_id": user.pk}) | Q(**{f"{prefix}registered_by_id": user.pk})


def visible_party_links(user) -> Q:
    """The CaseParty rows whose identity `user` may see: every open link, and a sealed denouncer's
    link only for the case's resolver or registering officer."""
    return Q(confidential=False) | denouncer_visible(user, "case__")


def sealed_links(user) -> QuerySet[CaseParty]:
    return CaseParty.objects.exclude(visible_party_links(user))


def visible_people(user, *, sealed: bool = True) -> QuerySet[Party]:
    """People the user may look up: linked openly to a case they can see, a visitor in their reception
    books who is not a sealed denouncer of a case opened at that visit, and a denouncer they may see
    (the API's people endpoint, which logs that read).

    With `sealed=False` (the admin's people list) no denouncer appears at all, not even to those who
    may see them: there the case page, which logs the read, is where the head sees them; and the
    visitors of a visit that opened a denunciation are left out whole."""
    cases = visible_cases(user).values("pk")
    links = CaseParty.objects.filter(case__in=cases)
    through = Visit.visitors.through
    visitors = through.objects.filter(visit__unit__in=visible_units(user))
    if sealed:
        links = links.filter(visible_party_links(user))
        sealed_at_visit = sealed_links(user).filter(
            party_id=OuterRef("party_id"), case__visits=OuterRef("visit_id")
        )
        visitors = visitors.exclude(Exists(sealed_at_visit))
    else:
        links = links.filter(confidential=False)
        visitors = visitors.exclude(visit__cases__kind=CaseKind.DENUNCIATION)
    return Party.objects.filter(Q(pk__in=links.values("party_id")) | Q(pk__in=visitors.values("party_id")))


def cases_naming(user, queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases of `queryset` with a petitioner whose name contains `text` (case and diacritics ignored:
    "nguyen van duc" finds "Nguyễn Văn Đức") or whose ID number is exactly `text`. A sealed denouncer
    matches only for a user who may see them, so a search never tells anyone else who denounced."""
    text = text.strip()
    if not text:
        return queryset.none()
    # People first (trigram and ID-number indexes), then their links, then the cases: the search
    # costs what the matches cost, not what the user's whole subtree holds.
    people = Party.objects.filter(Q(search_name__contains=fold(text)) | Q(id_number=text))
    links = CaseParty.objects.filter(visible_party_links(user), party__in=people)
    return queryset.filter(pk__in=links.values("case_id"))


# --- Structured fields ----------------------------------------------------------------------------


def party_view(party: Party, *, masked: bool) -> dict[str, Any]:
    data = {f: getattr(party, f) for f in IDENTITY_FIELDS}
    if masked:
        data = {f: MASK if v else "" for f, v in data.items()}
    return {"id": None if masked else party.pk, "kind": party.kind, **data, "masked": masked}


@dataclass(frozen=True)
class PersonOnCase:
    """One person of a case (roles merged) and whether `user` sees them masked."""

    party: Party
    roles: frozenset[str]
    confidential: bool
    masked: bool


def people_on_case(case: Case, user) -> list[PersonOnCase]:
    """The case's people, one per person, each with the one masking decision every surface shows.
    Reads the prefetched `case.case_parties`."""
    allowed = can_see_denouncer(user, case)
    people: dict[int, dict] = {}
    for link in _case_parties(case):
        entry = people.setdefault(link.party_id, {"party": link.party, "roles": set(), "confidential": False})
        entry["roles"].add(link.role)
        entry["confidential"] |= link.confidential
    return [
        PersonOnCase(
            party=e["party"],
            roles=frozenset(e["roles"]),
            confidential=e["confidential"],
            masked=e["confidential"] and not allowed,
        )
        for e in people.values()
    ]


def petitioners_for(case: Case, user, disclosures: Disclosures | None = None) -> list[dict[str, Any]]:
    """The case's people (one entry per person, roles merged) as `user` may see them; an unmasked
    denouncer is added to `disclosures`."""
    out = []
    for person in people_on_case(case, user):
        if person.confidential and not person.masked and disclosures is not None:
            disclosures.add(case, person.party)
        out.append(
            {
                **party_view(person.party, masked=person.masked),
                "is_representative": PartyRole.REPRESENTATIVE in person.roles,
                "confidential": person.confidential,
            }
        )
    return out


def _sealing_cases(visit: Visit) -> dict[int, list[Case]]:
    sealing: dict[int, list[Case]] = {}
    for case in visit.cases.all():
        for link in case.case_parties.all():
            if link.confidential:
                sealing.setdefault(link.party_id, []).append(case)
    return sealing


def visitors_masked_for(user, visit: Visit) -> bool:
    """A visit that opened a denunciation shows its visitors only to those who may see the denouncer."""
    return any(c.kind == CaseKind.DENUNCIATION and not can_see_denouncer(user, c) for c in visit.cases.all())


def visitors_for(visit: Visit, user, disclosures: Disclosures | None = None) -> list[dict[str, Any]]:
    """The visit's visitors as `user` may see them: a visitor who is a denouncer of a case opened at
    this visit is sealed like on the case."""
    sealing = _sealing_cases(visit)
    out = []
    for party in visit.visitors.all():
        cases = sealing.get(party.pk, [])
        masked = any(not can_see_denouncer(user, c) for c in cases)
        if cases and not masked and disclosures is not None:
            disclosures.add(cases[0], party)
        out.append(party_view(party, masked=masked))
    return out


# --- Free text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What identifies one person in free text."""

    full_name: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    @classmethod
    def of(cls, person: Any) -> Identity:
        """From a Party, an intake input or anything with the same attribute names."""
        return cls(**{f: (getattr(person, f, "") or "").strip() for f in IDENTITY_FIELDS})


def _fold_char(ch: str) -> str:
    ch = ch.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).lower()


def _folded(text: str) -> tuple[str, list[int]]:
    """`fold(text)` plus, for each of its characters, the index of the original character it came from."""
    out: list[str] = []
    origin: list[int] = []
    gap = True  # leading spaces dropped, runs of spaces made one
    for i, ch in enumerate(text):
        if ch.isspace():
            if not gap:
                out.append(" ")
                origin.append(i)
                gap = True
            continue
        for c in _fold_char(ch):
            out.append(c)
            origin.append(i)
            gap = False
    return "".join(out), origin


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _national_phone(digits: str) -> str:
    # +84 912 345 678 and 84912345678 are 0912345678.
    if digits.startswith("84") and len(digits) >= 11:
        return "0" + digits[2:]
    return digits


# Digits grouped by up to three spaces, dots, dashes or slashes count as one number ("0912.345.678").
_DIGIT_RUN = re.compile(r"\+?\d(?:[ .\-/]{0,3}\d)*")
_MIN_NAME = 3  # folded characters; a shorter "name" would blank out ordinary words
_MIN_NUMBER = 6  # digits
_MIN_ADDRESS_WORDS = 3  # "Thôn 1" is not distinctive, "Số 77 ngõ Kín Đáo" is


class Secrets:
    """The identities one reader may not see, compiled once, applied to any text or JSON value."""

    def __init__(self, identities: Iterable[Identity] = ()) -> None:
        words: set[str] = set()
        numbers: set[str] = set()
        emails: set[str] = set()
        for who in identities:
            if len(name := fold(who.full_name)) >= _MIN_NAME:
                words.add(name)
            address = fold(who.address)
            if len(address.split()) >= _MIN_ADDRESS_WORDS:
                words.add(address)
            for number in (_digits(who.id_number), _national_phone(_digits(who.phone))):
                if len(number) >= _MIN_NUMBER:
                    numbers.add(number)
                    if number.startswith("0"):
                        numbers.add("84" + number[1:])
            if "@" in who.email:
                emails.add(who.email)
        longest_first = sorted(words, key=len, reverse=True)
        self._words = (
            re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in longest_first)) if words else None
        )
        self._numbers = sorted(numbers, key=len, reverse=True)
        self._emails = (
            re.compile("|".join(re.escape(e) for e in sorted(emails, key=len, reverse=True)), re.IGNORECASE)
            if emails
            else None
        )

    def __bool__(self) -> bool:
        return bool(self._words or self._numbers or self._emails)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where in `text` (original indices, end exclusive) an identity is written, merged."""
        found: list[tuple[int, int]] = []
        if self._words:
            folded, origin = _folded(text)
            found += [(origin[m.start()], origin[m.end() - 1] + 1) for m in self._words.finditer(folded)]
        if self._numbers:
            for run in _DIGIT_RUN.finditer(text):
                found += self._number_spans(text, run)
        if self._emails:
            found += [m.span() for m in self._emails.finditer(text)]
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def _number_spans(self, text: str, run: re.Match) -> list[tuple[int, int]]:
        # The run's digits, each with its index in the text and whether a separator precedes it: a
        # number must start and end on a group boundary, so 0912345678 is not found in 10912345678.
        positions = [i for i in range(run.start(), run.end()) if text[i].isdigit()]
        digits = "".join(text[i] for i in positions)

        def boundary(k: int) -> bool:  # between digit k-1 and digit k
            return k in (0, len(positions)) or positions[k] - positions[k - 1] > 1

        spans = []
        for number in self._numbers:
            start = digits.find(number)
            while start != -1:
                end = start + len(number)
                if boundary(start) and boundary(end):
                    first = positions[start]
                    if first > 0 and text[first - 1] == "+":
                        first -= 1
                    spans.append((first, positions[end - 1] + 1))
                start = digits.find(number, start + 1)
        return spans

    def text(self, text: str) -> str:
        spans = self.spans(text) if text else []
        if not spans:
            return text
        mark = placeholder()
        out, last = [], 0
        for start, end in spans:
            out += [text[last:start], mark]
            last = end
        out.append(text[last:])
        return "".join(out)

    def apply(self, value: Any) -> Any:
        """Scrub a string, or every string inside a JSON-like value (audit `changes`, intake flags)."""
        if not self:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.apply(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.apply(v) for v in value]
        return value


NO_SECRETS = Secrets()


def sealed_identities(case: Case) -> list[Identity]:
    """The identities of the case's denouncers (reads `case.case_parties`, prefetched or not)."""
    return [Identity.of(link.party) for link in _case_parties(case) if link.confidential]


def _case_parties(case: Case):
    """`case.case_parties.all()`: the prefetched rows themselves when they are there (a list page reads
    them twice a row, and each `.all()` builds a related manager first)."""
    cache = case.__dict__.get("_prefetched_objects_cache")
    rows = cache.get("case_parties") if cache else None
    return rows if rows is not None else case.case_parties.all()


def secrets_for(case: Case | None, user) -> Secrets:
    """What `user` may not read in the free text of `case`: nothing unless it seals a denouncer."""
    if case is None or can_see_denouncer(user, case):
        return NO_SECRETS
    return Secrets(sealed_identities(case))


def scrub(value: Any, case: Case | None, user) -> Any:
    """`value` (text or JSON-like) as `user` may read it on `case`."""
    return secrets_for(case, user).apply(value)


def secrets_for_cases(cases: Iterable[Case], user) -> Secrets:
    """For text attached to several cases (a visit, a dialogue): every denouncer of those cases that
    `user` may not see."""
    identities = [i for case in cases if not can_see_denouncer(user, case) for i in sealed_identities(case)]
    return Secrets(identities) if identities else NO_SECRETS


def scrub_for_cases(value: Any, cases: Iterable[Case], user) -> Any:
    return secrets_for_cases(cases, user).apply(value)


def strip_identity(value: Any, case: Case) -> Any:
    """`value` with the case's denouncers removed for everyone (a transfer to another body)."""
    return Secrets(sealed_identities(case)).apply(value)


def public_text(value: Any, case: Case) -> Any:
    """`value` as published to anyone (public Open311 reads): every party's identity removed, sealed
    or not, since a citizen who wrote to the authority did not write to the public."""
    return Secrets(Identity.of(link.party) for link in case.case_parties.all()).apply(value)


def names_identity(text: str, people: Iterable[Any]) -> bool:
    """True when `text` names one of `people` (to warn the officer who is typing it)."""
    return bool(Secrets(Identity.of(p) for p in people).spans(text or ""))


# --- Logging --------------------------------------------------------------------------------------


def record_disclosure(
    *,
    user,
    channel: str,
    detail: str,
    reads: Iterable[tuple[Case | None, Party | None]] = ((None, None),),
    kind: str = AccessLog.Kind.UNMASKED_READ,
) -> None:
    """The one path that writes AccessLog: one row per (case, party) read by `user`."""
    AccessLog.objects.bulk_create(
        AccessLog(user=user, kind=kind, channel=channel, detail=detail[:300], case=case, party=party)
        for case, party in reads
    )


class Disclosures:
    """Unmasked reads collected while one response is built; written once it is ready."""

    def __init__(self) -> None:
        self.seen: dict[tuple[int | None, int], tuple[Case | None, Party]] = {}

    def add(self, case: Case | None, party: Party) -> None:
        self.seen[(case.pk if case else None, party.pk)] = (case, party)

    def write(self, *, user, channel: str, detail: str) -> None:
        if self.seen:
            record_disclosure(user=user, channel=channel, detail=detail, reads=list(self.seen.values()))
            self.seen.clear()
