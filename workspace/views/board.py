"""The monitor's overdue board: every open case past a staff deadline in the monitor's area, with the
figures by age and kind each linking to the cases behind them. Figures and rows come from the one
overdue read model (casework.reports), so the board, the API report and the exports agree."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import reports
from casework.access import visible_units
from casework.choices import CaseKind
from casework.replica import reading_reports

PAGE_SIZE = 50
BUCKET_LABELS = {
    "1-5": _("1–5 days"),
    "6-10": _("6–10 days"),
    "11-30": _("11–30 days"),
    ">30": _("over 30 days"),
}


class BoardFilter(forms.Form):
    within = forms.ModelChoiceField(queryset=None, required=False, label=_("Unit"), empty_label=_("All"))
    kind = forms.ChoiceField(required=False, label=_("Kind"))
    bucket = forms.ChoiceField(required=False, label=_("Days overdue"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["within"].queryset = visible_units(user).filter(is_active=True).order_by("path")
        self.fields["kind"].choices = [("", _("All")), *CaseKind.choices]
        self.fields["bucket"].choices = [("", _("All")), *BUCKET_LABELS.items()]


class _Rows:
    """The report's rows for one page, sized by the report's count, for Django's paginator."""

    def __init__(self, fetch, count: int):
        self.fetch, self.total = fetch, count

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice):
        return self.fetch(window.start, window.stop - window.start)


@login_required
@reading_reports()  # inside the login check: the session is read on the primary
def board(request):
    scope = reports.Scope.for_user(request.user)
    if scope is None:
        raise Http404
    today = timezone.localdate()
    form = BoardFilter(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    within, kind, bucket = filters.get("within"), filters.get("kind") or None, filters.get("bucket") or None

    def fetch(offset: int, limit: int) -> list[dict]:
        return reports.overdue_audit(
            scope=scope,
            as_of=today,
            within=within,
            kind=kind,
            bucket=bucket,
            limit=limit,
            offset=offset,
        ).rows

    summary = reports.overdue_buckets(scope=scope, as_of=today, within=within, kind=kind)
    count = summary["buckets"][bucket] if bucket else summary["deadlines"]
    page: Page = Paginator(_Rows(fetch, count), PAGE_SIZE).get_page(request.GET.get("page"))
    # Every kind's figure, whichever kind is chosen, so the others stay one click away.
    kinds = reports.overdue_buckets(scope=scope, as_of=today, within=within, by_kind=True, bucket=bucket)[
        "kinds"
    ]
    by_kind = [(code, label, kinds[code]) for code, label in CaseKind.choices]
    # The citizens' ratings of the year so far, per unit of the chosen area (casework.reports.satisfaction).
    ratings = reports.satisfaction(
        period=reports.custom_period(today.replace(month=1, day=1), today),
        scope=scope,
        group_by=reports.GROUP_BY_UNIT,
        within=within,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "summary": summary,
        "buckets": [(code, BUCKET_LABELS[code], n) for code, n in summary["buckets"].items()],
        "by_kind": by_kind,
        "page": page,
        "today": today,
        "ratings": ratings,
        "filters": {"within": within.pk if within else "", "kind": kind or "", "bucket": bucket or ""},
        "query": query.urlencode(),
    }
    return render(request, "workspace/board.html", context)
