"""What each prescribed form says: the fields it needs that the case does not hold (entered when it is
issued), and how its paper is filled from the case, its people, deadlines and decisions.

The form's number, title and legal basis are data (DocumentTemplate, by version); the wording here is
keyed by the template's stable `code`. `MANDATORY` lists, per code, the phrases the law requires on the
paper (the tests read them back from each PDF).

A denunciation's papers never hold the denouncer: wherever their identity would stand, the placeholder
of casework.confidentiality is written, and everything typed or copied from the case is stripped of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from casework.choices import (
    NOTICE,
    CaseKind,
    DeadlineKind,
    ExtensionReason,
    Outcome,
    RefusalReason,
    VisitOutcome,
    label,
)
from casework.confidentiality import placeholder, strip_identity
from casework.models import Case, DeadlineEntry, Party, Unit, Visit
from casework.text import person_name

from .paper import Block, Paper, Signature, dmy, head_title, is_people_committee

# --- Fields entered when issuing ----------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    kind: str = "text"  # text | longtext | date | integer | boolean | choice
    required: bool = False
    choices: tuple[tuple[str, Any], ...] = ()
    default: Callable[[FormContext], Any] | None = None
    max_length: int = 300


COMMON_FIELDS = (
    FieldSpec("issued_on", _("Date on the paper"), "date"),
    FieldSpec("place", _("Place written before the date"), "text", max_length=100),
    FieldSpec("signer_name", _("Name of the signer"), "text", max_length=100),
    FieldSpec("signed_by_deputy", _("Signed by a deputy (KT.)"), "boolean"),
    FieldSpec("extra_recipients", _("Further recipients (one a line)"), "longtext", max_length=1000),
    FieldSpec("corrects", _("Corrects the document no. (id)"), "integer"),
)


# --- What a form reads --------------------------------------------------------------------------


@dataclass
class FormContext:
    """What a form is filled from: a case, or a visit that produced no case (`case` is then None)."""

    case: Case | None
    unit: Unit
    on: date
    values: dict[str, Any] = field(default_factory=dict)
    visit: Visit | None = None

    @property
    def sealed(self) -> bool:
        return self.case is not None and self.case.kind == CaseKind.DENUNCIATION

    def _sealing_cases(self) -> list[Case]:
        """A visit's denunciations (a refused visit may be linked to an earlier case): their denouncers
        are kept off the visit's papers too."""
        if self.visit is None:
            return []
        return [c for c in self.visit.cases.all() if c.kind == CaseKind.DENUNCIATION]

    def clean(self, text: str) -> str:
        """Text from the case or visit, or typed by the officer, without a denouncer's identity."""
        text = (text or "").strip()
        if self.sealed and text:
            return strip_identity(text, self.case)
        for case in self._sealing_cases():
            text = strip_identity(text, case) if text else text
        return text

    def people(self) -> list[Party]:
        """The petitioners of the case, or the visitors of the visit who are no sealed denouncer."""
        if self.visit is not None:
            sealed = {
                link.party_id
                for case in self.visit.cases.all()
                for link in case.case_parties.all()
                if link.confidential
            }
            return [p for p in self.visit.visitors.all() if p.pk not in sealed]
        seen: dict[int, Party] = {}
        for link in self.case.case_parties.all():
            seen.setdefault(link.party_id, link.party)
        return list(seen.values())

    def _hidden_visitors(self) -> bool:
        return self.visit is not None and len(self.people()) < len(self.visit.visitors.all())

    def who(self) -> str:
        """The petitioners (or visitors) by name, or the denouncer's placeholder."""
        if self.sealed:
            return sealed_placeholder()
        names = [p.full_name for p in self.people() if p.full_name.strip()]
        if self._hidden_visitors():
            names.append(sealed_placeholder())
        return ", ".join(names) or "...................."

    def who_in_full(self) -> list[str]:
        """One line per petitioner: name, ID number, address."""
        if self.sealed:
            return [sealed_placeholder()]
        lines = [sealed_placeholder()] if self._hidden_visitors() else []
        for p in self.people():
            parts = [p.full_name or "...................."]
            parts.append(f"CCCD/CMND số: {p.id_number or '....................'}")
            parts.append(f"địa chỉ: {p.address or '....................'}")
            lines.append("; ".join(parts))
        return lines or ["...................."]

    def kind_word(self) -> str:
        return label(CaseKind, self.case.kind, "vi", context=NOTICE)

    def summary(self) -> str:
        return self.clean(self.visit.summary if self.visit is not None else self.case.summary)

    def officer(self) -> str:
        """The visit's reception officer with the title they received in: "Nguyễn Văn A, cán bộ tiếp
        công dân", or the head's own title when the head received the visitor in person."""
        visit = self.visit
        if visit.received_by_head:
            title = f"{head_title(self.unit).capitalize()} {self.unit.name}"
        else:
            title = "cán bộ tiếp công dân"
        return f"{person_name(visit.officer)}, {title}"

    def visit_day(self) -> date:
        return timezone.localtime(self.visit.visited_at).date()

    def respondent(self) -> str:
        case = self.case
        named = self.clean(case.respondent)
        if case.respondent_unit_id and not named:
            return case.respondent_unit.name
        return named or "...................."

    def deadline(self, kind: str):
        return next((d for d in self.case.deadlines.all() if d.kind == kind), None)

    def head_name(self) -> str:
        return person_name(self.unit.head) if self.unit.head_id else ""

    def value(self, name: str) -> Any:
        v = self.values.get(name)
        return self.clean(v) if isinstance(v, str) else v

    def ledger(self, kind: str) -> DeadlineEntry | None:
        return (
            DeadlineEntry.objects.filter(deadline__case=self.case, kind=kind).order_by("-on", "-id").first()
        )


def sealed_placeholder() -> str:
    with translation.override("vi"):
        return placeholder()


# --- Shared pieces ------------------------------------------------------------------------------

