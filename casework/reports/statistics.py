"""The statistics forms of Circular 01/2024/TT-TTCP (../shared/FORMS.md §4): Biểu 01/TCD, 01/XLD–04/XLD
and 01/KQGQ–03/KQGQ, one row per unit of the reader's subtree (the ``group_by="unit"`` roll-up of
casework.reports.scope) plus totals, each computed by one or two grouped aggregate queries.

The column headers are the forms' own Vietnamese wording (legal text, like a document template's, not
interface words), so they are not translated. A column the system does not hold yet (``held=False``:
"urged" letters, repeat denunciations, ...) is always 0 and the sheet says "chưa thu thập" for it; it is
never estimated.

Definitions (period ``f .. t``; a case belongs to its unit; a transferred letter is received again at
the competent unit, as each unit's book shows):

* 01/TCD reads the reception book. Regular = ``reception_kind=regular``; the head's periodic and ad hoc
  reception is split by ``received_by_head`` (in person / delegated); sessions = distinct local days.
  Cases (vụ việc) = distinct cases linked to the visits, plus each visit with no case (a matter heard
  and guided or refused at the desk) as one matter. A linked case is "first time" when it was received
  on or after the day of the visit (opened there), "repeat" when it was received before (the citizen
  came back on a registered matter); an unlinked visit counts as first time.
* XLD forms read the processing clock (``deadline.kind=processing``): a letter is processed on the day
  the clock was met (accept, reject, transfer, guide, file). To process = received in the period (new)
  + received earlier and not processed before ``f`` (carried over). Eligible = processed and not filed.
  Within competence = eligible and accepted or refused acceptance; outside = guided or transferred.
  Replies = letters of this unit transferred elsewhere whose case there was decided in the period.
  The breakdown by field of law counts the eligible letters by ``Case.law_field`` (each form folds the
  fields it has no column for into its "other" columns); a case without a field is "not classified".
* KQGQ forms reuse the resolution report's definitions (casework.reports.resolution): in competence
  (carried over / new), resolved by decision or by withdrawal, resolved on time. The second round
  "upholds" the first decision when the complaint is found wrong, and annuls or amends it otherwise.
  Recovery, returns, sanctions proposed and referrals (01/KQGQ, 03/KQGQ) sum the figures the decisions
  of the period state (casework.figures); a decision that states none adds nothing.
* 02/KQGQ: the complaint decisions to implement are those issued by ``t`` whose implementation was not
  recorded as completed before ``f`` (a first decision appealed is left to the second round);
  done = completed in the period. "To collect / return" sum what those decisions set, "collected /
  returned", sanctions and prosecutions what their implementation records state so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from .. import figures
from ..choices import CaseKind, CaseState, DeadlineKind, DeadlineStatus, LawField, Outcome, ReceptionKind
from ..models import Case, Unit, Visit
from ..selectors import day_bounds
from .periods import Period, ReportError
from .resolution import _decided_in, _in_competence, _resolution_aggregates, _withdrawn_in
from .scope import GROUP_BY_UNIT, Grouping, Report, Scope, _finish_rows, _sum

NOT_COLLECTED = "chưa thu thập"
# A case registered before the field of law was recorded (or left unclassified) is counted here, so that
# the breakdown still adds up to the eligible cases; the appendix has no such column.
UNCLASSIFIED = "Chưa phân loại lĩnh vực"


def _by_field(eligible: Q, columns: dict[str, tuple[str, ...]], unclassified: str) -> dict[str, Count]:
    """Eligible cases by field of law: each column counts the LawField values it lists; a case with no
    field falls in `unclassified`."""
    out = {key: Count("pk", filter=eligible & Q(law_field__in=fields)) for key, fields in columns.items()}
    out[unclassified] = Count("pk", filter=eligible & Q(law_field=""))
    return out


_ADMIN = (
    LawField.ADMIN_POLICY,
    LawField.ADMIN_LAND_HOUSING,
    LawField.ADMIN_CIVIL_SERVICE,
    LawField.ADMIN_OTHER,
)
# 02/XLD has no civil-service or corruption column: they fold into "other administrative" and "other".
XLD02_FIELDS = {
    "field_admin": _ADMIN,
    "field_admin_policy": (LawField.ADMIN_POLICY,),
    "field_admin_land": (LawField.ADMIN_LAND_HOUSING,),
    "field_admin_other": (LawField.ADMIN_CIVIL_SERVICE, LawField.ADMIN_OTHER),
    "field_judicial": (LawField.JUDICIAL,),
    "field_party": (LawField.PARTY,),
    "field_other": (LawField.CORRUPTION, LawField.OTHER),
}
XLD03_FIELDS = {
    "field_admin": _ADMIN,
    "field_admin_policy": (LawField.ADMIN_POLICY,),
    "field_admin_land": (LawField.ADMIN_LAND_HOUSING,),
    "field_admin_civil_service": (LawField.ADMIN_CIVIL_SERVICE,),
    "field_admin_other": (LawField.ADMIN_OTHER,),
    "field_corruption": (LawField.CORRUPTION,),
    "field_judicial": (LawField.JUDICIAL,),
    "field_party": (LawField.PARTY,),
    "field_other": (LawField.OTHER,),
}
# 04/XLD: policy, land, judicial; every other field is "other".
XLD04_FIELDS = {
    "content_policy": (LawField.ADMIN_POLICY,),
    "content_land": (LawField.ADMIN_LAND_HOUSING,),
    "content_judicial": (LawField.JUDICIAL,),
    "content_other": (
        LawField.ADMIN_CIVIL_SERVICE,
        LawField.ADMIN_OTHER,
        LawField.CORRUPTION,
        LawField.PARTY,
        LawField.OTHER,
    ),
}


@dataclass(frozen=True)
class Col:
    """A header cell; a leaf (no children) is a data column with its JSON `key`."""

    label: str
    key: str = ""
    children: tuple[Col, ...] = ()
    held: bool = True

    def leaves(self) -> list[Col]:
        if not self.children:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0)


def C(label: str, *children: Col, key: str = "", held: bool = True) -> Col:
    return Col(label, key, tuple(children), held)


def _nh(label: str, key: str) -> Col:
    return Col(label, key, (), False)


@dataclass(frozen=True)
class Form:
    code: str  # the URL code, "01-xld"
    number: str  # "Biểu số 01/XLD"
    title: str
    columns: tuple[Col, ...]
    compute: Callable[[Period, Grouping], dict[str, dict[str, int]]] = field(repr=False)

    def leaves(self) -> list[Col]:
        return [leaf for col in self.columns for leaf in col.leaves()]

    def depth(self) -> int:
        return max(c.depth() for c in self.columns)


# --- 01/TCD: reception ---------------------------------------------------------------------------

_SEGMENTS = {
    "reg": Q(reception_kind=ReceptionKind.REGULAR),
    "head": Q(reception_kind__in=[ReceptionKind.PERIODIC, ReceptionKind.AD_HOC], received_by_head=True),
    "del": Q(reception_kind__in=[ReceptionKind.PERIODIC, ReceptionKind.AD_HOC], received_by_head=False),
}


def _prefixed(q: Q, prefix: str) -> Q:
    """The same condition on the visit reached through `prefix` ("visit__")."""
    out = Q()
    for child in q.children:
        name, value = child
        out &= Q(**{prefix + name: value})
    return out


def _tcd_group_cols(p: str) -> Col:
    return C(
        "Trong đó đoàn đông người",
        C("Số đoàn", key=f"{p}_groups"),
        C("Người", key=f"{p}_group_people"),
        C(
            "Vụ việc",
            C("Lần đầu", key=f"{p}_group_cases_first"),
            C("Tái diễn", key=f"{p}_group_cases_repeat"),
        ),
    )


def _tcd_segment(label: str, p: str, sessions: bool) -> Col:
    cols = [C("Kỳ tiếp", key=f"{p}_sessions")] if sessions else []
    cols += [
        C("Lượt", key=f"{p}_visits"),
        C("Người", key=f"{p}_people"),
        C("Vụ việc", C("Lần đầu", key=f"{p}_cases_first"), C("Tái diễn", key=f"{p}_cases_repeat")),
        _tcd_group_cols(p),
    ]
    return C(label, *cols)


TCD_COLUMNS = (
    C("Tổng số lượt tiếp", key="total_visits"),
    C("Tổng số người được tiếp", key="total_people"),
    C("Tổng số vụ việc", key="total_cases"),
    _tcd_segment("Tiếp thường xuyên", "reg", sessions=False),
    C(
        "Tiếp định kỳ và đột xuất của Thủ trưởng",
        _tcd_segment("Thủ trưởng tiếp", "head", sessions=True),
        _tcd_segment("Ủy quyền tiếp", "del", sessions=True),
    ),
)


def _compute_tcd(period: Period, grouping: Grouping) -> dict[str, dict[str, int]]:
    lo, hi = day_bounds(period.date_from, period.date_to)
    through = Visit.cases.through
    has_case = Exists(through.objects.filter(visit_id=OuterRef("pk")))
    aggregates: dict[str, Any] = {
        "total_visits": Count("pk"),
        "total_people": Sum("visitor_count"),
        "unlinked": Count("pk", filter=Q(has_case=False)),
    }
    for p, seg in _SEGMENTS.items():
        group = seg & Q(is_group=True)
        aggregates.update(
            {
                f"{p}_visits": Count("pk", filter=seg),
                f"{p}_people": Sum("visitor_count", filter=seg),
                f"{p}_unlinked": Count("pk", filter=seg & Q(has_case=False)),
                f"{p}_groups": Count("pk", filter=group),
                f"{p}_group_people": Sum("visitor_count", filter=group),
                f"{p}_group_unlinked": Count("pk", filter=group & Q(has_case=False)),
            }
        )
        if p != "reg":
            aggregates[f"{p}_sessions"] = Count("day", distinct=True, filter=seg)
    visits = (
        Visit.objects.filter(grouping.filter_q("unit__path"), visited_at__gte=lo, visited_at__lt=hi)
        .annotate(day=TruncDate("visited_at"), has_case=has_case, key=grouping.key_expression("unit__"))
        .values("key")
        .annotate(**aggregates)
        .order_by()
    )
    out: dict[str, dict[str, int]] = {r["key"]: dict(r) for r in visits}
    # Cases met at the visits: first time if opened on or after the visit's day, repeat if older.
    links: dict[str, Any] = {"total_cases": Count("case_id", distinct=True)}
    for p, seg in _SEGMENTS.items():
        vseg = _prefixed(seg, "visit__")
        vgroup = vseg & Q(visit__is_group=True)
        is_first = Q(case__received_at__gte=TruncDate("visit__visited_at"))
        is_repeat = Q(case__received_at__lt=TruncDate("visit__visited_at"))
        links.update(
            {
                f"{p}_cases_first": Count("case_id", distinct=True, filter=vseg & is_first),
                f"{p}_cases_repeat": Count("case_id", distinct=True, filter=vseg & is_repeat),
                f"{p}_group_cases_first": Count("case_id", distinct=True, filter=vgroup & is_first),
                f"{p}_group_cases_repeat": Count("case_id", distinct=True, filter=vgroup & is_repeat),
            }
        )
    linked = (
        through.objects.filter(
            grouping.filter_q("visit__unit__path"), visit__visited_at__gte=lo, visit__visited_at__lt=hi
        )
        .annotate(key=grouping.key_expression("visit__unit__"))
        .values("key")
        .annotate(**links)
        .order_by()
    )
    for r in linked:
        out.setdefault(r["key"], {}).update({k: v for k, v in r.items() if k != "key"})
    for row in out.values():
        row["total_cases"] = (row.get("total_cases") or 0) + (row.get("unlinked") or 0)
        for p in _SEGMENTS:
            row[f"{p}_cases_first"] = (row.get(f"{p}_cases_first") or 0) + (row.get(f"{p}_unlinked") or 0)
            row[f"{p}_group_cases_first"] = (row.get(f"{p}_group_cases_first") or 0) + (
                row.get(f"{p}_group_unlinked") or 0
            )
    return out


# --- XLD: processing of letters ------------------------------------------------------------------


def _xld_conditions(f, t) -> dict[str, Q]:
    new = Q(received_at__gte=f, received_at__lte=t)
    carried = Q(received_at__lt=f) & (Q(proc__completed_on__isnull=True) | Q(proc__completed_on__gte=f))
    processed = Q(proc__status=DeadlineStatus.MET, proc__completed_on__lte=t) & (new | carried)
    eligible = processed & ~Q(state=CaseState.FILED)
    return {
        "new": new,
        "carried": carried,
        "to_process": new | carried,
        "processed": processed,
        "eligible": eligible,
        "within": eligible & (Q(accepted_at__isnull=False) | Q(state=CaseState.REJECTED)),
        "accepted": eligible & Q(accepted_at__isnull=False),
        "guided": eligible & Q(state=CaseState.GUIDED),
        "transferred": eligible & Q(state=CaseState.TRANSFERRED),
    }


def _case_query(period: Period, grouping: Grouping, kinds: tuple[str, ...], rows: Q, aggregates: dict):
    f, t = period.date_from, period.date_to
    replies = Case.objects.filter(transferred_from=OuterRef("pk"), decided_at__gte=f, decided_at__lte=t)
    qs = (
        Case.objects.annotate(
            proc=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.PROCESSING)),
            res=FilteredRelation("deadlines", condition=Q(deadlines__kind=DeadlineKind.RESOLUTION)),
        )
        .filter(grouping.filter_q("unit__path"), kind__in=kinds)
        .filter(rows)
    )
    if any(name.startswith("replies") for name in aggregates):
        qs = qs.annotate(replied=Exists(replies))
    result = (
        qs.annotate(key=grouping.key_expression("unit__")).values("key").annotate(**aggregates).order_by()
    )
    return {r["key"]: dict(r) for r in result}


def _xld_frame(c: dict[str, Q]) -> dict[str, Count]:
    return {
        "to_process": Count("pk", filter=c["to_process"]),
        "to_process_carried": Count("pk", filter=c["carried"]),
        "to_process_new": Count("pk", filter=c["new"]),
        "processed": Count("pk", filter=c["processed"]),
        "processed_carried": Count("pk", filter=c["processed"] & c["carried"]),
        "processed_new": Count("pk", filter=c["processed"] & c["new"]),
        "eligible_petitions": Count("pk", filter=c["eligible"]),
        "eligible_cases": Count("pk", filter=c["eligible"]),
        "replies": Count("pk", filter=c["transferred"] & Q(replied=True)),
    }


def _frame_cols(*, processed_split: bool) -> list[Col]:
    processed = (
        C(
            "Số đơn đã xử lý",
            C("Tổng số", key="processed"),
            C("Kỳ trước chuyển sang", key="processed_carried"),
            C("Tiếp nhận trong kỳ", key="processed_new"),
        )
        if processed_split
        else C("Số đơn đã xử lý", key="processed")
    )
    return [
        C(
            "Số đơn phải xử lý",
            C("Tổng số", key="to_process"),
            C("Kỳ trước chuyển sang", key="to_process_carried"),
            C("Tiếp nhận trong kỳ", key="to_process_new"),
        ),
        processed,
        C(
            "Số đơn, vụ việc đủ điều kiện xử lý",
            C("Số đơn", key="eligible_petitions"),
            C("Số vụ việc", key="eligible_cases"),
        ),
    ]


XLD01_COLUMNS = (
    *_frame_cols(processed_split=False),
    C("Số đơn chưa xử lý", key="not_processed"),
    C(
        "Phân loại theo nội dung",
        C("Khiếu nại", key="content_complaint"),
        C("Tố cáo", key="content_denunciation"),
        C("Kiến nghị, phản ánh", key="content_petition"),
    ),
    C(
        "Phân loại theo tình trạng giải quyết",
        C(
            "Đã được giải quyết",
            C("Lần đầu", key="status_resolved_first"),
            _nh("Nhiều lần", "status_resolved_repeat"),
        ),
        C("Chưa được giải quyết", key="status_not_resolved"),
    ),
    C(
        "Kết quả xử lý đơn",
        C(
            "Thuộc thẩm quyền",
            C("Tổng số", key="within"),
            C("Khiếu nại", key="within_complaint"),
            C("Tố cáo", key="within_denunciation"),
            C("Kiến nghị, phản ánh", key="within_petition"),
        ),
        C(
            "Không thuộc thẩm quyền",
            C("Tổng số", key="outside"),
            C("Hướng dẫn", key="outside_guided"),
            C("Chuyển đơn", key="outside_transferred"),
            _nh("Đôn đốc giải quyết", "outside_urged"),
        ),
    ),
    C("Số văn bản phúc đáp nhận được do chuyển đơn", key="replies"),
)

PETITIONS = (CaseKind.RECOMMENDATION, CaseKind.REFLECTION)


def _compute_xld01(period: Period, grouping: Grouping) -> dict[str, dict[str, int]]:
    c = _xld_conditions(period.date_from, period.date_to)
    complaint, denunciation = Q(kind=CaseKind.COMPLAINT), Q(kind=CaseKind.DENUNCIATION)
    petition = Q(kind__in=PETITIONS)
    aggregates = {
        **_xld_frame(c),
        "content_complaint": Count("pk", filter=c["eligible"] & complaint),
        "content_denunciation": Count("pk", filter=c["eligible"] & denunciation),
        "content_petition": Count("pk", filter=c["eligible"] & petition),
        # A second-round complaint is a matter whose first resolution exists.
        "status_resolved_first": Count("pk", filter=c["eligible"] & complaint & Q(round=2)),
        "within": Count("pk", filter=c["within"]),
        "within_complaint": Count("pk", filter=c["within"] & complaint),
        "within_denunciation": Count("pk", filter=c["within"] & denunciation),
        "within_petition": Count("pk", filter=c["within"] & petition),
        "outside_guided": Count("pk", filter=c["guided"]),
        "outside_transferred": Count("pk", filter=c["transferred"]),
    }
    out = _case_query(period, grouping, tuple(CaseKind.values), c["to_process"], aggregates)
    for r in out.values():
        r["not_processed"] = r["to_process"] - r["processed"]
        r["status_not_resolved"] = r["eligible_petitions"] - r["status_resolved_first"]
        r["outside"] = r["outside_guided"] + r["outside_transferred"]
    return out


XLD02_COLUMNS = (
    *_frame_cols(processed_split=True),
    C(
        "Phân loại vụ việc theo nội dung",
        C(
            "Lĩnh vực hành chính",
            C("Tổng", key="field_admin"),
            C("Chế độ, chính sách", key="field_admin_policy"),
            C("Đất đai, nhà cửa", key="field_admin_land"),
            C("Khác", key="field_admin_other"),
        ),
        C("Lĩnh vực tư pháp", key="field_judicial"),
        C("Liên quan đến Đảng, đoàn thể", key="field_party"),
        C("Lĩnh vực khác", key="field_other"),
        C(UNCLASSIFIED, key="field_unclassified"),
    ),
    C(
        "Phân loại vụ việc theo tình trạng giải quyết",
        C(
            "Đã được giải quyết",
            C("Lần 1", key="status_first"),
            C("Lần 2", key="status_second"),
            C("Đã có bản án của Tòa", key="status_court"),
        ),
        C("Chưa được giải quyết", key="status_not_resolved"),
    ),
    C(
        "Kết quả xử lý",
        C(
            "Thuộc thẩm quyền",
            C("Tổng", key="within"),
            C("Lần đầu", key="within_first"),
            C("Lần 2", key="within_second"),
        ),
        C(
            "Không thuộc thẩm quyền",
            C("Tổng", key="outside"),
            C("Hướng dẫn, chuyển đơn", key="outside_guided"),
            _nh("Đôn đốc giải quyết", "outside_urged"),
        ),
    ),
    C("Số văn bản phúc đáp nhận được do chuyển đơn", key="replies"),
)


def _compute_xld02(period: Period, grouping: Grouping) -> dict[str, dict[str, int]]:
    c = _xld_conditions(period.date_from, period.date_to)
    aggregates = {
        **_xld_frame(c),
        "status_first": Count("pk", filter=c["eligible"] & Q(round=2)),
        "status_second": Count("pk", filter=c["eligible"] & Q(reason_code="second_decision_exists")),
        "status_court": Count("pk", filter=c["eligible"] & Q(reason_code="court_seized")),
        "within": Count("pk", filter=c["within"]),
        "within_first": Count("pk", filter=c["within"] & Q(round=1)),
        "within_second": Count("pk", filter=c["within"] & Q(round=2)),
        "outside_guided": Count("pk", filter=c["guided"] | c["transferred"]),
        **_by_field(c["eligible"], XLD02_FIELDS, "field_unclassified"),
    }
    out = _case_query(period, grouping, (CaseKind.COMPLAINT,), c["to_process"], aggregates)
    for r in out.values():
        r["status_not_resolved"] = (
            r["eligible_petitions"] - r["status_first"] - r["status_second"] - r["status_court"]
        )
        r["outside"] = r["outside_guided"]
    return out


XLD03_COLUMNS = (
    *_frame_cols(processed_split=True),
    C(
        "Phân loại vụ việc theo nội dung",
        C(
            "Lĩnh vực hành chính",
            C("Tổng", key="field_admin"),
            C("Chế độ, chính sách", key="field_admin_policy"),
            C("Đất đai, nhà cửa", key="field_admin_land"),
            C("Công chức, công vụ", key="field_admin_civil_service"),
            C("Khác", key="field_admin_other"),
        ),
        C("Tham nhũng", key="field_corruption"),
        C("Lĩnh vực tư pháp", key="field_judicial"),
        C("Liên quan đến Đảng, đoàn thể", key="field_party"),
        C("Lĩnh vực khác", key="field_other"),
        C(UNCLASSIFIED, key="field_unclassified"),
    ),
    C(
        "Phân loại vụ việc theo tình trạng giải quyết",
        _nh("Đã quá thời hạn nhưng chưa được giải quyết", "status_overdue"),
        _nh("Đã có kết luận giải quyết", "status_concluded"),
    ),
    C(
        "Kết quả xử lý",
        C(
            "Thuộc thẩm quyền",
            C("Tổng", key="within"),
            C("Tố cáo lần đầu", key="within_first"),
            _nh("Tố cáo tiếp", "within_repeat"),
        ),
        C(
            "Không thuộc thẩm quyền",
            C("Tổng", key="outside"),
            C("Chuyển đơn, hướng dẫn", key="outside_transferred"),
            _nh("Đôn đốc giải quyết", "outside_urged"),
        ),
    ),
    C("Số văn bản phúc đáp nhận được do chuyển đơn", key="replies"),
)


def _compute_xld03(period: Period, grouping: Grouping) -> dict[str, dict[str, int]]:
    c = _xld_conditions(period.date_from, period.date_to)
    aggregates = {
        **_xld_frame(c),
        "within": Count("pk", filter=c["within"]),
        "outside_transferred": Count("pk", filter=c["guided"] | c["transferred"]),
        **_by_field(c["eligible"], XLD03_FIELDS, "field_unclassified"),
    }
    out = _case_query(period, grouping, (CaseKind.DENUNCIATION,), c["to_process"], aggregates)
    for r in out.values():
        r["within_first"] = r["within"]
        r["outside"] = r["outside_transferred"]
    return out


XLD04_COLUMNS = (
    *_frame_cols(processed_split=False)[:1],
    C("Số đơn đã xem xét, xử lý", key="processed"),
    _frame_cols(processed_split=False)[2],
    C(
        "Phân loại theo nội dung",
        C("Chế độ, chính sách", key="content_policy"),
        C("Đất đai, nhà cửa", key="content_land"),
        C("Tư pháp", key="content_judicial"),
        C("Khác", key="content_other"),
        C(UNCLASSIFIED, key="content_unclassified"),
    ),
    C(
        "Phân loại theo tình trạng giải quyết",
        C("Đã được giải quyết", key="status_resolved"),
        C("Chưa được giải quyết", key="status_not_resolved"),
    ),
    C(
        "Kết quả xử lý",
        C("Thuộc thẩm quyền", key="within"),
        C(
            "Không thuộc thẩm quyền",
            C("Tổng", key="outside"),
            C("Chuyển đơn, hướng dẫn", key="outside_transferred"),
            _nh("Đôn đốc giải quyết", "outside_urged"),
        ),
    ),
    C(
        "Kết quả giải quyết vụ việc thuộc thẩm quyền",
        C("Đã giải quyết", key="within_resolved"),
        C("Chưa giải quyết", key="within_not_resolved"),
    ),
)


def _compute_xld04(period: Period, grouping: Grouping) -> dict[str, dict[str, int]]:
    f, t = period.date_from, period.date_to
    c = _xld_conditions(f, t)
    answered = Q(decided_at__isnull=False, decided_at__lte=t)
    aggregates = {
        **_xld_frame(c),
        "status_resolved": Count("pk", filter=c["eligible"] & answered),
        "within": Count("pk", filter=c["within"]),
        "outside_transferred": Count("pk", filter=c["guided"] | c["transferred"]),
        "within_resolved": Count("pk", filter=c["accepted"] & answered),
        **_by_field(c["eligible"], XLD04_FIELDS, "content_unclassified"),
    }
    out = _case_query(period, grouping, PETITIONS, c["to_process"], aggregates)
    for r in out.values():
        r["status_not_resolved"] = r["eligible_petitions"] - r["status_resolved"]
        r["outside"] = r["outside_transferred"]
        r["within_not_resolved"] = r["within"] - r["within_resolved"]
    return out


# --- KQGQ: resolution within competence ----------------------------------------------------------


def _money_land(prefix: str) -> tuple[Col, Col]:
    return C("Tiền (triệu đồng)", key=f"{prefix}_money"), C("Đất (m²)", key=f"{prefix}_land")


_RECOVERY_COLS = (
    C("Kiến nghị thu hồi cho Nhà nước", *_money_land("recover")),
    C(
        "Trả lại cho tổ chức, cá nhân",
        C("Tổ chức", *_money_land("return_org")),
        C("Cá nhân", *_money_land("return_person")),
        C("Số tổ chức được trả lại quyền lợi", key="return_orgs"),
        C("Số cá nhân được trả lại quyền lợi", key="return_people"),
    ),
    C(
        "Kiến nghị xử lý hành chính",
        C("Tổng số người", key="sanction_people"),
        C("Trong đó cán bộ, công chức", key="sanction_officials"),
    ),
    C(
        "Chuyển cơ quan điều tra",
        C("Số vụ", key="referred_cases"),
        C("Số người", key="referred_people"),
        C("Trong đó cán bộ, công chức", key="referred_officials"),
    ),
)

# The columns above summed from the decision's figures (casework.figures): the column key is the case
# field, except the number of cases referred, which counts the cases flagged.
_SUMMED_DECISION_FIGURES = tuple(f.name for f in figures.DECISION_FIGURES if f.kind != "flag")


def _decision_figures(decided: Q) -> dict[str, Any]:
    """The recovery, return, sanction and referral columns over the decisions of the period."""
    out: dict[str, Any] = {name: Sum(name, filter=decided) for name in _SUMMED_DECISION_FIGURES}
    out["referred_cases"] = Count("pk", filter=decided & Q(referred_to_investigation=True))
    return out


_TIME_COLS = C(
    "Việc chấp hành thời hạn giải quyết",
    C("Đúng thời hạn", key="on_time"),
    C("Quá thời hạn", key="late"),
)

KQGQ01_COLUMNS = (
    C(
        "Đơn khiếu nại thuộc thẩm quyền",
        C("Tổng số", key="petitions"),
        C("Kỳ trước chuyển sang", key="petitions_carried"),
        C("Tiếp nhận trong kỳ", key="petitions_new"),
    ),
    C("Số vụ việc thuộc thẩm quyền", key="cases"),
    C(
        "Số vụ việc đã giải quyết",
        C("Bằng quyết định hành chính", key="resolved_decision"),
        C("Rút đơn thông qua giải thích, thuyết phục", key="resolved_withdrawn"),
    ),
    *_RECOVERY_COLS,
    C(
        "Phân tích kết quả giải quyết",
        C(
            "Giải quyết lần đầu",
            C("Khiếu nại đúng", key="first_right"),
            C("Khiếu nại sai", key="first_wrong"),
            C("Khiếu nại đúng một phần", key="first_partly"),
        ),
        C(
            "Giải quyết lần 2",
            C("Công nhận quyết định lần 1", key="second_upheld"),
            C("Hủy, sửa quyết định lần 1", key="second_amended"),
        ),
    ),
    _TIME_COLS,
)


def _kqgq_query(period: Period, grouping: Grouping, kind: str, extra: dict) -> dict[str, dict[str, int]]:
    f, t = period.date_from, period.date_to
    base = _resolution_aggregates(f, t)
    aggregates = {
        "petitions": base["in_competence"],
        "petitions_carried": base["carried_over"],
        "petitions_new": base["newly_accepted"],
        "cases": base["in_competence"],
        "resolved": base["resolved"],
        "on_time": base["resolved_on_time"],
        **extra,
    }
    # Same rows as the resolution report: in competence during the period.
    out = _case_query(period, grouping, (kind,), _in_competence(f, t), aggregates)
    for r in out.values():
        r["late"] = r["resolved"] - r["on_time"]
    return out


def _compute_kqgq01(period: Period, grouping: Grouping) -> dict[str, dict[str, int]]:
    f, t = period.date_from, period.date_to
    decided = _in_competence(f, t) & _decided_in(f, t)
    r1, r2 = decided & Q(round=1), decided & Q(round=2)
    extra = {
        "resolved_decision": Count("pk", filter=decided),
        "resolved_withdrawn": Count("pk", filter=_in_competence(f, t) & _withdrawn_in(f, t)),
        "first_right": Count("pk", filter=r1 & Q(outcome=Outcome.RIGHT)),
        "first_wrong": Count("pk", filter=r1 & Q(outcome=Outcome.WRONG)),
        "first_partly": Count("pk", filter=r1 & Q(outcome=Outcome.PARTLY_RIGHT)),
        "second_upheld": Count("pk", filter=r2 & Q(outcome=Outcome.WRONG)),
        "second_amended": Count("pk", filter=r2 & Q(outcome__in=[Outcome.RIGHT, Outcome.PARTLY_RIGHT])),
        **_decision_figures(decided),
    }
    return _kqgq_query(period, grouping, CaseKind.COMPLAINT, extra)


def _to_do(prefix: str) -> tuple[Col, Col]:
    return (
        C("Phải thu", *_money_land(f"{prefix}_due")),
        C("Đã thu", *_money_land(f"{prefix}_done")),
    )


KQGQ02_COLUMNS = (
    C("Tổng số quyết định phải tổ chức thực hiện trong kỳ", key="decisions"),
    C("Số quyết định đã thực hiện xong", key="decisions_done"),
    C("Thu hồi cho Nhà nước", *_to_do("recover")),
    C(
        "Trả lại cho tổ chức, cá nhân",
        C(
            "Phải trả",
            C("Tổ chức", *_money_land("return_org_due")),
            C("Cá nhân", *_money_land("return_person_due")),
        ),
        C(
            "Đã trả",
            C("Tổ chức", *_money_land("return_org_done")),
            C("Cá nhân", *_money_land("return_person_done")),
        ),
    ),
    C(
        "Xử lý hành chính",
        C("Số người", key="sanction_people"),
        C("Trong đó cán bộ, công chức", key="sanction_officials"),
    ),
    C(
        "Khởi tố",
        C("Số vụ", key="prosecuted_cases"),
        C("Số người", key="prosecuted_people"),
        C("Trong đó cán bộ, công chức", key="prosecuted_officials"),
    ),
)

# 02/KQGQ column -> the case field summed over the decisions to implement: what the decision set
# ("phải thu / phải trả") and what the implementation records state so far ("đã thu / đã trả").
KQGQ02_SUMS = {
    "recover_due_money": "recover_money",
    "recover_due_land": "recover_land",
    "recover_done_money": "recovered_money",
    "recover_done_land": "recovered_land",
    "return_org_due_money": "return_org_money",
    "return_org_due_land": "return_org_land",
    "return_person_due_money": "return_person_money",
    "return_person_due_land": "return_person_land",
    "return_org_done_money": "returned_org_money",
    "return_org_done_land": "returned_org_land",
    "return_person_done_money": "returned_person_money",
    "return_person_done_land": "returned_person_land",
    "sanction_people": "sanctioned_people",
    "sanction_officials": "sanctioned_officials",
    "prosecuted_people": "prosecuted_people",
    "prosecuted_officials": "prosecuted_officials",
}


def _to_implement(f, t) -> Q:
    """Complaint decisions to implement in the period: issued by `t` and not fully implemented before
    `f` (a decision stays to implement until its implementation is recorded as completed). A first
    decision appealed is superseded by the second round's, which is counted at its own unit."""
    return (
        Q(decided_at__lte=t)
        & ~Q(state=CaseState.APPEALED)
        & (Q(implemented_at__isnull=True) | Q(implemented_at__gte=f))
    )


