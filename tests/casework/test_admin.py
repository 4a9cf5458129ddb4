"""The staff admin: scoped lists with their clocks, transition buttons that call the engine, masked
denouncers, evidence that cannot be edited, and adds that go through the domain services."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.admin.cases import ACTION_LABELS
from casework.choices import CaseKind, CaseState, DeadlineKind, DeadlineStatus, Role
from casework.models import AccessLog, CalendarDay, Case, CaseEvent, Deadline, Dialogue, Visit
from tests.factories import UserFactory, act, petitioner, register, staff
from workflows.actions import ACTION_PARAMS
from workflows.service import available_actions

TODAY = date(2026, 3, 20)  # a Friday
DENOUNCER = "Trần Thị Tố Giác"

pytestmark = pytest.mark.django_db


def case_url(case: Case) -> str:
    return reverse("admin:casework_case_change", args=[case.pk])


def action_url(case: Case, action: str) -> str:
    return reverse("admin:casework_case_action", args=[case.pk, action])


def buttons(response) -> set[str]:
    return set(re.findall(r'data-action="(\w+)"', response.content.decode()))


def as_user(client, user):
    client.force_login(user)
    return client


def accepted_denunciation(org):
    case = register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 2),
        petitioners=[petitioner(7, full_name=DENOUNCER)],
        summary="Tố cáo cán bộ địa chính nhận tiền",
    )
    act(case, "review", org.reception, on=date(2026, 3, 3))
    act(case, "accept", org.head, on=date(2026, 3, 5))
    return act(case, "start_verification", org.head, on=date(2026, 3, 6), handler=org.handler.pk)


# --- Lists --------------------------------------------------------------------------------------


def test_case_list_shows_own_subtree_and_hides_other_communes(org, frozen_today, client):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))

    listing = as_user(client, org.p_handler).get(reverse("admin:casework_case_changelist"))
    assert listing.status_code == 200
    assert case.reference in listing.content.decode()  # the province sees its communes

    client.force_login(org.outsider)
    assert case.reference not in client.get(reverse("admin:casework_case_changelist")).content.decode()
    assert client.get(case_url(case)).status_code == 302  # "does not exist", like any unknown id
    assert client.get(action_url(case, "review")).status_code == 302


def test_case_list_shows_next_due_date_with_working_days_left(org, frozen_today, client):
    frozen_today(TODAY)
    register(org.commune, org.reception, received_at=date(2026, 3, 16))
    # Processing: 10 calendar days from Mon 16/03 -> Thu 26/03, four working days after Fri 20/03.
    page = as_user(client, org.reception).get(reverse("admin:casework_case_changelist")).content.decode()
    assert "26/03/2026 · 4 working days left" in page


def test_overdue_filter_lists_only_cases_past_a_running_deadline(org, frozen_today, client):
    frozen_today(TODAY)
    late = register(org.commune, org.reception, received_at=date(2026, 3, 2))  # processing due 12/03
    fresh = register(org.commune, org.reception, received_at=date(2026, 3, 19))
    url = reverse("admin:casework_case_changelist")
    as_user(client, org.head)

    overdue = client.get(url, {"overdue": "yes"}).content.decode()
    assert late.reference in overdue
    assert fresh.reference not in overdue
    assert "working days overdue" in overdue

    on_time = client.get(url, {"overdue": "no"}).content.decode()
    assert fresh.reference in on_time
    assert late.reference not in on_time


def test_due_within_filter_keeps_cases_due_in_the_next_working_days(org, frozen_today, client):
    frozen_today(TODAY)
    soon = register(org.commune, org.reception, received_at=date(2026, 3, 16))  # due Thu 26/03
    later = register(org.commune, org.reception, received_at=date(2026, 3, 20))  # due Mon 30/03
    page = (
        as_user(client, org.head)
        .get(reverse("admin:casework_case_changelist"), {"due_within": "5"})
        .content.decode()
    )
    assert soon.reference in page
    assert later.reference not in page


def test_case_list_queries_do_not_grow_with_the_number_of_rows(org, frozen_today, client):
    frozen_today(TODAY)
    as_user(client, org.head)
    url = reverse("admin:casework_case_changelist")
    register(org.commune, org.reception, received_at=date(2026, 3, 16))
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(12):
        register(org.commune, org.reception, received_at=date(2026, 3, 16), petitioners=[petitioner(n + 2)])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "13 cases" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Transition buttons -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reception", "handler", "head"])
def test_buttons_are_the_actions_the_engine_allows_this_user(org, frozen_today, client, role):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    user = getattr(org, role)
    shown = buttons(as_user(client, user).get(case_url(case)))
    assert shown == set(available_actions(Case.objects.get(pk=case.pk), user))
    if role == "reception":
        assert "review" in shown
    if role == "handler":
        assert shown == set()  # nothing is assigned to the handler yet


def test_monitor_sees_no_buttons_and_cannot_post_an_action(org, frozen_today, client):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    as_user(client, org.monitor)
    page = client.get(case_url(case))
    assert page.status_code == 200
    assert buttons(page) == set()

    response = client.post(action_url(case, "review"), {"version": case.version})
    assert response.status_code == 200
    assert "[forbidden]" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED


def test_posting_an_action_moves_the_case_and_writes_the_audit_record(org, frozen_today, client):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    as_user(client, org.reception)
    assert client.get(action_url(case, "review")).status_code == 200

    response = client.post(
        action_url(case, "review"),
        {"version": case.version, "note": "Đủ điều kiện xem xét", "effective_date": "2026-03-17"},
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(case)
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    event = case.events.latest("id")
    assert (event.action, event.actor, event.note, event.effective_date) == (
        "review",
        org.reception,
        "Đủ điều kiện xem xét",
        date(2026, 3, 17),
    )
    page = client.get(case_url(case)).content.decode()
    assert "Under review" in page and "Đủ điều kiện xem xét" in page  # message + audit inline


def test_start_verification_offers_the_units_handlers_and_assigns_one(org, frozen_today, client):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    act(case, "review", org.reception, on=date(2026, 3, 17))
    case = act(case, "accept", org.head, on=date(2026, 3, 18))
    as_user(client, org.head)

    form = client.get(action_url(case, "start_verification")).context["form"]
    offered = {value for value, _name in form.fields["handler"].choices if value}
    assert offered == {org.handler.pk, org.head.pk}

    response = client.post(
        action_url(case, "start_verification"), {"version": case.version, "handler": org.handler.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.handler) == (CaseState.VERIFYING, org.handler)


def test_stale_version_shows_an_error_and_changes_nothing(org, frozen_today, client):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    opened_at_version = case.version
    case = act(case, "review", org.head)  # someone else acts meanwhile
    events_before = case.events.count()

    response = as_user(client, org.reception).post(
        action_url(case, "file"), {"version": opened_at_version, "reason": "duplicate"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "[stale_version]" in page and "Reload the case" in page
    case.refresh_from_db()
    assert (case.state, case.version, case.events.count()) == (
        CaseState.UNDER_REVIEW,
        opened_at_version + 1,
        events_before,
    )


def test_refused_action_shows_the_field_errors_of_the_engine(org, frozen_today, client):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    response = as_user(client, org.reception).post(
        action_url(case, "review"), {"version": case.version, "effective_date": "2026-03-27"}
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.context["form"].errors["effective_date"][0]
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED


def test_action_buttons_have_labels_for_every_engine_action():
    assert set(ACTION_PARAMS) <= set(ACTION_LABELS)


# --- Confidentiality ----------------------------------------------------------------------------


def test_denouncer_is_masked_for_the_handler_and_shown_to_the_head_with_a_log(org, frozen_today, client):
    frozen_today(TODAY)
    case = accepted_denunciation(org)

    handler_page = as_user(client, org.handler).get(case_url(case)).content.decode()
    assert DENOUNCER not in handler_page
    assert "confidential, LTC Art. 47" in handler_page
    assert not AccessLog.objects.filter(user=org.handler, kind=AccessLog.Kind.UNMASKED_READ).exists()

    head_page = as_user(client, org.head).get(case_url(case)).content.decode()
    assert DENOUNCER in head_page
    log = AccessLog.objects.get(user=org.head, kind=AccessLog.Kind.UNMASKED_READ)
    assert (log.case, log.channel, log.party.full_name) == (case, "admin", DENOUNCER)


def test_people_list_never_shows_a_sealed_denouncer(org, frozen_today, client):
    frozen_today(TODAY)
    accepted_denunciation(org)
    register(org.commune, org.reception, received_at=date(2026, 3, 16), petitioners=[petitioner(3)])
    for user in (org.handler, org.head):
        page = as_user(client, user).get(reverse("admin:casework_party_changelist")).content.decode()
        assert DENOUNCER not in page
        assert "Nguyễn Văn 3" in page


# --- Evidence is read-only ----------------------------------------------------------------------


def test_audit_records_and_access_logs_cannot_be_changed_or_deleted(org, frozen_today, client, admin_user):
    frozen_today(TODAY)
    case = accepted_denunciation(org)
    as_user(client, org.head).get(case_url(case))  # writes an access log row
    event, log = CaseEvent.objects.filter(case=case).first(), AccessLog.objects.first()
    as_user(client, admin_user)
    for model, obj in (("caseevent", event), ("accesslog", log), ("case", case)):
        change = reverse(f"admin:casework_{model}_change", args=[obj.pk])
        assert client.get(change).status_code == 200
        assert client.post(change, {}).status_code == 403
        assert (
            client.post(reverse(f"admin:casework_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code
            == 403
        )
    assert CaseEvent.objects.filter(pk=event.pk).exists() and AccessLog.objects.filter(pk=log.pk).exists()


# --- Adds through the services ------------------------------------------------------------------


def test_adding_a_case_runs_intake_and_shows_its_flags(org, frozen_today, client):
    frozen_today(TODAY)
    form = {
        "unit": org.commune.pk,
        "kind": CaseKind.COMPLAINT,
        "round": "1",
        "channel": "post",
        "received_at": "2026-03-19",
        "summary": "Khiếu nại quyết định thu hồi đất",
        "petitioners-TOTAL_FORMS": "3",
        "petitioners-INITIAL_FORMS": "0",
    }
    response = as_user(client, org.reception).post(reverse("admin:casework_case_add"), form, follow=True)
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.registered_by, case.state) == (org.reception, CaseState.RECEIVED)
    assert case.deadlines.filter(kind=DeadlineKind.PROCESSING, status=DeadlineStatus.RUNNING).exists()
    assert "[anonymous_complaint]" in response.content.decode()  # intake flag shown as a warning


def test_adding_a_case_outside_ones_units_is_refused_by_the_form(org, frozen_today, client):
    frozen_today(TODAY)
    response = as_user(client, org.reception).post(
        reverse("admin:casework_case_add"),
        {
            "unit": org.other_commune.pk,
            "kind": CaseKind.REFLECTION,
            "channel": "post",
            "received_at": "2026-03-19",
            "summary": "Phản ánh đường hỏng",
            "petitioners-TOTAL_FORMS": "0",
            "petitioners-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Case.objects.exists()


def test_recording_a_visit_writes_the_book_line_and_opens_the_case(org, frozen_today, client):
    frozen_today(TODAY)
    response = as_user(client, org.reception).post(
        reverse("admin:casework_visit_add"),
        {
            "unit": org.commune.pk,
            "visited_at_0": "2026-03-20",
            "visited_at_1": "08:30",
            "reception_kind": "regular",
            "summary": "Khiếu nại việc cấp giấy chứng nhận",
            "open_case_kind": CaseKind.COMPLAINT,
            "open_case_round": "1",
            "visitors-TOTAL_FORMS": "1",
            "visitors-INITIAL_FORMS": "0",
            "visitors-0-full_name": "Lê Văn Dân",
            "visitors-0-id_number": "001090012345",
            "visitors-0-address": "Thôn 2",
            "visitors-0-kind": "person",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert (visit.book_number, visit.officer) == (1, org.reception)
    assert [c.kind for c in visit.cases.all()] == [CaseKind.COMPLAINT]
    book = client.get(reverse("admin:casework_visit_changelist")).content.decode()
    assert "Lê Văn Dân" in book and "Individual" in book


def test_recording_a_dialogue_goes_through_the_service(org, frozen_today, client):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 2))
    act(case, "review", org.reception, on=date(2026, 3, 3))
    case = act(case, "accept", org.head, on=date(2026, 3, 5))
    response = as_user(client, org.head).post(
        reverse("admin:casework_dialogue_add"),
        {
            "unit": org.commune.pk,
            "kind": "case",
            "cases": [case.pk],
            "chair": org.head.pk,
            "held_at_0": "2026-03-19",
            "held_at_1": "09:00",
            "place": "Trụ sở UBND xã",
            "complainant_attended": "on",
        },
    )
    assert response.status_code == 302
    assert Dialogue.objects.get().cases.get() == case
    assert case.events.filter(action="dialogue_recorded", actor=org.head).exists()


def test_adding_and_removing_a_day_off_moves_a_running_deadline(org, frozen_today, client):
    frozen_today(date(2026, 3, 3))
    administrator = staff(org.province, Role.ADMINISTRATOR, "calendar_admin")
    case = register(org.commune, org.reception, kind=CaseKind.DENUNCIATION, received_at=date(2026, 3, 2))
    acceptance = Deadline.objects.get(case=case, kind=DeadlineKind.ACCEPTANCE)
    due = acceptance.due_date  # 7 working days from Mon 02/03: Wed 11/03
    as_user(client, administrator)

    response = client.post(
        reverse("admin:casework_calendarday_add"),
        {"date": "2026-03-05", "kind": "day_off", "reason": "Nghỉ bù"},
        follow=True,
    )
    assert "1 running deadline moved." in response.content.decode()
    acceptance.refresh_from_db()
    assert acceptance.due_date == date(2026, 3, 12) != due

    assert case.events.filter(action="deadline_recomputed", actor=administrator).count() == 1

    response = client.post(
        reverse("admin:casework_calendarday_delete", args=[CalendarDay.objects.get().pk]),
        {"post": "yes"},
        follow=True,
    )
    assert "1 running deadline moved." in response.content.decode()
    acceptance.refresh_from_db()
    assert acceptance.due_date == due


def test_granting_a_role_in_the_admin_gives_the_group_and_staff_access(org, client):
    administrator = staff(org.province, Role.ADMINISTRATOR, "roles_admin")
    newcomer = UserFactory(username="newcomer")
    response = as_user(client, administrator).post(
        reverse("admin:casework_membership_add"),
        {"user": newcomer.pk, "unit": org.commune.pk, "role": Role.HANDLER},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert list(newcomer.groups.values_list("name", flat=True)) == [Role.HANDLER]


def test_a_unit_cannot_be_added_above_its_parent(org, client):
    administrator = staff(org.province, Role.ADMINISTRATOR, "units_admin")
    response = as_user(client, administrator).post(
        reverse("admin:casework_unit_add"),
        {"code": "tinh-2", "name": "Tỉnh lạ", "level": org.province.level_id, "parent": org.commune.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["level"] == ["A unit cannot rank above its parent."]

    response = client.post(
        reverse("admin:casework_unit_add"),
        {"code": "xa-c", "name": "UBND xã C", "level": org.commune.level_id, "parent": org.province.pk},
    )
    assert response.status_code == 302
    assert org.province.children.filter(code="xa-c").exists()


def test_audit_trail_names_each_step_in_the_readers_language(org, frozen_today, client):
    frozen_today(TODAY)
    case = register(org.commune, org.reception, received_at=date(2026, 3, 16))
    act(case, "review", org.reception, on=date(2026, 3, 17))
    as_user(client, org.reception)
    trail = client.get(case_url(case), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    steps = re.findall(r'<td class="field-step">\s*<p>([^<]*)</p>', trail)
    assert steps == ["Vào sổ", "Xem xét, phân loại đơn"]


def test_the_close_action_label_does_not_rename_the_admins_own_close_link():
    from django.utils import translation

    with translation.override("vi"):
        assert str(ACTION_LABELS["close"]) == "Kết thúc hồ sơ"
        assert translation.gettext("Close") == "Đóng"  # Django admin's link back to the list
