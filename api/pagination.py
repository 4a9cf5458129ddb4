"""Cursor pagination for every list: stable under concurrent inserts and cheap on deep pages."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    # Views name their own default ordering (OrderingFilter); this is only the fallback.
    ordering = "-id"
