from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from casework.models import AccessLog, CaseEvent
from tests.factories import act, register

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers are PostgreSQL-only"),
]


def test_the_database_refuses_to_rewrite_the_audit_trail(org, frozen_today):
    frozen_today(date(2026, 3, 10))
    case = act(register(org.commune, org.reception, received_at=date(2026, 3, 2)), "review", org.reception)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(case=case).update(note="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(case=case)._raw_delete(CaseEvent.objects.db)
    assert CaseEvent.objects.filter(case=case).count() == 2


def test_the_database_refuses_to_delete_access_records(org):
    AccessLog.objects.create(user=org.head, kind=AccessLog.Kind.UNMASKED_READ, channel="api")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLog.objects.all()._raw_delete(AccessLog.objects.db)
    assert AccessLog.objects.count() == 1
