"""casework.confidentiality: the scrubbing of a denouncer's identity from free text, and the regressions
of issue 10 (defects 1, 2 and 3) on the surfaces that showed it."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from casework.choices import CaseKind
from casework.confidentiality import Identity, Secrets, names_identity, placeholder, scrub
from casework.models import Case
from tests.factories import act, register

DENOUNCER = {
    "full_name": "Trần Thị Bí Mật",
    "id_number": "001234567890",
    "phone": "0912345678",
    "email": "Bi.Mat@example.vn",
    "address": "Số 12 ngõ Kín Đáo, phường Ba Đình",
}
SECRETS = Secrets([Identity(**DENOUNCER)])


@pytest.mark.parametrize(
    "written",
    [
        "Trần Thị Bí Mật",
        "Tran Thi Bi Mat",
        "TRẦN THỊ BÍ MẬT",
        "Trần  Thị Bí   Mật",
        "tran thi bi mat",
        "001234567890",
        "001 234 567 890",
        "001.234.567.890",
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "0912-345-678",
        "+84 912 345 678",
        "+84912345678",
        "84912345678",
        "bi.mat@EXAMPLE.vn",
        "so 12 ngo kin dao, phuong ba dinh",
    ],
)
def test_every_spelling_of_the_identity_is_replaced_and_the_rest_kept_as_written(written):
    text = f"Chuyển đơn của {written} — đến UBND tỉnh."
    assert SECRETS.text(text) == f"Chuyển đơn của {placeholder()} — đến UBND tỉnh."


def test_text_that_only_resembles_the_identity_is_left_alone():
    for text in (
        "Trần Thị Bích tố cáo",  # another name sharing the first words
        "Số hồ sơ 10912345678",  # the phone's digits inside a longer number
        "Mã 0012345678901",
        "Ông Bí Mật Trần",
    ):
        assert SECRETS.text(text) == text


def test_a_whole_note_with_several_identities_keeps_its_wording():
    note = "người tố cáo Trần Thị Bí Mật (CCCD 001234567890, ĐT 0912345678)"
    mark = placeholder()
    assert SECRETS.text(note) == f"người tố cáo {mark} (CCCD {mark}, ĐT {mark})"


def test_json_values_are_scrubbed_inside():
    changes = {"note": [None, "Tran Thi Bi Mat"], "handler": [None, 3]}
    assert SECRETS.apply(changes) == {"note": [None, placeholder()], "handler": [None, 3]}


def test_a_short_or_vague_identity_blanks_out_nothing():
    vague = Secrets([Identity(full_name="An", address="Thôn 1", phone="113")])
    assert not vague
    assert vague.apply("An ở Thôn 1 gọi 113") == "An ở Thôn 1 gọi 113"


def test_names_identity_detects_what_the_officer_typed():
    assert names_identity("Bà TRAN THI BI MAT tố cáo", [Identity(**DENOUNCER)])
    assert not names_identity("Công dân tố cáo cán bộ", [Identity(**DENOUNCER)])


@pytest.fixture
def denunciation(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 16),
        petitioners=[DENOUNCER],
        summary="Bà Trần Thị Bí Mật tố cáo chủ tịch xã",
    )
    act(case, "review", org.reception, note="người tố cáo Trần Thị Bí Mật (CCCD 001234567890, ĐT 0912345678)")
    return Case.objects.get(pk=case.pk)


def test_the_intake_warns_the_officer_when_the_summary_names_the_denouncer(denunciation):
    assert "summary_names_denouncer" in [f["code"] for f in denunciation.intake_flags]


def test_a_summary_that_does_not_name_the_denouncer_raises_no_warning(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    case = register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 16),
        petitioners=[DENOUNCER],
        summary="Tố cáo chủ tịch xã nhận tiền",
    )
    assert "summary_names_denouncer" not in [f["code"] for f in case.intake_flags]


def test_only_the_head_and_the_registering_officer_read_the_summary_in_clear(org, denunciation):
    assert scrub(denunciation.summary, denunciation, org.head) == denunciation.summary
    assert scrub(denunciation.summary, denunciation, org.reception) == denunciation.summary
    for user in (org.handler, org.p_head, org.monitor, None):
        assert scrub(denunciation.summary, denunciation, user) == f"Bà {placeholder()} tố cáo chủ tịch xã"


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", ["/admin/casework/case/{pk}/change/", "/admin/casework/caseevent/"])
def test_the_admin_shows_notes_and_summary_scrubbed_to_the_handler(org, denunciation, url):
    """Defects 1 and 2: the audit note and the summary were shown in clear on the admin pages."""
    page = _page(org.handler, url.format(pk=denunciation.pk))
    assert "Bí Mật" not in page and "001234567890" not in page and "0912345678" not in page
    assert placeholder() in page
    assert "Bí Mật" in _page(org.head, url.format(pk=denunciation.pk))


def test_the_audit_record_page_is_read_only_and_scrubbed_for_the_monitor(org, denunciation):
    event = denunciation.events.get(action="review")
    page = _page(org.monitor, f"/admin/casework/caseevent/{event.pk}/change/")
    assert "Bí Mật" not in page and placeholder() in page


def test_a_transfer_strips_the_identity_from_the_text_it_carries(org, denunciation):
    """Defect 3's neighbour: the receiving unit never had the denouncer, so it cannot scrub at read
    time; the copied text is stripped when the transfer writes it."""
    act(
        denunciation,
        "transfer",
        org.reception,
        target_unit=org.province.pk,
        note="Chuyển đơn của Tran Thi Bi Mat",
    )
    moved = Case.objects.get(transferred_from=denunciation)
    assert moved.summary == f"Bà {placeholder()} tố cáo chủ tịch xã"
    history = _page(org.handler, f"/admin/casework/case/{denunciation.pk}/change/")
    assert "Tran Thi Bi Mat" not in history


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/admin/casework/case/?q={q}", ("Bí Mật", "001234567890")),
        ("/admin/casework/caseevent/?q={q}", ("Bí Mật", "0912345678")),
    ],
)
def test_an_admin_search_does_not_confirm_who_denounced(org, denunciation, url, queries):
    """A search hit on a sealed record would tell the handler that the text names the person."""
    for q in queries:
        assert denunciation.reference not in _page(org.handler, url.format(q=q))
        assert denunciation.reference in _page(org.head, url.format(q=q))
