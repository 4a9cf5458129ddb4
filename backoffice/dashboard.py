"""The monitor dashboard in the admin: resolution and on-time rates per authority level for a chosen
period, and the overdue trend over the last twelve month ends. Server-rendered, charts drawn as
inline SVG here (no JavaScript, no external files: the deployment has no internet)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import reports
from casework.choices import AuthorityLevel, CaseKind
from casework.models import Unit
from casework.replica import reading_reports
from casework.reports import summary as report_summary

PERIOD_KINDS = [
    ("year", gettext_lazy("Year")),
    ("9M", gettext_lazy("9 months")),
    ("6M", gettext_lazy("6 months")),
    ("Q1", gettext_lazy("Quarter 1")),
    ("Q2", gettext_lazy("Quarter 2")),
    ("Q3", gettext_lazy("Quarter 3")),
    ("Q4", gettext_lazy("Quarter 4")),
    ("month", gettext_lazy("Month")),
    ("custom", gettext_lazy("Dates below")),
]


class PlainSelect(forms.Select):
    """forms.Select's markup, its options written here rather than one template render each: a
    province's hundred-odd units took most of the dashboard's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        attrs = flatatt(widget["attrs"])
        return format_html('<select name="{}"{}>{}</select>', widget["name"], attrs, options)


class DashboardForm(forms.Form):
    period_kind = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=PERIOD_KINDS, initial="year", widget=PlainSelect
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=gettext_lazy("Month"), min_value=1, max_value=12, required=False)
    cutoff = forms.BooleanField(
        label=gettext_lazy("Reporting cut-off (15th to 14th, Circular 01/2024)"), required=False
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    within = forms.ModelChoiceField(
        label=gettext_lazy("Within"), queryset=Unit.objects.none(), required=False, widget=PlainSelect
    )

    def __init__(self, *args, scope: reports.Scope, **kwargs):
        super().__init__(*args, **kwargs)
        # The scope roots and their direct children: enough to drill down one level at a time.
        roots = Unit.objects.filter(parent__isnull=True) if scope.everything else None
        if roots is None:
            condition = Q(path__in=scope.paths) | Q(parent__path__in=scope.paths)
        else:
            condition = Q(pk__in=roots) | Q(parent__in=roots)
        self.fields["within"].queryset = (
            Unit.objects.filter(condition, is_active=True)
            .annotate(branch=Coalesce("parent__path", "path"))  # each root followed by its children
            .order_by("branch", "depth", "level__rank", "name")
        )
        self.fields["within"].label_from_instance = lambda unit: ("— " * unit.depth) + unit.name

    def clean(self):
        data = super().clean()
        kind = data.get("period_kind")
        if kind == "custom":
            if not (data.get("date_from") and data.get("date_to")):
                raise forms.ValidationError(_("Give both dates."))
            if data["date_from"] > data["date_to"]:
                raise forms.ValidationError(_("The start date is after the end date."))
        if kind == "month" and not data.get("month"):
            self.add_error("month", _("Choose the month."))
        return data

    def period(self) -> reports.Period:
        data = self.cleaned_data
        kind, year, cutoff = data["period_kind"], data["year"], data.get("cutoff", False)
        if kind == "custom":
            return reports.custom_period(data["date_from"], data["date_to"])
        spec = {"year": f"{year}", "month": f"{year}-{data.get('month') or 1:02d}"}.get(
            kind, f"{year}-{kind}"
        )
        return reports.parse_period(spec, cutoff=cutoff)


def _level_label(code: str) -> str:
    return str(AuthorityLevel(code).label) if code in AuthorityLevel.values else code


def _per_level(report: reports.Report) -> list[dict[str, Any]]:
    """All kinds together per level: sums of the grouped rows (a handful), rates recomputed."""
    levels: dict[str, dict[str, int]] = {}
    for row in report.rows:
        level = levels.setdefault(row["level"], dict.fromkeys(reports.RESOLUTION_COUNTS, 0))
        for metric in reports.RESOLUTION_COUNTS:
            level[metric] += row[metric]
    out = []
    for code in sorted(levels, key=lambda c: reports.LEVEL_ORDER.get(c, 99)):
        values = levels[code]
        out.append(
            {
                "level": code,
                "label": _level_label(code),
                **values,
                "in_progress": values["in_competence"] - values["resolved"],
                "resolution_rate": reports.rate(values["resolved"], values["in_competence"]),
                "on_time_rate": reports.rate(values["resolved_on_time"], values["resolved"]),
            }
        )
    return out


# --- SVG ------------------------------------------------------------------------------------------

SERIES_COLOURS = ("#417690", "#79aec8", "#ba2121")


def _px(value: float) -> str:
    return f"{value:.1f}"


def bar_chart(
    groups: list[tuple[str, list[tuple[str, float | None]]]], *, maximum: float = 100
) -> SafeString:
    """Grouped vertical bars on a 0..maximum scale (rates in percent); a missing value is a gap."""
    if not groups:
        return mark_safe("")
    series = len(groups[0][1])
    bar, gap, left, top, height = 28, 26, 40, 16, 180
    width = left + len(groups) * (series * bar + gap) + gap
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{}" height="{}" '
            'viewBox="0 0 {} {}" role="img" aria-label="{}">',
            width,
            top + height + 60,
            width,
            top + height + 60,
            _("Rates per authority level"),
        )
    ]
    for tick in (0, 25, 50, 75, 100):
        y = top + height - height * tick / maximum
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>'
                '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>',
                left,
                width,
                _px(y),
                _px(y),
                left - 4,
                _px(y + 3),
                tick,
            )
        )
    for g, (label, values) in enumerate(groups):
        x0 = left + gap + g * (series * bar + gap)
        for s, (name, value) in enumerate(values):
            x = x0 + s * bar
            if value is None:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="10" text-anchor="middle">–</text>',
                        x + bar / 2,
                        top + height - 4,
                    )
                )
                continue
            h = height * min(value, maximum) / maximum
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {}</title></rect>"
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                    x + 2,
                    _px(top + height - h),
                    bar - 4,
                    _px(h),
                    SERIES_COLOURS[s % len(SERIES_COLOURS)],
                    name,
                    value,
                    x + bar / 2,
                    _px(top + height - h - 3),
                    value,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                x0 + series * bar / 2,
                top + height + 16,
                label,
            )
        )
    for s, (name, _value) in enumerate(groups[0][1]):
        x = left + s * 150
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11">{}</text>',
                x,
                top + height + 34,
                SERIES_COLOURS[s % len(SERIES_COLOURS)],
                x + 14,
                top + height + 43,
                name,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def line_chart(points: list[tuple[str, int]]) -> SafeString:
    """A line over the month ends, with each value written above its point."""
    if not points:
        return mark_safe("")
    left, top, step, height = 40, 20, 56, 160
    width = left + step * len(points)
    peak = max(max(v for _label, v in points), 1)
    coords = [
        (left + step / 2 + i * step, top + height - height * v / peak) for i, (_label, v) in enumerate(points)
    ]
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{}" height="{}" '
            'viewBox="0 0 {} {}" role="img" aria-label="{}">',
            width,
            top + height + 40,
            width,
            top + height + 40,
            _("Overdue open cases at each month end"),
        ),
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#999"/>', left, width, top + height, top + height
        ),
        format_html(
            '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>',
            SERIES_COLOURS[2],
            " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        ),
    ]
    for (label, value), (x, y) in zip(points, coords, strict=True):
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}</title></circle>'
                '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>'
                '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                _px(x),
                _px(y),
                SERIES_COLOURS[2],
                label,
                value,
                _px(x),
                _px(y - 6),
                value,
                _px(x),
                top + height + 16,
                label,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


