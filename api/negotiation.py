"""DRF's content negotiation, remembered per process: which renderer answers, and with which media
type, depends only on the view's renderers, the `?format=` override and the Accept header, and parsing
and matching the header on every request cost each API request about as much as rendering a small
answer. Nearly every client sends one of a handful of headers, so the answers are kept (a bounded
number of them: the header is the client's to choose); errors (406, an unknown format) are not kept
and are raised by DRF's own code every time."""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation

# (renderers, format, Accept header) -> (position of the chosen renderer, media type)
_chosen: dict[tuple, tuple[int, str]] = {}
CHOSEN_AT_MOST = 512


class RememberedContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        format = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        key = (
            tuple((type(r), r.media_type, r.format) for r in renderers),
            format,
            request.META.get("HTTP_ACCEPT"),
        )
        found = _chosen.get(key)
        if found is not None:
            return renderers[found[0]], found[1]
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if len(_chosen) < CHOSEN_AT_MOST:
            position = next(i for i, r in enumerate(renderers) if r is renderer)
            _chosen[key] = (position, media_type)
        return renderer, media_type
