"""The reception desk: lookup before saving, hints before saving, one submit for the visit and its
cases, the receipt, the day's book; permissions and the denouncer's confidentiality."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from casework import people
from casework.choices import CaseKind, CaseState, Role
from casework.models import AccessLog, Case, Party, Visit
from tests.factories import act, petitioner, register, staff

DESK = "/desk/"
LOOKUP = "/desk/people/"
CHECK = "/desk/check/"
LAND = "Khiếu nại quyết định thu hồi đất của UBND xã đối với thửa đất số 12"
DUC = petitioner(7, full_name="Nguyễn Văn Đức", id_number="001090012345", address="Thôn Đông, xã A")


@pytest.fixture
def today(frozen_today):
    frozen_today(date(2026, 3, 20))
    return date(2026, 3, 20)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def visit_post(org, **overrides) -> dict:
    data = {
        "unit": org.commune.pk,
        "person": "new",
        "full_name": "Phạm Văn Đến",
        "id_number": "001090000222",
        "address": "Thôn 2, xã A",
        "phone": "0912000222",
        "visited_at": "20/03/2026 08:30",
        "reception_kind": "regular",
        "visitor_count": "1",
        "summary": "Công dân đến khiếu nại việc thu hồi đất",
        "outcome": "cases_opened",
        "cases-TOTAL_FORMS": "1",
        "cases-INITIAL_FORMS": "0",
        "cases-MIN_NUM_FORMS": "1",
        "cases-MAX_NUM_FORMS": "5",
        "cases-0-kind": "complaint",
        "cases-0-round": "1",
        "cases-0-summary": "",
    }
    data.update(overrides)
    return data


def test_lookup_finds_a_person_from_a_name_typed_without_diacritics(org, today):
    register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND)

    response = client_for(org.reception).get(LOOKUP, {"q": "nguyen van duc"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nguyễn Văn Đức" in page
    assert "XA-A/2026/00001" in page


def test_lookup_finds_a_person_by_id_number(org, today):
    register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND)

    page = client_for(org.reception).get(LOOKUP, {"q": "001090012345"}).content.decode()

    assert "Nguyễn Văn Đức" in page
    assert "Nobody on file" not in page


def test_lookup_lists_a_withdrawn_matter_as_withdrawn(org, today):
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND)
    act(case, "withdraw", org.reception, on=date(2026, 3, 5))

    (found,) = people.find_people(org.reception, "Nguyen Van Duc")
    page = client_for(org.reception).get(LOOKUP, {"q": "Nguyen Van Duc"}).content.decode()

    assert [c.state for c in found.cases] == [CaseState.WITHDRAWN]
    assert 'class="state state-withdrawn"' in page


def test_lookup_shows_the_earlier_visits_of_the_person(org, today):
    client = client_for(org.reception)
    client.post(
        DESK,
        visit_post(
            org,
            full_name=DUC["full_name"],
            id_number=DUC["id_number"],
            address=DUC["address"],
            phone=DUC["phone"],
        ),
    )

    (found,) = people.find_people(org.reception, "duc")

    assert [v.book_number for v in found.visits] == [1]
    assert [c.reference for c in found.cases] == ["XA-A/2026/00001"]


def test_duplicate_hint_appears_before_saving(org, today):
    first = register(
        org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND
    )
    duc = Party.objects.get(id_number=DUC["id_number"])

    response = client_for(org.reception).post(
        CHECK, visit_post(org, person=str(duc.pk), summary=LAND, **{"cases-0-summary": ""})
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert first.reference in page
    assert "hint-possible_repeat" in page
    assert Case.objects.count() == 1 and Visit.objects.count() == 0


def test_no_repeat_hint_for_a_different_matter(org, today):
    register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND)
    duc = Party.objects.get(id_number=DUC["id_number"])

    page = (
        client_for(org.reception)
        .post(
            CHECK,
            visit_post(org, person=str(duc.pk), summary="Phản ánh đèn đường hỏng ở thôn Tây từ tháng trước"),
        )
        .content.decode()
    )

    assert "hint-possible_repeat" not in page


def test_sealed_denouncer_is_not_found_by_a_handler(org, today):
    register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 2),
        petitioners=[DUC],
    )

    assert people.find_people(org.handler, "nguyen van duc") == []
    assert people.find_people(org.handler, DUC["id_number"]) == []
    assert client_for(org.handler).get(LOOKUP, {"q": "nguyen van duc"}).status_code == 403


def test_sealed_denouncer_is_found_only_by_those_who_may_see_them(org, today):
    register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 2),
        petitioners=[DUC],
    )
    colleague = staff(org.commune, Role.RECEPTION_OFFICER, "reception2")

    hidden = client_for(colleague).get(LOOKUP, {"q": "nguyen van duc"}).content.decode()
    shown = client_for(org.reception).get(LOOKUP, {"q": "nguyen van duc"}).content.decode()

    assert "Nguyễn Văn Đức" not in hidden
    assert "Nguyễn Văn Đức" in shown
    # Showing a sealed identity to the registering officer is an unmasked read, and is logged.
    assert AccessLog.objects.filter(
        user=org.reception, kind=AccessLog.Kind.UNMASKED_READ, channel="workspace"
    ).exists()


def test_visit_with_a_new_complaint_is_saved_with_the_case_linked(org, today):
    client = client_for(org.reception)

    response = client.post(DESK, visit_post(org))

    visit = Visit.objects.get()
    (case,) = visit.cases.all()
    assert response.status_code == 302 and response["Location"] == f"/desk/visits/{visit.pk}/"
    assert (case.kind, case.round, case.channel, case.summary) == (
        "complaint",
        1,
        "in_person",
        "Công dân đến khiếu nại việc thu hồi đất",
    )
    assert list(case.case_parties.values_list("party__full_name", flat=True)) == ["Phạm Văn Đến"]
    page = client.get(response["Location"]).content.decode()
    assert f'href="/cases/{case.pk}/"' in page
    assert f"/desk/visits/{visit.pk}/receipt/" in page


def test_saved_visit_puts_the_new_case_into_processing_in_one_click(org, today):
    client = client_for(org.reception)
    visit_url = client.post(DESK, visit_post(org))["Location"]
    case = Visit.objects.get().cases.get()
    review = f'action="/cases/{case.pk}/actions/review/"'
    assert review in client.get(visit_url).content.decode()

    response = client.post(f"/cases/{case.pk}/actions/review/", {"version": case.version})

    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    # Done once, it is no longer offered on the visit.
    assert review not in client.get(visit_url).content.decode()


def test_receipt_names_unit_book_number_visitor_and_the_case_with_its_appointment(org, today):
    client = client_for(org.reception)
    client.post(DESK, visit_post(org))
    visit = Visit.objects.get()
    due = visit.cases.get().deadlines.get(kind="processing").due_date

    page = client.get(f"/desk/visits/{visit.pk}/receipt/").content.decode()

    for text in (
        org.commune.name.upper(),
        "1/2026",
        "20/03/2026",
        "Phạm Văn Đến",
        "XA-A/2026/00001",
        due.strftime("%d/%m/%Y"),
    ):
        assert text in page


def test_two_matters_raised_in_one_visit_open_two_cases(org, today):
    data = visit_post(
        org,
        **{
            "cases-TOTAL_FORMS": "2",
            "cases-1-kind": "reflection",
            "cases-1-summary": "Phản ánh đèn đường hỏng ở thôn Tây",
        },
    )

    client_for(org.reception).post(DESK, data)

    kinds = sorted(Visit.objects.get().cases.values_list("kind", flat=True))
    assert kinds == ["complaint", "reflection"]


def test_second_time_complaint_needs_the_first_round_reference(org, today):
    response = client_for(org.reception).post(DESK, visit_post(org, **{"cases-0-round": "2"}))

    assert response.status_code == 400
    assert "A second-time complaint names the first-round case." in response.content.decode()
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_refusal_without_reason_is_refused_with_a_field_error(org, today):
    response = client_for(org.reception).post(DESK, visit_post(org, outcome="refused", refusal_reason=""))

    assert response.status_code == 400
    assert response.context["form"].errors["refusal_reason"] == [
        "Choose the reason for refusing the reception."
    ]
    assert not Visit.objects.exists()


def test_refusal_with_a_reason_records_the_visit_without_a_case(org, today):
    client_for(org.reception).post(DESK, visit_post(org, outcome="refused", refusal_reason="threatening"))

    visit = Visit.objects.get()
    assert (visit.outcome, visit.refusal_reason, visit.cases.count()) == ("refused", "threatening", 0)


def test_engine_refusal_comes_back_on_the_field_and_nothing_is_written(org, today):
    response = client_for(org.reception).post(DESK, visit_post(org, visited_at="21/03/2026 08:00"))

    assert response.status_code == 400
    assert response.context["form"].errors["visited_at"] == ["Cannot be in the future."]
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_a_chosen_person_is_used_as_stored(org, today):
    register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND)
    duc = Party.objects.get(id_number=DUC["id_number"])
    data = visit_post(org, person=str(duc.pk), full_name="Nguyen Van Duc", id_number="", address="")

    client_for(org.reception).post(DESK, data)

    duc.refresh_from_db()
    assert list(Visit.objects.get().visitors.all()) == [duc]
    assert duc.full_name == "Nguyễn Văn Đức" and duc.address == DUC["address"]


def test_a_stored_persons_name_is_not_changed_by_a_visit_typing_it_differently(org, today):
    register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND)
    data = visit_post(org, full_name="Nguyen Van Duc", id_number=DUC["id_number"], address=DUC["address"])

    response = client_for(org.reception).post(DESK, data)

    assert response.status_code == 400
    assert "already on file" in response.context["form"].errors["id_number"][0]
    assert Party.objects.get(id_number=DUC["id_number"]).full_name == "Nguyễn Văn Đức"
    assert not Visit.objects.exists()


def test_a_person_typed_exactly_as_stored_is_the_stored_person(org, today):
    register(org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND)
    duc = Party.objects.get(id_number=DUC["id_number"])

    client_for(org.reception).post(
        DESK, visit_post(org, full_name=DUC["full_name"], id_number=DUC["id_number"], address="", phone="")
    )

    assert list(Visit.objects.get().visitors.all()) == [duc]
    assert Party.objects.count() == 1


def test_a_person_the_officer_may_not_see_cannot_be_chosen_by_id(org, today):
    register(org.other_commune, org.outsider, received_at=date(2026, 3, 2), petitioners=[DUC], summary=LAND)
    hidden = Party.objects.get(id_number=DUC["id_number"])

    response = client_for(org.reception).post(DESK, visit_post(org, person=str(hidden.pk)))

    assert response.status_code == 400
    assert "person" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_the_desk_preselects_the_officers_only_unit(org, today):
    response = client_for(org.reception).get(DESK)

    form = response.context["form"]
    assert response.status_code == 200
    assert form.fields["unit"].initial == org.commune.pk
    assert form.fields["unit"].widget.input_type == "hidden"


def test_an_officer_of_several_units_chooses_among_them(org, today):
    from casework.services import grant_role

    grant_role(user=org.reception, unit=org.remote_commune, role=Role.RECEPTION_OFFICER)

    page = client_for(org.reception).get(DESK).content.decode()

    assert '<select name="unit"' in page and org.remote_commune.name in page


def test_a_monitor_or_handler_cannot_use_the_desk(org, today):
    for user in (org.monitor, org.handler):
        client = client_for(user)
        assert client.get(DESK).status_code == 403
        assert client.post(DESK, visit_post(org)).status_code == 403
    assert not Visit.objects.exists()


def test_another_units_officer_gets_404_on_a_visit_and_its_receipt(org, today):
    client_for(org.reception).post(DESK, visit_post(org))
    visit = Visit.objects.get()

    outsider = client_for(org.outsider)

    assert outsider.get(f"/desk/visits/{visit.pk}/").status_code == 404
    assert outsider.get(f"/desk/visits/{visit.pk}/receipt/").status_code == 404
    assert "Phạm Văn Đến" not in outsider.get("/desk/visits/").content.decode()


def test_another_units_officer_cannot_record_a_visit_there(org, today):
    response = client_for(org.outsider).post(DESK, visit_post(org))

    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_todays_reception_book_lists_the_units_visits(org, today):
    client = client_for(org.reception)
    client.post(DESK, visit_post(org))

    page = client.get("/desk/visits/").content.decode()

    assert "Phạm Văn Đến" in page and "XA-A/2026/00001" in page


def test_the_reception_home_links_to_the_desk_and_todays_book(org, today):
    page = client_for(org.reception).get("/").content.decode()

    assert 'href="/desk/"' in page and 'href="/desk/visits/"' in page


def test_a_denouncers_name_is_masked_on_the_desk_pages_for_a_colleague(org, today):
    data = visit_post(org, **{"cases-0-kind": "denunciation", "cases-0-round": ""})
    client_for(org.reception).post(DESK, data)
    visit = Visit.objects.get()
    colleague = client_for(staff(org.commune, Role.RECEPTION_OFFICER, "reception2"))

    visit_page = colleague.get(f"/desk/visits/{visit.pk}/").content.decode()
    book = colleague.get("/desk/visits/").content.decode()
    own = client_for(org.reception).get(f"/desk/visits/{visit.pk}/").content.decode()

    assert "Phạm Văn Đến" not in visit_page and "001090000222" not in visit_page
    assert "Phạm Văn Đến" not in book
    assert "Phạm Văn Đến" in own


def test_another_matter_adds_a_case_fieldset_and_counts_it(org, today):
    page = client_for(org.reception).get("/desk/case-form/", {"index": "1"}).content.decode()

    assert 'name="cases-1-kind"' in page
    assert 'name="cases-TOTAL_FORMS" value="2"' in page and 'hx-swap-oob="true"' in page


def test_a_phone_that_is_not_a_phone_comes_back_on_the_phone_field(org, today):
    response = client_for(org.reception).post(DESK, visit_post(org, phone="call me maybe"))

    assert response.status_code == 400
    assert response.context["form"].errors["phone"][0].startswith("Not a phone number")
    assert not Visit.objects.exists() and not Case.objects.exists()
