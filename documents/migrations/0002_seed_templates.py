"""The prescribed forms, by version, from ../shared/FORMS.md (research notes, tags kept):
"verified" = confirmed against an official copy [V]; "secondary" = seen in one secondary copy [V-2nd];
"unverified" = not confirmed. An unverified form number is not printed on the paper.

Versions: the decrees of 15/05/2026 (155/2026 amending Decree 124/2020) replace complaint forms 03, 04
and 14 and add 14a/14b from 01/07/2026 [V-2nd]; the earlier version ends on 30/06/2026. Effective
dates of the instruments themselves: Circular 05/2021 15/11/2021 [V]; Decree 124/2020 05/12/2020 and
Decree 31/2019 28/05/2019 (from memory of the gazette, not in FORMS.md: unverified); Circular
04/2021's date unverified (taken as Circular 05/2021's).
"""

from django.db import migrations

RECEPTION = ["reception_officer", "unit_head"]
HEAD = ["unit_head"]
DIALOGUE = ["unit_head", "handler"]
ALL_KINDS = ["complaint", "denunciation", "recommendation", "reflection"]
EARLY = ["received", "under_review"]
RESOLVING = ["accepted", "verifying", "awaiting_approval"]
TT04 = "Thông tư 04/2021/TT-TTCP (số mẫu theo Thông tư 06/2014/TT-TTCP)"
TT05 = "Thông tư 05/2021/TT-TTCP"
ND124 = "Nghị định 124/2020/NĐ-CP"
ND155 = "Nghị định 155/2026/NĐ-CP (sửa đổi Nghị định 124/2020/NĐ-CP)"
ND31 = "Nghị định 31/2019/NĐ-CP"
NOTE_TT04 = "Numbers known under Circular 06/2014 [V]; their numbers in Circular 04/2021 not confirmed."
NOTE_2026 = "Decree 155/2026 seen in one secondary copy; confirm in the official gazette."

