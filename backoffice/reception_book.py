"""Server-rendered staff pages outside the admin's model pages: the printable reception book."""

from __future__ import annotations

import csv
from datetime import date

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.access import visible_units
from casework.confidentiality import (
    MASK,
    VISIT_FREE_TEXT,
    record_disclosure,
    secrets_for_cases,
    visitors_masked_for,
)
from casework.models import AccessLog
from casework.replica import reading_reports
from casework.selectors import reception_book

# The book's free text; a denouncer of a case opened at the visit is scrubbed from it for other readers.


class ReceptionBookForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Unit"))
    date_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user).select_related("level")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def book_rows(user, visits, shown: dict | None = None) -> list[dict]:
    """The book's rows as `user` may read them; `shown` collects the people whose identity they show."""
    rows = []
    for visit in visits:
        masked = visitors_masked_for(user, visit)
        if shown is not None and not masked:
            shown.update((v.pk, v) for v in visit.visitors.all())
        secrets = secrets_for_cases(visit.cases.all(), user)
        for name in VISIT_FREE_TEXT:  # on the page's copy of the row only; nothing is saved
            setattr(visit, name, secrets.apply(getattr(visit, name)))
        visitors = [
            {
                "full_name": MASK if masked else v.full_name,
                "address": MASK if masked else v.address,
                "id_number": MASK if masked else v.id_number,
            }
            for v in visit.visitors.all()
        ]
        cases = list(visit.cases.all())
        rows.append(
            {
                "visit": visit,
                "visitors": visitors,
                "people": _("group of %(n)d") % {"n": visit.visitor_count}
                if visit.is_group
                else (_("individual") if visit.visitor_count == 1 else str(visit.visitor_count)),
                "action": visit.get_outcome_display()
                + (f": {visit.get_refusal_reason_display()}" if visit.refusal_reason else ""),
                "follow_up": "; ".join(f"{c.reference} — {c.get_state_display()}" for c in cases),
            }
        )
    return rows


@staff_member_required
@reading_reports()  # the session is read on the primary; the access log is written there too
def reception_book_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"date_from": today.replace(day=1), "date_to": today}
    form = ReceptionBookForm(request.GET or None, user=request.user, initial=initial)
    context = {
        **admin.site.each_context(request),  # site header, user links, sidebar as on every admin page
        "form": form,
        "rows": None,
        "title": _("Reception book (sổ tiếp công dân)"),
    }
    if request.GET and form.is_valid():
        unit, date_from, date_to = (form.cleaned_data[k] for k in ("unit", "date_from", "date_to"))
        shown: dict = {}
        visits = reception_book(unit=unit, date_from=date_from, date_to=date_to)
        rows = book_rows(request.user, visits, shown)
        csv_export = request.GET.get("format") == "csv"
        # Which book was read (unit and period, as asked), and one row per person it showed in clear, so
        # a person's access history (Law 91/2025) finds this read too.
        detail = (
            f"reception book {unit.code} ({unit.name}) {date_from:%d/%m/%Y}-{date_to:%d/%m/%Y}: "
            f"{len(rows)} visits{', CSV' if csv_export else ''}"
        )
        record_disclosure(
            user=request.user,
            kind=AccessLog.Kind.EXPORT if csv_export else AccessLog.Kind.PERSONAL_DATA_READ,
            channel="export" if csv_export else "admin",
            detail=detail,
            reads=[(None, party) for party in shown.values()] or [(None, None)],
        )
        if csv_export:
            return _csv(rows, unit.code, date_from, date_to)
        context.update(rows=rows, unit=unit, date_from=date_from, date_to=date_to)
    elif request.GET and "unit" in form.errors:
        raise Http404
    return render(request, "backoffice/reception_book.html", context)


CSV_HEADERS = [
    "STT", "Ngày", "Họ tên, địa chỉ, CCCD", "Nội dung", "Cá nhân / đoàn đông người",
    "Cơ quan đã giải quyết", "Kết quả tiếp", "Theo dõi kết quả", "Ghi chú",
]  # fmt: skip


def _csv(rows: list[dict], unit_code: str, date_from: date, date_to: date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="so-tiep-cong-dan-{unit_code}-{date_from}-{date_to}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csv.writer(response)
    writer.writerow(CSV_HEADERS)
    for row in rows:
        visit = row["visit"]
        writer.writerow(
            [
                f"{visit.book_number}/{visit.year}",
                timezone.localtime(visit.visited_at).strftime("%d/%m/%Y %H:%M"),
                "; ".join(f"{v['full_name']}, {v['address']}, {v['id_number']}" for v in row["visitors"]),
                visit.summary,
                row["people"],
                visit.previously_handled_by,
                row["action"],
                row["follow_up"],
                visit.notes,
            ]
        )
    return response
