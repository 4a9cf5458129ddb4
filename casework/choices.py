"""Enumerations shared by the whole system. Values are the API contract of DOMAIN.md §13.

Their labels are the one source of the words for every code, in every language: `label()` renders
them in a given language, and the few places that need other words for a code (a notice's running
text, a report file's short column values) find them in PHRASES, translated with pgettext contexts.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
    # The round-2 case an appeal opens: the citizen's own second complaint, not a forwarded letter.
    APPEAL = "appeal", _("Second complaint (appeal)")


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


# A case's `reason_code` holds a filing or a non-acceptance reason; one lookup names either.
CASE_REASON_LABELS = {**dict(FileReason.choices), **dict(RejectReason.choices)}


class LawField(models.TextChoices):
    """The field of law a matter concerns, as the statistics forms of Circular 01/2024 break petitions
    down (02/XLD–04/XLD): one set for every kind; each form folds the fields it has no column for into
    its "other" column (casework.reports.statistics). Empty on a case not classified (older cases)."""

    ADMIN_POLICY = "admin_policy", _("Administrative: policies and benefits")
    ADMIN_LAND_HOUSING = "admin_land_housing", _("Administrative: land and housing")
    ADMIN_CIVIL_SERVICE = "admin_civil_service", _("Administrative: civil service")
    ADMIN_OTHER = "admin_other", _("Administrative: other")
    CORRUPTION = "corruption", _("Corruption")
    JUDICIAL = "judicial", _("Judicial")
    PARTY = "party", _("Party and mass organisations")
    OTHER = "other", _("Other field")


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


# Clocks the unit must beat: the ones reminded, alerted, audited when overdue and shown on worklists.
# The appeal window is the citizen's time, and its lapse closes the case instead.
STAFF_DEADLINES = (
    DeadlineKind.PROCESSING,
    DeadlineKind.ACCEPTANCE,
    DeadlineKind.RESOLUTION,
    DeadlineKind.PUBLICATION,
)


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


class Satisfaction(models.TextChoices):
    """The three levels of the state's service-quality satisfaction index (SIPAS)."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied (rất hài lòng)")
    SATISFIED = "satisfied", _("Satisfied (hài lòng)")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied (không hài lòng)")


class Timeliness(models.TextChoices):
    """The citizen's view of the time taken against the legal limit."""

    EARLY = "early", _("Sooner than the legal limit")
    ON_TIME = "on_time", _("Within the legal limit")
    LATE = "late", _("Later than the legal limit")


class Quality(models.TextChoices):
    """A three-step judgement of one indicator (staff attitude, clarity of the answer)."""

    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class ConferenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ConferenceFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    SOCIAL_NETWORK = "social_network", _("Over a social network")


class ConferenceReason(models.TextChoices):
    """Why a dialogue conference is held (Law on Local Government Organisation 2025 Art. 43)."""

    YEARLY = "yearly", _("Yearly conference")
    VOTER_REQUEST = "voter_request", _("Requested by at least 10% of voters")
    AS_NEEDED = "as_needed", _("When needed")


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")


class Action(models.TextChoices):
    """The transitions a case can take (DOMAIN.md §13 plus `publish`, `await_citizen`,
    `citizen_responded`). The value is the machine's transition name, the API path segment, the
    audit trail's `action` and the suffix of the outbox topic; the label is the button staff see."""

    REVIEW = "review", _("Start review")
    TRANSFER = "transfer", _("Transfer to the competent unit")
    GUIDE = "guide", _("Guide the citizen")
    FILE = "file", _("File (not processed)")
    ACCEPT = "accept", _("Accept (thụ lý)")
    REJECT = "reject", _("Reject (không thụ lý)")
    START_VERIFICATION = "start_verification", _("Assign verification")
    SUBMIT_FOR_APPROVAL = "submit_for_approval", _("Submit for approval")
    RETURN_FOR_REVISION = "return_for_revision", _("Return for revision")
    APPROVE = "approve", _("Approve and sign")
    PUBLISH = "publish", _("Record publication")
    EXTEND = "extend", _("Extend the deadline")
    SUSPEND = "suspend", _("Suspend (tạm đình chỉ)")
    RESUME = "resume", _("Resume")
    WITHDRAW = "withdraw", _("Record withdrawal")
    AWAIT_CITIZEN = "await_citizen", _("Ask the citizen to supplement")
    CITIZEN_RESPONDED = "citizen_responded", _("Citizen has supplemented")
    APPEAL = "appeal", _("Register second-round complaint")
    CLOSE = "close", _("Close the case")
    RECORD_IMPLEMENTATION = "record_implementation", _("Record implementation of the decision")


