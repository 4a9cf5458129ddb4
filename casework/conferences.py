"""Dialogue conferences of a commune government with its residents (Law on Local Government
Organisation 2025 Art. 43; DOMAIN.md §11): schedule, announce, hold and record, publish the results.

Why a model of its own and not a `Dialogue` of kind PERIODIC: a conference is announced before it is
held and published after, with two legal clocks and a public face, while a `Dialogue` records a
session already held, whose free text is scrubbed of denouncers and never published. Keeping them
apart means no public page can ever read a case dialogue, and no report counts a conference that has
not been held. The reception report counts both (a unit may still record a periodic dialogue).

The clocks (legal numbers from casework.rules.policy, the rows in force on the conference's date):
* notice: announced on or before `notice_due_on` = the conference's date minus N days (N = 7 plain
  days: counted back from the conference, never rolled — a notice on the mass media may go out on
  any day);
* results: published on or before `results_due_on` = M days (M = 10 plain days) after the day it was
  held, the day itself not counted, a last day on a weekend or holiday rolling to the next working
  day (Civil Code 2015 Arts. 147–148), on the working-day calendar (casework.rules.calendar).
The deadline scan (workflows.scan) reminds and alerts the commune's heads on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import can_act_in, visible_cases
from .choices import AuthorityLevel, ConferenceFormat, ConferenceReason, ConferenceStatus, DayType
from .models import Case, DialogueConference, Unit
from .rules import policy
from .rules.calendar import WorkingCalendar
from .rules.periods import compute_due
from .services import DIALOGUE_ROLES, NotPermitted, ServiceError
from .text import text_errors

MAX_TEXT = 20000


def _parameter(code: str, on: date):
    return policy.legal_value(f"dialogue.commune.{code}", on)


def notice_due_on(conference_day: date, calendar: WorkingCalendar | None = None) -> date:
    """The last day to announce a conference held on `conference_day`."""
    days = _parameter("notice_days_before", conference_day)
    if _parameter("day_type", conference_day) == DayType.WORKING:
        calendar = calendar or WorkingCalendar.load()
        day = conference_day
        while days > 0:
            day -= timedelta(days=1)
            days -= calendar.is_working_day(day)
        return day
    return conference_day - timedelta(days=days)


def results_due_on(held_on: date, calendar: WorkingCalendar | None = None) -> date:
    """The last day to publish the results of a conference held on `held_on`."""
    return compute_due(
        start=held_on,
        days=_parameter("results_days_after", held_on),
        day_type=_parameter("day_type", held_on),
        pauses=[],
        calendar=calendar or WorkingCalendar.load(),
    ).due_date


def is_commune(unit: Unit) -> bool:
    return unit.level.authority_level == AuthorityLevel.COMMUNE and not unit.level.is_agency


def _check_actor(actor, unit: Unit) -> None:
    if not can_act_in(actor, unit, DIALOGUE_ROLES):
        raise NotPermitted(_("Only staff of %(unit)s organise its dialogue conferences.") % {"unit": unit})


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _refusal(errors: dict[str, list[str]], codes: dict[str, list[str]] | None = None) -> ServiceError:
    """The refusal, with a code for what depends on the conference's state, on today or on the cases
    held, or for invisible text (the other messages are `invalid`)."""
    codes = {"status": ["wrong_state"], "cases": ["does_not_exist"], **(codes or {})}
    if errors.get("held_on") == [_("No rule for dialogue conferences was in force on this date.")]:
        codes["held_on"] = ["no_rules_in_force"]
    for name in ("announced_on", "held_on", "published_on"):
        if errors.get(name) == [_("Not a date in the future.")]:
            codes[name] = ["in_future"]
        elif errors.get(name) == [_("Not before the conference.")]:
            codes[name] = ["before_conference"]
    return ServiceError(errors, {k: v for k, v in codes.items() if k in errors})


def _not_future(errors: dict, name: str, day: date | None) -> None:
    if day is not None and day > timezone.localdate():
        errors[name] = [_("Not a date in the future.")]


def _where(errors: dict, fmt: str, place: str, link: str) -> None:
    if fmt not in ConferenceFormat.values:
        errors["format"] = [_("Must be one of: %(c)s.") % {"c": ", ".join(ConferenceFormat.values)}]
    elif fmt == ConferenceFormat.IN_PERSON and not place.strip():
        errors["place"] = [_("Give the place of a conference held in person.")]
    elif fmt != ConferenceFormat.IN_PERSON and not link.strip():
        errors["link"] = [_("Give the link of a conference held online or over a social network.")]


@transaction.atomic
def schedule_conference(
    *,
    actor,
    unit: Unit,
    starts_at: datetime,
    topics: str,
    format: str = ConferenceFormat.IN_PERSON,
    place: str = "",
    link: str = "",
    reason: str = ConferenceReason.YEARLY,
) -> DialogueConference:
    """Schedule a conference; its notice clock starts now (announce by `notice_due_on`)."""
    _check_actor(actor, unit)
    errors: dict[str, list[str]] = {}
    if not is_commune(unit):
        errors["unit"] = [_("Dialogue conferences with residents are held by commune governments.")]
    if reason not in ConferenceReason.values:
        errors["reason"] = [_("Must be one of: %(c)s.") % {"c": ", ".join(ConferenceReason.values)}]
    _where(errors, format, place, link)
    if not topics.strip():
        errors["topics"] = [_("This field is required.")]
    for name, value in (("topics", topics), ("place", place)):
        if len(value) > MAX_TEXT:
            errors[name] = [_("At most %(n)d characters.") % {"n": MAX_TEXT}]
    codes: dict[str, list[str]] = {}
    text_errors(errors, {"topics": topics, "place": place, "link": link}, codes=codes)
    day = _local_day(starts_at)
    try:
        due = notice_due_on(day)
    except policy.RuleNotFound:
        errors["starts_at"] = [_("No rule for dialogue conferences was in force on this date.")]
    if errors:
        # Refusals that depend on the unit held or on the policy table carry their own code.
        codes |= {"unit": ["not_a_commune"], "starts_at": ["no_rules_in_force"]}
        raise ServiceError(errors, {k: v for k, v in codes.items() if k in errors})
    return DialogueConference.objects.create(
        unit=unit,
        reason=reason,
        starts_at=starts_at,
        format=format,
        place=place.strip(),
        link=link.strip(),
        topics=topics.strip(),
        notice_due_on=due,
        created_by=actor,
    )


def _locked(conference: DialogueConference) -> DialogueConference:
    return DialogueConference.objects.select_for_update().select_related("unit__level").get(pk=conference.pk)


@transaction.atomic
def announce_conference(
    *, actor, conference: DialogueConference, on: date | None = None
) -> DialogueConference:
    """Publish the notice (the public pages list it from now on); `on` is the day it went out on the
    mass media, today by default."""
    conference = _locked(conference)
    _check_actor(actor, conference.unit)
    on = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if conference.status != ConferenceStatus.SCHEDULED:
        errors["status"] = [_("Only a scheduled conference is announced.")]
    elif conference.announced_on is not None:
        errors["status"] = [_("Already announced.")]
    _not_future(errors, "announced_on", on)
    if errors:
        raise _refusal(errors)
    conference.announced_on = on
    conference.save(update_fields=["announced_on", "updated_at"])
    return conference


@transaction.atomic
def record_conference(
    *,
    actor,
    conference: DialogueConference,
    held_on: date,
    participant_count: int | None = None,
    participants: str = "",
    questions: str = "",
    answers: str = "",
    commitments: str = "",
    cases: Iterable[Case] = (),
) -> DialogueConference:
    """Keep the record of a conference that was held; its results clock starts on `held_on`."""
    conference = _locked(conference)
    _check_actor(actor, conference.unit)
    cases = list(cases)
    errors: dict[str, list[str]] = {}
    if conference.status != ConferenceStatus.SCHEDULED:
        errors["status"] = [_("Only a scheduled conference is recorded as held.")]
    _not_future(errors, "held_on", held_on)
    if participant_count is not None and participant_count < 0:
        errors["participant_count"] = [_("Not a negative number.")]
    for name, value in (
        ("participants", participants),
        ("questions", questions),
        ("answers", answers),
        ("commitments", commitments),
    ):
        if len(value) > MAX_TEXT:
            errors[name] = [_("At most %(n)d characters.") % {"n": MAX_TEXT}]
    if not questions.strip():
        errors["questions"] = [_("Record the questions raised.")]
    codes: dict[str, list[str]] = {}
    texts = {
        "participants": participants,
        "questions": questions,
        "answers": answers,
        "commitments": commitments,
    }
    text_errors(errors, texts, codes=codes)
    visible = set(visible_cases(actor).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True))
    if any(c.pk not in visible for c in cases):
        errors["cases"] = [_("Only cases you may see.")]
    try:
        due = results_due_on(held_on)
    except policy.RuleNotFound:  # a day before the law's rule: a 400, not a 500
        due = None
        errors.setdefault("held_on", [_("No rule for dialogue conferences was in force on this date.")])
    if errors:
        raise _refusal(errors, codes)
    conference.status = ConferenceStatus.HELD
    conference.held_on = held_on
    conference.results_due_on = due
    conference.participant_count = participant_count
    conference.participants = participants.strip()
    conference.questions = questions.strip()
    conference.answers = answers.strip()
    conference.commitments = commitments.strip()
    conference.save()
    conference.cases.set(cases)
    return conference


@transaction.atomic
def publish_conference_results(
    *, actor, conference: DialogueConference, results: str, on: date | None = None
) -> DialogueConference:
    """Publish the results (the public results page shows them from now on); `on` is the day they were
    announced on the mass media and posted at the commune's office, today by default."""
    conference = _locked(conference)
    _check_actor(actor, conference.unit)
    on = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if conference.status != ConferenceStatus.HELD:
        errors["status"] = [_("Results are published once the conference is held and recorded.")]
    elif conference.results_published_on is not None:
        errors["status"] = [_("Already published.")]
    elif on < conference.held_on:
        errors["published_on"] = [_("Not before the conference.")]
    _not_future(errors, "published_on", on)
    if not results.strip():
        errors["results"] = [_("This field is required.")]
    elif len(results) > MAX_TEXT:
        errors["results"] = [_("At most %(n)d characters.") % {"n": MAX_TEXT}]
    codes: dict[str, list[str]] = {}
    text_errors(errors, {"results": results}, codes=codes)
    if errors:
        raise _refusal(errors, codes)
    conference.results = results.strip()
    conference.results_published_on = on
    conference.save(update_fields=["results", "results_published_on", "updated_at"])
    return conference


@transaction.atomic
def cancel_conference(*, actor, conference: DialogueConference) -> DialogueConference:
    conference = _locked(conference)
    _check_actor(actor, conference.unit)
    if conference.status != ConferenceStatus.SCHEDULED:
        raise _refusal({"status": [_("Only a scheduled conference is cancelled.")]})
    conference.status = ConferenceStatus.CANCELLED
    conference.save(update_fields=["status", "updated_at"])
    return conference


def public_conferences():
    """What the public pages may list: conferences announced (notice out) and not cancelled."""
    return (
        DialogueConference.objects.filter(announced_on__isnull=False)
        .exclude(status=ConferenceStatus.CANCELLED)
        .select_related("unit")
    )
