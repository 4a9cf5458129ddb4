"""CSV and XLSX files of the monitoring reports (casework.reports), with Vietnamese column headers by
default and English ones on request. The same rows as the JSON API, flattened, plus a totals line.

Headers and value labels are given in both languages here rather than through gettext: the language
of a file is a parameter of the download (``lang=vi|en``), not the user's interface language, and a
file sent to the Inspectorate must carry the Vietnamese headers whatever the translation catalogue.
No column ever holds a petitioner's or denouncer's identity: the reports read no party data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from .reports import Report

LANGUAGES = ("vi", "en")

LEVEL_LABELS = {
    "central": ("Trung ương", "Central"),
    "province": ("Tỉnh", "Province"),
    "district": ("Huyện", "District"),
    "commune": ("Xã", "Commune"),
}
KIND_LABELS = {
    "complaint": ("Khiếu nại", "Complaint"),
    "denunciation": ("Tố cáo", "Denunciation"),
    "recommendation": ("Kiến nghị", "Recommendation"),
    "reflection": ("Phản ánh", "Reflection"),
}
DEADLINE_LABELS = {
    "processing": ("Xử lý đơn", "Processing"),
    "acceptance": ("Thụ lý", "Acceptance"),
    "resolution": ("Giải quyết", "Resolution"),
    "appeal_window": ("Thời hạn khiếu nại lần hai", "Appeal window"),
    "publication": ("Thời hạn công khai quyết định", "Publication of the decision"),
}
STATE_LABELS = {
    "received": ("Đã tiếp nhận", "Received"),
    "under_review": ("Đang xem xét", "Under review"),
    "accepted": ("Đã thụ lý", "Accepted"),
    "verifying": ("Đang xác minh", "Verifying"),
    "awaiting_approval": ("Chờ phê duyệt", "Awaiting approval"),
    "decided": ("Đã ban hành", "Decided"),
    "suspended": ("Tạm đình chỉ", "Suspended"),
}
TOTAL_LABEL = ("Tổng cộng", "Total")
ALL_LABEL = ("Tất cả", "All")


@dataclass(frozen=True)
class Column:
    key: str  # dotted path into a row, e.g. "previous_year.received"
    vi: str
    en: str
    type: str = "int"  # int | rate | decimal | text | date
    labels: dict[str, tuple[str, str]] | None = None

    def header(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en

    def value(self, row: dict[str, Any], lang: str) -> Any:
        value: Any = row
        for part in self.key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if self.labels is not None and value is not None:
            pair = self.labels.get(str(value))
            value = pair[0 if lang == "vi" else 1] if pair else value
        return value


def _unit_columns() -> list[Column]:
    return [
        Column("unit_code", "Mã đơn vị", "Unit code", "text"),
        Column("unit_name", "Đơn vị", "Unit", "text"),
    ]


def _level_column() -> Column:
    return Column("level", "Cấp", "Level", "text", LEVEL_LABELS)


def _kind_column() -> Column:
    return Column("kind", "Loại đơn", "Kind", "text", KIND_LABELS)


RESOLUTION_COLUMNS = [
    Column("received", "Số đơn tiếp nhận", "Received"),
    Column("carried_over", "Kỳ trước chuyển sang", "Carried over"),
    Column("newly_accepted", "Thụ lý mới", "Newly accepted"),
    Column("in_competence", "Thuộc thẩm quyền", "In competence"),
    Column("resolved", "Đã giải quyết", "Resolved"),
    Column("resolved_on_time", "Giải quyết đúng hạn", "Resolved on time"),
    Column("in_progress", "Đang giải quyết", "In progress"),
    Column("overdue", "Quá hạn", "Overdue"),
    Column("resolution_rate", "Tỷ lệ giải quyết (%)", "Resolution rate (%)", "rate"),
    Column("on_time_rate", "Tỷ lệ đúng hạn (%)", "On-time rate (%)", "rate"),
    Column("previous_year.received", "Cùng kỳ năm trước: tiếp nhận", "Previous year: received"),
    Column("previous_year.resolved", "Cùng kỳ năm trước: đã giải quyết", "Previous year: resolved"),
    Column(
        "previous_year.resolution_rate",
        "Cùng kỳ năm trước: tỷ lệ giải quyết (%)",
        "Previous year: resolution rate (%)",
        "rate",
    ),
]

OUTCOME_COLUMNS = [
    Column("resolved", "Đã giải quyết", "Resolved"),
    Column("right", "Khiếu nại đúng", "Complaints right"),
    Column("partly_right", "Khiếu nại đúng một phần", "Complaints partly right"),
    Column("wrong", "Khiếu nại sai", "Complaints wrong"),
    Column("true", "Tố cáo đúng", "Denunciations true"),
    Column("partly_true", "Tố cáo đúng một phần", "Denunciations partly true"),
    Column("untrue", "Tố cáo sai", "Denunciations untrue"),
    Column("answered", "Đã trả lời", "Answered"),
    Column("withdrawn", "Rút đơn", "Withdrawn"),
    Column("shares.right", "Tỷ lệ đúng (%)", "Right (%)", "rate"),
    Column("shares.partly_right", "Tỷ lệ đúng một phần (%)", "Partly right (%)", "rate"),
    Column("shares.wrong", "Tỷ lệ sai (%)", "Wrong (%)", "rate"),
    Column("shares.true", "Tỷ lệ tố cáo đúng (%)", "True (%)", "rate"),
    Column("shares.partly_true", "Tỷ lệ tố cáo đúng một phần (%)", "Partly true (%)", "rate"),
    Column("shares.untrue", "Tỷ lệ tố cáo sai (%)", "Untrue (%)", "rate"),
    Column("shares.answered", "Tỷ lệ đã trả lời (%)", "Answered (%)", "rate"),
    Column("shares.withdrawn", "Tỷ lệ rút đơn (%)", "Withdrawn (%)", "rate"),
]

RECEPTION_COLUMNS = [
    Column("visits", "Số lượt tiếp", "Visits"),
    Column("visitors", "Số người được tiếp", "Visitors"),
    Column("group_visits", "Số đoàn đông người", "Group visits"),
    Column("cases_opened", "Số vụ việc phát sinh", "Cases opened"),
    Column("head_days_held", "Số ngày thủ trưởng tiếp", "Days the head received"),
    Column("head_days_required", "Số ngày phải tiếp", "Days required", "decimal"),
    Column("head_reception_compliance", "Tỷ lệ thực hiện (%)", "Head reception compliance (%)", "rate"),
    Column("dialogues_held", "Đối thoại định kỳ đã tổ chức", "Periodic dialogues held"),
    Column("dialogues_required", "Đối thoại định kỳ phải tổ chức", "Periodic dialogues required", "decimal"),
]

OVERDUE_COLUMNS = [
    Column("reference", "Số hồ sơ", "Reference", "text"),
    Column("unit_code", "Mã đơn vị", "Unit code", "text"),
    Column("unit_name", "Đơn vị", "Unit", "text"),
    _kind_column(),
    Column("state", "Trạng thái", "State", "text", STATE_LABELS),
    Column("deadline_kind", "Loại thời hạn", "Deadline", "text", DEADLINE_LABELS),
    Column("due_date", "Hạn", "Due date", "date"),
    Column("days_overdue", "Số ngày quá hạn", "Days overdue"),
    Column("working_days_overdue", "Số ngày làm việc quá hạn", "Working days overdue"),
    Column("handler", "Người xử lý", "Handler", "text"),
    Column("unit_head", "Thủ trưởng đơn vị", "Unit head", "text"),
    Column("age_bucket", "Nhóm quá hạn (ngày)", "Age bucket (days)", "text"),
]

TITLES = {
    "resolution": ("Tỷ lệ giải quyết đơn thuộc thẩm quyền", "Resolution rates"),
    "outcomes": ("Kết quả giải quyết", "Outcomes"),
    "reception": ("Tiếp công dân", "Citizen reception"),
    "overdue": ("Hồ sơ quá hạn", "Overdue cases"),
}
FILE_NAMES = {
    "resolution": "ty-le-giai-quyet",
    "outcomes": "ket-qua-giai-quyet",
    "reception": "tiep-cong-dan",
    "overdue": "ho-so-qua-han",
}


def columns_for(report_name: str, group_by: str) -> list[Column]:
    if report_name == "overdue":
        return list(OVERDUE_COLUMNS)
    leading = [_level_column()]
    if group_by == "unit":
        leading += _unit_columns()
    body = {"resolution": RESOLUTION_COLUMNS, "outcomes": OUTCOME_COLUMNS, "reception": RECEPTION_COLUMNS}
    if report_name in ("resolution", "outcomes"):
        leading.append(_kind_column())
    return leading + body[report_name]


def table(report_name: str, report: Report, lang: str = "vi") -> tuple[list[str], list[list[Any]]]:
    """Headers and rows (raw Python values) of the file; aggregated reports end with a totals line."""
    lang = lang if lang in LANGUAGES else "vi"
    columns = columns_for(report_name, report.group_by)
    rows = [[c.value(row, lang) for c in columns] for row in report.rows]
    if report_name != "overdue":
        totals = [c.value(report.totals, lang) for c in columns]
        totals[0] = TOTAL_LABEL[0 if lang == "vi" else 1]
        for i, c in enumerate(columns):
            if c.key == "kind" and totals[i] is None:
                totals[i] = ALL_LABEL[0 if lang == "vi" else 1]
        rows.append(totals)
    return [c.header(lang) for c in columns], rows


def _safe_text(value: Any) -> Any:
    """Spreadsheet formula injection: text starting with = + - @ is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(_safe_text(value))