def _compute_kqgq02(period: Period, grouping: Grouping) -> dict[str, dict[str, int]]:
    f, t = period.date_from, period.date_to
    due = _to_implement(f, t)
    aggregates: dict[str, Any] = {
        "decisions": Count("pk"),
        "decisions_done": Count("pk", filter=Q(implemented_at__gte=f, implemented_at__lte=t)),
        "prosecuted_cases": Count("pk", filter=Q(prosecuted=True)),
        **{key: Sum(field) for key, field in KQGQ02_SUMS.items()},
    }
    return _case_query(period, grouping, (CaseKind.COMPLAINT,), due, aggregates)


KQGQ03_COLUMNS = (
    C("Số đơn tố cáo thuộc thẩm quyền", key="petitions"),
    C(
        "Số vụ việc thuộc thẩm quyền",
        C("Tổng số", key="cases"),
        _nh("Trong đó tố cáo tiếp", "cases_repeat"),
    ),
    C(
        "Số vụ việc đã giải quyết",
        C("Tổng số", key="resolved"),
        C("Tố cáo lần đầu", key="resolved_first"),
        _nh("Tố cáo tiếp", "resolved_repeat"),
        C("Rút toàn bộ nội dung tố cáo", key="resolved_withdrawn"),
        C("Đang tạm đình chỉ", key="suspended"),
    ),
    *_RECOVERY_COLS,
    C(
        "Phân tích kết quả giải quyết",
        C("Tố cáo đúng", key="true"),
        C("Tố cáo sai", key="untrue"),
        C("Tố cáo đúng một phần", key="partly_true"),
    ),
    _TIME_COLS,
)