class AuditStep(models.TextChoices):
    """Entries of the audit trail (`CaseEvent.action`) that are not transitions."""

    REGISTER = "register", _("Registered")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("Deadlines recomputed")
    DIALOGUE_RECORDED = "dialogue_recorded", _("Dialogue recorded")
    WITHDRAWAL_COERCED = "withdrawal_coerced", _("Withdrawal recorded as coerced")
    DOCUMENT_ISSUED = "document_issued", _("Official document issued")


class Topic(models.TextChoices):
    """Outbox topics. `case.<action>` is written by every transition, `case.register` by intake,
    `deadline.<alert>` and `digest.daily` by the deadline scan. Values are stored in the outbox."""

    CASE_REGISTER = "case.register", AuditStep.REGISTER.label
    CASE_REVIEW = "case.review", Action.REVIEW.label
    CASE_TRANSFER = "case.transfer", Action.TRANSFER.label
    CASE_GUIDE = "case.guide", Action.GUIDE.label
    CASE_FILE = "case.file", Action.FILE.label
    CASE_ACCEPT = "case.accept", Action.ACCEPT.label
    CASE_REJECT = "case.reject", Action.REJECT.label
    CASE_START_VERIFICATION = "case.start_verification", Action.START_VERIFICATION.label
    CASE_SUBMIT_FOR_APPROVAL = "case.submit_for_approval", Action.SUBMIT_FOR_APPROVAL.label
    CASE_RETURN_FOR_REVISION = "case.return_for_revision", Action.RETURN_FOR_REVISION.label
    CASE_APPROVE = "case.approve", Action.APPROVE.label
    CASE_PUBLISH = "case.publish", Action.PUBLISH.label
    CASE_EXTEND = "case.extend", Action.EXTEND.label
    CASE_SUSPEND = "case.suspend", Action.SUSPEND.label
    CASE_RESUME = "case.resume", Action.RESUME.label
    CASE_WITHDRAW = "case.withdraw", Action.WITHDRAW.label
    CASE_AWAIT_CITIZEN = "case.await_citizen", Action.AWAIT_CITIZEN.label
    CASE_CITIZEN_RESPONDED = "case.citizen_responded", Action.CITIZEN_RESPONDED.label
    CASE_APPEAL = "case.appeal", Action.APPEAL.label
    CASE_CLOSE = "case.close", Action.CLOSE.label
    CASE_RECORD_IMPLEMENTATION = "case.record_implementation", Action.RECORD_IMPLEMENTATION.label
    # The receipt of an online submission, to the e-mail address the citizen gave (workflows.intake.online).
    INTAKE_RECEIPT = "intake.receipt", _("Receipt of an online submission")
    DEADLINE_REMINDER = "deadline.reminder", _("Deadline reminder")
    DEADLINE_OVERDUE = "deadline.overdue", _("Overdue alert")
    DEADLINE_ESCALATION = "deadline.escalation", _("Escalation of a long-overdue case")
    DIGEST_DAILY = "digest.daily", _("Daily digest")
    CONFERENCE_NOTICE = "conference.notice", _("Dialogue conference: notice due")
    CONFERENCE_RESULTS = "conference.results", _("Dialogue conference: results due")

    @classmethod
    def for_action(cls, action: str) -> Topic:
        """The topic a transition writes (`case.<action>`); ValueError for an unknown action."""
        return cls(f"case.{Action(action)}")


# --- Words for codes ----------------------------------------------------------------------------

# How a notice names a code inside a sentence ("your complaint", "đơn khiếu nại", "Reason: the letter is
# not signed"): lower-case running text, which the labels (headings, lists, buttons) are not.
NOTICE = "notice"
# How a report file names a code in a column whose header already says what it is ("Level: Province",
# "Cấp: Tỉnh"), in the words of the monitoring forms.
REPORT = "report"

