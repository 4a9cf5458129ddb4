"""CSV and XLSX files of the monitoring reports (casework.reports), with Vietnamese column headers by
default and English ones on request. The same rows as the JSON API, flattened, plus a totals line.

The language of a file is a parameter of the download (``lang=vi|en``), not the user's interface
language: headers, titles and value labels are gettext messages (context "report") rendered under
``translation.override(lang)``, and codes are worded by casework.choices.label, so a file sent to the
Inspectorate carries the Vietnamese words of the catalogue whatever the interface language.
No column ever holds a petitioner's or denouncer's identity: the reports read no party data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from .choices import REPORT, AuthorityLevel, CaseKind, CaseState, DeadlineKind, label
from .reports import Report

LANGUAGES = ("vi", "en")

TOTAL_LABEL = pgettext_lazy("report", "Total")
ALL_LABEL = pgettext_lazy("report", "All")


@dataclass(frozen=True)
class Column:
    key: str  # dotted path into a row, e.g. "previous_year.received"
    title: Promise  # the header, a lazy message rendered in the file's language
    type: str = "int"  # int | rate | decimal | text | date
    labels: type[models.Choices] | None = None  # the enumeration whose codes the column holds
    context: str = ""  # casework.choices.PHRASES context for the codes ("" = the labels)

    def header(self) -> str:
        return str(self.title)

    def value(self, row: dict[str, Any]) -> Any:
        value: Any = row
        for part in self.key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if self.labels is not None and value is not None:
            value = label(self.labels, value, context=self.context)
        return value


def _unit_columns() -> list[Column]:
    return [
        Column("unit_code", pgettext_lazy("report", "Unit code"), "text"),
        Column("unit_name", pgettext_lazy("report", "Unit"), "text"),
    ]


def _level_column() -> Column:
    return Column("level", pgettext_lazy("report", "Level"), "text", AuthorityLevel, REPORT)


def _kind_column() -> Column:
    return Column("kind", pgettext_lazy("report", "Kind"), "text", CaseKind, REPORT)


RESOLUTION_COLUMNS = [
    Column("received", pgettext_lazy("report", "Received")),
    Column("carried_over", pgettext_lazy("report", "Carried over")),
    Column("newly_accepted", pgettext_lazy("report", "Newly accepted")),
    Column("in_competence", pgettext_lazy("report", "In competence")),
    Column("resolved", pgettext_lazy("report", "Resolved")),
    Column("resolved_on_time", pgettext_lazy("report", "Resolved on time")),
    Column("in_progress", pgettext_lazy("report", "In progress")),
    Column("overdue", pgettext_lazy("report", "Overdue")),
    Column("resolution_rate", pgettext_lazy("report", "Resolution rate (%)"), "rate"),
    Column("on_time_rate", pgettext_lazy("report", "On-time rate (%)"), "rate"),
    Column("previous_year.received", pgettext_lazy("report", "Previous year: received")),
    Column("previous_year.resolved", pgettext_lazy("report", "Previous year: resolved")),
    Column(
        "previous_year.resolution_rate", pgettext_lazy("report", "Previous year: resolution rate (%)"), "rate"
    ),
]

OUTCOME_COLUMNS = [
    Column("resolved", pgettext_lazy("report", "Resolved")),
    Column("right", pgettext_lazy("report", "Complaints right")),
    Column("partly_right", pgettext_lazy("report", "Complaints partly right")),
    Column("wrong", pgettext_lazy("report", "Complaints wrong")),
    Column("true", pgettext_lazy("report", "Denunciations true")),
    Column("partly_true", pgettext_lazy("report", "Denunciations partly true")),
    Column("untrue", pgettext_lazy("report", "Denunciations untrue")),
    Column("answered", pgettext_lazy("report", "Answered")),
    Column("withdrawn", pgettext_lazy("report", "Withdrawn")),
    Column("shares.right", pgettext_lazy("report", "Right (%)"), "rate"),
    Column("shares.partly_right", pgettext_lazy("report", "Partly right (%)"), "rate"),
    Column("shares.wrong", pgettext_lazy("report", "Wrong (%)"), "rate"),
    Column("shares.true", pgettext_lazy("report", "True (%)"), "rate"),
    Column("shares.partly_true", pgettext_lazy("report", "Partly true (%)"), "rate"),
    Column("shares.untrue", pgettext_lazy("report", "Untrue (%)"), "rate"),
    Column("shares.answered", pgettext_lazy("report", "Answered (%)"), "rate"),
    Column("shares.withdrawn", pgettext_lazy("report", "Withdrawn (%)"), "rate"),
]

RECEPTION_COLUMNS = [
    Column("visits", pgettext_lazy("report", "Visits")),
    Column("visitors", pgettext_lazy("report", "Visitors")),
    Column("group_visits", pgettext_lazy("report", "Group visits")),
    Column("cases_opened", pgettext_lazy("report", "Cases opened")),
    Column("head_days_held", pgettext_lazy("report", "Days the head received")),
    Column("head_days_required", pgettext_lazy("report", "Days required"), "decimal"),
    Column("head_reception_compliance", pgettext_lazy("report", "Head reception compliance (%)"), "rate"),
    Column("dialogues_held", pgettext_lazy("report", "Periodic dialogues held")),
    Column("dialogues_required", pgettext_lazy("report", "Periodic dialogues required"), "decimal"),
]

OVERDUE_COLUMNS = [
    Column("reference", pgettext_lazy("report", "Reference"), "text"),
    Column("unit_code", pgettext_lazy("report", "Unit code"), "text"),
    Column("unit_name", pgettext_lazy("report", "Unit"), "text"),
    _kind_column(),
    Column("state", pgettext_lazy("report", "State"), "text", CaseState),
    Column("deadline_kind", pgettext_lazy("report", "Deadline"), "text", DeadlineKind, REPORT),
    Column("due_date", pgettext_lazy("report", "Due date"), "date"),
    Column("days_overdue", pgettext_lazy("report", "Days overdue")),
    Column("working_days_overdue", pgettext_lazy("report", "Working days overdue")),
    Column("handler", pgettext_lazy("report", "Handler"), "text"),
    Column("unit_head", pgettext_lazy("report", "Unit head"), "text"),
    Column("age_bucket", pgettext_lazy("report", "Age bucket (days)"), "text"),
]

TITLES = {
    "resolution": pgettext_lazy("report", "Resolution rates"),
    "outcomes": pgettext_lazy("report", "Outcomes"),
    "reception": pgettext_lazy("report", "Citizen reception"),
    "overdue": pgettext_lazy("report", "Overdue cases"),
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
    with translation.override(lang):
        rows = [[c.value(row) for c in columns] for row in report.rows]
        if report_name != "overdue":
            totals = [c.value(report.totals) for c in columns]
            totals[0] = str(TOTAL_LABEL)
            for i, c in enumerate(columns):
                if c.key == "kind" and totals[i] is None:
                    totals[i] = str(ALL_LABEL)
            rows.append(totals)
        return [c.header() for c in columns], rows


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
    with translation.override(lang):
        # Sheet names without diacritics: some spreadsheet programs mangle them.
        sheet.title = str(pgettext_lazy("report", "Report"))
        about_title = str(pgettext_lazy("report", "About"))
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

    about = workbook.create_sheet(about_title)
    with translation.override(lang):
        for line in _about_lines(report_name, report):
            about.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _about_lines(report_name: str, report: Report) -> Iterable[list[Any]]:
    """The "About" sheet, in the active language."""
    yield [str(TITLES[report_name])]
    if report_name == "overdue":
        yield [str(pgettext_lazy("report", "As of")), report.period.date_to]
    else:
        yield [str(pgettext_lazy("report", "From")), report.period.date_from]
        yield [str(pgettext_lazy("report", "To")), report.period.date_to]
    if report.within is not None:
        yield [str(pgettext_lazy("report", "Within")), f"{report.within.code} — {report.within.name}"]
    yield [str(pgettext_lazy("report", "Generated at")), timezone.localtime().strftime("%d/%m/%Y %H:%M")]
    yield [str(pgettext_lazy("report", "Contains no information identifying a denouncer."))]


def filename(report_name: str, report: Report, extension: str) -> str:
    stamp = (
        f"{report.period.date_to:%Y%m%d}"
        if report_name == "overdue"
        else f"{report.period.date_from:%Y%m%d}-{report.period.date_to:%Y%m%d}"
    )
    return f"{FILE_NAMES[report_name]}-{stamp}.{extension}"
