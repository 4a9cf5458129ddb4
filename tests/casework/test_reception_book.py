import csv
import io
from datetime import date, datetime

import pytest
from django.utils import timezone

from casework.choices import CaseKind, Channel
from casework.models import AccessLog
from workflows.intake import CaseInput, PetitionerInput, VisitInput, record_visit

pytestmark = pytest.mark.sql


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def book(org, frozen_today):
    frozen_today(date(2026, 3, 31))
    group = [
        PetitionerInput(full_name=f"Hộ dân {i}", address=f"Tổ {i}", id_number=f"0011{i:08d}")
        for i in range(6)
    ]
    record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=_at(date(2026, 3, 10)),
            summary="Đoàn đông người phản ánh ô nhiễm",
            visitors=group,
            cases=[
                CaseInput(
                    unit=org.commune,
                    kind=CaseKind.REFLECTION,
                    channel=Channel.IN_PERSON,
                    received_at=date(2026, 3, 10),
                    summary="Ô nhiễm xưởng gỗ",
                )
            ],
        ),
        actor=org.reception,
    )
    record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=_at(date(2026, 3, 12)),
            summary="Tố cáo cán bộ địa chính",
            visitors=[
                PetitionerInput(full_name="Người Tố Cáo Bí Mật", address="Ngõ Kín", id_number="099999999999")
            ],
            cases=[
                CaseInput(
                    unit=org.commune,
                    kind=CaseKind.DENUNCIATION,
                    channel=Channel.IN_PERSON,
                    received_at=date(2026, 3, 12),
                    summary="Tố cáo nhận hối lộ",
                )
            ],
        ),
        actor=org.reception,
    )
    record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=_at(date(2026, 3, 20)),
            summary="Tiếp tục khiếu nại việc đã giải quyết",
            visitors=[PetitionerInput(full_name="Ông Lặp Lại")],
            refusal_reason="resolved_persisting",
        ),
        actor=org.reception,
    )
    return org


def _get(client, user, **params):
    client.force_login(user)
    return client.get("/admin/reception-book/", params)


def test_the_book_lists_each_visit_with_its_outcome_and_group_size(client, book):
    response = _get(client, book.head, unit=book.commune.pk, date_from="2026-03-01", date_to="2026-03-31")
    html = response.content.decode()
    assert response.status_code == 200
    start = html.index('<table class="book"')
    table = html[start : html.index("</table>", start)]
    assert table.count("<tr>") == 4  # header + three visits
    assert "group of 6" in html and "Reception refused" in html
    assert "Hộ dân 3" in html


def test_a_denouncers_visit_is_masked_for_the_handler_but_not_for_the_head(client, book):
    as_handler = _get(
        client, book.handler, unit=book.commune.pk, date_from="2026-03-01", date_to="2026-03-31"
    )
    assert "Người Tố Cáo Bí Mật" not in as_handler.content.decode()
    as_head = _get(client, book.head, unit=book.commune.pk, date_from="2026-03-01", date_to="2026-03-31")
    assert "Người Tố Cáo Bí Mật" in as_head.content.decode()


def test_the_csv_export_has_the_book_columns_and_is_logged(client, book):
    response = _get(
        client, book.monitor, unit=book.commune.pk, date_from="2026-03-11", date_to="2026-03-31", format="csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "STT" and len(rows) == 3  # header + the two visits from 11/03
    assert "Người Tố Cáo Bí Mật" not in response.content.decode("utf-8-sig")
    logged = AccessLog.objects.filter(user=book.monitor, kind=AccessLog.Kind.EXPORT)
    # One row per person the file shows in clear (the sealed denouncer is not among them), each naming
    # the unit and the period that were read.
    assert {row.party.full_name for row in logged} == {"Ông Lặp Lại"}
    assert all(
        "xa-a (UBND xã A) 11/03/2026-31/03/2026: 2 visits, CSV" in row.detail and row.channel == "export"
        for row in logged
    )


def test_reading_the_book_logs_the_unit_the_period_and_each_person_shown(client, book):
    _get(client, book.head, unit=book.commune.pk, date_from="2026-03-01", date_to="2026-03-31")
    logged = AccessLog.objects.filter(user=book.head, kind=AccessLog.Kind.PERSONAL_DATA_READ)
    names = {row.party.full_name for row in logged}
    assert names == {*(f"Hộ dân {i}" for i in range(6)), "Người Tố Cáo Bí Mật", "Ông Lặp Lại"}
    assert {row.detail for row in logged} == {
        "reception book xa-a (UBND xã A) 01/03/2026-31/03/2026: 3 visits"
    }


def test_an_empty_period_is_still_logged_with_its_scope(client, book):
    _get(client, book.monitor, unit=book.commune.pk, date_from="2026-01-01", date_to="2026-01-31")
    row = AccessLog.objects.get(user=book.monitor)
    assert (
        row.party is None and row.detail == "reception book xa-a (UBND xã A) 01/01/2026-31/01/2026: 0 visits"
    )


def test_another_communes_book_is_not_reachable(client, book):
    response = _get(client, book.outsider, unit=book.commune.pk, date_from="2026-03-01", date_to="2026-03-31")
    assert response.status_code == 404


def test_the_book_page_carries_the_admin_site_header_and_user_links(client, book):
    html = _get(client, book.head).content.decode()
    assert "Tiếp công dân — Case management" in html
    assert "Django administration" not in html
    assert "/admin/logout/" in html
