"""Words for codes in notices, per language.

Notices go out in the recipient's language whatever the UI language is, so the few codes they name
(case kind, deadline kind, refusal reason, outcome) are spelled out here for both languages.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "vi": {
        "case_kind": {
            "complaint": "khiếu nại",
            "denunciation": "tố cáo",
            "recommendation": "kiến nghị",
            "reflection": "phản ánh",
        },
        "deadline_kind": {
            "processing": "xử lý đơn",
            "acceptance": "thụ lý",
            "resolution": "giải quyết",
            "appeal_window": "khiếu nại lần hai",
            "publication": "công khai quyết định giải quyết",
        },
        "reason": {
            "internal_act": (
                "quyết định, hành vi nội bộ, văn bản quy phạm pháp luật hoặc thuộc bí mật nhà nước"
            ),
            "not_affected": (
                "quyết định, hành vi không liên quan trực tiếp đến quyền, lợi ích của người khiếu nại"
            ),
            "no_capacity": "người khiếu nại không có năng lực hành vi và không có người đại diện hợp pháp",
            "unlawful_representative": "người đại diện không hợp pháp",
            "unsigned": "đơn không có chữ ký hoặc điểm chỉ",
            "limitation_expired": "hết thời hiệu khiếu nại mà không có lý do chính đáng",
            "second_decision_exists": "đã có quyết định giải quyết khiếu nại lần hai",
            "suspension_lapsed": "quá 30 ngày kể từ ngày có văn bản thông báo tạm đình chỉ mà không tiếp tục",
            "court_seized": "Tòa án đã thụ lý hoặc đã giải quyết",
            "not_competent": "không thuộc thẩm quyền giải quyết của cơ quan",
            "no_basis": "không có cơ sở để xác định người vi phạm, hành vi vi phạm",
        },
        "outcome": {
            "right": "đúng",
            "partly_right": "đúng một phần",
            "wrong": "sai",
            "true": "đúng",
            "partly_true": "đúng một phần",
            "untrue": "sai",
            "answered": "đã trả lời",
        },
    },
    "en": {
        "case_kind": {
            "complaint": "complaint",
            "denunciation": "denunciation",
            "recommendation": "recommendation",
            "reflection": "reflection",
        },
        "deadline_kind": {
            "processing": "processing",
            "acceptance": "acceptance",
            "resolution": "resolution",
            "appeal_window": "appeal window",
            "publication": "publication of the decision",
        },
        "reason": {
            "internal_act": "an internal or normative act, or one classified as a state secret",
            "not_affected": "the decision or act does not directly affect the complainant",
            "no_capacity": "no legal capacity and no lawful representative",
            "unlawful_representative": "the representative is not lawful",
            "unsigned": "the letter is not signed or finger-printed",
            "limitation_expired": "the limitation period expired without good reason",
            "second_decision_exists": "a second-round decision already exists",
            "suspension_lapsed": "30 days passed after a suspension notice without resumption",
            "court_seized": "a court has accepted or decided the matter",
            "not_competent": "the matter is not within this unit's competence",
            "no_basis": "there is no basis to identify the violator or the violation",
        },
        "outcome": {
            "right": "right",
            "partly_right": "partly right",
            "wrong": "wrong",
            "true": "true",
            "partly_true": "partly true",
            "untrue": "untrue",
            "answered": "answered",
        },
    },
}


def label(language: str, group: str, code: str | None) -> str:
    if not code:
        return ""
    return LABELS.get(language, LABELS["en"]).get(group, {}).get(code, code)
