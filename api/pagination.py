"""Cursor pagination for every list: stable under concurrent inserts and cheap on deep pages."""

from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class CursorPagination(pagination.CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    # Views name their own default ordering (OrderingFilter); this is only the fallback.
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        """The view's ordering with the primary key as the last key: rows equal on the first (cases
        received the same day) then come in one fixed order, so no row repeats or goes missing
        between pages (the cursor skips equal rows by counting them)."""
        ordering = tuple(super().get_ordering(request, queryset, view))
        if not any(field.lstrip("-") in ("id", "pk") for field in ordering):
            ordering += ("-id" if ordering[0].startswith("-") else "id",)
        return ordering

    def get_page_size(self, request):
        """`page_size` is a whole number from 1 (larger values give max_page_size rows); anything else
        is a 400, where DRF would silently fall back to the default."""
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        value = raw[-1].strip()
        if len(raw) > 1 or not (value.isascii() and value.isdigit()) or int(value) < 1:
            raise ValidationError({self.page_size_query_param: [_("A whole number from 1.")]})
        return min(int(value), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (
                    f"Number of results per page, 1 or more (at most {self.max_page_size} are returned)."
                )
        return parameters
