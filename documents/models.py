"""Official documents: the templates the law prescribes (versioned data), the outgoing register of a
unit (one gap-free counter per unit, year and document kind) and the documents issued from them.

A document holds the content it was issued with (the filled paper as JSON), so its DOCX and PDF are
rendered from the same frozen data at any later time; once written it never changes (a correction is
a new document pointing at the old one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Case, Unit, Visit


class Verification(models.TextChoices):
    """How far a template's form number and title were checked (the tags of FORMS.md)."""

    VERIFIED = "verified", _("Confirmed against an official copy")
    SECONDARY = "secondary", _("Seen in one secondary copy only")
    UNVERIFIED = "unverified", _("Not confirmed")


class DocumentTemplate(models.Model):
    """One version of a prescribed form. `code` is stable across versions (the API names it); the form
    number, title and legal basis belong to the version in force on the paper's date."""

    code = models.SlugField(_("form code"), max_length=64)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    form_number = models.CharField(_("form number"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Last day in force."))
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    verification_note = models.CharField(_("what is not confirmed"), max_length=300, blank=True)
    document_kind = models.CharField(
        _("document kind (symbol)"),
        max_length=8,
        help_text=_("QĐ, TB, BB, PC ... (Decree 30/2020, App. III)"),
    )
    case_kinds = models.JSONField(_("kinds of case"), default=list)
    rounds = models.JSONField(_("complaint rounds"), default=list, blank=True, help_text=_("empty: any"))
    states = models.JSONField(_("case states"), default=list, blank=True, help_text=_("empty: any"))
    action = models.CharField(_("action it documents"), max_length=40, blank=True)
    issuer_roles = models.JSONField(_("roles that may issue"), default=list)

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_document_template_version"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="document_template_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["code", "valid_from"])]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.form_number})"


class RegisterCounter(models.Model):
    """The last outgoing number of a unit's register for one year and document kind; its row is locked
    while a document is issued, so numbers are unique and without gaps."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    document_kind = models.CharField(_("document kind (symbol)"), max_length=8)
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "document_kind"], name="uniq_register_counter")
        ]
        verbose_name = _("register counter")
        verbose_name_plural = _("register counters")

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}/{self.document_kind}: {self.last_number}"


class Document(models.Model):
    """One issued document: a line of the unit's outgoing register, with the content it was issued with.
    It belongs to a case or, for a visit that produced none (a refusal to receive), to the visit."""

    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("case"),
    )
    visit = models.ForeignKey(
        Visit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("visit"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing unit"))
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.PROTECT, related_name="documents", verbose_name=_("template")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    document_kind = models.CharField(_("document kind (symbol)"), max_length=8)
    number = models.PositiveIntegerField(_("number"))
    symbol = models.CharField(_("number and symbol"), max_length=64, help_text=_("e.g. 15/QĐ-UBND"))
    issued_on = models.DateField(_("date on the paper"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    fields = models.JSONField(_("fields entered when issuing"), default=dict, blank=True)
    content = models.JSONField(_("content"), help_text=_("The filled paper both formats are rendered from."))
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects document"),
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "document_kind", "number"], name="uniq_document_register_number"
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False, visit__isnull=True)
                | Q(case__isnull=True, visit__isnull=False),
                name="document_of_case_or_visit",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "issued_on"]),
            models.Index(fields=["visit", "issued_on"]),
            models.Index(fields=["unit", "year", "document_kind"]),
        ]
        verbose_name = _("official document")
        verbose_name_plural = _("register of official documents")

    def __str__(self) -> str:
        return f"{self.symbol} ({self.template.code})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("An issued document is immutable; issue a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An issued document is immutable; issue a correction instead.")