def _compute_kqgq03(period: Period, grouping: Grouping) -> dict[str, dict[str, int]]:
    f, t = period.date_from, period.date_to
    ic = _in_competence(f, t)
    decided = ic & _decided_in(f, t)
    extra = {
        "resolved_first": Count("pk", filter=decided),
        "resolved_withdrawn": Count("pk", filter=ic & _withdrawn_in(f, t)),
        "suspended": Count("pk", filter=ic & Q(state=CaseState.SUSPENDED)),
        "true": Count("pk", filter=decided & Q(outcome=Outcome.TRUE)),
        "untrue": Count("pk", filter=decided & Q(outcome=Outcome.UNTRUE)),
        "partly_true": Count("pk", filter=decided & Q(outcome=Outcome.PARTLY_TRUE)),
        **_decision_figures(decided),
    }
    return _kqgq_query(period, grouping, CaseKind.DENUNCIATION, extra)


# --- The forms -----------------------------------------------------------------------------------

FORMS: dict[str, Form] = {
    f.code: f
    for f in (
        Form(
            "01-tcd",
            "Biểu số 01/TCD",
            "TỔNG HỢP KẾT QUẢ TIẾP CÔNG DÂN THƯỜNG XUYÊN, ĐỊNH KỲ VÀ ĐỘT XUẤT",
            TCD_COLUMNS,
            _compute_tcd,
        ),
        Form("01-xld", "Biểu số 01/XLD", "TỔNG HỢP KẾT QUẢ XỬ LÝ ĐƠN", XLD01_COLUMNS, _compute_xld01),
        Form(
            "02-xld", "Biểu số 02/XLD", "TỔNG HỢP KẾT QUẢ XỬ LÝ ĐƠN KHIẾU NẠI", XLD02_COLUMNS, _compute_xld02
        ),
        Form("03-xld", "Biểu số 03/XLD", "TỔNG HỢP KẾT QUẢ XỬ LÝ ĐƠN TỐ CÁO", XLD03_COLUMNS, _compute_xld03),
        Form(
            "04-xld",
            "Biểu số 04/XLD",
            "TỔNG HỢP KẾT QUẢ XỬ LÝ ĐƠN KIẾN NGHỊ, PHẢN ÁNH",
            XLD04_COLUMNS,
            _compute_xld04,
        ),
        Form(
            "01-kqgq",
            "Biểu số 01/KQGQ",
            "TỔNG HỢP KẾT QUẢ GIẢI QUYẾT KHIẾU NẠI THUỘC THẨM QUYỀN",
            KQGQ01_COLUMNS,
            _compute_kqgq01,
        ),
        Form(
            "02-kqgq",
            "Biểu số 02/KQGQ",
            "TỔNG HỢP KẾT QUẢ THỰC HIỆN QUYẾT ĐỊNH GIẢI QUYẾT KHIẾU NẠI",
            KQGQ02_COLUMNS,
            _compute_kqgq02,
        ),
        Form(
            "03-kqgq",
            "Biểu số 03/KQGQ",
            "TỔNG HỢP KẾT QUẢ GIẢI QUYẾT TỐ CÁO THUỘC THẨM QUYỀN",
            KQGQ03_COLUMNS,
            _compute_kqgq03,
        ),
    )
}
FORM_CODES = tuple(FORMS)


