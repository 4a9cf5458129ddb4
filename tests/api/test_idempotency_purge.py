from datetime import timedelta

import time_machine
from django.utils import timezone

from api.models import IdempotencyRecord
from api.tasks import purge_expired_idempotency_records


def test_expired_idempotent_responses_are_purged_by_the_periodic_task(org, settings):
    settings.API_IDEMPOTENCY_TTL_HOURS = 24
    with time_machine.travel(timezone.now() - timedelta(hours=30)):
        IdempotencyRecord.objects.create(
            user=org.reception, key="old", request_hash="x", status_code=201, response_body={"id": 1}
        )
    IdempotencyRecord.objects.create(
        user=org.reception, key="new", request_hash="y", status_code=201, response_body={"id": 2}
    )
    assert purge_expired_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
