"""The statistics forms of Circular 01/2024/TT-TTCP cross-checked against a hand-counted dataset: every
case moved through the real transition service with the dates on the paper, time frozen after the
reporting month 15/02/2026 – 14/03/2026."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from casework import reports
from casework.choices import CaseKind, ReceptionKind, Role
from casework.reports.statistics import FORMS, NOT_COLLECTED
from tests.factories import act, petitioner, register, staff
from tests.helpers import api_client, hold_dialogue
from tests.shared import shared_cases
from workflows.intake import CaseInput, PetitionerInput, VisitInput, record_visit

pytestmark = pytest.mark.sql

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = reports.cutoff_month(2026, 3)  # 15/02/2026 – 14/03/2026
TODAY = date(2026, 5, 20)
URL = "/api/v1/reports/statistics/{}/"
RECOVERY = (
    "recover_money",
    "recover_land",
    "return_org_money",
    "return_org_land",
    "return_person_money",
    "return_person_land",
    "return_orgs",
    "return_people",
    "sanction_people",
    "sanction_officials",
    "referred_cases",
    "referred_people",
    "referred_officials",
)
IMPLEMENTATION = (
    "decisions",
    "decisions_done",
    "recover_due_money",
    "recover_due_land",
    "recover_done_money",
    "recover_done_land",
    "return_org_due_money",
    "return_org_done_money",
    "return_person_due_money",
    "return_person_done_money",
    "sanction_people",
    "sanction_officials",
    "prosecuted_cases",
    "prosecuted_people",
    "prosecuted_officials",
)
XLD02_FIELDS = (
    "field_admin",
    "field_admin_policy",
    "field_admin_land",
    "field_admin_other",
    "field_judicial",
    "field_party",
    "field_other",
    "field_unclassified",
)
XLD04_FIELDS = ("content_policy", "content_land", "content_judicial", "content_other", "content_unclassified")


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def accepted(unit, reception, head, *, received, on, kind=CaseKind.COMPLAINT, n=1, law_field=""):
    case = register(
        unit, reception, kind=kind, received_at=received, petitioners=[petitioner(n)], law_field=law_field
    )
    case = act(case, "review", reception, on=received)
    return act(case, "accept", head, on=on)


def decide(case, head, handler, *, verify_on, on, outcome, dialogue_org=None, drafted=None, signed=None):
    """Verification, the draft with the figures it proposes (`drafted`), the signature with those the
    head restates or adds (`signed`)."""
    case = act(case, "start_verification", head, on=verify_on, handler=handler.pk)
    if dialogue_org is not None:
        hold_dialogue(case, dialogue_org)
    case = act(
        case, "submit_for_approval", head, on=on, outcome=outcome, summary="Kết luận", **(drafted or {})
    )
    return act(case, "approve", head, on=on, decision_number=f"{case.pk}/QĐ-UBND", **(signed or {}))


def visit(org, when, *, kind=ReceptionKind.REGULAR, head=False, people=1, opens=False, existing=()):
    cases = []
    if opens:
        cases = [
            CaseInput(
                unit=org.commune,
                kind=CaseKind.RECOMMENDATION,
                channel="in_person",
                received_at=when.date(),
                summary="Kiến nghị",
            )
        ]
    return record_visit(
        VisitInput(
            unit=org.commune,
            visited_at=when,
            summary="Công dân trình bày",
            visitors=[PetitionerInput.from_dict(petitioner(80 + i)) for i in range(min(people, 2))],
            visitor_count=people,
            reception_kind=kind,
            received_by_head=head,
            cases=cases,
            existing_cases=list(existing),
            guidance="" if opens or existing else "Hướng dẫn đến cơ quan có thẩm quyền",
        ),
        actor=org.reception,
    )


def month_cases(org):
    """Commune A (org.commune), commune B, the province; period 15/02 – 14/03/2026.

    A  k1  complaint, received 20/02, accepted 23/02, decided 10/03 right         new, resolved on time
           land/housing; drafted: recover 120.5 mil + 250 m², return to people 30 mil (2 people),
           sanction 3 (2 officials); signed: sanction 4 (2), referred (1 person, 1 official);
           implemented 12/03 (completed): recovered 120.5 mil, returned 30 mil to people,
           2 sanctioned (1 official), prosecuted (1 person)
       k2  complaint, received 10/02, accepted 16/02, verifying, policy           carried over (to process)
       k3  denunciation, received 01/03, transferred 02/03 to B (decided 12/03)   outside, 1 reply
           civil service
       k4  recommendation, received 05/03, guided 06/03, judicial                outside
       k5  reflection, received 25/02, filed 26/02                               processed, not eligible
       k6  complaint, received 12/03, untouched                                  not processed
       k8  recommendation, received 20/02, accepted 21/02, answered 05/03         within, resolved
           (no field: not classified)
       k9  complaint, received 01/03, accepted 02/03, withdrawn 09/03            resolved by withdrawal
           corruption (02/XLD: "other")
       k10 complaint, received 01/01, accepted 05/01, decided 10/02              nothing in 01/KQGQ;
           recover 1000 mil; implementation 01/03: 400 mil so far      02/KQGQ: carried over, not done
       k11 complaint, decided 20/01, return 50 mil to an organisation,
           implementation completed 10/02                                        nothing in the period
       ka  complaint, decided 25/01, appealed 20/02 -> p1 at the province        nothing in the period
           judicial (the appeal keeps it)
       kv  recommendation opened at the visit of 02/03, untouched                not processed
    B  k3' denunciation accepted 03/03, concluded true 12/03: recover 80.25 m², return 15.75 mil to
           1 organisation, sanction 1
    P  p1  round-2 complaint, accepted 22/02, decided 12/03 wrong (upholds the first decision)
    Visits at A: 02/03 regular opening kv; 05/03 regular group of 6, guided; 10/03 periodic by the head
    on k2; 11/03 periodic delegated, guided; 10/02 regular (before the period).
    """
    A, rec, head, h = org.commune, org.reception, org.head, org.handler
    c = {}
    c["k1"] = accepted(A, rec, head, received=d(2, 20), on=d(2, 23), n=1, law_field="admin_land_housing")
    c["k1"] = decide(
        c["k1"],
        head,
        h,
        verify_on=d(2, 24),
        on=d(3, 10),
        outcome="right",
        drafted={
            "recover_money": "120.5",
            "recover_land": "250",
            "return_person_money": "30",
            "return_people": 2,
            "sanction_people": 3,
            "sanction_officials": 2,
        },
        signed={
            "sanction_people": 4,
            "referred_to_investigation": True,
            "referred_people": 1,
            "referred_officials": 1,
        },
    )
    c["k1"] = act(
        c["k1"],
        "record_implementation",
        head,
        on=d(3, 12),
        completed=True,
        recovered_money="120.5",
        returned_person_money="30",
        sanctioned_people=2,
        sanctioned_officials=1,
        prosecuted=True,
        prosecuted_people=1,
    )
    c["k2"] = accepted(A, rec, head, received=d(2, 10), on=d(2, 16), n=2, law_field="admin_policy")
    c["k2"] = act(c["k2"], "start_verification", head, on=d(2, 17), handler=h.pk)
    c["k3"] = register(
        A,
        rec,
        kind=CaseKind.DENUNCIATION,
        received_at=d(3, 1),
        petitioners=[petitioner(3)],
        law_field="admin_civil_service",
    )
    c["k3"] = act(c["k3"], "review", rec, on=d(3, 1))
    c["k3"] = act(c["k3"], "transfer", rec, on=d(3, 2), target_unit=org.other_commune.pk)
    b_reception = staff(org.other_commune, Role.RECEPTION_OFFICER, "b_reception")
    child = c["k3"].transfers.get()
    child = act(child, "review", b_reception, on=d(3, 2))
    child = act(child, "accept", org.outsider, on=d(3, 3))
    c["k3b"] = decide(
        child,
        org.outsider,
        org.outsider,
        verify_on=d(3, 3),
        on=d(3, 12),
        outcome="true",
        signed={"recover_land": "80.25", "return_org_money": "15.75", "return_orgs": 1, "sanction_people": 1},
    )
    c["k4"] = register(
        A,
        rec,
        kind=CaseKind.RECOMMENDATION,
        received_at=d(3, 5),
        petitioners=[petitioner(4)],
        law_field="judicial",
    )
    c["k4"] = act(c["k4"], "review", rec, on=d(3, 5))
    c["k4"] = act(c["k4"], "guide", rec, on=d(3, 6), guidance="Gửi đến Sở Tài nguyên")
    c["k5"] = register(A, rec, kind=CaseKind.REFLECTION, received_at=d(2, 25), petitioners=[petitioner(5)])
    c["k5"] = act(c["k5"], "review", rec, on=d(2, 25))
    c["k5"] = act(c["k5"], "file", rec, on=d(2, 26), reason="unclear_content")
    c["k6"] = register(A, rec, received_at=d(3, 12), petitioners=[petitioner(6)])
    c["k8"] = accepted(A, rec, head, received=d(2, 20), on=d(2, 21), kind=CaseKind.RECOMMENDATION, n=8)
    c["k8"] = decide(c["k8"], head, h, verify_on=d(2, 22), on=d(3, 5), outcome="answered")
    c["k9"] = accepted(A, rec, head, received=d(3, 1), on=d(3, 2), n=9, law_field="corruption")
    c["k9"] = act(c["k9"], "withdraw", rec, on=d(3, 9))
    c["k10"] = accepted(A, rec, head, received=d(1, 1), on=d(1, 5), n=10)
    c["k10"] = decide(
        c["k10"], head, h, verify_on=d(1, 6), on=d(2, 10), outcome="wrong", signed={"recover_money": "1000"}
    )
    c["k10"] = act(c["k10"], "record_implementation", head, on=d(3, 1), recovered_money="400")
    c["k11"] = accepted(A, rec, head, received=d(1, 2), on=d(1, 3), n=12)
    c["k11"] = decide(
        c["k11"], head, h, verify_on=d(1, 4), on=d(1, 20), outcome="right", signed={"return_org_money": "50"}
    )
    c["k11"] = act(
        c["k11"], "record_implementation", head, on=d(2, 10), completed=True, returned_org_money="50"
    )
    c["ka"] = accepted(A, rec, head, received=d(1, 5), on=d(1, 6), n=11, law_field="judicial")
    c["ka"] = decide(c["ka"], head, h, verify_on=d(1, 7), on=d(1, 25), outcome="wrong")
    c["ka"] = act(c["ka"], "appeal", rec, on=d(2, 20))
    p1 = c["ka"].appeal_cases.get()
    p1 = act(p1, "review", org.p_reception, on=d(2, 20))
    p1 = act(p1, "accept", org.p_head, on=d(2, 22))
    c["p1"] = decide(
        p1, org.p_head, org.p_handler, verify_on=d(2, 23), on=d(3, 12), outcome="wrong", dialogue_org=org
    )

    def at(month_, day, hour=9):
        return datetime(2026, month_, day, hour, tzinfo=VN)

    visit(org, at(3, 2), opens=True)
    visit(org, at(3, 5), people=6)
    visit(org, at(3, 10), kind=ReceptionKind.PERIODIC, head=True, existing=[c["k2"]])
    visit(org, at(3, 11), kind=ReceptionKind.PERIODIC, head=False)
    visit(org, at(2, 10))
    return c


# Built once for each run of consecutive tests that use it (tests.shared), not once per test; `org` is the
# org they were built in for those tests, a fresh one for the others.
_month_holder, _month_opened, month, org = shared_cases("month", month_cases, TODAY)


def form(org, code, **kw):
    return reports.statistics_form(
        form=code, period=PERIOD, scope=reports.Scope.all(), within=org.province, **kw
    )


def cells(report, unit) -> dict[str, int]:
    return next(r["cells"] for r in report.rows if r["unit"] == unit.pk)


def pick(row: dict, *keys: str) -> dict:
    return {k: row[k] for k in keys}


def test_reception_form_counts_visits_people_and_cases_by_kind_of_reception(month, org):
    a = cells(form(org, "01-tcd"), org.commune)
    assert pick(a, "total_visits", "total_people", "total_cases") == {
        "total_visits": 4,
        "total_people": 9,
        "total_cases": 4,  # kv and k2 met at visits, plus the two visits guided without a case
    }
    assert pick(a, "reg_visits", "reg_people", "reg_cases_first", "reg_cases_repeat") == {
        "reg_visits": 2,
        "reg_people": 7,
        "reg_cases_first": 2,
        "reg_cases_repeat": 0,
    }
    assert pick(a, "reg_groups", "reg_group_people", "reg_group_cases_first") == {
        "reg_groups": 1,
        "reg_group_people": 6,
        "reg_group_cases_first": 1,
    }
    assert pick(
        a, "head_sessions", "head_visits", "head_people", "head_cases_first", "head_cases_repeat"
    ) == {
        "head_sessions": 1,
        "head_visits": 1,
        "head_people": 1,
        "head_cases_first": 0,
        "head_cases_repeat": 1,
    }
    assert pick(a, "del_sessions", "del_visits", "del_cases_first") == {
        "del_sessions": 1,
        "del_visits": 1,
        "del_cases_first": 1,
    }


def test_processing_form_01_xld_cross_checks_the_hand_count(month, org):
    report = form(org, "01-xld")
    a = cells(report, org.commune)
    assert pick(a, "to_process", "to_process_carried", "to_process_new", "processed", "not_processed") == {
        "to_process": 9,
        "to_process_carried": 1,
        "to_process_new": 8,
        "processed": 7,
        "not_processed": 2,
    }
    assert pick(a, "eligible_petitions", "content_complaint", "content_denunciation", "content_petition") == {
        "eligible_petitions": 6,
        "content_complaint": 3,
        "content_denunciation": 1,
        "content_petition": 2,
    }
    assert pick(a, "within", "within_complaint", "within_denunciation", "within_petition") == {
        "within": 4,
        "within_complaint": 3,
        "within_denunciation": 0,
        "within_petition": 1,
    }
    assert pick(a, "outside", "outside_guided", "outside_transferred", "outside_urged", "replies") == {
        "outside": 2,
        "outside_guided": 1,
        "outside_transferred": 1,
        "outside_urged": 0,
        "replies": 1,
    }
    assert cells(report, org.other_commune)["within_denunciation"] == 1
    assert cells(report, org.province)["status_resolved_first"] == 1
    assert report.totals["cells"]["to_process"] == 11  # A 9, B 1, the province 1
    assert cells(report, org.department) == dict.fromkeys(a, 0)  # every unit has its row


def test_processing_forms_of_complaints_denunciations_and_petitions(month, org):
    complaints = form(org, "02-xld")
    assert pick(
        cells(complaints, org.commune), "to_process", "processed_carried", "processed_new", "within_first"
    ) == {"to_process": 4, "processed_carried": 1, "processed_new": 2, "within_first": 3}
    province = cells(complaints, org.province)
    assert pick(province, "status_first", "status_not_resolved", "within_second") == {
        "status_first": 1,
        "status_not_resolved": 0,
        "within_second": 1,
    }
    denunciations = form(org, "03-xld")
    assert pick(
        cells(denunciations, org.commune), "processed", "within", "outside_transferred", "replies"
    ) == {
        "processed": 1,
        "within": 0,
        "outside_transferred": 1,
        "replies": 1,
    }
    assert cells(denunciations, org.other_commune)["within_first"] == 1
    petitions = form(org, "04-xld")
    assert pick(
        cells(petitions, org.commune),
        "to_process",
        "processed",
        "eligible_petitions",
        "status_resolved",
        "within",
        "outside_transferred",
        "within_resolved",
        "within_not_resolved",
    ) == {
        "to_process": 4,
        "processed": 3,
        "eligible_petitions": 2,
        "status_resolved": 1,
        "within": 1,
        "outside_transferred": 1,
        "within_resolved": 1,
        "within_not_resolved": 0,
    }


def test_resolution_forms_cross_check_the_hand_count(month, org):
    complaints = form(org, "01-kqgq")
    a = cells(complaints, org.commune)
    assert pick(a, "petitions", "petitions_carried", "petitions_new", "cases") == {
        "petitions": 3,
        "petitions_carried": 0,
        "petitions_new": 3,
        "cases": 3,
    }
    assert pick(a, "resolved_decision", "resolved_withdrawn", "first_right", "on_time", "late") == {
        "resolved_decision": 1,
        "resolved_withdrawn": 1,
        "first_right": 1,
        "on_time": 2,
        "late": 0,
    }
    # k1's figures: the draft's, with what the head restated or added on signing; k10 (decided before the
    # period) adds nothing here.
    assert pick(a, *RECOVERY) == {
        "recover_money": Decimal("120.5"),
        "recover_land": Decimal("250"),
        "return_org_money": 0,
        "return_org_land": 0,
        "return_person_money": Decimal("30"),
        "return_person_land": 0,
        "return_orgs": 0,
        "return_people": 2,
        "sanction_people": 4,
        "sanction_officials": 2,
        "referred_cases": 1,
        "referred_people": 1,
        "referred_officials": 1,
    }
    province = cells(complaints, org.province)
    assert pick(province, "second_upheld", "second_amended") == {"second_upheld": 1, "second_amended": 0}
    # The same figures as the resolution report of the same read model.
    rates = reports.resolution_rates(
        period=PERIOD, scope=reports.Scope.all(), within=org.commune, kind="complaint", compare=False
    )
    assert complaints.totals["cells"]["cases"] == 4
    assert rates.totals["in_competence"] == a["cases"]
    implementation = form(org, "02-kqgq")
    # k1 (decided and implemented in the period) and k10 (decided before, not finished); not k11
    # (implemented before the period) nor ka (appealed: the province's p1 is counted instead).
    assert pick(cells(implementation, org.commune), *IMPLEMENTATION) == {
        "decisions": 2,
        "decisions_done": 1,
        "recover_due_money": Decimal("1120.5"),
        "recover_due_land": Decimal("250"),
        "recover_done_money": Decimal("520.5"),
        "recover_done_land": 0,
        "return_org_due_money": 0,
        "return_org_done_money": 0,
        "return_person_due_money": Decimal("30"),
        "return_person_done_money": Decimal("30"),
        "sanction_people": 2,
        "sanction_officials": 1,
        "prosecuted_cases": 1,
        "prosecuted_people": 1,
        "prosecuted_officials": 0,
    }
    assert implementation.totals["cells"]["decisions"] == 3
    denunciations = form(org, "03-kqgq")
    b = cells(denunciations, org.other_commune)
    assert pick(b, "petitions", "resolved", "resolved_first", "true", "untrue", "on_time") == {
        "petitions": 1,
        "resolved": 1,
        "resolved_first": 1,
        "true": 1,
        "untrue": 0,
        "on_time": 1,
    }
    assert pick(b, *RECOVERY) == {
        **dict.fromkeys(RECOVERY, 0),
        "recover_land": Decimal("80.25"),
        "return_org_money": Decimal("15.75"),
        "return_orgs": 1,
        "sanction_people": 1,
    }
    assert cells(denunciations, org.commune)["resolved"] == 0


def test_processing_forms_break_eligible_letters_down_by_field_of_law(month, org):
    complaints = form(org, "02-xld")
    # k1 land/housing, k2 policy, k9 corruption (no such column for complaints: "other").
    assert pick(cells(complaints, org.commune), *XLD02_FIELDS) == {
        "field_admin": 2,
        "field_admin_policy": 1,
        "field_admin_land": 1,
        "field_admin_other": 0,
        "field_judicial": 0,
        "field_party": 0,
        "field_other": 1,
        "field_unclassified": 0,
    }
    assert cells(complaints, org.province)["field_judicial"] == 1  # p1 keeps the field of ka
    denunciations = form(org, "03-xld")
    for unit in (org.commune, org.other_commune):  # the transferred letter keeps its field
        assert pick(
            cells(denunciations, unit), "field_admin", "field_admin_civil_service", "field_other"
        ) == {
            "field_admin": 1,
            "field_admin_civil_service": 1,
            "field_other": 0,
        }
    petitions = form(org, "04-xld")
    # k4 judicial; k8 was registered without a field; kv and k5 are not eligible.
    assert pick(cells(petitions, org.commune), *XLD04_FIELDS) == {
        "content_policy": 0,
        "content_land": 0,
        "content_judicial": 1,
        "content_other": 0,
        "content_unclassified": 1,
    }
    # Every eligible letter is in exactly one column of the breakdown.
    a = cells(complaints, org.commune)
    top = ("field_admin", "field_judicial", "field_party", "field_other", "field_unclassified")
    assert sum(a[k] for k in top) == a["eligible_cases"] == 3
    p = cells(petitions, org.commune)
    assert sum(p[k] for k in XLD04_FIELDS) == p["eligible_cases"] == 2


def test_the_kqgq_figures_and_the_field_breakdown_are_collected_columns(month, org):
    for code, keys in (
        ("01-kqgq", RECOVERY),
        ("03-kqgq", RECOVERY),
        ("02-kqgq", IMPLEMENTATION),
        ("02-xld", XLD02_FIELDS),
        ("04-xld", XLD04_FIELDS),
    ):
        columns = {c["key"]: c["collected"] for c in form(org, code).extra["columns"]}
        assert all(columns[k] for k in keys), code


def test_every_form_lists_its_columns_and_flags_those_not_collected(month, org):
    for code, spec in FORMS.items():
        report = form(org, code)
        keys = [c["key"] for c in report.extra["columns"]]
        assert keys == [leaf.key for leaf in spec.leaves()] and len(set(keys)) == len(keys), code
        assert set(report.totals["cells"]) == set(keys)
        for column in report.extra["columns"]:
            if not column["collected"]:
                assert report.totals["cells"][column["key"]] == 0


# --- API ----------------------------------------------------------------------------------------


def test_api_json_and_xlsx_in_the_appendix_layout(month, org):
    params = {"date_from": "2026-02-15", "date_to": "2026-03-14", "within": org.province.pk}
    body = api_client(org.monitor).get(URL.format("01-xld"), params).json()
    assert body["number"] == "Biểu số 01/XLD"
    a = next(r for r in body["rows"] if r["unit"] == org.commune.pk)
    assert a["cells"]["to_process"] == 9 and body["totals"]["cells"]["to_process"] == 11

    response = api_client(org.monitor).get(URL.format("01-xld"), {**params, "format": "xlsx"})
    assert response.status_code == 200
    assert 'filename="bieu-01-xld-20260215-20260314.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.values]
    assert values[0][0] == "Biểu số 01/XLD" and values[1][0] == "TỔNG HỢP KẾT QUẢ XỬ LÝ ĐƠN"
    assert values[3][0] == "Kỳ báo cáo: từ ngày 15/02/2026 đến ngày 14/03/2026"
    # Header rows start at row 6; "Số đơn phải xử lý" spans three columns over "Tổng số | ... ".
    assert values[5][:3] == ["STT", "Đơn vị", "Số đơn phải xử lý"]
    assert values[6][2:5] == ["Tổng số", "Kỳ trước chuyển sang", "Tiếp nhận trong kỳ"]
    assert "C6:E6" in {str(r) for r in sheet.merged_cells.ranges}
    header_rows = FORMS["01-xld"].depth()
    numbers = values[5 + header_rows]
    assert numbers[:4] == ["A", "B", 1, 2]
    unit_row = next(r for r in values if r[1] == org.commune.name)
    assert unit_row[2] == 9 and unit_row[3] == 1 and unit_row[4] == 8
    totals = next(r for r in values if r[1] == "Tổng cộng")
    assert totals[2] == 11
    assert any(NOT_COLLECTED in str(r[0]) for r in values if r[0])


def test_api_reception_form_xlsx_reads_back_the_cells(month, org):
    params = {"period": "2026-03", "format": "xlsx", "within": org.commune.pk}
    sheet = load_workbook(io.BytesIO(api_client(org.head).get(URL.format("01-tcd"), params).content)).active
    values = [list(r) for r in sheet.values]
    unit_row = next(r for r in values if r[1] == org.commune.name)
    assert unit_row[2:5] == [4, 9, 4]  # visits, people, cases
    assert values[2][0] == f"Đơn vị báo cáo: {org.commune.name}"


def test_a_commune_head_sees_only_their_unit_and_a_monitor_their_subtree(month, org):
    head = api_client(org.head).get(URL.format("01-xld"), {"period": "2026-03"}).json()
    assert [r["unit"] for r in head["rows"]] == [org.commune.pk]
    assert head["totals"]["cells"]["to_process"] == 9
    assert api_client(org.head).get(URL.format("01-xld"), {"within": org.province.pk}).status_code == 404
    monitor = api_client(org.monitor).get(URL.format("01-xld"), {"period": "2026-03"}).json()
    assert {r["unit"] for r in monitor["rows"]} == {
        org.province.pk,
        org.department.pk,
        org.commune.pk,
        org.remote_commune.pk,
        org.other_commune.pk,
    }
    assert monitor["totals"]["cells"]["to_process"] == 11
    assert api_client(org.reception).get(URL.format("01-xld")).status_code == 403


def test_unknown_form_or_bad_period_is_a_400_with_a_code(month, org):
    client = api_client(org.monitor)
    unknown = client.get(URL.format("05-xld"))
    assert unknown.status_code == 400 and unknown.json()["code"] in ("unknown_form", "invalid")
    assert client.get(URL.format("05-xld"), {"format": "xlsx"}).status_code == 400
    assert client.get(URL.format("01-xld"), {"period": "2026-13"}).status_code == 400
    assert (
        client.get(URL.format("01-xld"), {"date_from": "2026-03-14", "date_to": "2026-02-15"}).status_code
        == 400
    )
    assert client.get(URL.format("01-xld"), {"date_from": "2026-03-14"}).status_code == 400


def test_default_period_is_the_last_reporting_month(month, org):
    body = api_client(org.monitor).get(URL.format("01-kqgq")).json()  # today is 20/05/2026
    assert body["period"]["date_from"] == "2026-04-15" and body["period"]["date_to"] == "2026-05-14"
