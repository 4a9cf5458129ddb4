"""The API's JSON parser: DRF's, with the nesting depth bounded.

Python's json module recurses once per `[` or `{`; a body of a few thousand brackets raised
RecursionError (a 500) in the parser or, once parsed, in whatever walked the value next (validation,
error flattening, the idempotency fingerprint). No request body of this API nests deeper than a handful
of levels, so anything deeper than MAX_DEPTH is refused as a parse error (400, code `parse_error`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20


def nesting_depth(value, limit: int) -> int:
    """The depth of lists and objects in `value`, counted without recursion and stopping past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(self._too_deep()) from None
        if nesting_depth(data, self.max_depth) > self.max_depth:
            raise ParseError(self._too_deep())
        return data

    def _too_deep(self) -> str:
        return _("JSON parse error - nested deeper than %(n)d levels.") % {"n": self.max_depth}
