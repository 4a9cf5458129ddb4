from api.models import IdempotencyRecord
from casework.models import Case, CaseParty, Party, Visit

VISITS = "/api/v1/visits/"


def visit_body(org, **overrides) -> dict:
    body = {
        "unit": org.commune.pk,
        "visited_at": "2026-03-20T08:30:00+07:00",
        "summary": "Công dân đến khiếu nại việc thu hồi đất",
        "visitors": [
            {
                "full_name": "Phạm Văn Đến",
                "id_number": "001090000222",
                "address": "Thôn 2",
                "phone": "0912000222",
            }
        ],
        "cases": [{"kind": "complaint", "round": 1, "summary": "Khiếu nại quyết định thu hồi đất"}],
    }
    body.update(overrides)
    return body


def test_visit_opens_the_cases_raised_at_the_desk(org, today, client_for):
    response = client_for(org.reception).post(VISITS, visit_body(org), format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["book_number"], body["year"], body["outcome"]) == (1, 2026, "cases_opened")
    assert body["officer"] == "reception"
    assert body["visitors"][0]["full_name"] == "Phạm Văn Đến"
    (brief,) = body["cases"]
    case = Case.objects.get(pk=brief["id"])
    assert (case.channel, case.received_at.isoformat(), case.state) == ("in_person", "2026-03-20", "received")
    # The visitors are the petitioners when the case body names none.
    assert list(case.case_parties.values_list("party__full_name", flat=True)) == ["Phạm Văn Đến"]


def test_refused_visit_records_the_reason_and_opens_nothing(org, today, client_for):
    body = visit_body(org, cases=[], refusal_reason="threatening")
    response = client_for(org.reception).post(VISITS, body, format="json")
    assert response.status_code == 201
    assert (response.json()["outcome"], response.json()["refusal_reason"]) == ("refused", "threatening")
    assert not Case.objects.exists()


def test_visit_without_an_outcome_is_400_and_writes_nothing(org, today, client_for):
    response = client_for(org.reception).post(VISITS, visit_body(org, cases=[]), format="json")
    assert response.status_code == 400
    assert "outcome" in response.json()["errors"]
    assert not Visit.objects.exists()


def test_invalid_case_in_a_visit_is_reported_by_index_and_nothing_is_written(org, today, client_for):
    body = visit_body(org, cases=[{"kind": "complaint", "summary": "Thiếu lần"}])
    response = client_for(org.reception).post(VISITS, body, format="json")
    assert response.status_code == 400
    assert "cases[0].round" in response.json()["errors"]
    assert not Visit.objects.exists() and not Party.objects.exists()


def test_same_idempotency_key_twice_creates_one_visit_and_returns_the_same_body(org, today, client_for):
    client = client_for(org.reception)
    first = client.post(VISITS, visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY="visit-0001")
    second = client.post(VISITS, visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY="visit-0001")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Visit.objects.count() == 1
    assert Case.objects.count() == 1
    assert CaseParty.objects.count() == 1


def test_same_idempotency_key_with_another_body_is_422(org, today, client_for):
    client = client_for(org.reception)
    client.post(VISITS, visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY="visit-0002")
    response = client.post(
        VISITS, visit_body(org, summary="Nội dung khác"), format="json", HTTP_IDEMPOTENCY_KEY="visit-0002"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Visit.objects.count() == 1


def test_idempotency_keys_belong_to_one_user(org, today, client_for):
    client_for(org.reception).post(VISITS, visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = client_for(org.head).post(VISITS, visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 201
    assert Visit.objects.count() == 2


def test_failed_submission_is_not_remembered(org, today, client_for):
    client = client_for(org.reception)
    bad = client.post(VISITS, visit_body(org, cases=[]), format="json", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert bad.status_code == 400
    good = client.post(VISITS, visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert good.status_code == 201
    assert IdempotencyRecord.objects.count() == 1


def test_idempotency_key_on_case_intake(org, today, client_for):
    from tests.helpers import letter

    client = client_for(org.reception)
    first = client.post("/api/v1/cases/", letter(org), format="json", HTTP_IDEMPOTENCY_KEY="letter-1")
    second = client.post("/api/v1/cases/", letter(org), format="json", HTTP_IDEMPOTENCY_KEY="letter-1")
    assert second.json() == first.json()
    assert Case.objects.count() == 1
    # The same key on another endpoint is another request.
    reused = client.post(VISITS, visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY="letter-1")
    assert reused.status_code == 422


def test_overlong_idempotency_key_is_400(org, today, client_for):
    response = client_for(org.reception).post(
        VISITS, visit_body(org), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_monitor_cannot_record_a_visit(org, today, client_for):
    response = client_for(org.monitor).post(VISITS, visit_body(org), format="json")
    assert response.status_code == 403


def test_visit_list_is_scoped_and_filterable(org, today, client_for):
    client_for(org.reception).post(VISITS, visit_body(org), format="json")
    client_for(org.remote_reception).post(VISITS, visit_body(org, unit=org.remote_commune.pk), format="json")

    def units(user, query=""):
        return [v["unit"] for v in client_for(user).get(f"{VISITS}?{query}").json()["results"]]

    assert units(org.reception) == [org.commune.pk]
    assert sorted(units(org.monitor)) == sorted([org.commune.pk, org.remote_commune.pk])
    assert units(org.monitor, f"within={org.remote_commune.code}") == [org.remote_commune.pk]
    assert units(org.monitor, "visited_from=2026-03-21") == []
    assert len(units(org.monitor, "visited_from=2026-03-20&visited_to=2026-03-20")) == 2
    visit_id = Visit.objects.get(unit=org.commune).pk
    assert client_for(org.outsider).get(f"{VISITS}{visit_id}/").status_code == 404
