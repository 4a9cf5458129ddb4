"""The documents a citizen following a case online may read: the issued papers addressed to the
petitioner (receipts, acceptance and refusal notices, decisions, conclusions), as they were issued.

A denunciation's papers keep the sealed placeholder where the denouncer's name goes: it is the stored
paper, which never holds the name (documents.forms: filled in only for staff who may see them), and the
denouncer knows their own name. Every download is logged as an export with no staff user."""

from __future__ import annotations

from casework.confidentiality import record_disclosure
from casework.models import AccessLog, Case

from . import render as paper_render
from .forms import LAYOUTS
from .models import Document
from .paper import Paper


def documents_for_citizen(case: Case) -> list[Document]:
    documents = Document.objects.filter(case=case).select_related("template").order_by("issued_on", "id")
    return [
        d for d in documents if (layout := LAYOUTS.get(d.template.code)) is not None and layout.to_petitioner
    ]


def citizen_download(case: Case, document_id: int, fmt: str) -> tuple[bytes, str, str] | None:
    """(content, filename, content type) of one of the case's papers for its citizen, or None."""
    if fmt not in paper_render.FORMATS:
        return None
    document = next((d for d in documents_for_citizen(case) if d.pk == document_id), None)
    if document is None:
        return None
    record_disclosure(
        user=None,
        channel="public",
        detail=f"{document.symbol} ({document.template.code})",
        reads=[(case, None)],
        kind=AccessLog.Kind.EXPORT,
    )
    content = paper_render.render(Paper.from_dict(document.content), fmt)
    filename = f"{document.symbol.replace('/', '-')}_{document.template.code}.{fmt}"
    return content, filename, paper_render.FORMATS[fmt]
