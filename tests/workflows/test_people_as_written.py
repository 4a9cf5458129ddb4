"""Each case keeps its people as written on its paper (issue 10, defect 4): intake never rewrites a
person on file; a stored identity changes only by an explicit, audited correction."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.choices import CaseKind
from casework.models import Party, PartyCorrection
from casework.services import NotPermitted, ServiceError, correct_party
from tests.factories import petitioner
from tests.helpers import TODAY, new_case
from workflows.intake import CaseInput, PetitionerInput, VisitInput, record_visit

MAI = petitioner(7, full_name="Đặng Thị Mai", id_number="001185012345")


def names_on(case) -> list[str]:
    return [cp.party.full_name for cp in case.case_parties.select_related("party")]


def identity_flags(case) -> list[dict]:
    return [f for f in case.intake_flags if f["code"] == "identity_differs"]


def _later_visit(org, typed: dict):
    return record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=timezone.now() - timedelta(hours=1),
            summary="Bà Mai đến hỏi về việc cấp giấy phép xây dựng",
            visitors=[PetitionerInput.from_dict(typed)],
            cases=[
                CaseInput(
                    unit=org.commune,
                    kind=CaseKind.COMPLAINT,
                    channel="in_person",
                    received_at=TODAY,
                    summary="Khiếu nại việc cấp giấy phép xây dựng cho hàng xóm",
                    round=1,
                )
            ],
        ),
        actor=org.reception,
    )


def test_earlier_case_keeps_dang_thi_mai_when_a_later_visit_types_dang_thi_mai_without_diacritics(
    org, frozen_today
):
    frozen_today(TODAY)
    earlier = new_case(org, petitioners=[MAI])
    visit = _later_visit(org, {**MAI, "full_name": "Dang Thi Mai"})
    [later] = visit.cases.all()

    assert names_on(earlier) == ["Đặng Thị Mai"]
    assert names_on(later) == ["Dang Thi Mai"]
    assert [p.full_name for p in visit.visitors.all()] == ["Dang Thi Mai"]
    # The officer is told, without the paper being changed and without naming the record on file.
    [flag] = identity_flags(later)
    assert flag["fields"] == ["full_name"]
    assert "Đặng" not in flag["message"] and MAI["id_number"] not in flag["message"]
    assert not PartyCorrection.objects.exists()


def test_a_visit_that_reads_like_the_paper_on_file_is_the_same_person(org, frozen_today):
    frozen_today(TODAY)
    earlier = new_case(org, petitioners=[MAI])
    visit = _later_visit(org, MAI)
    [later] = visit.cases.all()
    [party] = Party.objects.all()
    assert list(visit.visitors.all()) == [party]
    assert {cp.party_id for cp in earlier.case_parties.all()} == {party.pk}
    assert {cp.party_id for cp in later.case_parties.all()} == {party.pk}
    assert identity_flags(later) == []


def test_same_text_typed_with_decomposed_diacritics_or_extra_spaces_is_the_same_person(org, frozen_today):
    import unicodedata

    frozen_today(TODAY)
    new_case(org, petitioners=[MAI])
    typed = {**MAI, "full_name": unicodedata.normalize("NFD", "Đặng  Thị Mai")}
    later = new_case(org, petitioners=[typed], summary="Khiếu nại việc cấp giấy phép xây dựng")
    assert Party.objects.count() == 1
    assert identity_flags(later) == []


def test_a_sealed_denouncer_on_file_is_never_described_to_the_desk(org, frozen_today):
    frozen_today(TODAY)
    denunciation = new_case(org, CaseKind.DENUNCIATION, petitioners=[MAI], summary="Tố cáo cán bộ địa chính")
    later = new_case(org, petitioners=[{**MAI, "full_name": "Dang Thi Mai"}])
    assert names_on(denunciation) == ["Đặng Thị Mai"]
    assert names_on(later) == ["Dang Thi Mai"]
    assert identity_flags(later) == []


# --- The audited correction -----------------------------------------------------------------------


def test_a_correction_changes_the_person_everywhere_and_keeps_who_when_why_old_and_new(org, frozen_today):
    frozen_today(TODAY)
    first = new_case(org, petitioners=[{**MAI, "full_name": "Dang Thi Mai"}])
    second = new_case(org, petitioners=[{**MAI, "full_name": "Dang Thi Mai"}], summary="Khiếu nại khác hẳn")
    party = first.case_parties.get().party

    record = correct_party(
        party=party,
        actor=org.reception,
        changes={"full_name": "Đặng  Thị Mai", "phone": MAI["phone"]},
        reason="Đối chiếu căn cước công dân bản gốc",
    )

    party.refresh_from_db()
    assert (party.full_name, party.search_name) == ("Đặng Thị Mai", "dang thi mai")
    assert names_on(first) == names_on(second) == ["Đặng Thị Mai"]
    # Only what really changed is recorded (the phone already read so).
    assert record.changes == {"full_name": ["Dang Thi Mai", "Đặng Thị Mai"]}
    assert (record.party, record.actor, record.reason) == (
        party,
        org.reception,
        "Đối chiếu căn cước công dân bản gốc",
    )
    assert record.at is not None
    with pytest.raises(ValueError):
        record.save()
    with pytest.raises(ValueError):
        record.delete()


@pytest.mark.parametrize(
    ("changes", "reason", "field"),
    [
        ({"full_name": "Đặng Thị Mai"}, "  ", "reason"),
        ({"kind": "organization"}, "Nhầm loại", "changes"),
        ({"full_name": MAI["full_name"]}, "Không đổi gì", "changes"),
        # The stored name typed with decomposed diacritics is the same name, not a correction.
        ({"full_name": unicodedata.normalize("NFD", MAI["full_name"])}, "Gõ lại", "changes"),
        ({"full_name": ""}, "Xóa tên", "full_name"),
        ({"phone": "0" * 31}, "Số quá dài", "phone"),
    ],
    ids=[
        "no-reason",
        "not-an-identity-field",
        "no-change",
        "same-name-decomposed",
        "erased-name",
        "too-long",
    ],
)
def test_an_invalid_correction_is_refused_and_nothing_changes(org, frozen_today, changes, reason, field):
    frozen_today(TODAY)
    party = new_case(org, petitioners=[MAI]).case_parties.get().party
    with pytest.raises(ServiceError) as exc:
        correct_party(party=party, actor=org.reception, changes=changes, reason=reason)
    assert field in exc.value.errors
    party.refresh_from_db()
    assert (party.full_name, party.phone, party.kind) == (MAI["full_name"], MAI["phone"], "person")
    assert not PartyCorrection.objects.exists()


@pytest.mark.parametrize("who", ["handler", "p_reception", "outsider", "monitor"])
def test_only_reception_or_the_head_of_a_unit_holding_the_persons_papers_may_correct(org, frozen_today, who):
    frozen_today(TODAY)
    party = new_case(org, petitioners=[MAI]).case_parties.get().party
    with pytest.raises(NotPermitted):
        correct_party(party=party, actor=getattr(org, who), changes={"phone": "0988"}, reason="Số mới")
    assert not PartyCorrection.objects.exists()
    correct_party(party=party, actor=org.head, changes={"phone": "0988"}, reason="Số mới")
    assert Party.objects.get(pk=party.pk).phone == "0988"


def test_a_sealed_denouncer_is_corrected_only_by_those_who_may_see_them(org, frozen_today):
    frozen_today(TODAY)
    # Registered by the province's reception officer; the commune's staff never see who denounced.
    case = new_case(org, CaseKind.DENUNCIATION, unit=org.province, petitioners=[MAI], summary="Tố cáo")
    party = case.case_parties.get().party
    with pytest.raises(NotPermitted):
        correct_party(party=party, actor=org.p_handler, changes={"phone": "0988"}, reason="Số mới")
    correct_party(party=party, actor=org.p_reception, changes={"phone": "0988"}, reason="Số mới")
    assert PartyCorrection.objects.get().actor == org.p_reception
