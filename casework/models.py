"""The domain's tables: authority units, people, the reception book, cases, deadlines, dialogues.

Models hold data and integrity rules only; what happens to a case is decided in workflows/ and in
the services of this app.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from .choices import (
    AuthorityLevel,
    CalendarDayKind,
    CalendarSource,
    CaseKind,
    CaseState,
    Channel,
    ConferenceFormat,
    ConferenceReason,
    ConferenceStatus,
    DayType,
    DeadlineKind,
    DeadlineStatus,
    DialogueKind,
    LawField,
    Outcome,
    PartyKind,
    PartyRole,
    Quality,
    ReceptionKind,
    RefusalReason,
    Role,
    Satisfaction,
    Timeliness,
    VisitOutcome,
)
from .figures import LAND_DIGITS, LAND_PLACES, MONEY_DIGITS, MONEY_PLACES
from .text import fold

User = settings.AUTH_USER_MODEL


class UnitLevel(models.Model):
    """A level of the administrative map. Data, not code: districts were abolished on 1/7/2025."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("0 = highest authority"))
    authority_level = models.CharField(
        _("authority level for reports"), max_length=16, choices=AuthorityLevel.choices
    )
    is_agency = models.BooleanField(
        _("agency inside a government level"), default=False, help_text=_("e.g. a provincial department")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["rank", "is_agency", "code"]
        verbose_name = _("unit level")
        verbose_name_plural = _("unit levels")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An authority in the tree. `path` is a materialized path ("/1/7/23/") so subtrees are one indexed
    prefix match, on SQLite and PostgreSQL alike."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.ForeignKey(
        UnitLevel, on_delete=models.PROTECT, related_name="units", verbose_name=_("level")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(
        _("path in the unit tree"), max_length=255, db_index=True, editable=False, default=""
    )
    depth = models.PositiveSmallIntegerField(_("depth in the unit tree"), editable=False, default=0)
    is_remote = models.BooleanField(
        _("remote area (vùng sâu, vùng xa)"),
        default=False,
        help_text=_("The law gives longer deadlines here."),
    )
    head = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
        verbose_name=_("head (resolver who signs)"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        if old_path and self.parent_id and self.parent.path.startswith(old_path):
            raise ValueError("A unit cannot be moved under itself or one of its descendants.")
        if not self.pk:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k not in ("force_insert",)}
        parent_path = self.parent.path if self.parent_id else "/"
        self.path = f"{parent_path}{self.pk}/"
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # A unit moved: rewrite every descendant's path in one statement.
            Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr(F("path"), len(old_path) + 1)),
                depth=F("depth") + (self.depth - (old_path.count("/") - 2)),
            )

    def subtree(self) -> models.QuerySet[Unit]:
        return Unit.objects.filter(path__startswith=self.path)

    def ancestors(self) -> models.QuerySet[Unit]:
        ids = [int(p) for p in self.path.strip("/").split("/") if p][:-1]
        return Unit.objects.filter(pk__in=ids).order_by("depth")

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    @property
    def authority_level(self) -> str:
        return self.level.authority_level