def get_form(code: str) -> Form:
    try:
        return FORMS[code]
    except KeyError:
        raise ReportError(
            "form", "Biểu không tồn tại; một trong: " + ", ".join(FORM_CODES), code="unknown_form"
        ) from None


def statistics_form(*, form: str, period: Period, scope: Scope, within: Unit | None = None) -> Report:
    """One statistics form: a row per unit of the subtree (children rolled up) and the totals row.
    Every row's ``cells`` maps each column key to its value; columns not held are 0."""
    spec = get_form(form)
    grouping = Grouping(GROUP_BY_UNIT, scope, within)
    keys = [leaf.key for leaf in spec.leaves()]
    computed = spec.compute(period, grouping)
    unit_keys = set(
        Unit.objects.filter(grouping.filter_q("path"), is_active=True)
        .annotate(key=grouping.key_expression(""))
        .values_list("key", flat=True)
        .distinct()
    )
    raw = [
        {"key": k, **{m: (computed.get(k, {}).get(m) or 0) for m in keys}} for k in unit_keys | set(computed)
    ]
    rows = _finish_rows(grouping, raw, tuple(keys), by_kind=False)
    totals = _sum(rows, keys)
    out_rows = []
    for row in rows:
        label = {k: v for k, v in row.items() if k not in keys}
        out_rows.append({**label, "cells": {k: row[k] for k in keys}})
    columns = []
    for number, (leaf, path) in enumerate(_leaf_paths(spec.columns), start=1):
        columns.append({"number": number, "key": leaf.key, "header": path, "collected": leaf.held})
    return Report(
        period,
        GROUP_BY_UNIT,
        out_rows,
        {"cells": totals},
        within,
        extra={"form": spec.code, "number": spec.number, "title": spec.title, "columns": columns},
    )


