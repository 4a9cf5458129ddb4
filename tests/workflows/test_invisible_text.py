"""Free text a reader will see is refused when it is only invisible characters, wherever it is typed:
a zero-width space or a right-to-left mark passes `.strip()` and a schema's `\\S`, and would be stored
as a record that looks blank (a dialogue's minutes would even satisfy the dialogue guard). The code is
`not_visible`, as at intake; text of spaces alone is still blank (required) or empty (optional)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from casework import conferences
from casework.choices import (
    CalendarDayKind,
    CaseKind,
    CaseState,
    DialogueKind,
    Quality,
    Satisfaction,
    Timeliness,
)
from casework.models import CalendarDay, CaseEvent, Dialogue, DialogueConference, ServiceRating
from casework.ratings import rate_case
from casework.services import ServiceError, correct_party, record_dialogue
from tests.factories import act
from tests.helpers import TODAY, drive, new_case
from workflows.clocks import override_calendar_day
from workflows.errors import RuleViolation, ValidationFailed

pytestmark = pytest.mark.django_db

ZERO_WIDTH = "\u200b\u200c\u200d"
RTL_MARK = " \u200f "


def at(day: date, hour: int = 8) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.mark.parametrize("invisible", [ZERO_WIDTH, RTL_MARK])
def test_a_conference_topic_of_invisible_characters_is_refused_as_not_visible(org, frozen_today, invisible):
    frozen_today(date(2026, 3, 2))
    with pytest.raises(ServiceError) as error:
        conferences.schedule_conference(
            actor=org.head,
            unit=org.commune,
            starts_at=at(date(2026, 3, 20)),
            topics=invisible,
            place="Hội trường",
        )
    assert error.value.codes == {"topics": ["not_visible"]}
    assert not DialogueConference.objects.exists()


def test_a_conference_place_of_spaces_is_missing_and_of_invisible_characters_not_visible(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    day = at(date(2026, 3, 20))
    with pytest.raises(ServiceError) as blank:
        conferences.schedule_conference(
            actor=org.head, unit=org.commune, starts_at=day, topics="Đường", place="  "
        )
    assert blank.value.codes == {"place": ["invalid"]}
    with pytest.raises(ServiceError) as invisible:
        conferences.schedule_conference(
            actor=org.head, unit=org.commune, starts_at=day, topics="Đường", place=ZERO_WIDTH
        )
    assert invisible.value.codes == {"place": ["not_visible"]}


def test_a_conference_record_and_its_results_need_visible_text(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    conference = conferences.schedule_conference(
        actor=org.head, unit=org.commune, starts_at=at(date(2026, 3, 10)), topics="Đường", place="Hội trường"
    )
    frozen_today(date(2026, 3, 10))
    with pytest.raises(ServiceError) as record:
        conferences.record_conference(
            actor=org.head,
            conference=conference,
            held_on=date(2026, 3, 10),
            questions=ZERO_WIDTH,
            answers=RTL_MARK,
        )
    assert record.value.codes == {"questions": ["not_visible"], "answers": ["not_visible"]}
    # An optional text of spaces alone is simply empty.
    held = conferences.record_conference(
        actor=org.head, conference=conference, held_on=date(2026, 3, 10), questions="Giá nước", answers="   "
    )
    assert (held.status, held.answers) == ("held", "")
    with pytest.raises(ServiceError) as results:
        conferences.publish_conference_results(actor=org.head, conference=held, results=ZERO_WIDTH)
    assert results.value.codes == {"results": ["not_visible"]}
    held.refresh_from_db()
    assert held.results_published_on is None


def test_dialogue_minutes_of_invisible_characters_do_not_record_a_dialogue(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, CaseKind.COMPLAINT), org, CaseState.ACCEPTED)
    with pytest.raises(ServiceError) as error:
        record_dialogue(
            actor=org.head,
            unit=org.commune,
            kind=DialogueKind.CASE,
            chair=org.head,
            held_at=timezone.now() - timedelta(hours=1),
            place="Trụ sở UBND",
            minutes=ZERO_WIDTH,
            cases=[case],
        )
    assert error.value.codes == {"minutes": ["not_visible"]}
    assert not Dialogue.objects.exists()


@pytest.mark.parametrize(("reason", "code"), [(ZERO_WIDTH, "not_visible"), ("   ", "required")])
def test_an_action_reason_needs_a_visible_character(org, frozen_today, reason, code):
    frozen_today(TODAY)
    case = drive(new_case(org, CaseKind.COMPLAINT), org, CaseState.ACCEPTED)
    with pytest.raises(ValidationFailed) as error:
        act(case, "suspend", org.head, reason=reason)
    assert error.value.extra["codes"] == {"reason": [code]}
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert not CaseEvent.objects.filter(case=case, action="suspend").exists()


def test_an_optional_action_note_of_invisible_characters_is_refused(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, CaseKind.COMPLAINT), org, CaseState.UNDER_REVIEW)
    with pytest.raises(ValidationFailed) as error:
        act(case, "accept", org.head, note=RTL_MARK)
    assert error.value.extra["codes"] == {"note": ["not_visible"]}


def test_a_rating_comment_of_invisible_characters_is_refused(org, frozen_today):
    frozen_today(TODAY)
    decided = drive(new_case(org, CaseKind.RECOMMENDATION), org, CaseState.DECIDED)
    scale = {
        "satisfaction": Satisfaction.SATISFIED,
        "timeliness": Timeliness.ON_TIME,
        "contacts": 1,
        "staff_attitude": Quality.GOOD,
        "answer_clarity": Quality.GOOD,
    }
    with pytest.raises(ServiceError) as error:
        rate_case(case=decided, comment=ZERO_WIDTH, **scale)
    assert error.value.codes == {"comment": ["not_visible"]}
    assert rate_case(case=decided, comment="  ", **scale).comment == ""
    assert ServiceRating.objects.count() == 1


def test_a_correction_or_a_calendar_override_needs_a_visible_reason(org, frozen_today):
    frozen_today(TODAY)
    party = new_case(org, CaseKind.COMPLAINT).case_parties.first().party
    with pytest.raises(ServiceError) as correction:
        correct_party(party=party, actor=org.reception, changes={"phone": "0912345678"}, reason=ZERO_WIDTH)
    assert correction.value.codes == {"reason": ["not_visible"]}
    with pytest.raises(RuleViolation) as override:
        override_calendar_day(
            day=date(2026, 11, 24), kind=CalendarDayKind.DAY_OFF, reason=ZERO_WIDTH, actor=org.head
        )
    assert override.value.code == "reason_required"
    assert not CalendarDay.objects.exists()