class Membership(models.Model):
    """A user's role in a unit. Roles are Django groups (permissions); memberships scope them to units."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="uniq_membership")]
        indexes = [models.Index(fields=["unit", "role"])]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return gettext("%(user)s — %(role)s at %(unit)s") % {
            "user": self.user,
            "role": self.get_role_display(),
            "unit": self.unit,
        }


class Party(models.Model):
    """A citizen or organization who petitions, complains or denounces."""

    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices, default=PartyKind.PERSON)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    id_number = models.CharField(_("ID number"), max_length=20, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # The name folded for search and repeat detection (casework.text.fold); kept in step by save().
    search_name = models.CharField(_("name for search"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["full_name"]), models.Index(fields=["search_name"])]
        verbose_name = _("person or organization")
        verbose_name_plural = _("people and organizations")

    def __str__(self) -> str:
        return self.full_name or _("(anonymous)")

    def save(self, *args, **kwargs):
        self.search_name = fold(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_anonymous(self) -> bool:
        return not (self.full_name.strip() and (self.address.strip() or self.id_number.strip()))


class PartyCorrection(models.Model):
    """Append-only record of a correction to a person's stored identity: who, when, why, and each
    field's old and new value. Intake never rewrites a Party; this is the only way one changes."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("person or organization")
    )
    actor = models.ForeignKey(
        User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("corrected by")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    changes = models.JSONField(_("changes"), help_text=_("field: [old value, new value]"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["party", "at"])]
        verbose_name = _("correction of a person's identity")
        verbose_name_plural = _("corrections of people's identities")

    def __str__(self) -> str:
        return gettext("Correction of #%(party)s at %(at)s") % {
            "party": self.party_id,
            "at": f"{timezone.localtime(self.at):%d/%m/%Y %H:%M}",
        }

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Correction records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Correction records are append-only.")


class ReferenceCounter(models.Model):
    """Issues reference numbers per unit and year without gaps from concurrent intakes."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    series = models.CharField(_("number series"), max_length=8)
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "series"], name="uniq_reference_counter")
        ]
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}/{self.series}: {self.last_number}"


class Case(FSMModelMixin, models.Model):
    """One citizen matter at one unit. A transfer or an appeal opens a new, linked case elsewhere."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("number within the year"), editable=False)
    reference = models.CharField(_("reference"), max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    round = models.PositiveSmallIntegerField(
        _("round"), null=True, blank=True, help_text=_("Complaints: 1 or 2")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateField(_("received on"))
    summary = models.TextField(_("summary"))
    respondent_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit whose decision or official is complained of / denounced"),
    )
    respondent = models.CharField(_("person or act complained of / denounced"), max_length=300, blank=True)
    decision_known_at = models.DateField(
        _("date the complainant learned of the decision or act"), null=True, blank=True
    )
    limitation_excuse = models.TextField(_("reason the limitation period was missed"), blank=True)
    several_locations = models.BooleanField(_("verification at several locations"), default=False)
    is_group = models.BooleanField(_("group petition (5+ people)"), default=False)

    first_round_case = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeal_cases",
        verbose_name=_("first-round case"),
    )
    transferred_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("transferred from"),
    )
    registered_by = models.ForeignKey(
        User,
        null=True,
        on_delete=models.PROTECT,
        related_name="registered_cases",
        verbose_name=_("registered by"),
    )
    handler = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
        verbose_name=_("handler"),
    )

    state = FSMField(
        _("state"), max_length=24, choices=CaseState.choices, default=CaseState.RECEIVED, protected=True
    )
    suspended_from = models.CharField(_("state before suspension"), max_length=24, blank=True, editable=False)
    reason_code = models.CharField(_("reason code"), max_length=32, blank=True)
    guidance = models.TextField(_("guidance given"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_summary = models.TextField(_("conclusion summary"), blank=True)
    claim_differs = models.BooleanField(_("claim differs from verification"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    accepted_at = models.DateField(_("accepted on"), null=True, blank=True)
    decided_at = models.DateField(_("decided on"), null=True, blank=True)
    published_at = models.DateField(_("published on"), null=True, blank=True)
    closed_at = models.DateField(_("closed on"), null=True, blank=True)
    awaiting_citizen_since = models.DateField(
        _("waiting on the citizen since"), null=True, blank=True, editable=False
    )
    # The field of law (statistics forms 02/XLD–04/XLD); empty for a case not classified.
    law_field = models.CharField(_("field of law"), max_length=24, choices=LawField.choices, blank=True)
    # The outcome figures of the decision and of its implementation (casework.figures): set only by
    # the actions that produce them, NULL where never stated.
    recover_money = models.DecimalField(
        _("money to recover to the State (million VND)"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
    )
    recover_land = models.DecimalField(
        _("land to recover to the State (m²)"),
        max_digits=LAND_DIGITS,
        decimal_places=LAND_PLACES,
        null=True,
        blank=True,
    )
    return_org_money = models.DecimalField(
        _("money to return to organisations (million VND)"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
    )
    return_org_land = models.DecimalField(
        _("land to return to organisations (m²)"),
        max_digits=LAND_DIGITS,
        decimal_places=LAND_PLACES,
        null=True,
        blank=True,
    )
    return_person_money = models.DecimalField(
        _("money to return to individuals (million VND)"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
    )
    return_person_land = models.DecimalField(
        _("land to return to individuals (m²)"),
        max_digits=LAND_DIGITS,
        decimal_places=LAND_PLACES,
        null=True,
        blank=True,
    )
    return_orgs = models.PositiveIntegerField(
        _("organisations whose rights are restored"), null=True, blank=True
    )
    return_people = models.PositiveIntegerField(
        _("individuals whose rights are restored"), null=True, blank=True
    )
    sanction_people = models.PositiveIntegerField(
        _("people proposed for administrative sanction"), null=True, blank=True
    )
    sanction_officials = models.PositiveIntegerField(
        _("of whom officials (proposed for sanction)"), null=True, blank=True
    )
    referred_to_investigation = models.BooleanField(
        _("referred to the investigating bodies"), null=True, blank=True
    )
    referred_people = models.PositiveIntegerField(
        _("people referred to the investigating bodies"), null=True, blank=True
    )
    referred_officials = models.PositiveIntegerField(_("of whom officials (referred)"), null=True, blank=True)
    implemented_at = models.DateField(_("decision implemented on"), null=True, blank=True)
    recovered_money = models.DecimalField(
        _("money recovered to the State (million VND)"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
    )
    recovered_land = models.DecimalField(
        _("land recovered to the State (m²)"),
        max_digits=LAND_DIGITS,
        decimal_places=LAND_PLACES,
        null=True,
        blank=True,
    )
    returned_org_money = models.DecimalField(
        _("money returned to organisations (million VND)"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
    )
    returned_org_land = models.DecimalField(
        _("land returned to organisations (m²)"),
        max_digits=LAND_DIGITS,
        decimal_places=LAND_PLACES,
        null=True,
        blank=True,
    )
    returned_person_money = models.DecimalField(
        _("money returned to individuals (million VND)"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
    )
    returned_person_land = models.DecimalField(
        _("land returned to individuals (m²)"),
        max_digits=LAND_DIGITS,
        decimal_places=LAND_PLACES,
        null=True,
        blank=True,
    )
    sanctioned_people = models.PositiveIntegerField(
        _("people given an administrative sanction"), null=True, blank=True
    )
    sanctioned_officials = models.PositiveIntegerField(
        _("of whom officials (sanctioned)"), null=True, blank=True
    )
    prosecuted = models.BooleanField(_("criminal proceedings instituted"), null=True, blank=True)
    prosecuted_people = models.PositiveIntegerField(_("people prosecuted"), null=True, blank=True)
    prosecuted_officials = models.PositiveIntegerField(
        _("of whom officials (prosecuted)"), null=True, blank=True
    )
    intake_flags = models.JSONField(_("intake flags"), default=list, blank=True)
    # Law 136/2025: content withdrawn in full is not examined again unless the withdrawal was coerced.
    # Recorded on the withdrawn case by casework.services.record_coerced_withdrawal (audited).
    withdrawal_coerced = models.BooleanField(_("withdrawal was coerced"), default=False, editable=False)

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "sequence"], name="uniq_case_reference"),
            models.CheckConstraint(
                condition=Q(kind="complaint", round__in=[1, 2])
                | (~Q(kind="complaint") & Q(round__isnull=True)),
                name="case_round_only_for_complaints",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["kind", "state"]),
            models.Index(fields=["handler", "state"]),
            # The lists' order (Meta.ordering, newest first) with its tie-break: a page is read straight
            # from the index however many cases share a day (with received_at alone, every case of the
            # newest day was read and sorted for the first page: 30 ms for a day of 6,700 cases).
            models.Index(fields=["received_at", "id"], name="case_received_idx"),
            models.Index(fields=["reference"]),
            # The report summaries' refresh reads the cases changed since its last run (reports/summary.py).
            models.Index(fields=["updated_at"], name="case_updated_idx"),
            # The report summaries read the cases with a date in a half-month a period cuts (few, by
            # these ranges, OR-ed as a bitmap; received_at has its own above): reports/summary.py.
            models.Index(fields=["accepted_at"], name="case_accepted_idx"),
            models.Index(fields=["decided_at"], name="case_decided_idx"),
            models.Index(fields=["closed_at"], name="case_closed_idx"),
            # Covers every column the resolution and outcome reports read (bench/RESULTS.md).
            models.Index(
                name="case_report_idx",
                fields=[
                    "unit",
                    "received_at",
                    "accepted_at",
                    "decided_at",
                    "closed_at",
                    "kind",
                    "state",
                    "id",
                ],
            ),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    def petitioner_identified(self) -> bool:
        """Whether a petitioner gives a name with an address or ID number, here or on a case this one
        was transferred from: a transfer strips a denouncer's identity (LTC Art. 47), and the unit it
        came from checked it. Reads case_parties through .all() so a prefetch answers it."""
        case: Case | None = self
        while case is not None:
            if any(not cp.party.is_anonymous for cp in case.case_parties.all()):
                return True
            case = case.transferred_from
        return False


class CaseParty(models.Model):
    """Links people to a case. For denunciations the petitioners are denouncers and are sealed."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="case_parties", verbose_name=_("case")
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="case_links", verbose_name=_("person or organization")
    )
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices, default=PartyRole.PETITIONER)
    confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("Denouncer identity (LTC Art. 47)")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "party", "role"], name="uniq_case_party")]
        verbose_name = _("party to a case")
        verbose_name_plural = _("parties to a case")

    def __str__(self) -> str:
        return gettext("%(role)s #%(party)s — case #%(case)s") % {
            "role": self.get_role_display(),
            "party": self.party_id,
            "case": self.case_id,
        }


class Visit(models.Model):
    """One line of the reception book (sổ tiếp công dân)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="visits", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    book_number = models.PositiveIntegerField(_("no. in book"), editable=False)
    officer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="visits", verbose_name=_("officer")
    )
    visited_at = models.DateTimeField(_("time of visit"))
    reception_kind = models.CharField(
        _("reception kind"), max_length=16, choices=ReceptionKind.choices, default=ReceptionKind.REGULAR
    )
    received_by_head = models.BooleanField(_("received by the unit head in person"), default=False)
    visitor_count = models.PositiveIntegerField(_("number of visitors"), default=1)
    is_group = models.BooleanField(_("group (5+ people)"), default=False)
    summary = models.TextField(_("summary of content"))
    previously_handled_by = models.CharField(_("body that already handled it"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=VisitOutcome.choices)
    refusal_reason = models.CharField(
        _("refusal reason"), max_length=32, choices=RefusalReason.choices, blank=True
    )
    guidance = models.TextField(_("guidance given"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    visitors = models.ManyToManyField(Party, related_name="visits", verbose_name=_("visitors"))
    cases = models.ManyToManyField(Case, related_name="visits", blank=True, verbose_name=_("cases"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-visited_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "book_number"], name="uniq_visit_book_number")
        ]
        indexes = [models.Index(fields=["unit", "visited_at"])]
        verbose_name = _("visit (reception book)")
        verbose_name_plural = _("reception book")

    def __str__(self) -> str:
        return f"{self.unit} #{self.book_number}/{self.year}"


class Dialogue(models.Model):
    """A dialogue session: on a case (LKN Art. 30) or a head's periodic dialogue with citizens."""

    kind = models.CharField(_("kind"), max_length=16, choices=DialogueKind.choices, default=DialogueKind.CASE)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dialogues", verbose_name=_("unit"))
    chair = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="chaired_dialogues", verbose_name=_("chair")
    )
    held_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200)
    participants = models.TextField(_("participants"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    agreed_points = models.TextField(_("agreed points"), blank=True)
    complainant_attended = models.BooleanField(_("complainant attended"), default=True)
    absence_with_valid_reason = models.BooleanField(
        _("absence had a valid reason"),
        default=False,
        help_text=_("An absence without valid reason is recorded and resolution continues (Law 136/2025)."),
    )
    cases = models.ManyToManyField(Case, related_name="dialogues", blank=True, verbose_name=_("cases"))
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_at"]
        indexes = [models.Index(fields=["unit", "held_at"])]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.unit} — {timezone.localtime(self.held_at):%d/%m/%Y}"

    @property
    def satisfies_dialogue_requirement(self) -> bool:
        return self.complainant_attended or not self.absence_with_valid_reason


class Deadline(models.Model):
    """One legal clock on a case. The ledger (DeadlineEntry) is the source of truth; `due_date` is derived
    from it and stored so scans and reports can use an index."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=16, choices=DeadlineKind.choices)
    rule_code = models.CharField(_("rule"), max_length=64)
    basis = models.CharField(_("legal basis"), max_length=300)
    day_type = models.CharField(_("day type"), max_length=10, choices=DayType.choices)
    start_date = models.DateField(_("clock started"))
    base_days = models.PositiveSmallIntegerField(_("days"))
    extension_days = models.PositiveSmallIntegerField(_("extension days"), default=0)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.RUNNING
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    reminder_working_days = models.PositiveSmallIntegerField(
        _("reminder (working days before the due date)"), default=3
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="uniq_case_deadline_kind")]
        indexes = [
            # The overdue / due-soon scan reads only running clocks; closed cases never enter this index.
            models.Index(fields=["due_date"], condition=Q(status="running"), name="deadline_running_due_idx"),
            # Reports join each case to its resolution clock index-only.
            models.Index(
                fields=["case", "status", "due_date", "completed_on"],
                condition=Q(kind="resolution"),
                name="deadline_resolution_idx",
            ),
            # ... and the resolution clocks stopped in such a half-month.
            models.Index(
                fields=["completed_on"], condition=Q(kind="resolution"), name="deadline_resolution_stop_idx"
            ),
            # The summary-based reports count the clocks falling due in the current half-month from here.
            models.Index(
                fields=["due_date"], condition=Q(kind="resolution"), name="deadline_resolution_due_idx"
            ),
        ]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.due_date or _('paused')}"

    @property
    def is_open(self) -> bool:
        return self.status in (DeadlineStatus.RUNNING, DeadlineStatus.PAUSED)

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == DeadlineStatus.RUNNING and self.due_date is not None and self.due_date < today

    @property
    def met_on_time(self) -> bool | None:
        if self.status != DeadlineStatus.MET or self.due_date is None:
            return None
        return self.completed_on <= self.due_date


class DeadlineEntry(models.Model):
    """The deadline ledger: start, pauses with their legal reason, extensions, transfers, recomputations."""

    class Kind(models.TextChoices):
        START = "start", _("Clock started")
        PAUSE = "pause", _("Paused")
        RESUME = "resume", _("Resumed")
        EXTEND = "extend", _("Extended")
        TRANSFER = "transfer", _("Transferred")
        RECOMPUTE = "recompute", _("Recomputed after a calendar change")
        COMPLETE = "complete", _("Completed")
        CANCEL = "cancel", _("Cancelled")

    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="entries", verbose_name=_("deadline")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    days = models.SmallIntegerField(_("days"), default=0)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    due_before = models.DateField(_("due date before"), null=True, blank=True)
    due_after = models.DateField(_("due date after"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("deadline ledger entry")
        verbose_name_plural = _("deadline ledger")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%d/%m/%Y}"


class CaseEvent(models.Model):
    """Append-only audit trail of a case: who did what, when, from which state to which."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    actor = models.ForeignKey(
        User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from state"), max_length=24, blank=True)
    to_state = models.CharField(_("to state"), max_length=24, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit records are append-only.")


class CalendarDay(models.Model):
    """The deployment's own word on a day, overriding the shipped calendar (casework.rules.calendar):
    an extra day off or a make-up working day an administrator entered, or a shipped day (statutory
    holiday, government swap) an administrator confirmed in the yearly review. `source` says where the
    answer comes from; `decision_reference` names the decision (number and date) when there is one."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CalendarDayKind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(
        _("source"), max_length=16, choices=CalendarSource.choices, default=CalendarSource.ADMINISTRATOR
    )
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=200,
        blank=True,
        help_text=_("Number and date of the decision, e.g. 12729/VPCP-KGVX of 25/12/2025."),
    )
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Moves on every save: with the row count it tells a process its cached calendar is out of date.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"


class OutboxMessage(models.Model):
    """Written in the same transaction as the change it announces; a relay delivers it later."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    topic = models.CharField(_("topic"), max_length=64)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )
    payload = models.JSONField(_("payload"), default=dict)
    dedup_key = models.CharField(_("dedup key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["id"], condition=Q(status="pending"), name="outbox_pending_idx")]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class AccessLog(models.Model):
    """Every unmasked read of a denouncer's identity and every export of personal data (DOMAIN.md §9;
    Law 91/2025 on Personal Data Protection)."""

    class Kind(models.TextChoices):
        UNMASKED_READ = "unmasked_read", _("Unmasked read of a confidential identity")
        PERSONAL_DATA_READ = "personal_data_read", _("Read of personal data")
        EXPORT = "export", _("Export of personal data")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person or organization"),
    )
    channel = models.CharField(_("channel"), max_length=32, help_text=_("api, admin, export, ..."))
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["user", "at"])]
        verbose_name = _("personal data access record")
        verbose_name_plural = _("personal data access log")

    def __str__(self) -> str:
        return gettext("%(kind)s by #%(user)s at %(at)s") % {
            "kind": self.get_kind_display(),
            "user": self.user_id,
            "at": f"{self.at:%d/%m/%Y %H:%M}",
        }

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Access records are append-only.")
        super().save(*args, **kwargs)


# --- Report summaries (casework.reports.summary) -------------------------------------------------


class ReportSummary(models.Model):
    """Counts behind the resolution reports per unit, case kind and half-month (`bucket` = year * 24 +
    (month - 1) * 2 + (1 from the 15th)); rows without a unit are the national roll-up per authority
    level. Derived data, rebuilt by `casework.reports.summary.refresh`."""

    # Derived rows, rebuilt from the cases (whose unit is checked) and deleted with the unit by the ORM:
    # no index of their own (the (unit, ...) indexes serve) and no constraint check per row written.
    unit = models.ForeignKey(
        Unit, null=True, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # True: the whole subtree of `unit`, a top-level unit (its province's dashboard reads these rows).
    subtree = models.BooleanField(default=False)
    level = models.CharField(max_length=16, choices=AuthorityLevel.choices)
    kind = models.CharField(max_length=16, choices=CaseKind.choices)
    bucket = models.PositiveIntegerField()
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    ended = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["unit", "bucket"], name="report_summary_unit_idx"),
            models.Index(
                fields=["level", "kind", "bucket"],
                condition=Q(unit__isnull=True),
                name="report_summary_national_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id or self.level} {self.kind} {self.bucket}"


class ReportOverdueSummary(models.Model):
    """Regular cases whose resolution clock has a due date, per unit, kind, the first overdue day
    (`overdue_from`, due date + 1; the first day of its half-month when that was over at the build) and
    how the case stops being overdue (`stop_kind` in the half-month `stop`)."""

    OPEN, ENDED, RESOLVED = "open", "ended", "resolved"

    unit = models.ForeignKey(
        Unit, null=True, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # True: the whole subtree of `unit`, a top-level unit (its province's dashboard reads these rows).
    subtree = models.BooleanField(default=False)
    level = models.CharField(max_length=16, choices=AuthorityLevel.choices)
    kind = models.CharField(max_length=16, choices=CaseKind.choices)
    overdue_from = models.DateField()
    stop_kind = models.CharField(max_length=8)
    stop = models.PositiveIntegerField(null=True)
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["unit", "overdue_from"], name="report_overdue_unit_idx"),
            models.Index(
                fields=["level", "kind", "overdue_from"],
                condition=Q(unit__isnull=True),
                name="report_overdue_national_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id or self.level} {self.kind} {self.overdue_from} {self.stop_kind}"


class ReportOverdueSpell(models.Model):
    """The overdue trend's summary: spells during which a case had an audited deadline past due and not
    stopped, the end of day D counting when ``first_day <= D < stop_day`` (``first_day`` = due date + 1,
    ``stop_day`` = the day the clock stopped, None while it runs). A case's overlapping clocks are
    merged into one spell, so summing `cases` counts each case once. Per unit, and per authority level
    without a unit (the national roll-up). Derived data, rebuilt by `casework.reports.summary.refresh`."""

    unit = models.ForeignKey(
        Unit, null=True, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # True: the whole subtree of `unit`, a top-level unit (its province's dashboard reads these rows).
    subtree = models.BooleanField(default=False)
    level = models.CharField(max_length=16, choices=AuthorityLevel.choices)
    first_day = models.DateField()
    stop_day = models.DateField(null=True)
    cases = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["unit", "first_day"], name="report_spell_unit_idx"),
            models.Index(
                fields=["level", "first_day"],
                condition=Q(unit__isnull=True),
                name="report_spell_national_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id or self.level} {self.first_day}–{self.stop_day or ''}"


class ReportIrregularCase(models.Model):
    """Cases whose dates do not decompose into the summaries' one-date counts (e.g. decided after their
    resolution clock was cancelled): the reports count them from the case table."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return str(self.case_id)


class ServiceRating(models.Model):
    """A petitioner's rating of how their case was handled, given once with the case's lookup code after
    the decision: the state's three-level satisfaction scale plus the indicators that fit this work.
    One per case (the database refuses a second); no personal data beyond the citizen's own comment."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="rating", verbose_name=_("case"))
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices)
    timeliness = models.CharField(
        _("time taken against the legal limit"), max_length=8, choices=Timeliness.choices
    )
    contacts = models.PositiveSmallIntegerField(
        _("contacts needed"), help_text=_("Visits, calls or letters the citizen needed, the first included.")
    )
    staff_attitude = models.CharField(_("staff attitude"), max_length=8, choices=Quality.choices)
    answer_clarity = models.CharField(_("clarity of the answer"), max_length=8, choices=Quality.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    class Meta:
        ordering = ["-rated_at"]
        indexes = [models.Index(fields=["rated_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(contacts__gte=1), name="rating_contacts_at_least_one"),
        ]
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")

    def __str__(self) -> str:
        return f"{self.get_satisfaction_display()} — #{self.case_id}"


class DialogueConference(models.Model):
    """A commune government's dialogue conference with its residents (Law on Local Government
    Organisation 2025 Art. 43): scheduled with its time, place or link and topics, announced to the
    public at least N days before, held, its record kept, its results published within M days.

    Two clocks are stored so the deadline scan finds them by index: `notice_due_on` (the last day to
    announce) and, once held, `results_due_on` (the last day to publish the results)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="conferences", verbose_name=_("commune")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ConferenceStatus.choices, default=ConferenceStatus.SCHEDULED
    )
    reason = models.CharField(
        _("reason"), max_length=16, choices=ConferenceReason.choices, default=ConferenceReason.YEARLY
    )
    starts_at = models.DateTimeField(_("time"))
    format = models.CharField(
        _("format"), max_length=16, choices=ConferenceFormat.choices, default=ConferenceFormat.IN_PERSON
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link to attend"), max_length=500, blank=True)
    topics = models.TextField(_("topics"))
    notice_due_on = models.DateField(_("announce by"))
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    participant_count = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    questions = models.TextField(_("questions raised"), blank=True)
    answers = models.TextField(_("answers given"), blank=True)
    commitments = models.TextField(_("commitments"), blank=True)
    cases = models.ManyToManyField(
        Case, related_name="conferences", blank=True, verbose_name=_("cases it produced")
    )
    results_due_on = models.DateField(_("publish results by"), null=True, blank=True)
    results = models.TextField(_("published results"), blank=True)
    results_published_on = models.DateField(_("results published on"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheduled by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["unit", "starts_at"]),
            # The scan's two clocks: only conferences still owing a notice or their results.
            models.Index(
                fields=["notice_due_on"],
                condition=Q(status="scheduled", announced_on__isnull=True),
                name="conference_notice_due_idx",
            ),
            models.Index(
                fields=["results_due_on"],
                condition=Q(status="held", results_published_on__isnull=True),
                name="conference_results_due_idx",
            ),
        ]
        verbose_name = _("dialogue conference")
        verbose_name_plural = _("dialogue conferences")

    def __str__(self) -> str:
        return f"{self.unit} — {timezone.localtime(self.starts_at):%d/%m/%Y}"

    @property
    def announced_on_time(self) -> bool | None:
        if self.announced_on is None:
            return None
        return self.announced_on <= self.notice_due_on

    @property
    def results_on_time(self) -> bool | None:
        if self.results_published_on is None or self.results_due_on is None:
            return None
        return self.results_published_on <= self.results_due_on


# --- Online submissions (public/, workflows.intake.online) -----------------------------------------


class PrivateStorage(FileSystemStorage):
    """Files outside the web root: nothing under settings.PRIVATE_MEDIA_ROOT has a URL; a file is read
    only through a view that checks who asks (the case's staff, or the citizen with the lookup code).
    The location is read from the settings at each use, so a deployment (or a test) may move it."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no URL.")


def _private_storage():
    return PrivateStorage()


class CitizenAccess(models.Model):
    """How the citizen who sent a case online follows it: the receipt's lookup code, kept only as a
    keyed hash (workflows.intake.online.code_digest) and compared in constant time."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="citizen_access", verbose_name=_("case")
    )
    code_digest = models.CharField(_("lookup code (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen's lookup code")
        verbose_name_plural = _("citizens' lookup codes")

    def __str__(self) -> str:
        return str(self.case_id)


class ReportSummaryState(models.Model):
    """One row: the summaries count every case change up to `as_of` (None: never built)."""

    as_of = models.DateTimeField(null=True)
    refreshed_at = models.DateTimeField(null=True)
    # How many cases ReportIrregularCase lists: without any, reports skip their case-table query.
    irregular_cases = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.as_of}"


class Attachment(models.Model):
    """A file a citizen sent with an online submission, stored in private storage after the scan."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    file = models.FileField(_("file"), storage=_private_storage, upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name as sent"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
