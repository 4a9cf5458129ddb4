"""Two cases driven from intake to closure over HTTP only: tokens from /auth/token/, then nothing but
API calls (the database is only set up by the `org` fixture)."""

from datetime import date

from rest_framework.test import APIClient


def login(username: str) -> APIClient:
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": username, "password": "pw"}, format="json")
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def do(client: APIClient, case: dict, action: str, **fields) -> dict:
    response = client.post(
        f"/api/v1/cases/{case['id']}/actions/{action}/", {"version": case["version"], **fields}, format="json"
    )
    assert response.status_code == 200, (action, response.json())
    assert response.json()["version"] == case["version"] + 1
    return response.json()


def deadline(case: dict, kind: str) -> dict:
    return next(d for d in case["deadlines"] if d["kind"] == kind)


def test_complaint_from_visit_to_closed(org, frozen_today):
    frozen_today(date(2026, 3, 2))
    reception, handler, head = login("reception"), login("handler"), login("head")
    handler_id = handler.get("/api/v1/me/").json()["id"]

    visit = reception.post(
        "/api/v1/visits/",
        {
            "unit": org.commune.pk,
            "visited_at": "2026-03-02T08:30:00+07:00",
            "summary": "Ông Đỗ Văn Khiếu khiếu nại quyết định thu hồi đất",
            "visitors": [{"full_name": "Đỗ Văn Khiếu", "id_number": "001090000901", "address": "Thôn 9"}],
            "cases": [{"kind": "complaint", "round": 1, "summary": "Khiếu nại quyết định thu hồi đất số 15"}],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="e2e-visit-1",
    )
    assert visit.status_code == 201, visit.json()
    case = reception.get(f"/api/v1/cases/{visit.json()['cases'][0]['id']}/").json()
    assert (case["state"], case["channel"]) == ("received", "in_person")

    case = do(reception, case, "review")
    assert "accept" not in case["available_actions"]
    case = do(head, case, "accept", note="Thụ lý giải quyết")
    assert deadline(case, "resolution")["due_date"] == "2026-04-01"
    case = do(head, case, "start_verification", handler=handler_id)
    assert case["handler"] == handler_id
    case = do(
        handler,
        case,
        "submit_for_approval",
        outcome="partly_right",
        summary="Đúng một phần",
        claim_differs=False,
    )
    case = do(head, case, "approve", decision_number="25/QĐ-UBND")
    assert (case["state"], case["outcome"], case["decision_number"]) == (
        "decided",
        "partly_right",
        "25/QĐ-UBND",
    )
    window = deadline(case, "appeal_window")
    assert (window["due_date"], window["status"]) == ("2026-04-01", "running")

    refused = head.post(
        f"/api/v1/cases/{case['id']}/actions/close/", {"version": case["version"]}, format="json"
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "appeal_window_open"

    frozen_today(date(2026, 4, 2))  # the appeal window lapsed without a second-round complaint
    head = login("head")  # a month later the token has expired (API_TOKEN_MAX_AGE_HOURS): sign in again
    case = head.get(f"/api/v1/cases/{case['id']}/").json()
    assert "close" in case["available_actions"]
    case = do(head, case, "close")
    assert (case["state"], case["closed_at"]) == ("closed", "2026-04-02")
    assert case["available_actions"] == ["record_implementation"]  # what the decision achieved, later

    history = head.get(f"/api/v1/cases/{case['id']}/history/").json()
    assert [e["action"] for e in history] == [
        "register", "review", "accept", "start_verification", "submit_for_approval", "approve", "close",
    ]  # fmt: skip
    assert [e["actor"] for e in history] == [
        "reception",
        "reception",
        "head",
        "head",
        "handler",
        "head",
        "head",
    ]


def test_denunciation_through_an_extension_to_closed(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    reception, handler, head = login("reception"), login("handler"), login("head")
    handler_id = handler.get("/api/v1/me/").json()["id"]

    created = reception.post(
        "/api/v1/cases/",
        {
            "unit": org.commune.pk,
            "kind": "denunciation",
            "channel": "post",
            "received_at": "2026-03-16",
            "summary": "Tố cáo cán bộ địa chính xã A nhận tiền của dân",
            "petitioners": [{"full_name": "Vũ Thị Tố", "id_number": "001090000902", "address": "Thôn 3"}],
            "respondent": "Cán bộ địa chính xã A",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    case = created.json()
    assert deadline(case, "acceptance")["basis"].startswith("LTC Art. 24.1")

    case = do(reception, case, "review")
    case = do(head, case, "accept")
    assert deadline(case, "resolution")["due_date"] == "2026-04-20"  # 30 days: Sun 19 April -> Mon 20
    case = do(head, case, "start_verification", handler=handler_id)
    # The handler works on it without ever seeing who denounced.
    assert handler.get(f"/api/v1/cases/{case['id']}/").json()["petitioners"][0]["full_name"] == "***"

    case = do(head, case, "extend", days=30, reason="complex", note="Vụ việc phức tạp")
    resolution = deadline(case, "resolution")
    assert (resolution["due_date"], resolution["extension_days"]) == ("2026-05-19", 30)
    assert "Extended by 30 days" in resolution["explanation"]
    again = head.post(
        f"/api/v1/cases/{case['id']}/actions/extend/",
        {"version": case["version"], "days": 10, "reason": "complex"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "extension_limit_reached"

    case = do(handler, case, "submit_for_approval", outcome="partly_true", summary="Tố cáo đúng một phần")
    case = do(head, case, "approve", decision_number="7/KL-UBND")
    case = do(head, case, "publish")
    assert case["published_at"] == "2026-03-20"
    case = do(head, case, "close")
    assert case["state"] == "closed"
    assert [d["status"] for d in case["deadlines"] if d["kind"] == "resolution"] == ["met"]