LKN = "Căn cứ Luật Khiếu nại số 02/2011/QH13 (đã được sửa đổi, bổ sung);"
LTC = "Căn cứ Luật Tố cáo số 25/2018/QH14 (đã được sửa đổi, bổ sung);"
ND124 = (
    "Căn cứ Nghị định số 124/2020/NĐ-CP quy định chi tiết một số điều và biện pháp thi hành Luật Khiếu nại;"
)
ND31 = "Căn cứ Nghị định số 31/2019/NĐ-CP quy định chi tiết một số điều và biện pháp tổ chức thi hành Luật Tố cáo;"
TT05 = (
    "Thông tư số 05/2021/TT-TTCP quy định quy trình xử lý đơn khiếu nại, đơn tố cáo, đơn kiến nghị, phản ánh"
)
OUTCOME_WORDS = {
    Outcome.RIGHT: "đúng",
    Outcome.PARTLY_RIGHT: "đúng một phần",
    Outcome.WRONG: "sai",
    Outcome.TRUE: "đúng",
    Outcome.PARTLY_TRUE: "đúng một phần",
    Outcome.UNTRUE: "sai",
    Outcome.ANSWERED: "đã được trả lời",
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _p(text: str, lead: str = "") -> Block:
    return Block(text=text, lead=lead)


def _fill(text: str) -> str:
    return text or "...................................................................................."


# --- The forms ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    kind_title: str
    subject: Callable[[FormContext], str]
    body: Callable[[FormContext], list[Block]]
    fields: tuple[FieldSpec, ...] = ()
    addressee: Callable[[FormContext], str] | None = None
    preamble: Callable[[FormContext], list[str]] | None = None
    recipients: Callable[[FormContext], list[str]] = lambda ctx: ["Như trên;", "Lưu: VT, hồ sơ."]
    # Signed by the head in their own competence (decisions), not on behalf of the collective body.
    own_competence: bool = False
    # Minutes: the people who sign side by side.
    signatures: Callable[[FormContext], list[Signature]] | None = None
    # Addressed to the petitioner: for a denunciation the denouncer is filled in only for a reader who
    # may see them, when the paper is rendered (never stored).
    to_petitioner: bool = False
    # A reason the form cannot be issued for this case now (beyond kind and state), or "".
    unavailable: Callable[[FormContext], str] = lambda ctx: ""
    # The outcomes of a visit the form is issued for when the visit produced no case (the same
    # template and version serve a case and a visit: one form, one way to issue it).
    visit_outcomes: tuple[str, ...] = ()


def _chair_line(ctx: FormContext) -> str:
    """ "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG ..." above a decision's bases."""
    from .paper import issuer_name

    return f"{head_title(ctx.unit)} {issuer_name(ctx.unit)}"


# Reception (Circular 04/2021; numbers of 06/2014) --------------------------------------------------


def _receipt_body(ctx: FormContext) -> list[Block]:
    return [
        _p(f"Vào hồi {ctx.value('received_time') or '.....'} giờ, {dmy(ctx.on)}, tại {ctx.unit.name}."),
        _p(f"Người nhận: {ctx.value('officer_name') or '....................'}, cán bộ tiếp công dân."),
        _p(f"Đã nhận của: {'; '.join(ctx.who_in_full())}."),
        _p(f"Nội dung vụ việc: {ctx.summary()} (số thụ lý hồ sơ {ctx.case.reference})."),
        _p("Các thông tin, tài liệu, bằng chứng sau (tên, số trang, tình trạng; bản chính hay bản sao):"),
        *[Block(text=line, style="line") for line in _lines(ctx.value("documents_received"))],
        _p(
            f"Giấy biên nhận được lập thành {ctx.value('copies') or 2} bản, mỗi bên giữ 01 bản; "
            "người cung cấp và người nhận cùng ký tên dưới đây."
        ),
    ]


def _two_sides(ctx: FormContext) -> list[Signature]:
    return [
        Signature(title="NGƯỜI CUNG CẤP", name=ctx.who(), note="(Ký, ghi rõ họ tên)"),
        Signature(title="NGƯỜI NHẬN", name=ctx.value("officer_name") or "", note="(Ký, ghi rõ họ tên)"),
    ]


def _appointment_body(ctx: FormContext) -> list[Block]:
    return [
        _p(
            f"{ctx.unit.name} đã nhận đơn {ctx.kind_word()} của: {ctx.who()}, ngày {dmy(ctx.case.received_at)}."
        ),
        _p(f"Nội dung: {ctx.summary()} (số hồ sơ {ctx.case.reference})."),
        _p(
            f"Hẹn ông (bà) vào hồi {ctx.value('appointment_time') or '.....'} giờ, "
            f"ngày {dmy(ctx.value('appointment_on'))}, tại {ctx.value('appointment_place') or ctx.unit.name} "
            f"để {ctx.value('purpose') or 'nhận kết quả / bổ sung thông tin, tài liệu'}."
        ),
        _p("Khi đến, đề nghị mang theo phiếu hẹn này và giấy tờ tùy thân."),
    ]


def _refusal_body(ctx: FormContext) -> list[Block]:
    reason = RefusalReason(ctx.value("refusal_reason"))
    if ctx.visit is not None:  # a refused visit: no case, so no kind of petition and no file number
        return [
            _p(
                f"Ngày {dmy(ctx.visit_day())}, tại {ctx.unit.name}, ông (bà) {ctx.who()} đến đề nghị "
                "được tiếp để trình bày nội dung."
            ),
            _p(f"Người tiếp công dân: {ctx.officer()}."),
            _p(f"Người đến: {'; '.join(ctx.who_in_full())}."),
            _p(f"Nội dung trình bày: {ctx.summary()}."),
            _p(
                "Căn cứ Điều 9 Luật Tiếp công dân số 42/2013/QH13, "
                f"{ctx.unit.name} từ chối tiếp công dân vì lý do: {REFUSAL_WORDS[reason]}."
            ),
            _p(_fill(ctx.value("details")), lead="Cụ thể:"),
        ]
    return [
        _p(f"Ngày {dmy(ctx.on)}, tại {ctx.unit.name}, ông (bà) {ctx.who()} đến trình bày {ctx.kind_word()}."),
        _p(f"Người được tiếp: {'; '.join(ctx.who_in_full())}."),
        _p(f"Nội dung vụ việc: {ctx.summary()} (số hồ sơ {ctx.case.reference})."),
        _p(
            "Căn cứ Điều 9 Luật Tiếp công dân số 42/2013/QH13, "
            f"{ctx.unit.name} từ chối tiếp công dân vì lý do: {REFUSAL_WORDS[reason]}."
        ),
        _p(_fill(ctx.value("details")), lead="Cụ thể:"),
    ]


REFUSAL_WORDS = {
    RefusalReason.INCAPACITATED: "người trong tình trạng say do dùng chất kích thích, người mắc bệnh tâm thần "
    "hoặc bệnh khác làm mất khả năng nhận thức hoặc khả năng điều khiển hành vi của mình",
    RefusalReason.THREATENING: "người có hành vi đe dọa, xúc phạm cơ quan, tổ chức, đơn vị, người tiếp công "
    "dân, người thi hành công vụ hoặc có hành vi khác vi phạm nội quy nơi tiếp công dân",
    RefusalReason.RESOLVED_PERSISTING: "người khiếu nại, tố cáo về vụ việc đã giải quyết đúng chính sách, pháp "
    "luật, được cơ quan nhà nước có thẩm quyền kiểm tra, rà soát, thông báo bằng văn bản và đã được tiếp, "
    "giải thích, hướng dẫn nhưng vẫn cố ý khiếu nại, tố cáo kéo dài",
    RefusalReason.OTHER_LEGAL: "trường hợp khác theo quy định của pháp luật",
}


def _guidance_body(ctx: FormContext) -> list[Block]:
    return [
        _p(
            f"Ngày {dmy(ctx.case.received_at)}, {ctx.unit.name} nhận được đơn của: {'; '.join(ctx.who_in_full())}."
        ),
        _p(f"Nội dung đơn: {ctx.summary()} (số hồ sơ {ctx.case.reference})."),
        _p(
            f"Sau khi xem xét, nội dung đơn không thuộc thẩm quyền giải quyết của {ctx.unit.name}. "
            f"Căn cứ {TT05}, đề nghị ông (bà) gửi đơn đến "
            f"{ctx.value('competent_body') or '....................'} để được xem xét, giải quyết theo quy định."
        ),
        _p(_fill(ctx.value("guidance") or ctx.clean(ctx.case.guidance)), lead="Hướng dẫn cụ thể:"),
        _p("Việc hướng dẫn chỉ thực hiện một lần đối với đơn có cùng nội dung."),
    ]


def _proposal_body(ctx: FormContext) -> list[Block]:
    return [
        _p(
            f"Ngày {dmy(ctx.case.received_at)}, {ctx.unit.name} nhận được đơn {ctx.kind_word()} của: {ctx.who()}."
        ),
        _p(f"Địa chỉ, giấy tờ tùy thân: {'; '.join(ctx.who_in_full())}."),
        _p(f"Nội dung đơn: {ctx.summary()} (số hồ sơ {ctx.case.reference})."),
        _p(
            f"Đối tượng bị {ctx.kind_word()}: {ctx.respondent()}."
            if ctx.case.kind in (CaseKind.COMPLAINT, CaseKind.DENUNCIATION)
            else f"Cơ quan, tổ chức liên quan: {ctx.respondent()}."
        ),
        _p(_fill(ctx.value("reasoning")), lead="Nhận xét:"),
        _p(
            "Đơn đủ điều kiện xử lý và thuộc thẩm quyền giải quyết. Đề nghị thủ trưởng xem xét, "
            f"thụ lý giải quyết theo quy định ({TT05})."
        ),
    ]


def _proposal_signatures(ctx: FormContext) -> list[Signature]:
    return [
        Signature(title="Ý KIẾN CỦA LÃNH ĐẠO", name=ctx.head_name(), note="(Ký, ghi rõ họ tên)"),
        Signature(title="NGƯỜI ĐỀ XUẤT", name=ctx.value("proposer_name") or "", note="(Ký, ghi rõ họ tên)"),
    ]


def _transfer_target(ctx: FormContext) -> str:
    transfer = next(iter(ctx.case.transfers.all()), None)
    if ctx.value("target"):
        return ctx.value("target")
    return transfer.unit.name if transfer else "...................."


def _transfer_body(ctx: FormContext) -> list[Block]:
    kind = ctx.kind_word()
    blocks = [
        _p(f"Ngày {dmy(ctx.case.received_at)}, {ctx.unit.name} nhận được đơn {kind} của: {ctx.who()}."),
        _p(f"Địa chỉ, giấy tờ tùy thân: {'; '.join(ctx.who_in_full())}."),
        _p(f"Nội dung đơn: {ctx.summary()} (số hồ sơ {ctx.case.reference})."),
        _p(
            f"Căn cứ {TT05}, {ctx.unit.name} chuyển đơn đến {_transfer_target(ctx)} để xem xét, giải quyết "
            "theo thẩm quyền và thông báo kết quả cho người gửi đơn theo quy định."
        ),
        _p(_fill(ctx.value("reason")), lead="Lý do chuyển đơn:"),
    ]
    if ctx.sealed:
        blocks.append(
            _p(
                "Thông tin về họ tên, địa chỉ, bút tích và các thông tin cá nhân khác của người tố cáo đã được "
                "giữ bí mật theo Điều 47 Luật Tố cáo; đơn chuyển đi không kèm các thông tin này."
            )
        )
    return blocks


# Complaints (Law 02/2011, Decree 124/2020 and its 2026 amendment) ---------------------------------


def _complaint_acceptance_body(ctx: FormContext) -> list[Block]:
    c = ctx.case
    resolution = ctx.deadline(DeadlineKind.RESOLUTION)
    return [
        _p(
            f"Ngày {dmy(c.received_at)}, {ctx.unit.name} nhận được đơn khiếu nại của: {'; '.join(ctx.who_in_full())}."
        ),
        _p(f"Ngày cấp, nơi cấp giấy tờ tùy thân: {ctx.value('id_issued') or '....................'}."),
        _p(f"Khiếu nại về việc: {ctx.summary()}; đối tượng bị khiếu nại: {ctx.respondent()}."),
        _p(
            "Sau khi xem xét nội dung đơn khiếu nại, căn cứ Luật Khiếu nại, đơn khiếu nại đủ điều kiện thụ lý. "
            f"{ctx.unit.name} đã thụ lý giải quyết khiếu nại (lần {c.round or 1}) kể từ ngày {dmy(c.accepted_at)}, "
            f"số hồ sơ {c.reference}."
        ),
        _p(
            f"Thời hạn giải quyết khiếu nại theo quy định đến ngày {dmy(resolution.due_date if resolution else None)}."
        ),
        _p("Vậy thông báo để ông (bà) biết."),
    ]


def _reason_words(code: str) -> str:
    from casework.choices import RejectReason

    return label(RejectReason, code, "vi", context=NOTICE) if code else "...................."


def _non_acceptance(ctx: FormContext) -> list[Block]:
    c = ctx.case
    return [
        _p(
            f"Ngày {dmy(c.received_at)}, {ctx.unit.name} nhận được đơn khiếu nại của: {'; '.join(ctx.who_in_full())}."
        ),
        _p(f"Khiếu nại về việc: {ctx.summary()} (số hồ sơ {c.reference})."),
        _p(
            "Căn cứ Điều 11 Luật Khiếu nại, đơn khiếu nại không đủ điều kiện thụ lý giải quyết vì lý do: "
            f"{_reason_words(c.reason_code)}."
        ),
        _p(_fill(ctx.value("details")), lead="Lý do cụ thể:"),
        _p("Vậy thông báo để ông (bà) biết."),
    ]


def _dialogue(ctx: FormContext):
    return ctx.case.dialogues.order_by("-held_at").first()


def _minutes_body(ctx: FormContext) -> list[Block]:
    d = _dialogue(ctx)
    from django.utils import timezone

    when = timezone.localtime(d.held_at) if d else None
    attended = d.complainant_attended if d else True
    absence = (
        ""
        if attended
        else (
            " Người khiếu nại vắng mặt "
            + ("có lý do chính đáng." if d.absence_with_valid_reason else "không có lý do chính đáng.")
        )
    )
    return [
        _p(
            f"Vào hồi {when:%H} giờ {when:%M}, ngày {dmy(when.date())}, tại {ctx.clean(d.place)}."
            if d
            else "Vào hồi ..... giờ ....., ngày ........, tại ........"
        ),
        _p(f"Đối thoại giải quyết khiếu nại của {ctx.who()} (số hồ sơ {ctx.case.reference})."),
        Block(text="I. THÀNH PHẦN THAM GIA ĐỐI THOẠI", style="heading"),
        _p(f"Người giải quyết khiếu nại (chủ trì): {person_name(d.chair) if d else ctx.head_name()}."),
        _p(f"Người ghi biên bản: {ctx.value('minute_taker') or '....................'}."),
        _p(f"Người khiếu nại: {'; '.join(ctx.who_in_full())}.{absence}"),
        _p(f"Người bị khiếu nại: {ctx.respondent()}."),
        _p(
            _fill(ctx.value("related_persons") or (ctx.clean(d.participants) if d else "")),
            lead="Người có quyền, nghĩa vụ liên quan; cơ quan, tổ chức, cá nhân có liên quan:",
        ),
        Block(text="II. NỘI DUNG ĐỐI THOẠI", style="heading"),
        _p(
            "Người chủ trì nêu mục đích, yêu cầu của việc đối thoại; kết quả xác minh nội dung khiếu nại; "
            "những nội dung cần đối thoại."
        ),
        _p(_fill(ctx.clean(d.minutes) if d else ""), lead="Ý kiến của những người tham gia đối thoại:"),
        Block(text="III. KẾT QUẢ ĐỐI THOẠI", style="heading"),
        _p(_fill(ctx.clean(d.agreed_points) if d else ""), lead="Những nội dung đã thống nhất:"),
        _p(_fill(ctx.value("disputed_points")), lead="Những nội dung còn ý kiến khác nhau:"),
        _p(
            f"Buổi đối thoại kết thúc vào hồi {ctx.value('end_time') or '.....'} giờ cùng ngày. Biên bản đã được "
            "đọc lại cho những người tham gia cùng nghe và ký xác nhận; biên bản được lập thành "
            f"{ctx.value('copies') or 3} bản."
        ),
        _p(_fill(ctx.value("refusals")), lead="Lý do không ký biên bản (nếu có):"),
    ]


def _minutes_signatures(ctx: FormContext) -> list[Signature]:
    d = _dialogue(ctx)
    return [
        Signature(title="NGƯỜI BỊ KHIẾU NẠI", name="", note="(Ký, ghi rõ họ tên)"),
        Signature(
            title="NGƯỜI CHỦ TRÌ",
            name=person_name(d.chair) if d else ctx.head_name(),
            note="(Ký, ghi rõ họ tên, đóng dấu nếu có)",
        ),
        Signature(title="NGƯỜI KHIẾU NẠI", name=ctx.who(), note="(Ký hoặc điểm chỉ, ghi rõ họ tên)"),
        Signature(title="CƠ QUAN, TỔ CHỨC LIÊN QUAN", name="", note="(Ký, ghi rõ họ tên)"),
        Signature(title="NGƯỜI CÓ QUYỀN, NGHĨA VỤ LIÊN QUAN", name="", note="(Ký, ghi rõ họ tên)"),
        Signature(
            title="NGƯỜI GHI BIÊN BẢN", name=ctx.value("minute_taker") or "", note="(Ký, ghi rõ họ tên)"
        ),
    ]


def _dialogue_result(ctx: FormContext) -> str:
    d = _dialogue(ctx)
    if ctx.value("dialogue_result"):
        return ctx.value("dialogue_result")
    if d is None:
        return "Không tổ chức đối thoại (kết quả xác minh và yêu cầu của người khiếu nại không khác nhau)."
    held = f"Ngày {dmy(d.held_at.date())}, tổ chức đối thoại"
    return f"{held}: {ctx.clean(d.agreed_points) or ctx.clean(d.minutes) or '....'}"


def _decision_preamble(ctx: FormContext) -> list[str]:
    return [
        _chair_line(ctx),
        LKN,
        ND124,
        "Căn cứ Luật Tổ chức chính quyền địa phương;" if is_people_committee(ctx.unit) else "",
        *[f"Căn cứ {line.rstrip(';.')};" for line in _lines(ctx.value("legal_grounds"))],
        f"Xét đơn khiếu nại của {ctx.who()} (số hồ sơ {ctx.case.reference}).",
    ]


def _decision_body(ctx: FormContext, *, second: bool) -> list[Block]:
    c = ctx.case
    outcome = OUTCOME_WORDS.get(c.outcome, "....")
    blocks = [
        _p(f"Người khiếu nại: {'; '.join(ctx.who_in_full())}.", lead="1."),
        _p(f"Người bị khiếu nại: {ctx.respondent()}.", lead="2."),
        _p(f"Nội dung khiếu nại: {ctx.summary()}", lead="3."),
    ]
    n = 4
    if second:
        first = c.first_round_case
        first_text = ctx.value("first_decision") or (
            f"Quyết định số {first.decision_number} ngày {dmy(first.decided_at)} của {first.unit.name}: "
            f"{ctx.clean(first.outcome_summary)}"
            if first and first.decision_number
            else ""
        )
        blocks.append(
            _p(_fill(first_text), lead=f"{n}. Kết quả giải quyết khiếu nại của người giải quyết lần đầu:")
        )
        n += 1
    blocks += [
        _p(
            _fill(ctx.value("verification_result") or ctx.clean(c.outcome_summary)),
            lead=f"{n}. Kết quả xác minh nội dung khiếu nại:",
        ),
        _p(_dialogue_result(ctx), lead=f"{n + 1}. Kết quả đối thoại:"),
        _p(
            _fill("; ".join(_lines(ctx.value("legal_grounds")))),
            lead=f"{n + 2}. Căn cứ pháp luật để giải quyết khiếu nại:",
        ),
        _p(
            f"Nội dung khiếu nại là {outcome}. {ctx.value('conclusion') or ''}".strip(),
            lead=f"{n + 3}. Kết luận:",
        ),
        Block(text="QUYẾT ĐỊNH:", style="center"),
        _p(_fill(ctx.value("remedy")), lead="Điều 1."),
        _p(
            _fill(ctx.value("compensation") or "Không có."),
            lead="Điều 2. Việc bồi thường thiệt hại (nếu có):",
        ),
    ]
    if second:
        blocks.append(
            _p(
                "Trong thời hạn theo quy định, nếu không đồng ý với quyết định giải quyết khiếu nại lần hai, "
                "người khiếu nại có quyền khởi kiện vụ án hành chính tại Tòa án theo quy định của Luật Tố tụng "
                "hành chính.",
                lead="Điều 3.",
            )
        )
    else:
        blocks.append(
            _p(
                "Trong thời hạn 30 ngày (vùng sâu, vùng xa: 45 ngày) kể từ ngày nhận được quyết định này, nếu "
                "không đồng ý với quyết định giải quyết khiếu nại lần đầu, người khiếu nại có quyền khiếu nại "
                "lần hai đến người có thẩm quyền hoặc khởi kiện vụ án hành chính tại Tòa án theo quy định của "
                "Luật Tố tụng hành chính.",
                lead="Điều 3.",
            )
        )
    blocks.append(
        _p(
            f"Quyết định này có hiệu lực kể từ ngày ký. {ctx.value('executors') or 'Các cơ quan, tổ chức, cá nhân có liên quan'} "
            "chịu trách nhiệm thi hành Quyết định này.",
            lead="Điều 4.",
        )
    )
    return blocks


def _suspension_body(ctx: FormContext) -> list[Block]:
    pause = ctx.ledger(DeadlineEntry.Kind.PAUSE)
    reason = ctx.value("reason") or (ctx.clean(pause.note) if pause else "")
    return [
        Block(text="QUYẾT ĐỊNH:", style="center"),
        _p(
            f"Tạm đình chỉ việc giải quyết khiếu nại của {ctx.who()} (số hồ sơ {ctx.case.reference}) "
            f"kể từ ngày {dmy(pause.on if pause else ctx.on)}.",
            lead="Điều 1.",
        ),
        _p(_fill(reason), lead="Lý do tạm đình chỉ:"),
        _p(
            "Thời gian tạm đình chỉ không tính vào thời hạn giải quyết khiếu nại. Khi lý do tạm đình chỉ không "
            "còn, người giải quyết khiếu nại ra quyết định tiếp tục giải quyết.",
            lead="Điều 2.",
        ),
        _p("Quyết định này có hiệu lực kể từ ngày ký.", lead="Điều 3."),
    ]


def _termination_body(ctx: FormContext) -> list[Block]:
    return [
        Block(text="QUYẾT ĐỊNH:", style="center"),
        _p(
            f"Đình chỉ việc giải quyết khiếu nại của {ctx.who()} (số hồ sơ {ctx.case.reference}) "
            f"kể từ ngày {dmy(ctx.case.closed_at or ctx.on)}.",
            lead="Điều 1.",
        ),
        _p(
            _fill(ctx.value("reason") or "Người khiếu nại rút toàn bộ nội dung khiếu nại."),
            lead="Lý do đình chỉ:",
        ),
        _p("Quyết định này có hiệu lực kể từ ngày ký.", lead="Điều 2."),
    ]


def _resumption_body(ctx: FormContext) -> list[Block]:
    resume = ctx.ledger(DeadlineEntry.Kind.RESUME)
    return [
        Block(text="QUYẾT ĐỊNH:", style="center"),
        _p(
            f"Tiếp tục giải quyết khiếu nại của {ctx.who()} (số hồ sơ {ctx.case.reference}) "
            f"kể từ ngày {dmy(resume.on if resume else ctx.on)}.",
            lead="Điều 1.",
        ),
        _p(_fill(ctx.value("reason")), lead="Lý do tiếp tục giải quyết (lý do tạm đình chỉ không còn):"),
        _p(
            "Thời hạn giải quyết khiếu nại được tiếp tục tính kể từ ngày ký Quyết định này.",
            lead="Điều 2.",
        ),
        _p("Quyết định này có hiệu lực kể từ ngày ký.", lead="Điều 3."),
    ]


def _was_suspended(ctx: FormContext) -> str:
    if ctx.ledger(DeadlineEntry.Kind.RESUME) is None:
        return str(_("The resolution of this case was never resumed after a suspension."))
    return ""


def _complaint_preamble(ctx: FormContext) -> list[str]:
    return [
        _chair_line(ctx),
        LKN,
        ND124,
        *[f"Căn cứ {x.rstrip(';.')};" for x in _lines(ctx.value("legal_grounds"))],
    ]


# Denunciations (Law 25/2018, Decree 31/2019) -------------------------------------------------------


def _denunciation_preamble(ctx: FormContext) -> list[str]:
    return [
        _chair_line(ctx),
        LTC,
        ND31,
        *[f"Căn cứ {x.rstrip(';.')};" for x in _lines(ctx.value("legal_grounds"))],
    ]


def _extension_body(ctx: FormContext) -> list[Block]:
    entry = ctx.ledger(DeadlineEntry.Kind.EXTEND)
    days = ctx.value("extension_days") or (entry.days if entry else None)
    reason = ctx.value("reason") or (label(ExtensionReason, entry.reason, "vi") if entry else "")
    resolution = ctx.deadline(DeadlineKind.RESOLUTION)
    return [
        Block(text="QUYẾT ĐỊNH:", style="center"),
        _p(
            f"Gia hạn giải quyết tố cáo đối với {ctx.respondent()} (số hồ sơ {ctx.case.reference}), "
            f"thụ lý ngày {dmy(ctx.case.accepted_at)}. Thời gian gia hạn: {days or '....'} ngày; "
            f"thời hạn giải quyết đến ngày {dmy(resolution.due_date if resolution else None)}.",
            lead="Điều 1.",
        ),
        _p(_fill(reason), lead="Lý do gia hạn:"),
        _p(
            "Quyết định này có hiệu lực kể từ ngày ký; được gửi đến người tố cáo và người bị tố cáo theo "
            "Điều 30 Luật Tố cáo.",
            lead="Điều 2.",
        ),
    ]


def _denunciation_acceptance_body(ctx: FormContext) -> list[Block]:
    return [
        Block(text="QUYẾT ĐỊNH:", style="center"),
        _p(
            f"Thụ lý tố cáo ngày {dmy(ctx.case.accepted_at)} (số hồ sơ {ctx.case.reference}) đối với: "
            f"{ctx.respondent()}.",
            lead="Điều 1.",
        ),
        _p(_fill(ctx.summary()), lead="Nội dung tố cáo được thụ lý:"),
        _p(
            f"Thời hạn giải quyết tố cáo là 30 ngày kể từ ngày thụ lý. Giao {ctx.value('assignee') or '....................'} "
            "tiến hành xác minh nội dung tố cáo.",
            lead="Điều 2.",
        ),
        _p("Quyết định này có hiệu lực kể từ ngày ký.", lead="Điều 3."),
    ]


def _notice_to_denouncer_body(ctx: FormContext) -> list[Block]:
    return [
        _p(
            f"Ngày {dmy(ctx.case.received_at)}, {ctx.unit.name} nhận được đơn tố cáo của ông (bà) {ctx.who()}."
        ),
        _p(
            f"Ngày {dmy(ctx.case.accepted_at)}, {ctx.unit.name} đã thụ lý tố cáo (số hồ sơ {ctx.case.reference}). "
            f"Nội dung tố cáo được thụ lý: {ctx.summary()}"
        ),
        _p(
            "Người tố cáo có quyền và nghĩa vụ theo quy định tại Điều 9 Luật Tố cáo; thông tin về người tố cáo "
            "được giữ bí mật theo quy định của pháp luật."
        ),
        _p("Vậy thông báo để ông (bà) biết."),
    ]


def _notice_to_denounced_body(ctx: FormContext) -> list[Block]:
    return [
        _p(
            f"Ngày {dmy(ctx.case.accepted_at)}, {ctx.unit.name} đã thụ lý tố cáo đối với ông (bà, cơ quan, tổ "
            f"chức) {ctx.respondent()} (số hồ sơ {ctx.case.reference})."
        ),
        _p(_fill(ctx.value("denounced_content") or ctx.summary()), lead="Nội dung tố cáo:"),
        _p(
            "Người bị tố cáo có quyền và nghĩa vụ theo quy định tại Điều 10 Luật Tố cáo, trong đó có nghĩa vụ "
            "giải trình bằng văn bản về hành vi bị tố cáo, cung cấp thông tin, tài liệu liên quan khi cơ quan, "
            "tổ chức, cá nhân có thẩm quyền yêu cầu."
        ),
        _p("Vậy thông báo để ông (bà, cơ quan, tổ chức) biết và thực hiện."),
    ]


def _conclusion_body(ctx: FormContext) -> list[Block]:
    c = ctx.case
    return [
        _p(
            f"Ngày {dmy(c.accepted_at)}, {head_title(ctx.unit).capitalize()} {ctx.unit.name} đã thụ lý tố cáo "
            f"đối với {ctx.respondent()} (số hồ sơ {c.reference})."
        ),
        Block(text="1. Nội dung tố cáo", style="heading"),
        _p(_fill(ctx.summary())),
        Block(text="2. Kết quả xác minh nội dung tố cáo", style="heading"),
        _p(_fill(ctx.value("verification_result") or ctx.clean(c.outcome_summary))),
        Block(text="3. Kết luận nội dung tố cáo", style="heading"),
        _p(
            f"Nội dung tố cáo là {OUTCOME_WORDS.get(c.outcome, '....')}. "
            f"{ctx.value('conclusion') or ''}".strip()
        ),
        _p(_fill(ctx.value("violations")), lead="Hành vi vi phạm (nếu có), trách nhiệm của từng người:"),
        Block(text="4. Các biện pháp xử lý theo thẩm quyền; kiến nghị", style="heading"),
        _p(_fill(ctx.value("measures"))),
        _p(
            "Kết luận nội dung tố cáo được gửi đến người bị tố cáo, người tố cáo và công khai theo quy định "
            "tại Điều 35, Điều 36 Luật Tố cáo."
        ),
    ]


def _applicants(ctx: FormContext) -> str:
    return f"Kính gửi: {ctx.who()}"


def _to_respondent(ctx: FormContext) -> str:
    return f"Kính gửi: {ctx.respondent()}"


def _to_target(ctx: FormContext) -> str:
    return f"Kính gửi: {_transfer_target(ctx)}"


def _decision_recipients(ctx: FormContext) -> list[str]:
    return [
        "Như Điều 4;",
        "Người khiếu nại;",
        "Người bị khiếu nại;",
        "Thanh tra cấp trên;",
        "Lưu: VT, hồ sơ.",
    ]


def _denunciation_recipients(ctx: FormContext) -> list[str]:
    return [
        "Người tố cáo (bảo đảm bí mật);",
        "Người bị tố cáo;",
        "Cơ quan thanh tra cùng cấp;",
        "Lưu: VT, hồ sơ.",
    ]


_DENUNCIATION_TEXT = FieldSpec(
    "legal_grounds", _("Further legal bases (one a line)"), "longtext", max_length=2000
)
_LONG = 5000


def _complaint_decision_fields(*, second: bool) -> tuple[FieldSpec, ...]:
    """What a decision on a complaint asks the officer for (LKN Arts. 31 and 40); the second round also
    states the result of the first."""
    return (
        FieldSpec(
            "legal_grounds", _("Legal bases of the decision (one a line)"), "longtext", True, max_length=2000
        ),
        *(
            (FieldSpec("first_decision", _("Result of the first resolution"), "longtext", max_length=_LONG),)
            if second
            else ()
        ),
        FieldSpec("verification_result", _("Verification result"), "longtext", max_length=_LONG),
        FieldSpec("dialogue_result", _("Dialogue result"), "longtext", max_length=_LONG),
        FieldSpec("conclusion", _("Conclusion"), "longtext", True, max_length=_LONG),
        FieldSpec(
            "remedy",
            _("Keep, amend or annul the decision or act; settle the issues"),
            "longtext",
            True,
            max_length=_LONG,
        ),
        FieldSpec("compensation", _("Compensation (if any)"), "longtext", max_length=_LONG),
        FieldSpec("executors", _("Who carries out the decision"), "text", max_length=300),
    )


LAYOUTS: dict[str, Layout] = {
    "reception_receipt": Layout(
        kind_title="GIẤY BIÊN NHẬN",
        subject=lambda ctx: "Về việc tiếp nhận thông tin, tài liệu, bằng chứng",
        body=_receipt_body,
        fields=(
            FieldSpec(
                "documents_received",
                _("Documents received (one a line: name, pages, state)"),
                "longtext",
                True,
                max_length=_LONG,
            ),
            FieldSpec("officer_name", _("Receiving officer"), "text", max_length=100),
            FieldSpec("received_time", _("Hour received"), "text", max_length=10),
            FieldSpec("copies", _("Number of copies"), "integer"),
        ),
        signatures=_two_sides,
        to_petitioner=True,
    ),
    "appointment_slip": Layout(
        kind_title="PHIẾU HẸN",
        subject=lambda ctx: f"Về việc giải quyết đơn {ctx.kind_word()}",
        body=_appointment_body,
        addressee=_applicants,
        fields=(
            FieldSpec("appointment_on", _("Appointment date"), "date", True),
            FieldSpec("appointment_time", _("Appointment hour"), "text", max_length=10),
            FieldSpec("appointment_place", _("Appointment place"), "text", max_length=200),
            FieldSpec("purpose", _("Purpose of the appointment"), "text", max_length=300),
        ),
        to_petitioner=True,
    ),
    "refusal_notice": Layout(
        kind_title="THÔNG BÁO",
        subject=lambda ctx: "Về việc từ chối tiếp công dân",
        body=_refusal_body,
        addressee=_applicants,
        fields=(
            FieldSpec(
                "refusal_reason",
                _("Ground for refusal (LTCD Art. 9)"),
                "choice",
                True,
                choices=tuple(RefusalReason.choices),
            ),
            FieldSpec("details", _("Details"), "longtext", max_length=_LONG),
        ),
        # A refused visit's copy is kept with the reception book: there is no case file.
        recipients=lambda ctx: [
            "Như trên;",
            "Lưu: VT, sổ tiếp công dân." if ctx.visit else "Lưu: VT, hồ sơ.",
        ],
        to_petitioner=True,
        visit_outcomes=(VisitOutcome.REFUSED,),
    ),
    "guidance_slip": Layout(
        kind_title="PHIẾU HƯỚNG DẪN",
        subject=lambda ctx: f"Về việc gửi đơn {ctx.kind_word()} đến cơ quan có thẩm quyền",
        body=_guidance_body,
        addressee=_applicants,
        fields=(
            FieldSpec(
                "competent_body", _("Competent body the citizen is guided to"), "text", True, max_length=200
            ),
            FieldSpec("guidance", _("Guidance"), "longtext", max_length=_LONG),
        ),
        to_petitioner=True,
    ),
    "acceptance_proposal": Layout(
        kind_title="PHIẾU ĐỀ XUẤT THỤ LÝ ĐƠN",
        subject=lambda ctx: f"Về việc thụ lý đơn {ctx.kind_word()}",
        body=_proposal_body,
        fields=(
            FieldSpec("reasoning", _("Assessment of the letter"), "longtext", True, max_length=_LONG),
            FieldSpec("proposer_name", _("Officer proposing"), "text", max_length=100),
        ),
        signatures=_proposal_signatures,
        recipients=lambda ctx: ["Lãnh đạo đơn vị;", "Lưu: hồ sơ."],
    ),
    "transfer_complaint": Layout(
        kind_title="PHIẾU CHUYỂN ĐƠN",
        subject=lambda ctx: "Về việc chuyển đơn khiếu nại",
        body=_transfer_body,
        addressee=_to_target,
        fields=(
            FieldSpec("target", _("Competent body (if not the transfer's unit)"), "text", max_length=200),
            FieldSpec(
                "reason", _("Reason and legal ground for the transfer"), "longtext", True, max_length=_LONG
            ),
        ),
        recipients=lambda ctx: ["Như trên;", "Người khiếu nại (để biết);", "Lưu: VT, hồ sơ."],
    ),
    "transfer_denunciation": Layout(
        kind_title="PHIẾU CHUYỂN ĐƠN",
        subject=lambda ctx: "Về việc chuyển đơn tố cáo",
        body=_transfer_body,
        addressee=_to_target,
        fields=(
            FieldSpec("target", _("Competent body (if not the transfer's unit)"), "text", max_length=200),
            FieldSpec(
                "reason", _("Reason and legal ground for the transfer"), "longtext", True, max_length=_LONG
            ),
        ),
        recipients=lambda ctx: [
            "Như trên;",
            "Người tố cáo (thông báo riêng, bảo đảm bí mật);",
            "Lưu: VT, hồ sơ.",
        ],
    ),
    "transfer_petition": Layout(
        kind_title="PHIẾU CHUYỂN ĐƠN",
        subject=lambda ctx: "Về việc chuyển đơn kiến nghị, phản ánh",
        body=_transfer_body,
        addressee=_to_target,
        fields=(
            FieldSpec("target", _("Competent body (if not the transfer's unit)"), "text", max_length=200),
            FieldSpec(
                "reason", _("Reason and legal ground for the transfer"), "longtext", True, max_length=_LONG
            ),
        ),
        recipients=lambda ctx: ["Như trên;", "Người kiến nghị, phản ánh (để biết);", "Lưu: VT, hồ sơ."],
    ),
    "complaint_acceptance_notice": Layout(
        kind_title="THÔNG BÁO",
        subject=lambda ctx: "Về việc thụ lý giải quyết khiếu nại",
        body=_complaint_acceptance_body,
        addressee=_applicants,
        fields=(FieldSpec("id_issued", _("ID issued on and by"), "text", max_length=200),),
        recipients=lambda ctx: [
            "Như trên;",
            "Cơ quan, tổ chức, cá nhân đã chuyển đơn (nếu có);",
            "Thanh tra cùng cấp;",
            "Lưu: VT, hồ sơ.",
        ],
        to_petitioner=True,
    ),
    "complaint_non_acceptance_notice": Layout(
        kind_title="THÔNG BÁO",
        subject=lambda ctx: "Về việc không thụ lý giải quyết khiếu nại",
        body=_non_acceptance,
        addressee=_applicants,
        fields=(FieldSpec("details", _("Specific reason"), "longtext", True, max_length=_LONG),),
        recipients=lambda ctx: [
            "Như trên;",
            "Cơ quan, tổ chức, cá nhân đã chuyển đơn (nếu có);",
            "Lưu: VT, hồ sơ.",
        ],
        to_petitioner=True,
    ),
    "dialogue_minutes": Layout(
        kind_title="BIÊN BẢN",
        subject=lambda ctx: "Đối thoại giải quyết khiếu nại",
        body=_minutes_body,
        fields=(
            FieldSpec("minute_taker", _("Minute-taker"), "text", True, max_length=100),
            FieldSpec(
                "related_persons", _("Related persons and bodies attending"), "longtext", max_length=_LONG
            ),
            FieldSpec("disputed_points", _("Points still disputed"), "longtext", max_length=_LONG),
            FieldSpec("end_time", _("Hour the dialogue ended"), "text", max_length=10),
            FieldSpec("refusals", _("Who refused to sign, and why"), "longtext", max_length=_LONG),
            FieldSpec("copies", _("Number of copies"), "integer"),
        ),
        signatures=_minutes_signatures,
        recipients=lambda ctx: [],
        unavailable=lambda ctx: "" if _dialogue(ctx) else str(_("No dialogue is recorded on this case.")),
    ),
    "complaint_decision_first": Layout(
        kind_title="QUYẾT ĐỊNH",
        subject=lambda ctx: f"Về việc giải quyết khiếu nại của {ctx.who()} (lần đầu)",
        preamble=_decision_preamble,
        body=lambda ctx: _decision_body(ctx, second=False),
        fields=_complaint_decision_fields(second=False),
        own_competence=True,
        recipients=_decision_recipients,
    ),
    "complaint_decision_second": Layout(
        kind_title="QUYẾT ĐỊNH",
        subject=lambda ctx: f"Về việc giải quyết khiếu nại của {ctx.who()} (lần hai)",
        preamble=_decision_preamble,
        body=lambda ctx: _decision_body(ctx, second=True),
        fields=_complaint_decision_fields(second=True),
        own_competence=True,
        recipients=_decision_recipients,
    ),
    "complaint_suspension_decision": Layout(
        kind_title="QUYẾT ĐỊNH",
        subject=lambda ctx: "Về việc tạm đình chỉ việc giải quyết khiếu nại",
        preamble=_complaint_preamble,
        body=_suspension_body,
        fields=(
            FieldSpec("reason", _("Reason for the suspension"), "longtext", max_length=_LONG),
            FieldSpec("legal_grounds", _("Further legal bases (one a line)"), "longtext", max_length=2000),
        ),
        own_competence=True,
        recipients=lambda ctx: ["Người khiếu nại;", "Người bị khiếu nại;", "Lưu: VT, hồ sơ."],
    ),
    "complaint_termination_decision": Layout(
        kind_title="QUYẾT ĐỊNH",
        subject=lambda ctx: "Về việc đình chỉ việc giải quyết khiếu nại",
        preamble=_complaint_preamble,
        body=_termination_body,
        fields=(
            FieldSpec("reason", _("Reason for the termination"), "longtext", max_length=_LONG),
            FieldSpec("legal_grounds", _("Further legal bases (one a line)"), "longtext", max_length=2000),
        ),
        own_competence=True,
        recipients=lambda ctx: ["Người khiếu nại;", "Người bị khiếu nại;", "Lưu: VT, hồ sơ."],
    ),
    "complaint_resumption_decision": Layout(
        kind_title="QUYẾT ĐỊNH",
        subject=lambda ctx: "Về việc tiếp tục giải quyết khiếu nại",
        preamble=_complaint_preamble,
        body=_resumption_body,
        fields=(
            FieldSpec("reason", _("Why the suspension ended"), "longtext", True, max_length=_LONG),
            FieldSpec("legal_grounds", _("Further legal bases (one a line)"), "longtext", max_length=2000),
        ),
        own_competence=True,
        recipients=lambda ctx: ["Người khiếu nại;", "Người bị khiếu nại;", "Lưu: VT, hồ sơ."],
        unavailable=_was_suspended,
    ),
    "denunciation_extension_decision": Layout(
        kind_title="QUYẾT ĐỊNH",
        subject=lambda ctx: "Về việc gia hạn giải quyết tố cáo",
        preamble=_denunciation_preamble,
        body=_extension_body,
        fields=(
            FieldSpec("extension_days", _("Days of extension"), "integer"),
            FieldSpec("reason", _("Reason for the extension"), "longtext", max_length=_LONG),
            _DENUNCIATION_TEXT,
        ),
        own_competence=True,
        recipients=_denunciation_recipients,
        unavailable=lambda ctx: (
            ""
            if ctx.ledger(DeadlineEntry.Kind.EXTEND)
            else str(_("The resolution deadline of this case was not extended."))
        ),
    ),
    "denunciation_acceptance_decision": Layout(
        kind_title="QUYẾT ĐỊNH",
        subject=lambda ctx: "Về việc thụ lý tố cáo",
        preamble=_denunciation_preamble,
        body=_denunciation_acceptance_body,
        fields=(
            FieldSpec("assignee", _("Person or body assigned to verify"), "text", max_length=200),
            _DENUNCIATION_TEXT,
        ),
        own_competence=True,
        recipients=_denunciation_recipients,
    ),
    "denunciation_notice_to_denouncer": Layout(
        kind_title="THÔNG BÁO",
        subject=lambda ctx: "Về việc thụ lý tố cáo",
        body=_notice_to_denouncer_body,
        addressee=_applicants,
        recipients=lambda ctx: ["Như trên;", "Lưu: VT, hồ sơ."],
        to_petitioner=True,
    ),
    "denunciation_notice_to_denounced": Layout(
        kind_title="THÔNG BÁO",
        subject=lambda ctx: "Về nội dung tố cáo",
        body=_notice_to_denounced_body,
        addressee=_to_respondent,
        fields=(
            FieldSpec(
                "denounced_content",
                _("Content denounced, as told to the person"),
                "longtext",
                max_length=_LONG,
            ),
        ),
        recipients=lambda ctx: ["Như trên;", "Lưu: VT, hồ sơ."],
    ),
    "denunciation_conclusion": Layout(
        kind_title="KẾT LUẬN",
        subject=lambda ctx: f"Nội dung tố cáo đối với {ctx.respondent()}",
        body=_conclusion_body,
        fields=(
            FieldSpec("verification_result", _("Verification result"), "longtext", max_length=_LONG),
            FieldSpec("conclusion", _("Conclusion"), "longtext", True, max_length=_LONG),
            FieldSpec("violations", _("Violations and responsibilities"), "longtext", max_length=_LONG),
            FieldSpec("measures", _("Measures and recommendations"), "longtext", True, max_length=_LONG),
        ),
        own_competence=True,
        recipients=_denunciation_recipients,
    ),
}

# Phrases the law requires on each paper (read back from the rendered PDFs by the tests).
MANDATORY: dict[str, tuple[str, ...]] = {
    "reception_receipt": ("GIẤY BIÊN NHẬN", "Người nhận", "Đã nhận của", "số trang", "NGƯỜI CUNG CẤP"),
    "appointment_slip": ("PHIẾU HẸN", "Hẹn ông (bà)"),
    "refusal_notice": ("THÔNG BÁO", "từ chối tiếp công dân", "Điều 9 Luật Tiếp công dân"),
    "guidance_slip": ("PHIẾU HƯỚNG DẪN", "không thuộc thẩm quyền", "Hướng dẫn cụ thể"),
    "acceptance_proposal": ("PHIẾU ĐỀ XUẤT THỤ LÝ ĐƠN", "Nội dung đơn", "đủ điều kiện", "NGƯỜI ĐỀ XUẤT"),
    "transfer_complaint": ("PHIẾU CHUYỂN ĐƠN", "Lý do chuyển đơn", "thông báo kết quả"),
    "transfer_denunciation": ("PHIẾU CHUYỂN ĐƠN", "Lý do chuyển đơn", "Điều 47 Luật Tố cáo"),
    "transfer_petition": ("PHIẾU CHUYỂN ĐƠN", "kiến nghị, phản ánh", "Lý do chuyển đơn"),
    "complaint_acceptance_notice": ("thụ lý giải quyết khiếu nại", "CCCD/CMND", "đủ điều kiện thụ lý"),
    "complaint_non_acceptance_notice": (
        "không thụ lý giải quyết khiếu nại",
        "Điều 11 Luật Khiếu nại",
        "Lý do cụ thể",
    ),
    "dialogue_minutes": (
        "BIÊN BẢN",
        "THÀNH PHẦN THAM GIA ĐỐI THOẠI",
        "Người ghi biên bản",
        "NỘI DUNG ĐỐI THOẠI",
        "KẾT QUẢ ĐỐI THOẠI",
        "Những nội dung đã thống nhất",
        "ý kiến khác nhau",
        "NGƯỜI CHỦ TRÌ",
    ),
    "complaint_decision_first": (
        "Người khiếu nại",
        "Người bị khiếu nại",
        "Nội dung khiếu nại",
        "Kết quả xác minh",
        "Kết quả đối thoại",
        "Căn cứ pháp luật",
        "Kết luận",
        "bồi thường",
        "khiếu nại lần hai",
        "khởi kiện vụ án hành chính",
    ),
    "complaint_decision_second": (
        "Người khiếu nại",
        "Người bị khiếu nại",
        "Nội dung khiếu nại",
        "Kết quả giải quyết khiếu nại của người giải quyết lần đầu",
        "Kết quả xác minh",
        "Kết quả đối thoại",
        "Căn cứ pháp luật",
        "Kết luận",
        "bồi thường",
        "khởi kiện vụ án hành chính",
    ),
    "complaint_suspension_decision": ("Tạm đình chỉ", "Lý do tạm đình chỉ", "không tính vào thời hạn"),
    "complaint_termination_decision": ("Đình chỉ việc giải quyết khiếu nại", "Lý do đình chỉ"),
    "complaint_resumption_decision": ("Tiếp tục giải quyết khiếu nại", "Lý do tiếp tục"),
    "denunciation_extension_decision": ("gia hạn giải quyết tố cáo", "Thời gian gia hạn", "Lý do gia hạn"),
    "denunciation_acceptance_decision": ("Thụ lý tố cáo", "Nội dung tố cáo được thụ lý", "30 ngày"),
    "denunciation_notice_to_denouncer": ("thụ lý tố cáo", "giữ bí mật"),
    "denunciation_notice_to_denounced": ("Nội dung tố cáo", "Điều 10 Luật Tố cáo", "giải trình"),
    "denunciation_conclusion": (
        "KẾT LUẬN",
        "Kết quả xác minh nội dung tố cáo",
        "Kết luận nội dung tố cáo",
        "biện pháp xử lý",
    ),
}


def signature_for(ctx: FormContext, layout: Layout) -> Signature:
    """The signature block (Decree 30/2020, App. I, 7): the head of a people's committee signs a
    notice "TM. ỦY BAN NHÂN DÂN"; a deputy signs "KT." above their own title; a decision within the
    head's own competence carries the head's title alone."""
    title = head_title(ctx.unit)
    name = ctx.value("signer_name") or ctx.head_name()
    if ctx.value("signed_by_deputy"):
        return Signature(authority=f"KT. {title}", title=f"PHÓ {title}", name=name)
    if is_people_committee(ctx.unit) and not layout.own_competence:
        return Signature(authority="TM. ỦY BAN NHÂN DÂN", title=title, name=name)
    return Signature(title=title, name=name)


def build(ctx: FormContext, layout: Layout, template, *, symbol: str, corrects: str = "") -> Paper:
    from .paper import issuer_name, paper_date, parent_name, place_name

    place = ctx.value("place") or place_name(ctx.unit)
    signatures = layout.signatures(ctx) if layout.signatures else []
    recipients = [*layout.recipients(ctx), *_lines(ctx.value("extra_recipients"))]
    paper = Paper(
        issuer=issuer_name(ctx.unit),
        issuer_parent=parent_name(ctx.unit),
        symbol=f"Số: {symbol}",
        place_date=f"{place}, {paper_date(ctx.on)}",
        kind_title=layout.kind_title,
        subject=layout.subject(ctx),
        form_number=template.form_number if template.verification != "unverified" else "",
        preamble=[line for line in (layout.preamble(ctx) if layout.preamble else []) if line],
        addressee=layout.addressee(ctx) if layout.addressee else "",
        body=layout.body(ctx),
        recipients=recipients,
        signature=Signature() if layout.signatures else signature_for(ctx, layout),
        signatures=signatures,
        corrects=corrects,
    )
    # Belt and braces: nothing of a denouncer survives in what is stored.
    for case in [ctx.case] if ctx.sealed else ctx._sealing_cases():
        paper = Paper.from_dict(strip_identity(paper.as_dict(), case))
    return paper


__all__ = ["COMMON_FIELDS", "LAYOUTS", "MANDATORY", "FieldSpec", "FormContext", "Layout"]
