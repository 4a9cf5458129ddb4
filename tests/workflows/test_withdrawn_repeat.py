"""A complaint raised again after a full withdrawal (issue 10, defect 6): from 1/7/2026 (Law
136/2025) withdrawn content is not examined again unless the withdrawal was coerced, so intake
flags it with a link to the withdrawn case, and the officer can record a coerced withdrawal."""

from __future__ import annotations

from datetime import date

import pytest

from casework.choices import CaseKind
from casework.choices import CaseState as S
from casework.services import NotPermitted, ServiceError, record_coerced_withdrawal
from tests.factories import act
from tests.helpers import new_case

LAND = "Khiếu nại quyết định thu hồi đất của UBND xã"
LAND_AGAIN = "Khiếu nại Quyết định thu hồi đất của UBND xã A đối với thửa đất số 12"
AFTER_LAW_136 = date(2026, 7, 6)


def flags(case, code: str) -> list[dict]:
    return [f for f in case.intake_flags if f["code"] == code]


def withdrawn(org, *, on: date, kind: str = CaseKind.COMPLAINT):
    case = new_case(org, kind, received_at=on, summary=LAND)
    return act(case, "withdraw", org.reception, on=on)


def test_complaint_filed_again_after_a_full_withdrawal_is_flagged_with_a_link(org, frozen_today):
    frozen_today(AFTER_LAW_136)
    first = withdrawn(org, on=date(2026, 7, 1))
    assert first.state == S.WITHDRAWN
    second = new_case(org, received_at=AFTER_LAW_136, summary=LAND_AGAIN)
    [flag] = flags(second, "withdrawn_repeat")
    assert (flag["case_id"], flag["reference"], flag["state"]) == (first.pk, first.reference, S.WITHDRAWN)
    assert "Law 136/2025/QH15" in flag["message"]
    assert flags(second, "possible_repeat") == []


def test_before_law_136_a_withdrawn_complaint_may_be_raised_again_unflagged(org, frozen_today):
    frozen_today(date(2026, 6, 30))
    withdrawn(org, on=date(2026, 6, 1))
    second = new_case(org, received_at=date(2026, 6, 30), summary=LAND_AGAIN)
    assert flags(second, "withdrawn_repeat") == flags(second, "possible_repeat") == []


def test_a_different_matter_after_a_withdrawal_is_not_flagged(org, frozen_today):
    frozen_today(AFTER_LAW_136)
    withdrawn(org, on=date(2026, 7, 1))
    other = new_case(
        org, received_at=AFTER_LAW_136, summary="Khiếu nại việc cấp giấy phép xây dựng cho hàng xóm"
    )
    assert flags(other, "withdrawn_repeat") == []


def test_a_withdrawn_denunciation_is_not_under_the_complaint_rule(org, frozen_today):
    frozen_today(AFTER_LAW_136)
    withdrawn(org, on=date(2026, 7, 1), kind=CaseKind.DENUNCIATION)
    again = new_case(org, CaseKind.DENUNCIATION, received_at=AFTER_LAW_136, summary=LAND_AGAIN)
    assert flags(again, "withdrawn_repeat") == []


def test_a_coerced_withdrawal_recorded_by_the_officer_is_audited_and_lifts_the_flag(org, frozen_today):
    frozen_today(AFTER_LAW_136)
    first = withdrawn(org, on=date(2026, 7, 1))
    version = first.version

    first = record_coerced_withdrawal(case=first, actor=org.reception, reason="Bị người bị khiếu nại đe dọa")

    assert first.withdrawal_coerced is True and first.version == version + 1
    event = first.events.order_by("-id").first()
    assert (event.action, event.actor, event.note) == (
        "withdrawal_coerced",
        org.reception,
        "Bị người bị khiếu nại đe dọa",
    )
    assert event.changes == {"withdrawal_coerced": [False, True]}
    assert (event.from_state, event.to_state) == (S.WITHDRAWN, S.WITHDRAWN)
    second = new_case(org, received_at=AFTER_LAW_136, summary=LAND_AGAIN)
    assert flags(second, "withdrawn_repeat") == []


def test_coercion_is_recorded_only_on_a_complaint_withdrawn_in_full_and_with_a_reason(org, frozen_today):
    frozen_today(AFTER_LAW_136)
    still_open = new_case(org, received_at=AFTER_LAW_136, summary=LAND)
    with pytest.raises(ServiceError) as exc:
        record_coerced_withdrawal(case=still_open, actor=org.reception, reason="Bị ép")
    assert "case" in exc.value.errors
    first = withdrawn(org, on=date(2026, 7, 1))
    with pytest.raises(ServiceError) as exc:
        record_coerced_withdrawal(case=first, actor=org.reception, reason=" ")
    assert "reason" in exc.value.errors
    record_coerced_withdrawal(case=first, actor=org.head, reason="Bị ép")
    with pytest.raises(ServiceError):
        record_coerced_withdrawal(case=first, actor=org.head, reason="Bị ép lần nữa")
    assert first.events.filter(action="withdrawal_coerced").count() == 1


@pytest.mark.parametrize("who", ["handler", "p_reception", "outsider"])
def test_only_reception_or_the_head_of_the_unit_record_a_coerced_withdrawal(org, frozen_today, who):
    frozen_today(AFTER_LAW_136)
    first = withdrawn(org, on=date(2026, 7, 1))
    with pytest.raises(NotPermitted):
        record_coerced_withdrawal(case=first, actor=getattr(org, who), reason="Bị ép")
    first.refresh_from_db()
    assert first.withdrawal_coerced is False
