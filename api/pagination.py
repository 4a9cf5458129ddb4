"""Cursor pagination for every list: stable under concurrent inserts and cheap on deep pages."""

from rest_framework import pagination


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
