"""Files a citizen attached to an online submission, for the staff who may read the case.

They live in private storage (no URL); this view is the only way to read one. A denunciation's files
may carry the denouncer's handwriting or name, so they are sealed like the identity itself (only those
who may see the denouncer open them, LTC Art. 47). Every download is logged as an export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from casework.choices import CaseKind
from casework.confidentiality import can_see_denouncer, record_disclosure
from casework.models import AccessLog, Attachment, Case

from .case import _case_or_404


def may_open_attachments(user, case: Case) -> bool:
    return case.kind != CaseKind.DENUNCIATION or can_see_denouncer(user, case)


@login_required
def attachment_download(request, case_id: int, attachment_id: int):
    case = _case_or_404(request.user, case_id)
    attachment = Attachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None or not may_open_attachments(request.user, case):
        raise Http404(_("No such file."))
    record_disclosure(
        user=request.user,
        channel="workspace",
        detail=f"attachment {attachment.pk}: {attachment.original_name}",
        reads=[(case, None)],
        kind=AccessLog.Kind.EXPORT,
    )
    # Always a download, never shown inline: the browser must not render what a citizen uploaded.
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