def _leaf_paths(cols: tuple[Col, ...], prefix: tuple[str, ...] = ()) -> list[tuple[Col, list[str]]]:
    out = []
    for col in cols:
        path = (*prefix, col.label)
        if col.children:
            out.extend(_leaf_paths(col.children, path))
        else:
            out.append((col, list(path)))
    return out


# --- XLSX in the appendix layout -----------------------------------------------------------------


def to_xlsx(report: Report, unit_line: str) -> bytes:
    """The form as the appendix lays it out: form number, title, reporting unit and period, merged
    multi-level headers, a row of column numbers, one row per unit, the totals row and the note on
    the columns not collected. Cells hold numbers (not text), so the sheet can be summed again."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    spec = FORMS[report.extra["form"]]
    leaves = spec.leaves()
    depth = spec.depth()
    width = 2 + len(leaves)  # STT, unit, the data columns
    book = Workbook()
    sheet = book.active
    sheet.title = spec.number.replace("Biểu số ", "").replace("/", "-")
    bold, thin = Font(bold=True, name="Times New Roman"), Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def line(row: int, text: str, *, font=None, align="center") -> None:
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = sheet.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if font is not None:
            cell.font = font

    line(1, spec.number, font=bold, align="right")
    line(2, spec.title, font=Font(bold=True, name="Times New Roman", size=13))
    line(3, f"Đơn vị báo cáo: {unit_line}")
    p = report.period
    line(
        4, f"Kỳ báo cáo: từ ngày {p.date_from:%d/%m/%Y} đến ngày {p.date_to:%d/%m/%Y}", font=Font(italic=True)
    )

    top = 6
    for column, text in ((1, "STT"), (2, "Đơn vị")):
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + depth - 1, end_column=column)
        sheet.cell(row=top, column=column, value=text)

    def place(cols: tuple[Col, ...], level: int, first: int) -> int:
        column = first
        for col in cols:
            span = len(col.leaves())
            last_row = top + level if col.children else top + depth - 1
            if span > 1 or last_row > top + level:
                sheet.merge_cells(
                    start_row=top + level, start_column=column, end_row=last_row, end_column=column + span - 1
                )
            sheet.cell(row=top + level, column=column, value=col.label)
            if col.children:
                place(col.children, level + 1, column)
            column += span
        return column

    place(spec.columns, 0, 3)
    numbers = top + depth
    sheet.cell(row=numbers, column=1, value="A")
    sheet.cell(row=numbers, column=2, value="B")
    for i in range(len(leaves)):
        sheet.cell(row=numbers, column=3 + i, value=i + 1)
    for row in sheet.iter_rows(min_row=top, max_row=numbers, max_col=width):
        for cell in row:
            cell.font, cell.alignment, cell.border = bold, centre, border

    r = numbers + 1
    for index, row in enumerate(report.rows, start=1):
        sheet.cell(row=r, column=1, value=index)
        sheet.cell(row=r, column=2, value=row.get("unit_name", ""))
        for i, leaf in enumerate(leaves):
            sheet.cell(row=r, column=3 + i, value=row["cells"][leaf.key])
        r += 1
    sheet.cell(row=r, column=2, value="Tổng cộng")
    for i, leaf in enumerate(leaves):
        sheet.cell(row=r, column=3 + i, value=report.totals["cells"][leaf.key])
    for row in sheet.iter_rows(min_row=numbers + 1, max_row=r, max_col=width):
        for cell in row:
            cell.border = border
    for cell in sheet[r]:
        cell.font = bold

    missing = [str(n) for n, leaf in enumerate(leaves, start=1) if not leaf.held]
    if missing:
        line(
            r + 2,
            f"Ghi chú: cột {', '.join(missing)}: {NOT_COLLECTED} (hệ thống chưa lưu số liệu này; ghi 0).",
            align="left",
        )
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 32
    for i in range(len(leaves)):
        sheet.column_dimensions[get_column_letter(3 + i)].width = 11
    sheet.freeze_panes = sheet.cell(row=numbers + 1, column=3)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
