"""Words for codes come from one place: the enumerations' labels (and, for a notice's running text or a
report file's short values, their pgettext phrases), rendered in the language asked for."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.utils import translation
from openpyxl import load_workbook

from casework import exports, reports
from casework.choices import (
    NOTICE,
    PHRASES,
    REPORT,
    Action,
    AuditStep,
    AuthorityLevel,
    CaseKind,
    CaseState,
    DeadlineKind,
    Outcome,
    RejectReason,
    Topic,
    label,
)
from casework.exports import OVERDUE_COLUMNS, TITLES, columns_for

NOTICE_VI = {
    CaseKind: {
        "complaint": "khiếu nại",
        "denunciation": "tố cáo",
        "recommendation": "kiến nghị",
        "reflection": "phản ánh",
    },
    DeadlineKind: {
        "processing": "xử lý đơn",
        "acceptance": "thụ lý",
        "resolution": "giải quyết",
        "appeal_window": "khiếu nại lần hai",
        "publication": "công khai quyết định giải quyết",
    },
    RejectReason: {
        "internal_act": "quyết định, hành vi nội bộ, văn bản quy phạm pháp luật hoặc thuộc bí mật nhà nước",
        "not_affected": (
            "quyết định, hành vi không liên quan trực tiếp đến quyền, lợi ích của người khiếu nại"
        ),
        # The words of Law on Complaints Art. 11 (the hand table had dropped "dân sự đầy đủ mà").
        "no_capacity": (
            "người khiếu nại không có năng lực hành vi dân sự đầy đủ mà không có người đại diện hợp pháp"
        ),
        "unlawful_representative": "người đại diện không hợp pháp",
        "unsigned": "đơn không có chữ ký hoặc điểm chỉ",
        "limitation_expired": "hết thời hiệu khiếu nại mà không có lý do chính đáng",
        "second_decision_exists": "đã có quyết định giải quyết khiếu nại lần hai",
        "suspension_lapsed": "quá 30 ngày kể từ ngày có văn bản thông báo tạm đình chỉ mà không tiếp tục",
        "court_seized": "Tòa án đã thụ lý hoặc đã giải quyết",
        "not_competent": "không thuộc thẩm quyền giải quyết của cơ quan",
        "no_basis": "không có cơ sở để xác định người vi phạm, hành vi vi phạm",
    },
    Outcome: {
        "right": "đúng",
        "partly_right": "đúng một phần",
        "wrong": "sai",
        "true": "đúng",
        "partly_true": "đúng một phần",
        "untrue": "sai",
        "answered": "đã trả lời",
    },
}


@pytest.mark.parametrize("choices", list(NOTICE_VI), ids=lambda c: c.__name__)
def test_notice_phrases_read_in_vietnamese_whatever_the_active_language(choices):
    with translation.override("en"):
        assert {code: label(choices, code, "vi", context=NOTICE) for code in choices.values} == NOTICE_VI[
            choices
        ]
        assert translation.get_language() == "en"  # the override does not leak


def test_notice_phrases_in_english_are_lower_case_running_text():
    assert label(CaseKind, "complaint", "en", context=NOTICE) == "complaint"
    assert label(DeadlineKind, "appeal_window", "en", context=NOTICE) == "appeal window"
    assert (
        label(RejectReason, "unsigned", "en", context=NOTICE) == "the letter is not signed or finger-printed"
    )
    assert label(Outcome, "partly_true", "en", context=NOTICE) == "partly true"


def test_every_code_a_notice_or_report_names_has_its_phrase():
    for context in (NOTICE, REPORT):
        for choices, phrases in PHRASES[context].items():
            assert set(phrases) == set(choices.values), (context, choices.__name__)


def test_without_a_context_the_label_is_the_enumerations_label_in_the_language_asked():
    assert label(CaseState, "decided", "vi") == "Đã ban hành quyết định/kết luận"
    assert label(CaseState, "decided", "en") == "Decided"
    assert label(AuthorityLevel, "province", "vi") == "Cấp tỉnh"
    assert label(AuthorityLevel, "province", "vi", context=REPORT) == "Tỉnh"
    # A context without a phrase for that enumeration falls back to the label.
    assert label(CaseState, "accepted", "vi", context=NOTICE) == "Đã thụ lý"
    with translation.override("vi"):
        assert label(Action, "accept") == "Thụ lý"  # the active language when none is given


def test_empty_and_unknown_codes():
    assert label(Outcome, None, "vi") == "" and label(Outcome, "", "vi") == ""
    assert label(Outcome, "not_a_code", "vi") == "not_a_code"


def test_audit_steps_and_topics_have_vietnamese_labels():
    assert [label(AuditStep, s, "vi") for s in AuditStep.values] == [
        "Vào sổ",
        "Tính lại thời hạn",
        "Đã ghi nhận buổi đối thoại",
        "Ghi nhận việc rút đơn do bị ép buộc",
        "Ban hành văn bản",
    ]
    # A transition's topic reads like the transition.
    assert label(Topic, "case.approve", "vi") == label(Action, "approve", "vi")
    assert label(Topic, "deadline.reminder", "vi") == "Nhắc hạn"


def test_export_headers_are_the_catalogues_words_in_the_files_language():
    with translation.override("vi"):
        assert [c.header() for c in columns_for("resolution", "unit")][:4] == [
            "Cấp",
            "Mã đơn vị",
            "Đơn vị",
            "Loại đơn",
        ]
        assert [c.header() for c in OVERDUE_COLUMNS] == [
            "Số hồ sơ",
            "Mã đơn vị",
            "Đơn vị",
            "Loại đơn",
            "Trạng thái",
            "Loại thời hạn",
            "Hạn",
            "Số ngày quá hạn",
            "Số ngày làm việc quá hạn",
            "Người xử lý",
            "Thủ trưởng đơn vị",
            "Nhóm quá hạn (ngày)",
        ]
        assert {k: str(v) for k, v in TITLES.items()} == {
            "resolution": "Tỷ lệ giải quyết đơn thuộc thẩm quyền",
            "outcomes": "Kết quả giải quyết",
            "reception": "Tiếp công dân",
            "overdue": "Hồ sơ quá hạn",
        }
    with translation.override("en"):
        assert [c.header() for c in columns_for("reception", "level")] == [
            "Level",
            "Visits",
            "Visitors",
            "Group visits",
            "Cases opened",
            "Days the head received",
            "Days required",
            "Head reception compliance (%)",
            "Periodic dialogues held",
            "Periodic dialogues required",
        ]


def test_export_values_use_the_report_words_for_levels_kinds_and_deadlines_and_the_labels_for_states():
    state, deadline = OVERDUE_COLUMNS[4], OVERDUE_COLUMNS[5]
    level, kind = columns_for("resolution", "level")[:2]
    with translation.override("vi"):
        assert [level.value({"level": c}) for c in AuthorityLevel.values] == [
            "Trung ương",
            "Tỉnh",
            "Huyện",
            "Xã",
        ]
        assert [kind.value({"kind": c}) for c in CaseKind.values] == [
            "Khiếu nại",
            "Tố cáo",
            "Kiến nghị",
            "Phản ánh",
        ]
        assert [deadline.value({"deadline_kind": c}) for c in DeadlineKind.values] == [
            "Xử lý đơn",
            "Thụ lý",
            "Giải quyết",
            "Thời hạn khiếu nại lần hai",
            "Thời hạn công khai quyết định",
        ]
        # States read as everywhere else in the staff's Vietnamese (the file used to shorten two).
        assert state.value({"state": "under_review"}) == "Đang xem xét, phân loại"
        assert state.value({"state": "decided"}) == "Đã ban hành quyết định/kết luận"
    with translation.override("en"):
        assert kind.value({"kind": "complaint"}) == "Complaint"
        assert deadline.value({"deadline_kind": "processing"}) == "Processing"
        assert state.value({"state": "awaiting_approval"}) == "Awaiting approval"


def test_xlsx_sheets_and_about_lines_follow_the_files_language():
    report = reports.Report(reports.custom_period(date(2026, 3, 1), date(2026, 3, 31)), "level", [], {})
    vi = load_workbook(io.BytesIO(exports.to_xlsx("outcomes", report, "vi")))
    assert vi.sheetnames == ["Bao cao", "Thong tin"]
    lines = [row[0] for row in vi["Thong tin"].values]
    assert lines[:3] == ["Kết quả giải quyết", "Từ ngày", "Đến ngày"]
    assert lines[-1] == "Không chứa thông tin nhận diện người tố cáo."
    with translation.override("vi"):
        en = load_workbook(io.BytesIO(exports.to_xlsx("outcomes", report, "en")))
    assert en.sheetnames == ["Report", "About"]
    assert [row[0] for row in en["About"].values][:4] == ["Outcomes", "From", "To", "Generated at"]
