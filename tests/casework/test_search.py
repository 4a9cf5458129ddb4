"""Finding a case by its petitioner: names match whatever the case and diacritics staff type, ID numbers
match exactly, and a sealed denouncer is found only by those who may see them (LTC Art. 47)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from casework.access import visible_cases
from casework.choices import CaseKind
from casework.confidentiality import cases_naming
from casework.models import Party
from casework.text import fold
from tests.factories import petitioner, register

pytestmark = [pytest.mark.django_db, pytest.mark.sql]

DENOUNCER = petitioner(7, full_name="Trịnh Thị Đoan", id_number="001190000777")


@pytest.fixture
def cases(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    complaint = register(
        org.commune,
        org.reception,
        received_at=date(2026, 3, 16),
        petitioners=[petitioner(1, full_name="Nguyễn Văn Đức", id_number="001080000001")],
    )
    denunciation = register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 17),
        petitioners=[DENOUNCER],
    )
    elsewhere = register(
        org.other_commune,
        org.outsider,
        received_at=date(2026, 3, 16),
        petitioners=[petitioner(2, full_name="Nguyễn Văn Đức", id_number="001080000002")],
    )
    return complaint, denunciation, elsewhere


def found(user, text) -> set[int]:
    return set(cases_naming(user, visible_cases(user), text).values_list("pk", flat=True))


def test_fold_ignores_case_vietnamese_diacritics_and_extra_spaces():
    assert fold("  Nguyễn   Văn ĐỨC ") == "nguyen van duc"
    assert fold("Đặng Thị Ánh Tuyết") == fold("dang thi anh tuyet") == "dang thi anh tuyet"
    assert fold("") == ""


def test_fold_drops_exactly_the_combining_marks_of_every_character():
    # Dropping the distinct marks at once is the same as testing each character of the text.
    import unicodedata

    def one_by_one(text: str) -> str:
        decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())

    every = "".join(chr(code) for code in range(0x30000) if not 0xD800 <= code <= 0xDFFF)
    assert fold(every) == one_by_one(every)
    assert fold("Ờ\u0301 e\u0323\u0302 ĐỨC") == one_by_one("Ờ\u0301 e\u0323\u0302 ĐỨC") == "o e duc"


def test_a_party_keeps_its_search_name_in_step_with_its_name(db):
    party = Party.objects.create(full_name="Lê Thị Hồng")
    assert party.search_name == "le thi hong"
    party.full_name = "Lê Thị Hồng Nhung"
    party.save(update_fields=["full_name"])
    party.refresh_from_db()
    assert party.search_name == "le thi hong nhung"


def test_the_migration_fills_search_names_of_people_already_on_file(db):
    import importlib

    migration = importlib.import_module("casework.migrations.0006_party_search_name")
    party = Party.objects.create(full_name="Hoàng Văn Thụ")
    Party.objects.filter(pk=party.pk).update(search_name="")
    migration.fill_search_names(django_apps, SimpleNamespace(connection=connection))
    party.refresh_from_db()
    assert party.search_name == "hoang van thu"


def test_a_name_typed_without_diacritics_finds_the_case_within_the_users_units(org, cases):
    complaint, _denunciation, elsewhere = cases
    assert found(org.handler, "nguyen van duc") == {complaint.pk}
    assert found(org.handler, "VĂN ĐỨC") == {complaint.pk}
    assert found(org.monitor, "van duc") == {complaint.pk, elsewhere.pk}  # the province's subtree


def test_an_id_number_matches_exactly(org, cases):
    complaint, _denunciation, _elsewhere = cases
    assert found(org.handler, "001080000001") == {complaint.pk}
    assert found(org.handler, "00108000000") == set()


def test_a_denouncer_is_found_only_by_the_resolver_and_the_registering_officer(org, cases):
    _complaint, denunciation, _elsewhere = cases
    for name_or_id in ("trinh thi doan", DENOUNCER["id_number"]):
        assert found(org.head, name_or_id) == {denunciation.pk}
        assert found(org.reception, name_or_id) == {denunciation.pk}
        assert found(org.handler, name_or_id) == set()
        assert found(org.monitor, name_or_id) == set()


def test_a_blank_search_finds_nothing(org, cases):
    assert found(org.head, "   ") == set()


def test_admin_case_search_covers_reference_summary_and_petitioners(org, cases, client):
    complaint, denunciation, _elsewhere = cases
    url = reverse("admin:casework_case_changelist")
    client.force_login(org.handler)

    def listed(term) -> set[int]:
        return {case.pk for case in client.get(url, {"q": term}).context["cl"].result_list}

    assert listed("nguyen van duc") == {complaint.pk}
    assert listed(complaint.reference) == {complaint.pk}
    assert listed("trinh thi doan") == set()  # the handler may not know who denounced
    client.force_login(org.head)
    assert listed("trinh thi doan") == {denunciation.pk}


def test_admin_people_search_ignores_diacritics(org, cases, client):
    client.force_login(org.head)
    response = client.get(reverse("admin:casework_party_changelist"), {"q": "nguyen van duc"})
    assert [p.full_name for p in response.context["cl"].result_list] == ["Nguyễn Văn Đức"]