# --- View -----------------------------------------------------------------------------------------


def _export_links(period: reports.Period, within: Unit | None) -> list[tuple[str, str]]:
    """Download links of the report API, when it is mounted."""
    query = {"date_from": period.date_from.isoformat(), "date_to": period.date_to.isoformat()}
    if within is not None:
        query["within"] = within.pk
    links = []
    for name, label in (
        ("report-resolution-rates", _("Resolution rates")),
        ("report-outcomes", _("Outcomes")),
        ("report-reception", _("Reception")),
    ):
        try:
            url = reverse(f"api:{name}")
        except NoReverseMatch:
            return []
        for fmt in ("xlsx", "csv"):
            links.append((f"{label} ({fmt.upper()})", f"{url}?{urlencode({**query, 'format': fmt})}"))
    try:
        url = reverse("api:report-overdue")
        query = {"within": within.pk} if within is not None else {}
        links.append((_("Overdue cases (XLSX)"), f"{url}?{urlencode({**query, 'format': 'xlsx'})}"))
    except NoReverseMatch:
        pass
    return links


@staff_member_required
@reading_reports()  # inside the login check: the session is read on the primary
def monitor_dashboard(request: HttpRequest) -> HttpResponse:
    scope = reports.Scope.for_user(request.user)
    if scope is None:
        raise PermissionDenied(_("Only monitors, unit heads and administrators see the dashboard."))
    today = timezone.localdate()
    initial = {"period_kind": "year", "year": today.year, "cutoff": False}
    form = DashboardForm(request.GET or initial, scope=scope)
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": _("Monitoring dashboard"),
        "form": form,
        "report": None,
    }
    if form.is_valid():
        period, within = form.period(), form.cleaned_data.get("within")
        report = reports.resolution_rates(
            period=period, scope=scope, group_by=reports.GROUP_BY_LEVEL, within=within, compare=True
        )
        levels = _per_level(report)
        # The trend reads the summaries whenever they are built (whatever the period): as of then.
        trend_as_of = report.extra["figures_as_of"] or report_summary.as_of()
        trend = reports.overdue_trend(
            scope=scope, as_of=today, within=within, source="summary" if trend_as_of else "cases"
        )
        overdue = reports.overdue_buckets(scope=scope, as_of=today, within=within)
        context.update(
            report=report,
            period=period,
            within=within,
            levels=levels,
            kind_rows=[
                {**row, "level_label": _level_label(row["level"]), "kind_label": CaseKind(row["kind"]).label}
                for row in report.rows
            ],
            rates_chart=bar_chart(
                [
                    (
                        lv["label"],
                        [
                            (_("Resolution rate (%)"), lv["resolution_rate"]),
                            (_("On-time rate (%)"), lv["on_time_rate"]),
                        ],
                    )
                    for lv in levels
                ]
            ),
            trend=trend,
            trend_as_of=trend_as_of,
            trend_chart=line_chart([(f"{p['date']:%m/%y}", p["overdue"]) for p in trend]),
            overdue=overdue,
            exports=_export_links(period, within),
            today=today,
        )
    return render(request, "backoffice/dashboard.html", context)


def can_see_dashboard(user) -> bool:
    return bool(user and user.is_active and user.is_staff) and reports.Scope.for_user(user) is not None
