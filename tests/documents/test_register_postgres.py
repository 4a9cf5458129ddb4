"""Parallel issuers on one register (PostgreSQL only): the counter row lock queues them, so the numbers
are 1..N without a gap or a repeat, and an issuer refused after taking the lock uses no number."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from casework.choices import CaseState as S
from documents.models import Document, RegisterCounter
from documents.services import InvalidDocument, issue_document
from tests.helpers import drive, new_case

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set TEST_DATABASE_URL"),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 30  # seconds; only reached if something is broken
ISSUERS = 8


class Worker(threading.Thread):
    def __init__(self, fn: Callable[[], object]):
        super().__init__(daemon=True)
        self.fn, self.result, self.error = fn, None, None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:
            self.error = exc
        finally:
            connections.close_all()


def _eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        threading.Event().wait(0.005)


def test_parallel_issuers_get_unique_gap_free_numbers(org, templates):
    received = timezone.localdate() - timedelta(days=3)
    cases = [drive(new_case(org, received_at=received), org, S.ACCEPTED) for _ in range(3)]
    barrier = threading.Barrier(ISSUERS + 1)

    def issuer(n: int):
        def run():
            barrier.wait(timeout=TIMEOUT)
            data = {} if n % 4 else {"copies": "not a number"}  # every fourth one is refused
            code = "complaint_acceptance_notice" if n % 4 else "reception_receipt"
            return issue_document(case_id=cases[n % 3].pk, template_code=code, actor=org.head, data=data)

        return run

    workers = [Worker(issuer(n)) for n in range(ISSUERS)]
    for w in workers:
        w.start()
    barrier.wait(timeout=TIMEOUT)
    _eventually(lambda: not any(w.is_alive() for w in workers), "every issuer finished")

    refused = [w for w in workers if w.error is not None]
    assert all(isinstance(w.error, InvalidDocument) for w in refused), [w.error for w in refused]
    issued = sorted(w.result.number for w in workers if w.error is None)
    assert len(refused) == 2 and issued == list(range(1, ISSUERS - 1))
    assert sorted(Document.objects.filter(document_kind="TB").values_list("number", flat=True)) == issued
    assert RegisterCounter.objects.get(unit=org.commune, document_kind="TB").last_number == ISSUERS - 2


def test_the_database_refuses_to_rewrite_an_issued_document(org, templates):
    from django.db import DatabaseError, transaction

    case = drive(new_case(org, received_at=timezone.localdate() - timedelta(days=3)), org, S.ACCEPTED)
    document = issue_document(
        case_id=case.pk, template_code="complaint_acceptance_notice", actor=org.head, data={}
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(symbol="99/TB-UBND")


def test_case_and_visit_issuers_in_parallel_share_one_gap_free_register(org, templates):
    from casework.choices import RefusalReason
    from documents.services import issue_visit_document
    from workflows.intake import PetitionerInput, VisitInput, record_visit

    case = drive(new_case(org, received_at=timezone.localdate() - timedelta(days=3)), org, S.ACCEPTED)
    visits = [
        record_visit(
            VisitInput(
                unit=org.commune,
                visited_at=timezone.now() - timedelta(minutes=5),
                summary="Gây rối nơi tiếp công dân",
                visitors=[PetitionerInput(full_name=f"Người đến {n}", address="xã A")],
                refusal_reason=RefusalReason.THREATENING,
            ),
            actor=org.reception,
        )
        for n in range(ISSUERS // 2)
    ]
    barrier = threading.Barrier(ISSUERS + 1)

    def issuer(n: int):
        def run():
            barrier.wait(timeout=TIMEOUT)
            if n % 2:
                return issue_visit_document(
                    visit_id=visits[n // 2].pk, template_code="refusal_notice", actor=org.reception, data={}
                )
            return issue_document(
                case_id=case.pk, template_code="complaint_acceptance_notice", actor=org.head, data={}
            )

        return run

    workers = [Worker(issuer(n)) for n in range(ISSUERS)]
    for w in workers:
        w.start()
    barrier.wait(timeout=TIMEOUT)
    _eventually(lambda: not any(w.is_alive() for w in workers), "every issuer finished")

    assert [w.error for w in workers if w.error is not None] == []
    assert sorted(w.result.number for w in workers) == list(range(1, ISSUERS + 1))
    assert Document.objects.filter(visit__isnull=False, case__isnull=True).count() == ISSUERS // 2
