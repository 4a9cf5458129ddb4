"""The outcome figures and the field of law in the workspace: the action forms generated from the
engine's parameters, the case page, and the desk's case form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from casework.choices import CaseKind
from casework.choices import CaseState as S
from casework.models import Case
from tests.factories import act
from tests.helpers import TODAY, drive, new_case
from workspace.desk_forms import CaseForm

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def today(frozen_today):
    frozen_today(TODAY)
    return TODAY


def form_html(client, user, case, action) -> str:
    client.force_login(user)
    return client.get(reverse("workspace:case-action", args=[case.pk, action]), **HTMX, **VI).content.decode()


def test_the_approve_form_starts_from_the_drafts_figures_and_reads_a_vietnamese_decimal_comma(
    client, org, today
):
    case = drive(new_case(org, law_field="admin_land_housing"), org, S.VERIFYING)
    case = act(
        case, "submit_for_approval", org.handler, outcome="right", summary="Đúng", recover_money="10.5"
    )
    html = form_html(client, org.head, case, "approve")
    assert "Tiền kiến nghị thu hồi cho Nhà nước (triệu đồng)" in html
    assert 'name="recover_money"' in html and 'value="10,500"' in html
    assert 'name="recovered_money"' not in html  # the implementation comes later

    client.post(
        reverse("workspace:case-action", args=[case.pk, "approve"]),
        {
            "version": case.version,
            "decision_number": "15/QĐ-UBND",
            "recover_money": "12,5",
            "sanction_people": "2",
        },
        **VI,
    )
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.recover_money, case.sanction_people) == (S.DECIDED, Decimal("12.5"), 2)

    client.force_login(org.head)
    page = client.get(reverse("workspace:case", args=[case.pk]), **VI).content.decode()
    assert "Lĩnh vực:" in page and "Hành chính: đất đai, nhà cửa" in page
    assert "Số liệu kết quả giải quyết" in page and "12,5" in page


def test_the_implementation_form_puts_the_engines_refusal_next_to_the_field(client, org, today):
    case = drive(new_case(org), org, S.DECIDED)
    html = form_html(client, org.head, case, "record_implementation")
    assert 'name="completed"' in html and 'name="prosecuted_people"' in html
    client.force_login(org.head)
    response = client.post(
        reverse("workspace:case-action", args=[case.pk, "record_implementation"]),
        {"version": case.version, "prosecuted_people": "2", "prosecuted_officials": "3"},
        **VI,
    )
    assert response.status_code == 200
    assert "Không được lớn hơn" in response.content.decode()
    assert Case.objects.get(pk=case.pk).prosecuted_people is None


def test_a_recommendation_form_offers_no_outcome_figures(client, org, today):
    case = drive(new_case(org, CaseKind.RECOMMENDATION), org, S.VERIFYING)
    html = form_html(client, org.handler, case, "submit_for_approval")
    assert 'name="summary"' in html and 'name="recover_money"' not in html


def test_the_desk_case_form_takes_an_optional_field_of_law(org):
    data = {"kind": CaseKind.DENUNCIATION, "summary": "Tố cáo", "law_field": "corruption"}
    form = CaseForm(data, user=org.reception)
    assert form.is_valid(), form.errors
    assert form.as_input(unit=org.commune, visit_summary="", visited_on=TODAY).law_field == "corruption"
    blank = CaseForm({"kind": CaseKind.DENUNCIATION, "summary": "Tố cáo"}, user=org.reception)
    assert (
        blank.is_valid()
        and blank.as_input(unit=org.commune, visit_summary="", visited_on=TODAY).law_field == ""
    )
    assert not CaseForm({**data, "law_field": "taxes"}, user=org.reception).is_valid()
