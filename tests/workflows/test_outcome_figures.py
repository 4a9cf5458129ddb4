"""The outcome figures of a decision or conclusion (recovery, returns, sanctions, referral) and of its
implementation: stated on the actions that produce them, through the transition service, audited, and
parsed strictly (FORMS.md §4, 01–03/KQGQ)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casework.choices import CaseKind
from casework.choices import CaseState as S
from casework.text import as_decimal, as_whole_number
from tests.factories import act
from tests.helpers import TODAY, counts, drive, fresh, new_case
from workflows.errors import Forbidden, ValidationFailed
from workflows.service import available_actions


@pytest.fixture
def awaiting(org, frozen_today):
    frozen_today(TODAY)
    return drive(new_case(org), org, S.VERIFYING)


def submit(case, org, **figures):
    return act(
        case, "submit_for_approval", org.handler, outcome="partly_right", summary="Đúng một phần", **figures
    )


def test_the_draft_proposes_figures_the_signature_completes_and_the_audit_trail_records_both(awaiting, org):
    case = submit(awaiting, org, recover_money="125.75", recover_land="300.5", sanction_people=2)
    case = act(
        case,
        "approve",
        org.head,
        decision_number="15/QĐ-UBND",
        sanction_people=3,
        sanction_officials=1,
        referred_to_investigation=True,
        referred_people=1,
    )
    case = fresh(case)
    assert (case.recover_money, case.recover_land) == (Decimal("125.75"), Decimal("300.5"))
    assert (case.sanction_people, case.sanction_officials, case.referred_people) == (3, 1, 1)
    assert case.referred_to_investigation is True
    assert case.return_org_money is None  # never stated: not a zero
    drafted = case.events.get(action="submit_for_approval").changes
    assert drafted["recover_money"] == [None, "125.75"] and drafted["sanction_people"] == [None, 2]
    signed = case.events.get(action="approve").changes
    assert signed["sanction_people"] == [2, 3] and "recover_money" not in signed


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("recover_money", "12,5"),  # a comma is a thousands separator to some, a decimal point to others
        ("recover_money", "-1"),
        ("recover_money", "1e3"),
        ("recover_money", "NaN"),
        ("recover_money", "1.2345"),  # four decimals of a million: never rounded away
        ("recover_money", "١٢"),  # digits of another script
        ("recover_money", True),
        ("recover_land", "10000000000000"),  # more digits than the column holds
        ("sanction_people", "-1"),
        ("sanction_people", "2.5"),
        ("sanction_people", True),
        ("referred_to_investigation", "maybe"),
    ],
)
def test_an_ill_formed_figure_is_refused_and_nothing_is_written(awaiting, org, field, raw):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        submit(awaiting, org, **{field: raw})
    assert field in exc.value.errors
    assert counts() == before and fresh(awaiting).state == S.VERIFYING


def test_officials_never_exceed_the_people_they_are_part_of_even_against_what_the_case_holds(awaiting, org):
    with pytest.raises(ValidationFailed) as exc:
        submit(awaiting, org, sanction_people=1, sanction_officials=2)
    assert exc.value.extra["codes"] == {"sanction_officials": ["exceeds_whole"]}
    case = submit(awaiting, org, sanction_people=2, sanction_officials=2)
    with pytest.raises(ValidationFailed) as exc:  # lowering the whole below the part already stated
        act(case, "approve", org.head, decision_number="1/QĐ", sanction_people=1)
    assert "sanction_officials" in exc.value.errors


def test_people_referred_to_investigators_need_the_referral_itself(awaiting, org):
    with pytest.raises(ValidationFailed) as exc:
        submit(awaiting, org, referred_people=2)
    assert exc.value.extra["codes"] == {"referred_to_investigation": ["flag_required"]}
    case = submit(awaiting, org, referred_to_investigation=True, referred_people=2)
    assert fresh(case).referred_people == 2


def test_a_recommendation_carries_no_outcome_figures(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, CaseKind.RECOMMENDATION), org, S.VERIFYING)
    with pytest.raises(ValidationFailed) as exc:
        act(
            case, "submit_for_approval", org.handler, outcome="answered", summary="Trả lời", recover_money="1"
        )
    assert exc.value.extra["codes"] == {"recover_money": ["figures_not_for_kind"]}


def test_implementation_is_recorded_after_closure_and_completion_is_dated_by_the_paper(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, CaseKind.DENUNCIATION, summary="Tố cáo cán bộ"), org, S.DECIDED)
    case = act(case, "publish", org.head)
    case = act(case, "close", org.head)
    case = act(
        case, "record_implementation", org.head, recovered_money="40", prosecuted=True, prosecuted_people=2
    )
    case = fresh(case)
    assert (case.state, case.recovered_money, case.prosecuted_people, case.implemented_at) == (
        S.CLOSED,
        Decimal("40"),
        2,
        None,
    )
    case = act(case, "record_implementation", org.head, completed=True, recovered_money="55.5")
    case = fresh(case)
    assert (case.recovered_money, case.implemented_at, case.prosecuted_people) == (Decimal("55.5"), TODAY, 2)
    events = list(case.events.filter(action="record_implementation").order_by("id"))
    assert len(events) == 2 and events[1].changes["implemented_at"] == [None, TODAY.isoformat()]
    case = act(case, "record_implementation", org.head, completed=False)  # reopened: not finished after all
    assert fresh(case).implemented_at is None


def test_only_the_head_records_the_implementation(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org), org, S.DECIDED)
    with pytest.raises(Forbidden):
        act(case, "record_implementation", org.handler, recovered_money="1")


def test_recommendations_have_no_implementation_step(org, frozen_today):
    frozen_today(TODAY)
    case = drive(new_case(org, CaseKind.RECOMMENDATION), org, S.DECIDED)
    assert "record_implementation" not in available_actions(case, org.head)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", Decimal("12.5")),
        (3, Decimal("3")),
        (0.1, Decimal("0.1")),  # a JSON number, read as typed
        ("0012.500", Decimal("12.5")),
        (" 7 ", Decimal("7")),
        ("12,5", None),
        (".5", None),
        ("5.", None),
        ("+5", None),
        (float("inf"), None),
        (Decimal("NaN"), None),
        ("1.0001", None),
    ],
)
def test_amounts_are_read_strictly(raw, expected):
    assert as_decimal(raw, places=3, digits=15) == expected


def test_whole_numbers_are_ascii_digits_or_ints_never_booleans():
    assert [as_whole_number(v) for v in ("12", 4, " 3", True, "-3", "٣", "3.0")] == [
        12,
        4,
        3,
        None,
        None,
        None,
        None,
    ]
