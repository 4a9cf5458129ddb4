"""Load a demo province on the two-tier map in force since 1 July 2025, with logins for every role
(password `demo`) and a handful of cases in various states. Idempotent: run it as often as you like."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from casework.choices import (
    AuthorityLevel,
    CaseKind,
    Channel,
    ConferenceFormat,
    ConferenceReason,
    DialogueKind,
    ExtensionReason,
    Quality,
    Role,
    Satisfaction,
    Timeliness,
)
from casework.conferences import (
    announce_conference,
    publish_conference_results,
    record_conference,
    schedule_conference,
)
from casework.models import Case, Unit, UnitLevel
from casework.ratings import rate_case
from casework.security import DEMO_PASSWORD
from casework.services import grant_role, record_dialogue
from workflows.intake import CaseInput, PetitionerInput, VisitInput, record_visit, register_case
from workflows.service import perform_action

LEVELS = [
    # code, name, rank, authority level, agency, in use
    ("central", "Trung ương", 0, AuthorityLevel.CENTRAL, False, True),
    ("ministry", "Bộ, cơ quan ngang bộ", 1, AuthorityLevel.CENTRAL, True, True),
    ("province", "Tỉnh, thành phố trực thuộc trung ương", 1, AuthorityLevel.PROVINCE, False, True),
    ("department", "Sở, ban, ngành tỉnh", 2, AuthorityLevel.PROVINCE, True, True),
    ("district", "Huyện (bãi bỏ từ 01/7/2025)", 2, AuthorityLevel.DISTRICT, False, False),
    ("commune", "Xã, phường, đặc khu", 3, AuthorityLevel.COMMUNE, False, True),
]

DEPARTMENTS = [
    ("lc-thanh-tra", "Thanh tra tỉnh Lào Cai"),
    ("lc-so-nnmt", "Sở Nông nghiệp và Môi trường tỉnh Lào Cai"),
    ("lc-so-xd", "Sở Xây dựng tỉnh Lào Cai"),
    ("lc-so-tc", "Sở Tài chính tỉnh Lào Cai"),
]

COMMUNES = [
    # code, name, remote area
    ("lc-cam-duong", "UBND phường Cam Đường", False),
    ("lc-lao-cai", "UBND phường Lào Cai", False),
    ("lc-yen-bai", "UBND phường Yên Bái", False),
    ("lc-nghia-lo", "UBND phường Nghĩa Lộ", False),
    ("lc-sa-pa", "UBND phường Sa Pa", False),
    ("lc-bat-xat", "UBND xã Bát Xát", False),
    ("lc-bac-ha", "UBND xã Bắc Hà", False),
    ("lc-muong-khuong", "UBND xã Mường Khương", False),
    ("lc-van-ban", "UBND xã Văn Bàn", False),
    ("lc-tram-tau", "UBND xã Trạm Tấu", True),
    ("lc-mu-cang-chai", "UBND xã Mù Cang Chải", True),
]

DEMO_COMMUNE = "lc-cam-duong"

# username, full name, unit code, role
LOGINS = [
    ("reception", "Lê Thị Thu (tiếp công dân)", DEMO_COMMUNE, Role.RECEPTION_OFFICER),
    ("handler", "Phạm Văn Hùng (chuyên viên)", DEMO_COMMUNE, Role.HANDLER),
    ("head", "Nguyễn Văn Bình (Chủ tịch UBND phường)", DEMO_COMMUNE, Role.UNIT_HEAD),
    ("p_handler", "Trần Thị Mai (Thanh tra tỉnh)", "lc-province", Role.HANDLER),
    ("p_head", "Hoàng Quốc Việt (Chủ tịch UBND tỉnh)", "lc-province", Role.UNIT_HEAD),
    ("monitor", "Đỗ Minh Tuấn (Thanh tra, giám sát)", "lc-province", Role.MONITOR),
]


def citizen(n: int, name: str, **extra) -> PetitionerInput:
    return PetitionerInput(
        full_name=name,
        id_number=f"0100{n:08d}",
        address=f"Tổ {n}, phường Cam Đường, Lào Cai",
        phone=f"0912{n:06d}",
        **extra,
    )


class Command(BaseCommand):
    help = "Load the demo province, logins for every role (password 'demo') and sample cases (idempotent)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            units = self._units()
            users = self._users(units)
            if Case.objects.filter(unit=units[DEMO_COMMUNE]).exists():
                self.stdout.write("Demo data already loaded; units and logins checked.")
                return
            self._cases(units, users)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded. Logins (password 'demo'): "
                + ", ".join(u for u, *_r in LOGINS)
                + ", admin."
            )
        )

    def _units(self) -> dict[str, Unit]:
        levels = {}
        for code, name, rank, authority, agency, active in LEVELS:
            levels[code], _c = UnitLevel.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "rank": rank,
                    "authority_level": authority,
                    "is_agency": agency,
                    "is_active": active,
                },
            )
        units: dict[str, Unit] = {}

        def unit(code, name, level, parent=None, remote=False):
            obj = Unit.objects.filter(code=code).first()
            if obj is None:
                obj = Unit(code=code)
            obj.name, obj.level, obj.parent, obj.is_remote = name, levels[level], parent, remote
            obj.save()
            units[code] = obj
            return obj

        central = unit("vn-chinh-phu", "Chính phủ", "central")
        unit("vn-ttcp", "Thanh tra Chính phủ", "ministry", central)
        province = unit("lc-province", "UBND tỉnh Lào Cai", "province", central)
        for code, name in DEPARTMENTS:
            unit(code, name, "department", province)
        for code, name, remote in COMMUNES:
            unit(code, name, "commune", province, remote)
        return units

    def _users(self, units: dict[str, Unit]) -> dict:
        User = get_user_model()
        users = {}
        for username, full_name, unit_code, role in LOGINS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": full_name, "email": f"{username}@laocai.demo.gov.vn"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            grant_role(user=user, unit=units[unit_code], role=role)
            users[username] = user
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={
                "is_staff": True,
                "is_superuser": True,
                "email": "admin@laocai.demo.gov.vn",
                "first_name": "Quản trị hệ thống",
            },
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        grant_role(user=admin, unit=units["lc-province"], role=Role.ADMINISTRATOR)
        users["admin"] = admin
        return users

    def _cases(self, units: dict[str, Unit], users: dict) -> None:
        commune = units[DEMO_COMMUNE]
        reception, handler, head = users["reception"], users["handler"], users["head"]
        today = timezone.localdate()

        def day(n: int):
            return today - timedelta(days=n)

        def new(kind, received, summary, people, **extra):
            data = CaseInput(
                unit=extra.pop("unit", commune),
                kind=kind,
                channel=extra.pop("channel", Channel.POST),
                received_at=received,
                summary=summary,
                petitioners=people,
                round=1 if kind == CaseKind.COMPLAINT else None,
                **extra,
            )
            return register_case(data, actor=reception)

        def step(case, action, actor, on, **params):
            case.refresh_from_db()
            return perform_action(
                case_id=case.pk,
                action=action,
                actor=actor,
                version=case.version,
                effective_date=on,
                params=params,
                note="Demo",
            )

        # 1. Just received.
        new(
            CaseKind.COMPLAINT,
            day(1),
            "Khiếu nại việc UBND phường không cấp giấy phép sửa chữa nhà ở.",
            [citizen(1, "Nguyễn Thị Hoa")],
        )
        # 2. Under review.
        c = new(
            CaseKind.RECOMMENDATION,
            day(4),
            "Kiến nghị lắp đặt đèn chiếu sáng ngõ 12 đường Hoàng Liên.",
            [citizen(2, "Vũ Văn Nam")],
        )
        step(c, "review", reception, day(3))
        # 3. Complaint in verification, assigned to the handler.
        c = new(
            CaseKind.COMPLAINT,
            day(25),
            "Khiếu nại quyết định xử phạt vi phạm hành chính về xây dựng.",
            [citizen(3, "Trần Văn Long")],
            decision_known_at=day(40),
        )
        step(c, "review", reception, day(24))
        step(c, "accept", head, day(22))
        step(c, "start_verification", head, day(21), handler=handler.pk)
        # 4. Complaint decided 10 days ago: the appeal window is running.
        c = new(
            CaseKind.COMPLAINT,
            day(60),
            "Khiếu nại việc thu hồi đất làm đường giao thông liên tổ.",
            [citizen(4, "Lý Thị Lan")],
            decision_known_at=day(70),
        )
        step(c, "review", reception, day(59))
        step(c, "accept", head, day(55))
        step(c, "start_verification", head, day(54), handler=handler.pk)
        step(
            c,
            "submit_for_approval",
            handler,
            day(15),
            outcome="partly_right",
            summary="Khiếu nại đúng một phần: điều chỉnh mức bồi thường tài sản trên đất.",
        )
        step(c, "approve", head, day(10), decision_number="125/QĐ-UBND")
        # 5. Denunciation past its resolution deadline: shows up as overdue.
        c = new(
            CaseKind.DENUNCIATION,
            day(50),
            "Tố cáo cán bộ địa chính phường nhận tiền khi làm thủ tục đất đai.",
            [citizen(5, "Người tố cáo được bảo mật")],
            respondent="Cán bộ địa chính phường",
        )
        step(c, "review", reception, day(49))
        step(c, "accept", head, day(45))
        step(c, "start_verification", head, day(44), handler=handler.pk)
        # 6. Anonymous denunciation, filed.
        c = new(CaseKind.DENUNCIATION, day(12), "Đơn nặc danh tố cáo tổ trưởng dân phố.", [])
        step(c, "review", reception, day(11))
        step(c, "file", reception, day(10), reason="anonymous")
        # 7. Reflection transferred to the provincial department of construction.
        c = new(
            CaseKind.REFLECTION,
            day(8),
            "Phản ánh công trình xây dựng trái phép trên đường Điện Biên.",
            [citizen(7, "Đặng Văn Tùng")],
            channel=Channel.ONLINE,
        )
        step(c, "review", reception, day(7))
        step(c, "transfer", reception, day(6), target_unit=units["lc-so-xd"].pk)
        # 8. Recommendation answered and closed.
        c = new(
            CaseKind.RECOMMENDATION,
            day(45),
            "Kiến nghị sửa chữa rãnh thoát nước tổ 5.",
            [citizen(8, "Bùi Thị Ngọc")],
        )
        step(c, "review", reception, day(44))
        step(c, "accept", head, day(43))
        step(c, "start_verification", head, day(42), handler=handler.pk)
        step(
            c,
            "submit_for_approval",
            handler,
            day(30),
            outcome="answered",
            summary="Đã bố trí kinh phí sửa chữa.",
        )
        step(c, "approve", head, day(28), decision_number="45/TB-UBND")
        step(c, "close", head, day(27))
        rate_case(
            case=c,
            satisfaction=Satisfaction.SATISFIED,
            timeliness=Timeliness.ON_TIME,
            contacts=2,
            staff_attitude=Quality.GOOD,
            answer_clarity=Quality.FAIR,
            comment="Rãnh đã được sửa, nhưng phải hỏi lại một lần mới biết kết quả.",
        )
        # 9. First-round complaint decided long ago, appealed: round 2 at the province, in verification.
        c = new(
            CaseKind.COMPLAINT,
            day(120),
            "Khiếu nại quyết định bồi thường, hỗ trợ tái định cư.",
            [citizen(9, "Hà Văn Sơn")],
            decision_known_at=day(125),
        )
        step(c, "review", reception, day(119))
        step(c, "accept", head, day(115))
        step(c, "start_verification", head, day(114), handler=handler.pk)
        step(c, "submit_for_approval", handler, day(90), outcome="wrong", summary="Khiếu nại sai.")
        step(c, "approve", head, day(88), decision_number="88/QĐ-UBND")
        step(c, "appeal", reception, day(70))
        second = c.appeal_cases.get()
        step(second, "review", users["p_head"], day(69))
        step(second, "accept", users["p_head"], day(66))
        step(second, "start_verification", users["p_head"], day(65), handler=users["p_handler"].pk)
        # 10. Denunciation with an extension (complex).
        c = new(
            CaseKind.DENUNCIATION,
            day(40),
            "Tố cáo sai phạm trong quản lý quỹ hỗ trợ hộ nghèo.",
            [citizen(10, "Người tố cáo thứ hai")],
            several_locations=True,
        )
        step(c, "review", reception, day(39))
        step(c, "accept", head, day(26))
        step(c, "start_verification", head, day(25), handler=handler.pk)
        step(c, "extend", head, day(2), days=30, reason=ExtensionReason.COMPLEX)

        # The reception book: a group visit that opened a case, and a refused visit.
        visit_day = timezone.make_aware(datetime.combine(day(5), time(9, 30)))
        record_visit(
            VisitInput(
                unit=commune,
                visited_at=visit_day,
                summary="Đoàn 6 hộ dân phản ánh ô nhiễm từ xưởng gỗ.",
                visitors=[
                    citizen(20 + i, name)
                    for i, name in enumerate(
                        [
                            "Phan Văn Hải",
                            "Phan Thị Yến",
                            "Cao Văn Đức",
                            "Mai Thị Hằng",
                            "Lò Văn Pao",
                            "Giàng A Sử",
                        ]
                    )
                ],
                visitor_count=6,
                cases=[
                    CaseInput(
                        unit=commune,
                        kind=CaseKind.REFLECTION,
                        channel=Channel.IN_PERSON,
                        received_at=day(5),
                        summary="Phản ánh xưởng gỗ gây ô nhiễm tiếng ồn, bụi tại tổ 9.",
                    )
                ],
            ),
            actor=reception,
        )
        record_visit(
            VisitInput(
                unit=commune,
                visited_at=visit_day + timedelta(hours=2),
                summary="Tiếp tục khiếu nại vụ việc đã được giải quyết đúng quy định, đã giải thích.",
                visitors=[citizen(9, "Hà Văn Sơn")],
                refusal_reason="resolved_persisting",
            ),
            actor=reception,
        )
        record_dialogue(
            actor=head,
            unit=commune,
            kind=DialogueKind.PERIODIC,
            chair=head,
            held_at=timezone.make_aware(datetime.combine(day(20), time(14, 0))),
            place="Hội trường UBND phường Cam Đường",
            participants="Chủ tịch UBND phường; 45 đại diện hộ dân",
            minutes="Đối thoại định kỳ về chỉnh trang đô thị.",
            agreed_points="Công khai kế hoạch chỉnh trang.",
        )
        self._conferences(commune, head, day)

    def _conferences(self, commune: Unit, head, day) -> None:
        """This year's conference held and its results published; next one announced (LTCCQĐP Art. 43)."""

        def at(on, hour):
            return timezone.make_aware(datetime.combine(on, time(hour, 0)))

        held = schedule_conference(
            actor=head,
            unit=commune,
            starts_at=at(day(40), 8),
            topics="Chỉnh trang đô thị tổ 5, tổ 9; thu gom rác thải; an ninh trật tự khu dân cư.",
            place="Hội trường UBND phường Cam Đường",
        )
        announce_conference(actor=head, conference=held, on=day(50))
        record_conference(
            actor=head,
            conference=held,
            held_on=day(40),
            participant_count=120,
            participants=(
                "Chủ tịch UBND phường (chủ trì); Chủ tịch HĐND phường; Chủ tịch UBMTTQ phường; 115 cử tri"
            ),
            questions="Tiến độ sửa rãnh thoát nước tổ 5; giờ thu gom rác; tiếng ồn xưởng gỗ tổ 9.",
            answers="Rãnh tổ 5 sửa xong trong quý; giờ thu gom giữ 18 giờ; kiểm tra xưởng gỗ trong tháng.",
            commitments="Kiểm tra, xử lý tiếng ồn xưởng gỗ tổ 9; công khai kế hoạch chỉnh trang đô thị.",
        )
        publish_conference_results(
            actor=head,
            conference=held,
            results=(
                "UBND phường tiếp thu 3 nhóm ý kiến; kết quả giải quyết công khai tại trụ sở và trên trang "
                "thông tin điện tử của phường."
            ),
            on=day(34),
        )
        upcoming = schedule_conference(
            actor=head,
            unit=commune,
            starts_at=at(day(-20), 14),
            topics="Kế hoạch đầu tư công năm tới; giải phóng mặt bằng đường Hoàng Liên.",
            format=ConferenceFormat.ONLINE,
            link="https://camduong.laocai.gov.vn/doi-thoai",
            reason=ConferenceReason.AS_NEEDED,
        )
        announce_conference(actor=head, conference=upcoming, on=day(0))