# code, version, form_number, title, legal_basis, valid_from, valid_to, verification, note,
# document_kind, case_kinds, rounds, states, action, issuer_roles
TEMPLATES = [
    ("reception_receipt", 1, "Mẫu số 02-TCD", "Giấy biên nhận thông tin, tài liệu, bằng chứng",
     f"{TT04}, Mẫu số 02-TCD", "2021-11-15", None, "unverified", NOTE_TT04,
     "GBN", ALL_KINDS, [], [], "register", RECEPTION),
    ("appointment_slip", 1, "Mẫu số 04-TCD", "Phiếu hẹn", f"{TT04}, Mẫu số 04-TCD",
     "2021-11-15", None, "unverified", NOTE_TT04, "PH", ALL_KINDS, [], EARLY, "", RECEPTION),
    ("refusal_notice", 1, "Mẫu số 01-TCD", "Thông báo về việc từ chối tiếp công dân",
     f"Luật Tiếp công dân 42/2013/QH13, Điều 9; {TT04}, Mẫu số 01-TCD", "2021-11-15", None,
     "unverified", NOTE_TT04, "TB", ALL_KINDS, [], [], "", RECEPTION),
    ("guidance_slip", 1, "", "Phiếu hướng dẫn", f"{TT05} (số mẫu chưa xác minh; 05-TCD theo 06/2014)",
     "2021-11-15", None, "unverified", "Form number under Circular 05/2021 not confirmed.",
     "PHD", ALL_KINDS, [], [*EARLY, "guided"], "guide", RECEPTION),
    ("acceptance_proposal", 1, "Mẫu số 01", "Phiếu đề xuất thụ lý đơn", f"{TT05}, Mẫu số 01",
     "2021-11-15", None, "verified", "", "PĐX", ALL_KINDS, [], EARLY, "accept", RECEPTION),
    ("transfer_complaint", 1, "Mẫu số 02", "Phiếu chuyển đơn khiếu nại", f"{TT05}, Mẫu số 02 (chưa xác minh)",
     "2021-11-15", None, "unverified", "Number 02 under Circular 05/2021 not confirmed.",
     "PC", ["complaint"], [], [*EARLY, "transferred"], "transfer", RECEPTION),
    ("transfer_denunciation", 1, "Mẫu số 03", "Phiếu chuyển đơn tố cáo", f"{TT05}, Mẫu số 03",
     "2021-11-15", None, "verified", "", "PC", ["denunciation"], [], [*EARLY, "transferred"], "transfer",
     RECEPTION),
    ("transfer_petition", 1, "", "Phiếu chuyển đơn kiến nghị, phản ánh",
     f"{TT05} (số mẫu chưa xác minh; 06-XLĐ theo Thông tư 07/2014)", "2021-11-15", None, "unverified",
     "Form number under Circular 05/2021 not confirmed.", "PC", ["recommendation", "reflection"], [],
     [*EARLY, "transferred"], "transfer", RECEPTION),
    ("complaint_acceptance_notice", 1, "Mẫu số 03", "Thông báo về việc thụ lý giải quyết khiếu nại",
     f"{ND124}, Phụ lục, Mẫu số 03", "2020-12-05", "2026-06-30", "secondary",
     "Title as listed in the 2026 amendment [V-2nd].", "TB", ["complaint"], [],
     [*RESOLVING, "suspended"], "accept", HEAD),
    ("complaint_acceptance_notice", 2, "Mẫu số 03", "Thông báo về việc thụ lý giải quyết khiếu nại",
     f"{ND155}, Mẫu số 03", "2026-07-01", None, "secondary", NOTE_2026, "TB", ["complaint"], [],
     [*RESOLVING, "suspended"], "accept", HEAD),
    ("complaint_non_acceptance_notice", 1, "Mẫu số 04", "Thông báo về việc không thụ lý giải quyết khiếu nại",
     f"{ND124}, Phụ lục, Mẫu số 04", "2020-12-05", "2026-06-30", "secondary",
     "Title as listed in the 2026 amendment [V-2nd].", "TB", ["complaint"], [], ["rejected"], "reject", HEAD),
    ("complaint_non_acceptance_notice", 2, "Mẫu số 04", "Thông báo về việc không thụ lý giải quyết khiếu nại",
     f"{ND155}, Mẫu số 04", "2026-07-01", None, "secondary", NOTE_2026, "TB", ["complaint"], [],
     ["rejected"], "reject", HEAD),
    ("dialogue_minutes", 1, "Mẫu số 14", "Biên bản đối thoại", f"Luật Khiếu nại, Điều 30; {ND124}, Mẫu số 14",
     "2020-12-05", "2026-06-30", "unverified", "Number 14 before the 2026 amendment not confirmed.",
     "BB", ["complaint"], [], [*RESOLVING, "decided"], "", DIALOGUE),
    ("dialogue_minutes", 2, "Mẫu số 14", "Biên bản đối thoại", f"Luật Khiếu nại, Điều 30; {ND155}, Mẫu số 14",
     "2026-07-01", None, "secondary", NOTE_2026, "BB", ["complaint"], [], [*RESOLVING, "decided"], "",
     DIALOGUE),
    ("complaint_decision_first", 1, "Mẫu số 15", "Quyết định giải quyết khiếu nại (lần đầu)",
     f"Luật Khiếu nại, Điều 31; {ND124}, Mẫu số 15 (chưa xác minh)", "2020-12-05", None, "unverified",
     "Form number not confirmed (15 likely).", "QĐ", ["complaint"], [1], ["awaiting_approval", "decided"],
     "approve", HEAD),
    ("complaint_decision_second", 1, "Mẫu số 16", "Quyết định giải quyết khiếu nại (lần hai)",
     f"Luật Khiếu nại, Điều 40; {ND124}, Mẫu số 16 (chưa xác minh)", "2020-12-05", None, "unverified",
     "Form number not confirmed (16 likely).", "QĐ", ["complaint"], [2], ["awaiting_approval", "decided"],
     "approve", HEAD),
    ("complaint_suspension_decision", 1, "", "Quyết định tạm đình chỉ việc giải quyết khiếu nại",
     f"Luật Khiếu nại; {ND124} (không có mẫu riêng)", "2020-12-05", "2026-06-30", "unverified",
     "No prescribed form found before 14a (2026).", "QĐ", ["complaint"], [], ["suspended"], "suspend", HEAD),
    ("complaint_suspension_decision", 2, "Mẫu số 14a", "Quyết định tạm đình chỉ việc giải quyết khiếu nại",
     f"Luật 136/2025/QH15; {ND155}, Mẫu số 14a", "2026-07-01", None, "secondary", NOTE_2026, "QĐ",
     ["complaint"], [], ["suspended"], "suspend", HEAD),
    ("complaint_termination_decision", 1, "", "Quyết định đình chỉ việc giải quyết khiếu nại",
     f"Luật Khiếu nại, Điều 10; {ND124} (số mẫu chưa xác minh)", "2020-12-05", "2026-06-30", "unverified",
     "Form number before the 2026 amendment not confirmed.", "QĐ", ["complaint"], [], ["withdrawn"],
     "withdraw", HEAD),
    ("complaint_termination_decision", 2, "Mẫu số 14a", "Quyết định đình chỉ việc giải quyết khiếu nại",
     f"Luật 136/2025/QH15; {ND155}, Mẫu số 14a", "2026-07-01", None, "secondary", NOTE_2026, "QĐ",
     ["complaint"], [], ["withdrawn"], "withdraw", HEAD),
    ("complaint_resumption_decision", 1, "", "Quyết định tiếp tục giải quyết khiếu nại",
     f"Luật Khiếu nại; {ND124} (không có mẫu riêng)", "2020-12-05", "2026-06-30", "unverified",
     "No prescribed form found before 14b (2026).", "QĐ", ["complaint"], [], RESOLVING, "resume", HEAD),
    ("complaint_resumption_decision", 2, "Mẫu số 14b", "Quyết định tiếp tục giải quyết khiếu nại",
     f"Luật 136/2025/QH15; {ND155}, Mẫu số 14b", "2026-07-01", None, "secondary", NOTE_2026, "QĐ",
     ["complaint"], [], RESOLVING, "resume", HEAD),
    ("denunciation_extension_decision", 1, "Mẫu số 01", "Quyết định gia hạn giải quyết tố cáo",
     f"Luật Tố cáo, Điều 30; {ND31}, Mẫu số 01", "2019-05-28", None, "verified", "", "QĐ",
     ["denunciation"], [], RESOLVING, "extend", HEAD),
    ("denunciation_acceptance_decision", 1, "Mẫu số 04", "Quyết định thụ lý tố cáo",
     f"Luật Tố cáo, Điều 29; {ND31}, Mẫu số 04", "2019-05-28", None, "verified", "", "QĐ",
     ["denunciation"], [], [*RESOLVING, "suspended"], "accept", HEAD),
    ("denunciation_notice_to_denouncer", 1, "Mẫu số 05", "Thông báo việc thụ lý tố cáo",
     f"Luật Tố cáo, Điều 29; {ND31}, Mẫu số 05", "2019-05-28", None, "verified", "", "TB",
     ["denunciation"], [], [*RESOLVING, "suspended"], "accept", HEAD),
    ("denunciation_notice_to_denounced", 1, "Mẫu số 06", "Thông báo nội dung tố cáo",
     f"Luật Tố cáo, Điều 29; {ND31}, Mẫu số 06", "2019-05-28", None, "verified", "", "TB",
     ["denunciation"], [], [*RESOLVING, "suspended"], "accept", HEAD),
    ("denunciation_conclusion", 1, "Mẫu số 12", "Kết luận nội dung tố cáo",
     f"Luật Tố cáo, Điều 35; {ND31}, Mẫu số 12", "2019-05-28", None, "verified", "", "KL",
     ["denunciation"], [], ["awaiting_approval", "decided"], "approve", HEAD),
]

FIELDS = (
    "code", "version", "form_number", "title", "legal_basis", "valid_from", "valid_to", "verification",
    "verification_note", "document_kind", "case_kinds", "rounds", "states", "action", "issuer_roles",
)  # fmt: skip


def seed(apps, schema_editor=None):
    """Insert or update every row (keyed by code and version); the tests call it too."""
    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for row in TEMPLATES:
        values = dict(zip(FIELDS, row, strict=True))
        DocumentTemplate.objects.update_or_create(
            code=values.pop("code"), version=values.pop("version"), defaults=values
        )


def unseed(apps, schema_editor):
    apps.get_model("documents", "DocumentTemplate").objects.filter(
        code__in={row[0] for row in TEMPLATES}, documents__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
