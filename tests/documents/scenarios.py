"""Demo-like cases, each brought to the state where one prescribed form applies, and the fields an
officer enters for it: one scenario per form code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from casework.choices import AuthorityLevel, CaseKind, Role
from casework.choices import CaseState as S
from casework.services import record_dialogue
from tests.factories import UnitFactory, UnitLevelFactory, act, petitioner, register, staff
from tests.helpers import DENOUNCER, drive, hold_dialogue

TODAY = date(2026, 12, 1)  # after 1/7/2026: the amended complaint forms are in force
RECEIVED = date(2026, 11, 16)
COMPLAINANT = petitioner(1, full_name="Lê Văn Khiếu", id_number="001090123456", phone="0912000111")

DECISION_FIELDS = {
    "legal_grounds": "Luật Đất đai số 31/2024/QH15\nHồ sơ xác minh ngày 20/11/2026",
    "conclusion": "Quyết định thu hồi đất ban hành đúng thẩm quyền nhưng chưa bồi thường đủ.",
    "remedy": "Sửa đổi Quyết định thu hồi đất, bổ sung phần bồi thường cho người khiếu nại.",
    "compensation": "Bồi thường bổ sung 12 m² đất ở theo giá đất cụ thể.",
}


@dataclass
class Org:
    province: object
    commune: object
    other_commune: object
    reception: object
    handler: object
    head: object
    p_reception: object
    p_handler: object
    p_head: object
    monitor: object
    outsider: object


def build_org() -> Org:
    """The units and staff of tests/conftest.py's `org`, for fixtures wider than one test."""
    province_level = UnitLevelFactory(code="province", rank=1, authority_level=AuthorityLevel.PROVINCE)
    commune_level = UnitLevelFactory(code="commune", rank=3, authority_level=AuthorityLevel.COMMUNE)
    province = UnitFactory(code="tinh", name="UBND tỉnh Lào Cai", level=province_level)
    commune = UnitFactory(code="xa-a", name="UBND phường Cam Đường", level=commune_level, parent=province)
    other = UnitFactory(code="xa-b", name="UBND xã Hợp Thành", level=commune_level, parent=province)
    org = Org(
        province=province,
        commune=commune,
        other_commune=other,
        reception=staff(commune, Role.RECEPTION_OFFICER, "reception"),
        handler=staff(commune, Role.HANDLER, "handler"),
        head=staff(commune, Role.UNIT_HEAD, "head"),
        p_reception=staff(province, Role.RECEPTION_OFFICER, "p_reception"),
        p_handler=staff(province, Role.HANDLER, "p_handler"),
        p_head=staff(province, Role.UNIT_HEAD, "p_head"),
        monitor=staff(province, Role.MONITOR, "monitor"),
        outsider=staff(other, Role.UNIT_HEAD, "outsider"),
    )
    for user, (family, given) in {
        org.head: ("Nguyễn", "Văn Chủ"),
        org.p_head: ("Hoàng", "Thị Tỉnh"),
        org.handler: ("Phạm", "Văn Xử"),
    }.items():
        user.last_name, user.first_name = family, given
        user.save(update_fields=["last_name", "first_name"])
    return org


@dataclass
class Scenario:
    code: str
    case: object
    actor: object
    data: dict


def complaint(org, **extra):
    return register(
        org.commune,
        org.reception,
        kind=CaseKind.COMPLAINT,
        received_at=RECEIVED,
        petitioners=[COMPLAINANT],
        summary="Khiếu nại Quyết định số 45/QĐ-UBND về việc thu hồi 120 m² đất tại tổ 5",
        respondent="Chủ tịch UBND phường Cam Đường",
        **extra,
    )


def denunciation(org):
    return register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=RECEIVED,
        petitioners=[DENOUNCER],
        summary=f"Tố cáo cán bộ địa chính nhận tiền; người tố cáo {DENOUNCER['full_name']}, "
        f"điện thoại {DENOUNCER['phone']}",
        respondent="Ông Đỗ Văn Bị, cán bộ địa chính phường",
    )


