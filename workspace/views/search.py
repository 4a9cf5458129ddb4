"""Search from every page: a reference, part of a petitioner's name typed with or without diacritics,
or an exact ID number. A sealed denouncer is found only by those who may see them (casework.access)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from casework import worklists
from casework.access import visible_cases
from casework.confidentiality import cases_naming
from casework.rules.calendar import WorkingCalendar

RESULTS = 50


@login_required
def search(request):
    text = request.GET.get("q", "").strip()
    results = []
    if text:
        cases = visible_cases(request.user)
        # References are written in capitals (unit code, year, number): an exact match uses the index,
        # where a case-insensitive comparison would read the whole case table.
        by_reference = cases.filter(reference=text.upper()).first()
        if by_reference is not None:
            return redirect("workspace:case", case_id=by_reference.pk)
        matches = cases_naming(request.user, cases, text)
        if any(ch.isdigit() for ch in text):
            # Part of a reference ("00011", "2026/0001"); a name has no digits, and searching every
            # reference for one would scan the whole table.
            matches = matches | cases.filter(reference__icontains=text)
        results = list(
            worklists.with_next_due(matches.distinct())
            .select_related(*worklists.ROW_RELATED)
            .prefetch_related(*worklists.ROW_PREFETCH)
            .order_by("-received_at", "-pk")[:RESULTS]
        )
    context = {
        "q": text,
        "results": results,
        "limit": RESULTS,
        "today": timezone.localdate(),
        "calendar": WorkingCalendar.load(),
    }
    return render(request, "workspace/search.html", context)
