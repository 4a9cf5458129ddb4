"""The workspace case page: buttons per role, blocked actions with their reasons, action and dialogue
forms (HTMX and plain), refusals on the form, scope, confidentiality, history in sentences."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.choices import CaseKind
from casework.choices import CaseState as S
from casework.models import AccessLog, Case
from tests.factories import act
from tests.helpers import TODAY, drive, hold_dialogue, new_case

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
HTMX = {"HTTP_HX_REQUEST": "true"}

# A denouncer whose every identity string is distinctive, so a leak anywhere is found by a text scan.
DENOUNCER = {
    "full_name": "Trần Thị Bímật Zyxwv",
    "id_number": "079188777666",
    "address": "Số 77 ngõ Kínđáo, phường Qwerty",
    "phone": "0987654321",
}


@pytest.fixture
def today(frozen_today):
    frozen_today(TODAY)
    return TODAY


def page(client, user, case, **headers) -> str:
    client.force_login(user)
    response = client.get(reverse("workspace:case", args=[case.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def enabled_actions(html: str) -> set[str]:
    """The actions offered as working buttons (links or one-click forms), not the disabled ones."""
    return set(re.findall(r'<(?:a|button type="submit")[^>]*data-action="(\w+)"', html))


def disabled_actions(html: str) -> set[str]:
    return set(re.findall(r'<button type="button" disabled data-action="(\w+)"', html))


def post_action(client, user, case, action, data=None, **headers):
    client.force_login(user)
    case.refresh_from_db()
    body = {"version": case.version, **(data or {})}
    return client.post(reverse("workspace:case-action", args=[case.pk, action]), body, **headers)


def second_round_verifying(org) -> Case:
    first = drive(new_case(org), org, S.DECIDED)
    act(first, "appeal", org.reception)
    second = Case.objects.get(first_round_case=first)
    second = act(second, "review", org.p_reception)
    second = act(second, "accept", org.p_head)
    return act(second, "start_verification", org.p_head, handler=org.p_handler.pk)


# --- Buttons per role -----------------------------------------------------------------------------


def test_new_letter_offers_reception_and_head_their_buttons_and_the_handler_none(client, org, today):
    case = new_case(org)
    assert {"review", "transfer", "guide", "file", "withdraw"} <= enabled_actions(
        page(client, org.reception, case)
    )
    assert "review" in enabled_actions(page(client, org.head, case))
    handler_page = page(client, org.handler, case)
    assert enabled_actions(handler_page) == set()
    assert "Nothing for you to do on this case now." in handler_page


def test_monitor_reads_the_case_but_is_offered_no_action(client, org, today):
    case = drive(new_case(org), org, S.VERIFYING)
    html = page(client, org.monitor, case)
    assert case.reference in html
    assert enabled_actions(html) == set() and disabled_actions(html) == set()


def test_assigned_handler_gets_the_submit_button_on_a_verifying_case(client, org, today):
    case = drive(new_case(org), org, S.VERIFYING)
    assert "submit_for_approval" in enabled_actions(page(client, org.handler, case))


# --- Blocked actions --------------------------------------------------------------------------------


def test_blocked_submission_is_shown_disabled_with_the_reason_and_the_article(client, org, today):
    second = second_round_verifying(org)
    html = page(client, org.p_handler, second, **VI)
    assert disabled_actions(html) == {"submit_for_approval"}
    assert "submit_for_approval" not in enabled_actions(html)
    why = html[html.index('id="why-blocked"') :]
    assert "Trình phê duyệt" in why
    assert "đối thoại" in why and "Điều 39 Luật Khiếu nại" in why


def test_recording_a_dialogue_through_the_form_lifts_the_block(client, org, today):
    second = second_round_verifying(org)
    client.force_login(org.p_handler)
    url = reverse("workspace:case-dialogue", args=[second.pk])
    form = client.get(url, **HTMX)
    assert "<html" not in form.content.decode() and 'name="place"' in form.content.decode()
    held = timezone.localtime() - timedelta(hours=2)
    response = client.post(
        url,
        {
            "held_at": held.strftime("%d/%m/%Y %H:%M"),
            "place": "Trụ sở UBND tỉnh",
            "chair": org.p_head.pk,
            "attendance": "attended",
            "minutes": "Hai bên trình bày ý kiến.",
        },
    )
    assert response.status_code == 302
    html = page(client, org.p_handler, second)
    assert "submit_for_approval" in enabled_actions(html)
    assert "Trụ sở UBND tỉnh" in html and "Hai bên trình bày ý kiến." in html


def test_dialogue_form_shows_the_services_refusal_of_a_time_in_the_future(client, org, today):
    second = second_round_verifying(org)
    client.force_login(org.p_head)
    later = timezone.localtime() + timedelta(days=2)
    response = client.post(
        reverse("workspace:case-dialogue", args=[second.pk]),
        {
            "held_at": later.strftime("%d/%m/%Y %H:%M"),
            "place": "Trụ sở",
            "chair": org.p_head.pk,
            "attendance": "attended",
        },
    )
    assert response.status_code == 200
    assert "Record a dialogue once it has been held." in response.content.decode()
    assert not second.dialogues.exists()


# --- Action forms -----------------------------------------------------------------------------------


def test_handler_submits_for_approval_through_the_form_and_lands_on_the_case_with_a_message(
    client, org, today
):
    case = drive(new_case(org), org, S.VERIFYING)
    response = post_action(
        client,
        org.handler,
        case,
        "submit_for_approval",
        {"outcome": "partly_right", "summary": "Đúng một phần"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("workspace:case", args=[case.pk])
    case.refresh_from_db()
    assert (case.state, case.outcome, case.outcome_summary) == (
        S.AWAITING_APPROVAL,
        "partly_right",
        "Đúng một phần",
    )
    follow = client.get(response["Location"])
    assert "is now “Awaiting approval”" in follow.content.decode()


def test_htmx_submission_redraws_the_case_page_in_place(client, org, today):
    case = new_case(org)
    response = post_action(client, org.reception, case, "review", **HTMX, **VI)
    assert response.status_code == 200
    # The whole page, swapped into the body where the user is: no redirect, no page load.
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("body", "innerHTML show:top")
    assert "HX-Redirect" not in response
    html = response.content.decode()
    assert "state-under_review" in html and "Đang xem xét" in html
    assert '<ul class="messages">' in html  # the confirmation comes with it
    case.refresh_from_db()
    assert case.state == S.UNDER_REVIEW


def test_head_accepts_and_names_the_handler_in_one_form(client, org, today):
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    html = page(client, org.head, case)
    # Accepting is no longer one click for the head: its form is open, with the optional handler.
    assert 'class="action-form card" hx-post' in html and 'data-action="accept"' in html
    assert 'name="handler"' in html
    response = post_action(client, org.head, case, "accept", {"handler": org.handler.pk}, **HTMX)
    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.state, case.handler) == (S.VERIFYING, org.handler)
    # Two transitions, each with its own audit record.
    assert list(case.events.order_by("id").values_list("action", flat=True))[-2:] == [
        "accept",
        "start_verification",
    ]


def test_head_may_accept_without_naming_a_handler(client, org, today):
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    response = post_action(client, org.head, case, "accept")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.handler) == (S.ACCEPTED, None)


def test_refused_follow_up_leaves_the_acceptance_undone(client, org, today):
    case = drive(new_case(org), org, S.UNDER_REVIEW)
    events = case.events.count()
    # The province's handler is not on offer for a commune case; posted anyway, nothing happens at all.
    response = post_action(client, org.head, case, "accept", {"handler": org.p_handler.pk})
    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.state, case.events.count()) == (S.UNDER_REVIEW, events)


def test_one_click_action_without_javascript_posts_only_the_version(client, org, today):
    case = new_case(org)
    response = post_action(client, org.reception, case, "review")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == S.UNDER_REVIEW
    assert case.events.order_by("-id").first().effective_date == today


def test_action_form_opens_inline_for_htmx_and_as_a_page_without_it(client, org, today):
    case = drive(new_case(org), org, S.VERIFYING)
    client.force_login(org.handler)
    url = reverse("workspace:case-action", args=[case.pk, "submit_for_approval"])
    partial = client.get(url, **HTMX).content.decode()
    full = client.get(url).content.decode()
    assert "<html" not in partial and 'hx-post="' in partial
    assert "<html" in full and 'action="' + url + '"' in full
    for html in (partial, full):
        assert 'name="outcome"' in html and 'name="summary"' in html and 'name="claim_differs"' in html
        assert 'name="decision_number"' not in html and 'name="handler"' not in html
        assert 'value="20/03/2026"' in html  # the date on the paper defaults to today
        # Only the outcomes of a complaint.
        assert 'value="partly_right"' in html and 'value="untrue"' not in html


def test_approve_form_shows_the_proposed_outcome_and_summary(client, org, today):
    case = drive(new_case(org), org, S.VERIFYING)
    act(case, "submit_for_approval", org.handler, outcome="partly_right", summary="Điều chỉnh mức bồi thường")
    client.force_login(org.head)
    html = client.get(
        reverse("workspace:case-action", args=[case.pk, "approve"]), **HTMX, **VI
    ).content.decode()
    assert "Kết quả đề xuất" in html and "Khiếu nại đúng một phần" in html
    assert "Điều chỉnh mức bồi thường" in html
    assert 'name="decision_number"' in html and 'name="outcome"' not in html


def test_assignment_offers_only_the_units_handlers_and_heads(client, org, today):
    case = drive(new_case(org), org, S.ACCEPTED)
    client.force_login(org.head)
    html = client.get(reverse("workspace:case-action", args=[case.pk, "start_verification"])).content.decode()
    options = set(re.findall(r'<option value="(\d+)"', html))
    assert options == {str(org.handler.pk), str(org.head.pk)}


def test_appeal_form_offers_only_the_units_above_the_first_round_unit(client, org, today):
    case = drive(new_case(org), org, S.DECIDED)
    client.force_login(org.reception)
    html = client.get(reverse("workspace:case-action", args=[case.pk, "appeal"])).content.decode()
    options = re.findall(r'<option value="(\d+)"[^>]*>', html)
    assert options == [str(org.province.pk)]
    assert "UBND xã B" not in html


def test_transfer_form_lists_the_units_of_the_same_province_first(client, org, today):
    case = new_case(org)
    client.force_login(org.reception)
    html = client.get(reverse("workspace:case-action", args=[case.pk, "transfer"])).content.decode()
    options = re.findall(r'<option value="(\d+)"', html)
    assert str(org.commune.pk) not in options
    assert str(org.other_commune.pk) in options and str(org.province.pk) in options


def test_stale_version_is_refused_on_the_form_and_nothing_changes(client, org, today):
    case = new_case(org)
    stale = case.version
    act(case, "review", org.reception)
    client.force_login(org.head)
    response = client.post(
        reverse("workspace:case-action", args=[case.pk, "file"]),
        {"version": stale, "reason": "duplicate"},
        **VI,
    )
    assert response.status_code == 200
    assert "Hồ sơ đã được người khác thay đổi" in response.content.decode()
    case.refresh_from_db()
    assert case.state == S.UNDER_REVIEW


def test_rule_violation_is_shown_on_the_form_with_its_citation(client, org, today):
    second = second_round_verifying(org)
    response = post_action(
        client, org.p_handler, second, "submit_for_approval", {"outcome": "wrong", "summary": "x"}
    )
    assert response.status_code == 200
    assert "LKN Art. 39" in response.content.decode()
    second.refresh_from_db()
    assert second.state == S.VERIFYING


def test_invalid_field_is_shown_next_to_the_field(client, org, today):
    case = new_case(org)
    response = post_action(
        client, org.reception, case, "file", {"effective_date": "01/01/2030", "reason": "duplicate"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The date on the paper cannot be in the future." in html
    case.refresh_from_db()
    assert case.state == S.RECEIVED


def test_monitor_cannot_act_even_by_posting_the_form(client, org, today):
    case = new_case(org)
    response = post_action(client, org.monitor, case, "review")
    assert response.status_code == 200
    assert "does not allow" in response.content.decode()
    case.refresh_from_db()
    assert case.state == S.RECEIVED


def test_action_not_on_offer_redirects_back_with_a_warning(client, org, today):
    case = new_case(org)
    client.force_login(org.handler)
    response = client.get(reverse("workspace:case-action", args=[case.pk, "accept"]))
    assert response.status_code == 302
    assert "is not available to you" in client.get(response["Location"]).content.decode()


# --- Scope and confidentiality ----------------------------------------------------------------------


def test_user_of_another_unit_gets_404_on_the_page_and_its_forms(client, org, today):
    case = new_case(org)
    client.force_login(org.outsider)
    assert client.get(reverse("workspace:case", args=[case.pk])).status_code == 404
    assert client.get(reverse("workspace:case-action", args=[case.pk, "review"])).status_code == 404
    assert post_action(client, org.outsider, case, "review").status_code == 404
    assert client.get(reverse("workspace:case-dialogue", args=[case.pk])).status_code == 404
    case.refresh_from_db()
    assert case.state == S.RECEIVED


def _denunciation(org) -> Case:
    name = DENOUNCER["full_name"]
    case = new_case(
        org,
        kind=CaseKind.DENUNCIATION,
        petitioners=[DENOUNCER],
        summary=f"Bà {name} tố cáo cán bộ địa chính nhận tiền",
    )
    case = act(case, "review", org.reception, note=f"Đã gặp {name} tại trụ sở")
    case = act(case, "accept", org.head)
    return act(
        case, "start_verification", org.head, handler=org.handler.pk, note=f"Liên hệ {DENOUNCER['phone']}"
    )


def test_handler_never_sees_the_denouncers_identity_on_the_case_page(client, org, today):
    case = _denunciation(org)
    html = page(client, org.handler, case)
    for secret in DENOUNCER.values():
        assert secret not in html
    assert "Confidential (LTC Art. 47)" in html
    assert "tố cáo cán bộ địa chính" in html  # the rest of the summary stays readable
    assert not AccessLog.objects.filter(user=org.handler, kind=AccessLog.Kind.UNMASKED_READ).exists()


def test_resolver_sees_the_denouncer_and_the_read_is_logged(client, org, today):
    case = _denunciation(org)
    html = page(client, org.head, case)
    assert DENOUNCER["full_name"] in html and DENOUNCER["id_number"] in html
    log = AccessLog.objects.get(user=org.head, kind=AccessLog.Kind.UNMASKED_READ)
    assert (log.case_id, log.channel) == (case.pk, "workspace")


# --- History, deadlines, related cases ----------------------------------------------------------


def test_history_reads_as_sentences_with_labelled_values_and_no_raw_code(client, org, today):
    org.head.last_name, org.head.first_name = "Nguyễn Văn", "An"
    org.head.save()
    case = drive(new_case(org), org, S.VERIFYING)
    html = page(client, org.head, case, **VI)
    history = html[html.index('id="history-title"') :]
    assert "Thủ trưởng đơn vị Nguyễn Văn An thụ lý ngày 20/03/2026" in history
    assert "Ngày thụ lý" in history and "20/03/2026" in history
    for raw in ("under_review", "accepted_at", "handler_id", "2026-03-20", "{", "accept:", "→ accepted"):
        assert raw not in history
    assert org.head.username not in re.sub(r"<[^>]+>", " ", history).split()


def test_deadline_shows_its_light_and_why_it_falls_on_that_date(client, org, today):
    case = drive(new_case(org), org, S.ACCEPTED)
    html = page(client, org.head, case, **VI)
    assert 'class="badge ok"' in html
    assert "Vì sao hạn là ngày này?" in html
    assert "Điều 147" in html  # the explanation names the counting rule


def test_round_one_and_round_two_cases_link_to_each_other(client, org, today):
    first = drive(new_case(org), org, S.DECIDED)
    act(first, "appeal", org.reception)
    second = Case.objects.get(first_round_case=first)
    assert reverse("workspace:case", args=[second.pk]) in page(client, org.p_head, first)
    assert reverse("workspace:case", args=[first.pk]) in page(client, org.p_head, second)
    # The commune sees that its case went up, but the province's case is not theirs to open.
    commune_view = page(client, org.head, first)
    assert second.reference in commune_view
    assert reverse("workspace:case", args=[second.pk]) not in commune_view


def test_case_page_costs_a_bounded_number_of_queries(client, org, today, django_assert_max_num_queries):
    case = drive(new_case(org), org, S.VERIFYING)
    hold_dialogue(case, org)
    client.force_login(org.head)
    url = reverse("workspace:case", args=[case.pk])
    client.get(url)  # sessions, caches
    with django_assert_max_num_queries(26):
        assert client.get(url).status_code == 200


def test_received_date_and_every_date_read_day_first(client, org, today):
    case = new_case(org, received_at=date(2026, 3, 16))
    html = page(client, org.reception, case)
    assert "16/03/2026" in html and "2026-03-16" not in html