def build_scenarios(org) -> list[Scenario]:
    """One case per form, in the state the form needs (all steps dated within November 2026)."""
    on = TODAY - timedelta(days=10)
    early = act(complaint(org), "review", org.reception, on=on)
    accepted = drive(complaint(org), org, S.ACCEPTED, on=on)
    verifying = drive(complaint(org), org, S.VERIFYING, on=on)
    record_dialogue(
        actor=org.head,
        unit=org.commune,
        kind="case",
        chair=org.head,
        held_at=timezone.now() - timedelta(days=2),
        place="Hội trường UBND phường Cam Đường",
        participants="Đại diện Phòng Kinh tế",
        minutes="Người khiếu nại giữ nguyên yêu cầu bồi thường; cán bộ địa chính giải trình.",
        agreed_points="Thống nhất đo đạc lại diện tích.",
        cases=[verifying],
    )
    awaiting = drive(complaint(org), org, S.AWAITING_APPROVAL, on=on)
    rejected = act(
        act(complaint(org), "review", org.reception, on=on), "reject", org.head, on=on, reason="not_affected"
    )
    suspended = drive(complaint(org), org, S.SUSPENDED, on=on)
    resumed = act(drive(complaint(org), org, S.SUSPENDED, on=on), "resume", org.head, on=on)
    withdrawn = act(drive(complaint(org), org, S.ACCEPTED, on=on), "withdraw", org.reception, on=on)
    decided = drive(complaint(org), org, S.DECIDED, on=on)
    act(decided, "appeal", org.reception, on=on)
    second = decided.appeal_cases.get()
    hold_dialogue(second, org)
    second = drive(second, org, S.AWAITING_APPROVAL, on=on)

    d_early = act(denunciation(org), "review", org.reception, on=on)
    d_accepted = drive(denunciation(org), org, S.ACCEPTED, on=on)
    d_extended = act(
        drive(denunciation(org), org, S.VERIFYING, on=on),
        "extend",
        org.head,
        on=on,
        days=30,
        reason="complex",
    )
    d_awaiting = drive(denunciation(org), org, S.AWAITING_APPROVAL, on=on)
    petition = act(
        register(org.commune, org.reception, kind=CaseKind.REFLECTION, received_at=RECEIVED,
                 summary="Phản ánh đèn chiếu sáng hỏng trên đường Hoàng Liên"),
        "review", org.reception, on=on,
    )  # fmt: skip

    r, h = org.reception, org.head
    return [
        Scenario("reception_receipt", early, r, {"documents_received": "Đơn khiếu nại, 02 trang, bản chính\n"
                 "Quyết định 45/QĐ-UBND, 03 trang, bản sao", "officer_name": "Vũ Thị Tiếp"}),
        Scenario("appointment_slip", early, r, {"appointment_on": "2026-12-10", "appointment_time": "8h30"}),
        Scenario("refusal_notice", early, r, {"refusal_reason": "threatening",
                 "details": "Lớn tiếng đe dọa."}),
        Scenario("guidance_slip", early, r, {"competent_body": "Tòa án nhân dân khu vực 1 - Lào Cai"}),
        Scenario("acceptance_proposal", early, r, {"reasoning": "Đơn đủ điều kiện, đúng thẩm quyền."}),
        Scenario("transfer_complaint", early, r, {"target": "Sở Nông nghiệp và Môi trường tỉnh Lào Cai",
                 "reason": "Không thuộc thẩm quyền (Điều 18 Luật Khiếu nại)."}),
        Scenario("complaint_acceptance_notice", accepted, h, {"id_issued": "Cục Cảnh sát QLHC, 10/01/2022"}),
        Scenario("complaint_non_acceptance_notice", rejected, h, {"details": "Không ảnh hưởng trực tiếp."}),
        Scenario("dialogue_minutes", verifying, org.handler, {"minute_taker": "Phạm Văn Xử",
                 "disputed_points": "Mức bồi thường."}),
        Scenario("complaint_decision_first", awaiting, h, DECISION_FIELDS),
        Scenario("complaint_decision_second", second, org.p_head, DECISION_FIELDS),
        Scenario("complaint_suspension_decision", suspended, h, {}),
        Scenario("complaint_termination_decision", withdrawn, h, {}),
        Scenario("complaint_resumption_decision", resumed, h, {"reason": "Đã có kết quả giám định."}),
        Scenario("transfer_denunciation", d_early, r, {"target": "Thanh tra tỉnh Lào Cai",
                 "reason": f"Người bị tố cáo do cấp tỉnh quản lý; đơn của {DENOUNCER['full_name']}."}),
        Scenario("denunciation_acceptance_decision", d_accepted, h, {"assignee": "Thanh tra phường"}),
        Scenario("denunciation_notice_to_denouncer", d_accepted, h, {}),
        Scenario("denunciation_notice_to_denounced", d_accepted, h,
                 {"denounced_content": f"Nhận tiền của {DENOUNCER['full_name']} "
                  f"({DENOUNCER['id_number']})."}),
        Scenario("denunciation_extension_decision", d_extended, h, {}),
        Scenario("denunciation_conclusion", d_awaiting, h, {"conclusion": "Tố cáo đúng một phần.",
                 "measures": "Kiểm điểm, xử lý kỷ luật cán bộ địa chính."}),
        Scenario("transfer_petition", petition, r, {"target": "Công ty Điện lực Lào Cai",
                 "reason": "Thuộc trách nhiệm quản lý của đơn vị điện lực."}),
    ]  # fmt: skip
