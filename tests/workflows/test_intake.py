"""Intake: registration, the checks that inform classification, reference numbers, group petitions
and the reception book."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.choices import CaseKind, Channel, DeadlineKind, VisitOutcome
from casework.choices import CaseState as S
from casework.models import Case, CaseParty, Party, Visit
from tests.factories import act, petitioner
from tests.helpers import RECEIVED, TODAY, counts, drive, new_case
from workflows.errors import Forbidden, ValidationFailed
from workflows.intake import CaseInput, PetitionerInput, VisitInput, record_visit

pytestmark = pytest.mark.sql

LAND = "Khiếu nại quyết định thu hồi đất của UBND xã"
LAND_AGAIN = "Khiếu nại Quyết định thu hồi đất của UBND xã A đối với thửa đất số 12"
PERMIT = "Khiếu nại việc cấp giấy phép xây dựng cho hàng xóm"


def codes(case) -> list[str]:
    return [f["code"] for f in case.intake_flags]


def repeat_flags(case) -> list[dict]:
    return [f for f in case.intake_flags if f["code"] == "possible_repeat"]


# --- Possible repeats ---------------------------------------------------------------------------


def test_same_petitioner_with_a_similar_open_case_is_flagged_as_possible_repeat(org, frozen_today):
    frozen_today(TODAY)
    first = new_case(org, summary=LAND)
    second = new_case(org, summary=LAND_AGAIN, petitioners=[petitioner(1, full_name="Nguyễn V. Một")])
    [flag] = repeat_flags(second)
    assert (flag["case_id"], flag["reference"], flag["state"]) == (first.pk, first.reference, S.RECEIVED)
    assert flag["similarity"] >= 0.55
    assert "open case" in flag["message"]
    # The registration event carries the flags into the audit trail.
    assert second.events.get(action="register").changes["intake_flags"][1] == second.intake_flags


def test_same_petitioner_with_a_similar_resolved_case_is_flagged_as_already_resolved(org, frozen_today):
    frozen_today(TODAY)
    first = drive(new_case(org, summary=LAND), org, S.DECIDED)
    frozen_today(date(2026, 4, 21))  # after the appeal window
    first = act(first, "close", org.head)
    second = new_case(org, summary=LAND_AGAIN, received_at=date(2026, 4, 21))
    [flag] = repeat_flags(second)
    assert (flag["case_id"], flag["state"]) == (first.pk, S.CLOSED)
    assert "already resolved" in flag["message"]


def test_same_petitioner_on_a_different_matter_is_not_a_repeat(org, frozen_today):
    frozen_today(TODAY)
    new_case(org, summary=LAND)
    assert repeat_flags(new_case(org, summary=PERMIT)) == []


def test_different_petitioner_on_the_same_matter_is_not_a_repeat(org, frozen_today):
    frozen_today(TODAY)
    new_case(org, summary=LAND)
    assert repeat_flags(new_case(org, summary=LAND, petitioners=[petitioner(2)])) == []


def test_same_matter_at_another_unit_is_not_a_repeat_here(org, frozen_today):
    frozen_today(TODAY)
    new_case(org, summary=LAND)
    assert repeat_flags(new_case(org, summary=LAND, unit=org.province)) == []


def test_petitioner_without_id_number_is_matched_by_name_and_address(org, frozen_today):
    frozen_today(TODAY)
    person = petitioner(3, id_number="")
    first = new_case(org, summary=LAND, petitioners=[person])
    second = new_case(org, summary=LAND, petitioners=[person])
    assert [f["case_id"] for f in repeat_flags(second)] == [first.pk]


def test_name_typed_without_diacritics_or_in_capitals_still_matches_the_petitioner(org, frozen_today):
    frozen_today(TODAY)
    first = new_case(org, summary=LAND, petitioners=[petitioner(3, id_number="", full_name="Đặng Thị Ánh")])
    typed = petitioner(3, id_number="", full_name="DANG  THI ANH")
    second = new_case(org, summary=LAND, petitioners=[typed])
    assert [f["case_id"] for f in repeat_flags(second)] == [first.pk]


def test_case_transferred_away_is_not_a_repeat(org, frozen_today):
    frozen_today(TODAY)
    first = new_case(org, summary=LAND)
    act(first, "transfer", org.reception, target_unit=org.other_commune.pk)
    assert repeat_flags(new_case(org, summary=LAND)) == []


def test_same_id_number_reuses_the_person_on_file_when_the_paper_reads_the_same(org, frozen_today):
    frozen_today(TODAY)
    first = new_case(org, summary=LAND)
    second = new_case(org, summary=PERMIT)
    [party] = Party.objects.all()
    assert {first.pk, second.pk} == set(
        CaseParty.objects.filter(party=party).values_list("case_id", flat=True)
    )
    assert "identity_differs" not in codes(second)


def test_a_new_phone_on_a_later_paper_does_not_change_the_earlier_case(org, frozen_today):
    frozen_today(TODAY)
    first = new_case(org, summary=LAND)
    second = new_case(org, summary=PERMIT, petitioners=[petitioner(1, phone="0988000111")])
    assert first.case_parties.get().party.phone == petitioner(1)["phone"]
    assert second.case_parties.get().party.phone == "0988000111"
    [flag] = [f for f in second.intake_flags if f["code"] == "identity_differs"]
    assert flag["fields"] == ["phone"]


# --- Skipped level, anonymity, limitation -------------------------------------------------------


def test_first_round_complaint_at_the_province_about_a_commune_decision_skips_a_level(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org, unit=org.province, respondent_unit=org.commune)
    assert "skipped_level" in codes(case)


def test_first_round_complaint_about_the_units_own_decision_is_not_flagged(org, frozen_today):
    frozen_today(TODAY)
    assert "skipped_level" not in codes(new_case(org, respondent_unit=org.commune))
    assert "skipped_level" not in codes(new_case(org, unit=org.province, respondent_unit=org.province))


def test_second_round_complaint_at_the_first_round_unit_skips_a_level(org, frozen_today):
    frozen_today(TODAY)
    first = new_case(org, summary=LAND)
    second = new_case(org, summary=PERMIT, round=2, first_round_case=first)
    assert "skipped_level" in codes(second)
    above = new_case(org, unit=org.province, round=2, first_round_case=first)
    assert "skipped_level" not in codes(above)


def test_second_round_complaint_without_the_first_round_case_is_flagged(org, frozen_today):
    frozen_today(TODAY)
    assert "first_round_unknown" in codes(new_case(org, unit=org.province, round=2))


@pytest.mark.parametrize(
    "people",
    [[], [{"full_name": "Ẩn danh"}], [{"full_name": "", "address": "Thôn 3"}]],
    ids=["nobody", "name-only", "address-only"],
)
def test_anonymous_complaint_is_flagged(org, frozen_today, people):
    frozen_today(TODAY)
    assert "anonymous_complaint" in codes(new_case(org, petitioners=people))


def test_an_id_number_without_a_name_is_refused_at_intake(org, frozen_today):
    # Not anonymous (the ID names the person) and not identified (no name): the officer asks for it.
    frozen_today(TODAY)
    with pytest.raises(ValidationFailed) as refused:
        new_case(org, petitioners=[{"full_name": "", "id_number": "001090012345"}])
    assert "petitioners[0].full_name" in refused.value.errors


def test_named_complaint_is_not_flagged_anonymous(org, frozen_today):
    frozen_today(TODAY)
    assert codes(new_case(org)) == []


def test_complaint_after_the_limitation_period_is_flagged(org, frozen_today):
    frozen_today(TODAY)
    # Day 90 is Friday 13/03/2026; days 91 and 92 fall on the weekend, which the last day rolls over.
    assert "limitation_expired" in codes(new_case(org, decision_known_at=RECEIVED - timedelta(days=93)))
    assert "limitation_expired" not in codes(new_case(org, decision_known_at=RECEIVED - timedelta(days=90)))
    excused = new_case(org, decision_known_at=date(2025, 1, 1), limitation_excuse="Ốm nặng")
    assert "limitation_expired" not in codes(excused)


# --- Reference numbers --------------------------------------------------------------------------


def test_reference_numbers_are_sequential_per_unit_and_year(org, frozen_today):
    frozen_today(TODAY)
    here = [new_case(org) for _ in range(3)]
    there = new_case(org, unit=org.province)
    last_year = new_case(org, received_at=date(2025, 12, 30))
    fourth = new_case(org)
    assert [c.reference for c in [*here, fourth]] == [f"XA-A/2026/0000{n}" for n in (1, 2, 3, 4)]
    assert [c.sequence for c in [*here, fourth]] == [1, 2, 3, 4]
    assert there.reference == "TINH/2026/00001"
    assert (last_year.year, last_year.reference) == (2025, "XA-A/2025/00001")
    assert Case.objects.values("reference").distinct().count() == Case.objects.count()


def test_reference_is_unique_per_unit_and_year_in_the_database(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org)
    clone = Case.objects.get(pk=case.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


# --- Groups -------------------------------------------------------------------------------------


def test_five_or_more_petitioners_make_a_group(org, frozen_today):
    frozen_today(TODAY)
    assert new_case(org, petitioners=[petitioner(i) for i in range(1, 6)]).is_group
    assert not new_case(org, petitioners=[petitioner(i) for i in range(11, 15)]).is_group


@pytest.mark.parametrize(("people", "representatives", "ok"), [(5, 2, True), (5, 3, False), (10, 3, False)])
def test_group_of_up_to_ten_names_at_most_two_representatives(org, frozen_today, people, representatives, ok):
    _check_representatives(org, frozen_today, people, representatives, ok)


@pytest.mark.parametrize(("people", "representatives", "ok"), [(11, 5, True), (11, 6, False)])
def test_group_of_eleven_or_more_names_at_most_five_representatives(
    org, frozen_today, people, representatives, ok
):
    _check_representatives(org, frozen_today, people, representatives, ok)


def _check_representatives(org, frozen_today, people, representatives, ok):
    frozen_today(TODAY)
    group = [petitioner(i, is_representative=i <= representatives) for i in range(1, people + 1)]
    if ok:
        case = new_case(org, petitioners=group)
        assert case.is_group
        assert case.case_parties.filter(role="representative").count() == representatives
        return
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        new_case(org, petitioners=group)
    assert "petitioners" in exc.value.errors
    assert counts() == before


def test_representative_must_be_identified(org, frozen_today):
    frozen_today(TODAY)
    with pytest.raises(ValidationFailed) as exc:
        new_case(org, petitioners=[petitioner(1), {"full_name": "Đại diện", "is_representative": True}])
    assert "petitioners" in exc.value.errors


# --- Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "extra", "field"),
    [
        (CaseKind.COMPLAINT, {"round": 3}, "round"),
        (CaseKind.DENUNCIATION, {"round": 1}, "round"),
        (CaseKind.COMPLAINT, {"received_at": TODAY + timedelta(days=1)}, "received_at"),
        (CaseKind.COMPLAINT, {"summary": "   "}, "summary"),
        (CaseKind.COMPLAINT, {"decision_known_at": RECEIVED + timedelta(days=1)}, "decision_known_at"),
        (CaseKind.COMPLAINT, {"channel": "pigeon"}, "channel"),
    ],
)
def test_invalid_intake_is_refused_and_nothing_is_written(org, frozen_today, kind, extra, field):
    frozen_today(TODAY)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        new_case(org, kind, **extra)
    assert field in exc.value.errors
    assert counts() == before


def test_first_round_case_must_be_a_first_round_complaint(org, frozen_today):
    frozen_today(TODAY)
    petition = new_case(org, CaseKind.REFLECTION)
    with pytest.raises(ValidationFailed) as exc:
        new_case(org, unit=org.province, round=2, first_round_case=petition)
    assert "first_round_case" in exc.value.errors


def test_registration_starts_the_processing_and_acceptance_clocks(org, frozen_today):
    frozen_today(TODAY)
    case = new_case(org)
    assert case.state == S.RECEIVED and case.version == 1
    started = {d.kind: d.start_date for d in case.deadlines.all()}
    assert started == {DeadlineKind.PROCESSING: RECEIVED, DeadlineKind.ACCEPTANCE: RECEIVED}
    assert case.events.get().action == "register"


# --- Reception book -----------------------------------------------------------------------------


def _visit(org, **overrides) -> VisitInput:
    values = {
        "unit": org.commune,
        "visited_at": timezone.now() - timedelta(hours=1),
        "summary": "Công dân đến trình bày về đất đai và đường giao thông",
        "visitors": [PetitionerInput.from_dict(petitioner(1))],
    }
    return VisitInput(**{**values, **overrides})


def _case_input(org, kind=CaseKind.COMPLAINT, summary=LAND) -> CaseInput:
    return CaseInput(
        unit=org.commune,
        kind=kind,
        channel=Channel.IN_PERSON,
        received_at=TODAY,
        summary=summary,
        round=1 if kind == CaseKind.COMPLAINT else None,
    )


def test_one_visit_opens_several_cases(org, frozen_today):
    frozen_today(TODAY)
    visit = record_visit(
        _visit(
            org,
            cases=[
                _case_input(org),
                _case_input(org, CaseKind.RECOMMENDATION, "Kiến nghị sửa đường liên thôn"),
            ],
        ),
        actor=org.reception,
    )
    assert visit.outcome == VisitOutcome.CASES_OPENED
    assert (visit.book_number, visit.year, visit.officer) == (1, 2026, org.reception)
    opened = list(visit.cases.order_by("sequence"))
    assert [c.kind for c in opened] == [CaseKind.COMPLAINT, CaseKind.RECOMMENDATION]
    assert [c.reference for c in opened] == ["XA-A/2026/00001", "XA-A/2026/00002"]
    for case in opened:
        assert (case.unit, case.received_at, case.channel) == (org.commune, TODAY, Channel.IN_PERSON)
        # Cases raised at the desk belong to the visitors unless told otherwise.
        assert list(case.case_parties.values_list("party__id_number", flat=True)) == [
            petitioner(1)["id_number"]
        ]
    second = record_visit(_visit(org, guidance="Hướng dẫn đến Tòa án"), actor=org.reception)
    assert (second.book_number, second.outcome) == (2, VisitOutcome.GUIDED)


def test_refused_visit_records_the_reason_and_opens_no_case(org, frozen_today):
    frozen_today(TODAY)
    visit = record_visit(_visit(org, refusal_reason="threatening"), actor=org.reception)
    assert (visit.outcome, visit.refusal_reason) == (VisitOutcome.REFUSED, "threatening")
    assert not visit.cases.exists()
    assert not Case.objects.exists()


def test_refusal_reason_must_come_from_the_list(org, frozen_today):
    frozen_today(TODAY)
    with pytest.raises(ValidationFailed) as exc:
        record_visit(_visit(org, refusal_reason="rude"), actor=org.reception)
    assert "refusal_reason" in exc.value.errors
    assert not Visit.objects.exists()


def test_refused_visit_cannot_open_cases(org, frozen_today):
    frozen_today(TODAY)
    with pytest.raises(ValidationFailed) as exc:
        record_visit(
            _visit(org, refusal_reason="incapacitated", cases=[_case_input(org)]), actor=org.reception
        )
    assert "cases" in exc.value.errors
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_visit_needs_visitors(org, frozen_today):
    frozen_today(TODAY)
    with pytest.raises(ValidationFailed) as exc:
        record_visit(_visit(org, visitors=[], guidance="x"), actor=org.reception)
    assert "visitors" in exc.value.errors
    assert not Visit.objects.exists()


def test_visit_needs_an_outcome(org, frozen_today):
    frozen_today(TODAY)
    with pytest.raises(ValidationFailed) as exc:
        record_visit(_visit(org), actor=org.reception)
    assert "outcome" in exc.value.errors


def test_group_visit_is_marked(org, frozen_today):
    frozen_today(TODAY)
    visit = record_visit(_visit(org, visitor_count=6, guidance="Cử đại diện"), actor=org.reception)
    assert (visit.visitor_count, visit.is_group) == (6, True)


def test_invalid_case_in_a_visit_writes_nothing(org, frozen_today):
    frozen_today(TODAY)
    bad = _case_input(org)
    bad.round = None
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        record_visit(_visit(org, cases=[_case_input(org), bad]), actor=org.reception)
    assert "cases[1].round" in exc.value.errors
    assert counts() == before
    assert not Visit.objects.exists()


def test_only_the_units_reception_records_its_visits(org, frozen_today):
    frozen_today(TODAY)
    with pytest.raises(Forbidden):
        record_visit(_visit(org, guidance="x"), actor=org.p_reception)
