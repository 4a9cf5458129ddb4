"""Enumerations shared by the whole system. Values are the API contract of DOMAIN.md §13."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuthorityLevel(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class Role(models.TextChoices):
    RECEPTION_OFFICER = "reception_officer", _("Reception officer")
    HANDLER = "handler", _("Handler")
    UNIT_HEAD = "unit_head", _("Unit head")
    MONITOR = "monitor", _("Monitor")
    ADMINISTRATOR = "administrator", _("Administrator")


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint (khiếu nại)")
    DENUNCIATION = "denunciation", _("Denunciation (tố cáo)")
    RECOMMENDATION = "recommendation", _("Recommendation (kiến nghị)")
    REFLECTION = "reflection", _("Reflection (phản ánh)")


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    TRANSFERRED = "transferred", _("Transferred")
    GUIDED = "guided", _("Guided")
    FILED = "filed", _("Filed (not processed)")
    REJECTED = "rejected", _("Rejected (not accepted)")
    ACCEPTED = "accepted", _("Accepted")
    VERIFYING = "verifying", _("Verifying")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    DECIDED = "decided", _("Decided")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")


# States in which nothing more happens to a case; used by scans and reports.
TERMINAL_STATES = frozenset(
    {
        CaseState.TRANSFERRED,
        CaseState.GUIDED,
        CaseState.FILED,
        CaseState.REJECTED,
        CaseState.WITHDRAWN,
        CaseState.APPEALED,
        CaseState.CLOSED,
    }
)


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    POST = "post", _("Post")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Phone")
    FORWARDED = "forwarded", _("Forwarded (deputy, Front, press, agency)")
    TRANSFERRED_IN = "transferred_in", _("Transferred in")


class Outcome(models.TextChoices):
    RIGHT = "right", _("Right (đúng)")
    PARTLY_RIGHT = "partly_right", _("Partly right (đúng một phần)")
    WRONG = "wrong", _("Wrong (sai)")
    TRUE = "true", _("True (đúng)")
    PARTLY_TRUE = "partly_true", _("Partly true (đúng một phần)")
    UNTRUE = "untrue", _("Untrue (sai)")
    ANSWERED = "answered", _("Answered")


OUTCOMES_BY_KIND = {
    CaseKind.COMPLAINT: (Outcome.RIGHT, Outcome.PARTLY_RIGHT, Outcome.WRONG),
    CaseKind.DENUNCIATION: (Outcome.TRUE, Outcome.PARTLY_TRUE, Outcome.UNTRUE),
    CaseKind.RECOMMENDATION: (Outcome.ANSWERED,),
    CaseKind.REFLECTION: (Outcome.ANSWERED,),
}


class FileReason(models.TextChoices):
    """Why a submission is archived without processing (Circular 05/2021; LTC Art. 25.1)."""

    ANONYMOUS = "anonymous", _("Anonymous or false name")
    NO_ADDRESS = "no_address", _("No name, address or signature")
    UNVERIFIABLE = "unverifiable", _("Identity of the sender cannot be verified")
    UNLAWFUL_FORM = "unlawful_form", _("Unlawful form of submission")
    DUPLICATE = "duplicate", _("Duplicate of a case already being handled")
    ALREADY_GUIDED = "already_guided", _("Already guided once on the same matter")
    ALREADY_RESOLVED = "already_resolved", _("Already resolved; nothing new")
    UNCLEAR_CONTENT = "unclear_content", _("Content unclear and the sender cannot be reached")


class RejectReason(models.TextChoices):
    """Grounds for not accepting a complaint (LKN Art. 11) or a denunciation (LTC Art. 29)."""

    INTERNAL_ACT = "internal_act", _("Internal, normative or state-secret act")
    NOT_AFFECTED = "not_affected", _("The act does not directly affect the complainant")
    NO_CAPACITY = "no_capacity", _("No legal capacity and no lawful representative")
    UNLAWFUL_REPRESENTATIVE = "unlawful_representative", _("Unlawful representative")
    UNSIGNED = "unsigned", _("Letter not signed or finger-printed")
    LIMITATION_EXPIRED = "limitation_expired", _("Limitation period expired without good reason")
    SECOND_DECISION_EXISTS = "second_decision_exists", _("A second-round decision already exists")
    SUSPENSION_LAPSED = "suspension_lapsed", _("30 days after a suspension notice without resumption")
    COURT_SEIZED = "court_seized", _("A court has accepted or decided the matter")
    NOT_COMPETENT = "not_competent", _("Not within the competence of this unit")
    NO_BASIS = "no_basis", _("No basis to identify the violator or the violation")


class RefusalReason(models.TextChoices):
    """Grounds to refuse a visitor (LTCD Art. 9)."""

    INCAPACITATED = "incapacitated", _("Intoxicated or without capacity to control behaviour")
    THREATENING = "threatening", _("Threatening, insulting or breaking the reception rules")
    RESOLVED_PERSISTING = (
        "resolved_persisting",
        _("Persisting on a case correctly resolved, reviewed, notified and explained"),
    )
    OTHER_LEGAL = "other_legal", _("Other case provided by law")


class VisitOutcome(models.TextChoices):
    CASES_OPENED = "cases_opened", _("Case(s) opened")
    GUIDED = "guided", _("Guided elsewhere")
    REFUSED = "refused", _("Reception refused")
    ADDED_TO_CASE = "added_to_case", _("Discussed an existing case")


class ReceptionKind(models.TextChoices):
    REGULAR = "regular", _("Regular (thường xuyên)")
    PERIODIC = "periodic", _("Periodic by the head (định kỳ)")
    AD_HOC = "ad_hoc", _("Ad hoc (đột xuất)")


class DeadlineKind(models.TextChoices):
    PROCESSING = "processing", _("Processing (classification)")
    ACCEPTANCE = "acceptance", _("Acceptance")
    RESOLUTION = "resolution", _("Resolution")
    APPEAL_WINDOW = "appeal_window", _("Appeal window")
    PUBLICATION = "publication", _("Publication of the decision")


class DayType(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


class DeadlineStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


class ExtensionReason(models.TextChoices):
    COMPLEX = "complex", _("Complex")
    VERY_COMPLEX = "very_complex", _("Very complex")


class PartyRole(models.TextChoices):
    PETITIONER = "petitioner", _("Petitioner")
    REPRESENTATIVE = "representative", _("Representative")


class PartyKind(models.TextChoices):
    PERSON = "person", _("Citizen")
    ORGANIZATION = "organization", _("Organization")


class DialogueKind(models.TextChoices):
    CASE = "case", _("Dialogue on a case")
    PERIODIC = "periodic", _("Head's periodic dialogue with citizens")


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")


class CalendarSource(models.TextChoices):
    """Where a day off or a make-up working day comes from, so a person can check it (DOMAIN.md §3)."""

    PACKAGE = "package", _("Statutory holiday (holidays package)")
    DECISION = "decision", _("Government decision")
    ADMINISTRATOR = "administrator", _("Administrator")
