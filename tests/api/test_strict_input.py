"""Input the API refuses with a 400 and a code, never a 500 and never stored: integers that are not
ASCII integers, JSON nested without end, values of the wrong JSON type, text nobody can see, lists
without bound, empty or malformed people, and booleans that are neither true nor false."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from casework.models import Case, Party, Visit
from tests.api.test_visits import visit_body
from tests.helpers import counts, letter

LISTS = ["/api/v1/cases/", "/api/v1/visits/", "/api/v1/units/", "/api/v1/dialogues/"]


def _refused(response, field: str | None = None, code: str = "invalid") -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == code
    if field is not None:
        assert any(
            k == field or k.startswith(f"{field}[") or k.startswith(f"{field}.") for k in body["errors"]
        ), body
    return body


# --- Query strings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_a_unicode_digit_in_within_is_a_400_not_a_500(org, client_for, url):
    _refused(client_for(org.head).get(url, {"within": "²"}), "within")


@pytest.mark.parametrize("digit", ["٣", "３", "²"])
def test_unit_ids_in_the_query_string_are_ascii_digits(org, client_for, digit):
    _refused(client_for(org.head).get("/api/v1/cases/", {"unit": digit}), "unit")


@pytest.mark.parametrize("value", ["maybe", "yes please", ""])
def test_overdue_is_true_or_false_and_nothing_else(org, client_for, value):
    _refused(client_for(org.head).get("/api/v1/cases/", {"overdue": value}), "overdue")


def test_overdue_true_and_false_still_filter(org, client_for):
    for value in ("true", "false", "1", "0"):
        assert client_for(org.head).get("/api/v1/cases/", {"overdue": value}).status_code == 200


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/cases/", "received_to"),
        ("/api/v1/cases/", "state"),
        ("/api/v1/cases/", "unit"),
        ("/api/v1/visits/", "visited_to"),
        ("/api/v1/units/", "is_active"),
    ],
)
def test_an_empty_typed_parameter_is_refused_not_ignored(org, client_for, url, param):
    _refused(client_for(org.head).get(url, {param: ""}), param)


def test_unread_notifications_filter_refuses_an_unknown_boolean(org, client_for):
    _refused(client_for(org.head).get("/api/v1/notifications/", {"unread": "maybe"}), "unread")
    assert client_for(org.head).get("/api/v1/notifications/", {"unread": "true"}).status_code == 200


def test_report_ids_in_the_query_string_are_ascii_digits(org, client_for):
    response = client_for(org.monitor).get("/api/v1/reports/overdue/", {"within": "٣"})
    _refused(response, "within")


# --- JSON nesting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 5000, "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000])
def test_deeply_nested_json_is_a_400_parse_error_even_before_login(org, body):
    response = APIClient().generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    _refused(response, code="parse_error")


def test_deeply_nested_json_on_case_intake_is_a_400_and_writes_nothing(org, client_for):
    before = counts()
    response = client_for(org.reception).generic(
        "POST", "/api/v1/cases/", "[" * 5000 + "]" * 5000, content_type="application/json"
    )
    _refused(response, code="parse_error")
    assert counts() == before


def test_ordinary_nesting_is_accepted(org, today, client_for):
    assert (
        client_for(org.reception).post("/api/v1/visits/", visit_body(org), format="json").status_code == 201
    )


# --- Types -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit", 8.5),
        ("unit", "1"),
        ("unit", True),
        ("round", 1.0),
        ("round", "1"),
        ("summary", 12345),
        ("summary", ["text"]),
        ("respondent", False),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused(org, today, client_for, field, value):
    before = Case.objects.count()
    body = letter(org, **{field: value})
    if field == "unit" and value == "1":
        body["unit"] = str(org.commune.pk)
    _refused(client_for(org.reception).post("/api/v1/cases/", body, format="json"), field)
    assert Case.objects.count() == before


def test_a_whole_number_of_the_right_type_is_accepted(org, today, client_for):
    assert client_for(org.reception).post("/api/v1/cases/", letter(org), format="json").status_code == 201


# --- Text a reader can see -------------------------------------------------------------------------

INVISIBLE = [
    "\u200b\u200c\u200d",  # zero-width space, non-joiner, joiner
    "\u202e\u200f\u202b",  # right-to-left override and marks
    "\u2060\ufeff \u00a0\t",  # word joiner, BOM, spaces
    "\u0301\u0300",  # combining marks with nothing to sit on
]


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_summary_of_invisible_characters_only_is_refused(org, today, client_for, text):
    response = client_for(org.reception).post("/api/v1/cases/", letter(org, summary=text), format="json")
    _refused(response, "summary")
    assert not Case.objects.exists()


def test_a_visit_summary_of_invisible_characters_only_is_refused(org, today, client_for):
    response = client_for(org.reception).post(
        "/api/v1/visits/", visit_body(org, summary="\u200b\u202e"), format="json"
    )
    _refused(response, "summary")
    assert not Visit.objects.exists()


def test_an_optional_text_of_invisible_characters_only_is_refused(org, today, client_for):
    response = client_for(org.reception).post(
        "/api/v1/cases/", letter(org, respondent="\u200b\u200b"), format="json"
    )
    _refused(response, "respondent")


def test_right_to_left_text_with_letters_is_text(org, today, client_for):
    response = client_for(org.reception).post(
        "/api/v1/cases/", letter(org, summary="\u202bشكوى\u202c về đất"), format="json"
    )
    assert response.status_code == 201


# --- People ----------------------------------------------------------------------------------------


def test_too_many_petitioners_in_one_request_are_refused_and_nothing_is_written(
    org, today, client_for, settings
):
    settings.INTAKE_MAX_PETITIONERS = 50
    people = [
        {"full_name": f"Người {i}", "address": f"Thôn {i}", "phone": f"09120{i:05d}"} for i in range(5000)
    ]
    before = counts()
    response = client_for(org.reception).post(
        "/api/v1/cases/", letter(org, petitioners=people), format="json"
    )
    _refused(response, "petitioners")
    assert counts() == before and not Party.objects.exists()


def test_the_petitioner_limit_admits_a_list_at_the_limit(org, today, client_for, settings):
    settings.INTAKE_MAX_PETITIONERS = 3
    people = [{"full_name": f"Người {i}", "address": f"Thôn {i}"} for i in range(3)]
    response = client_for(org.reception).post(
        "/api/v1/cases/", letter(org, petitioners=people), format="json"
    )
    assert response.status_code == 201


def test_too_many_visitors_are_refused(org, today, client_for, settings):
    settings.INTAKE_MAX_PETITIONERS = 2
    visitors = [{"full_name": f"Người {i}", "address": "Thôn 1"} for i in range(3)]
    response = client_for(org.reception).post(
        "/api/v1/visits/", visit_body(org, visitors=visitors), format="json"
    )
    _refused(response, "visitors")


@pytest.mark.parametrize(
    "person",
    [
        {},
        {"full_name": "", "address": "", "phone": "", "id_number": "", "email": ""},
        {"full_name": "\u200b"},
        {"is_representative": True},
    ],
    ids=["empty", "all-blank", "invisible-name", "unnamed-representative"],
)
def test_a_petitioner_with_nothing_to_identify_them_is_refused(org, today, client_for, person):
    response = client_for(org.reception).post(
        "/api/v1/cases/", letter(org, petitioners=[person]), format="json"
    )
    _refused(response, "petitioners")
    assert not Party.objects.exists()


def test_an_anonymous_letter_lists_nobody(org, today, client_for):
    response = client_for(org.reception).post("/api/v1/cases/", letter(org, petitioners=[]), format="json")
    assert response.status_code == 201
    assert "anonymous_complaint" in [f["code"] for f in response.json()["intake_flags"]]


@pytest.mark.parametrize("phone", ["call me maybe", "12", "0912 345 678 9999 0000", "09١٢345678", "+"])
def test_a_phone_must_look_like_a_phone(org, today, client_for, phone):
    person = {"full_name": "Lê Văn Khiếu", "address": "Thôn 1", "phone": phone}
    response = client_for(org.reception).post(
        "/api/v1/cases/", letter(org, petitioners=[person]), format="json"
    )
    _refused(response, "petitioners")
    assert "petitioners[0].phone" in response.json()["errors"]


@pytest.mark.parametrize(
    "phone", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "(024) 3825 1234"]
)
def test_phones_as_people_write_them_are_accepted(org, today, client_for, phone):
    person = {"full_name": "Lê Văn Khiếu", "address": "Thôn 1", "phone": phone}
    response = client_for(org.reception).post(
        "/api/v1/cases/", letter(org, petitioners=[person]), format="json"
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("kind", "id_number", "ok"),
    [
        ("person", "001090000111", True),
        ("person", "123456789", True),
        ("person", "B1234567", True),
        ("person", "12345", False),
        ("person", "abc", False),
        ("person", "００１０９０００００１１", False),
        ("organization", "0101234567", True),
        ("organization", "0101234567-001", True),
        ("organization", "01012345", False),
    ],
)
def test_id_numbers_must_look_like_an_id_or_a_tax_code(org, today, client_for, kind, id_number, ok):
    person = {"full_name": "Công ty A" if kind == "organization" else "Lê Văn Khiếu", "address": "Thôn 1"}
    person.update(kind=kind, id_number=id_number)
    response = client_for(org.reception).post(
        "/api/v1/cases/", letter(org, petitioners=[person]), format="json"
    )
    if ok:
        assert response.status_code == 201, response.json()
    else:
        assert "petitioners[0].id_number" in _refused(response)["errors"]