PHRASES: dict[str, dict[type[models.Choices], dict[str, Promise]]] = {
    NOTICE: {
        CaseKind: {
            CaseKind.COMPLAINT: pgettext_lazy("notice", "complaint"),
            CaseKind.DENUNCIATION: pgettext_lazy("notice", "denunciation"),
            CaseKind.RECOMMENDATION: pgettext_lazy("notice", "recommendation"),
            CaseKind.REFLECTION: pgettext_lazy("notice", "reflection"),
        },
        DeadlineKind: {
            DeadlineKind.PROCESSING: pgettext_lazy("notice", "processing"),
            DeadlineKind.ACCEPTANCE: pgettext_lazy("notice", "acceptance"),
            DeadlineKind.RESOLUTION: pgettext_lazy("notice", "resolution"),
            DeadlineKind.APPEAL_WINDOW: pgettext_lazy("notice", "appeal window"),
            DeadlineKind.PUBLICATION: pgettext_lazy("notice", "publication of the decision"),
        },
        RejectReason: {
            RejectReason.INTERNAL_ACT: pgettext_lazy(
                "notice", "an internal or normative act, or one classified as a state secret"
            ),
            RejectReason.NOT_AFFECTED: pgettext_lazy(
                "notice", "the decision or act does not directly affect the complainant"
            ),
            RejectReason.NO_CAPACITY: pgettext_lazy(
                "notice", "no legal capacity and no lawful representative"
            ),
            RejectReason.UNLAWFUL_REPRESENTATIVE: pgettext_lazy("notice", "the representative is not lawful"),
            RejectReason.UNSIGNED: pgettext_lazy("notice", "the letter is not signed or finger-printed"),
            RejectReason.LIMITATION_EXPIRED: pgettext_lazy(
                "notice", "the limitation period expired without good reason"
            ),
            RejectReason.SECOND_DECISION_EXISTS: pgettext_lazy(
                "notice", "a second-round decision already exists"
            ),
            RejectReason.SUSPENSION_LAPSED: pgettext_lazy(
                "notice", "30 days passed after a suspension notice without resumption"
            ),
            RejectReason.COURT_SEIZED: pgettext_lazy("notice", "a court has accepted or decided the matter"),
            RejectReason.NOT_COMPETENT: pgettext_lazy(
                "notice", "the matter is not within this unit's competence"
            ),
            RejectReason.NO_BASIS: pgettext_lazy(
                "notice", "there is no basis to identify the violator or the violation"
            ),
        },
        Outcome: {
            Outcome.RIGHT: pgettext_lazy("notice", "right"),
            Outcome.PARTLY_RIGHT: pgettext_lazy("notice", "partly right"),
            Outcome.WRONG: pgettext_lazy("notice", "wrong"),
            Outcome.TRUE: pgettext_lazy("notice", "true"),
            Outcome.PARTLY_TRUE: pgettext_lazy("notice", "partly true"),
            Outcome.UNTRUE: pgettext_lazy("notice", "untrue"),
            Outcome.ANSWERED: pgettext_lazy("notice", "answered"),
        },
    },
    REPORT: {
        AuthorityLevel: {
            AuthorityLevel.CENTRAL: pgettext_lazy("report", "Central"),
            AuthorityLevel.PROVINCE: pgettext_lazy("report", "Province"),
            AuthorityLevel.DISTRICT: pgettext_lazy("report", "District"),
            AuthorityLevel.COMMUNE: pgettext_lazy("report", "Commune"),
        },
        CaseKind: {
            CaseKind.COMPLAINT: pgettext_lazy("report", "Complaint"),
            CaseKind.DENUNCIATION: pgettext_lazy("report", "Denunciation"),
            CaseKind.RECOMMENDATION: pgettext_lazy("report", "Recommendation"),
            CaseKind.REFLECTION: pgettext_lazy("report", "Reflection"),
        },
        DeadlineKind: {
            DeadlineKind.PROCESSING: pgettext_lazy("report", "Processing"),
            DeadlineKind.ACCEPTANCE: pgettext_lazy("report", "Acceptance"),
            DeadlineKind.RESOLUTION: pgettext_lazy("report", "Resolution"),
            DeadlineKind.APPEAL_WINDOW: pgettext_lazy("report", "Appeal window"),
            DeadlineKind.PUBLICATION: pgettext_lazy("report", "Publication of the decision"),
        },
    },
}


def label(
    choices: type[models.Choices], code: str | None, lang: str | None = None, *, context: str = ""
) -> str:
    """The words for `code` of the enumeration `choices`: its label, or with `context` (NOTICE, REPORT)
    the phrase for that context where one exists; rendered in `lang` (the active language if None).

    An empty code gives ""; a code the enumeration does not know is returned as it is."""
    if code is None or code == "":
        return ""
    try:
        member = choices(code)
    except ValueError:
        return str(code)
    words = PHRASES.get(context, {}).get(choices, {}).get(member, member.label)
    with translation.override(lang) if lang else nullcontext():
        return str(words)


class CalendarSource(models.TextChoices):
    """Where a day off or a make-up working day comes from, so a person can check it (DOMAIN.md §3)."""

    PACKAGE = "package", _("Statutory holiday (holidays package)")
    DECISION = "decision", _("Government decision")
    ADMINISTRATOR = "administrator", _("Administrator")
