"""Idempotency-Key for intake POSTs: a retried submission (network drop, double click) replays the
first response instead of registering the visit or the cases a second time."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .exceptions import IdempotencyKeyReused
from .models import IdempotencyRecord
from .serializers import strict

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    # As checked below: 1 to 255 characters once surrounding blanks are trimmed.
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": strict.VISIBLE},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key per submission (e.g. a UUID). Sending the same key and body again returns the "
        "first response and creates nothing; the same key with a different body answers 422 "
        "`idempotency_key_reused`. Keys are remembered for API_IDEMPOTENCY_TTL_HOURS."
    ),
)


def fingerprint(request) -> str:
    payload = {"method": request.method, "path": request.path, "body": request.data}
    canonical = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return Response(record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def purge_expired(user=None) -> int:
    """Delete stored responses older than API_IDEMPOTENCY_TTL_HOURS (of one user, or of everyone)."""
    expired = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    records = IdempotencyRecord.objects.filter(created_at__lt=expired)
    if user is not None:
        records = records.filter(user=user)
    return records.delete()[0]


def idempotent(request, perform: Callable[[], Response]) -> Response:
    """Run `perform` once per (user, key); store a successful response and replay it on retries."""
    key = request.headers.get(HEADER)
    if key is None:
        return perform()
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError({HEADER: [_("Give 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH}]})
    request_hash = fingerprint(request)
    purge_expired(user=request.user)
    record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if record is not None:
        return _replay(record, request_hash)
    try:
        # The record commits with what `perform` wrote, or neither does.
        with transaction.atomic():
            response = perform()
            if 200 <= response.status_code < 300:
                IdempotencyRecord.objects.create(
                    user=request.user,
                    key=key,
                    request_hash=request_hash,
                    status_code=response.status_code,
                    response_body=json.loads(json.dumps(response.data, default=str)),
                )
    except IntegrityError:
        # A concurrent request with the same key won the race; its response is the answer, and what
        # this request wrote (and would have logged as read) was rolled back.
        disclosures = getattr(request, "disclosures", None)
        if disclosures is not None:
            disclosures.seen.clear()
        record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if record is None:
            raise
        return _replay(record, request_hash)
    return response