def to_csv(report_name: str, report: Report, lang: str = "vi") -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Vietnamese text correctly."""
    headers, rows = table(report_name, report, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(report_name: str, report: Report, lang: str = "vi") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lang = lang if lang in LANGUAGES else "vi"
    headers, rows = table(report_name, report, lang)
    columns = columns_for(report_name, report.group_by)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bao cao" if lang == "vi" else "Report"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_text(v) for v in row])
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, min(40, len(headers[index - 1]) + 2))
        number_format = {"rate": "0.0", "decimal": "0.0", "date": "DD/MM/YYYY"}.get(column.type)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    if rows and report_name != "overdue":
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"

    about = workbook.create_sheet("Thong tin" if lang == "vi" else "About")
    for line in _about_lines(report_name, report, lang):
        about.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _about_lines(report_name: str, report: Report, lang: str) -> Iterable[list[Any]]:
    vi = lang == "vi"
    yield [TITLES[report_name][0 if vi else 1]]
    if report_name == "overdue":
        yield ["Tính đến ngày" if vi else "As of", report.period.date_to]
    else:
        yield ["Từ ngày" if vi else "From", report.period.date_from]
        yield ["Đến ngày" if vi else "To", report.period.date_to]
    if report.within is not None:
        yield ["Phạm vi" if vi else "Within", f"{report.within.code} — {report.within.name}"]
    yield ["Lập lúc" if vi else "Generated at", timezone.localtime().strftime("%d/%m/%Y %H:%M")]
    yield [
        "Không chứa thông tin nhận diện người tố cáo."
        if vi
        else "Contains no information identifying a denouncer."
    ]


def filename(report_name: str, report: Report, extension: str) -> str:
    stamp = (
        f"{report.period.date_to:%Y%m%d}"
        if report_name == "overdue"
        else f"{report.period.date_from:%Y%m%d}-{report.period.date_to:%Y%m%d}"
    )
    return f"{FILE_NAMES[report_name]}-{stamp}.{extension}"
