from dataclasses import dataclass
from datetime import date

import pytest
import time_machine

from casework.choices import AuthorityLevel, Role
from casework.models import Unit
from tests.factories import UnitFactory, UnitLevelFactory, staff


@dataclass
class Org:
    province: Unit
    department: Unit
    commune: Unit
    remote_commune: Unit
    other_commune: Unit
    reception: object
    handler: object
    head: object
    p_reception: object
    p_handler: object
    p_head: object
    monitor: object
    outsider: object
    remote_reception: object
    remote_head: object


@pytest.fixture
def org(db) -> Org:
    province_level = UnitLevelFactory(code="province", rank=1, authority_level=AuthorityLevel.PROVINCE)
    department_level = UnitLevelFactory(
        code="department", rank=2, authority_level=AuthorityLevel.PROVINCE, is_agency=True
    )
    commune_level = UnitLevelFactory(code="commune", rank=3, authority_level=AuthorityLevel.COMMUNE)
    province = UnitFactory(code="tinh", name="UBND tỉnh Thử", level=province_level)
    department = UnitFactory(code="so-xd", name="Sở Xây dựng", level=department_level, parent=province)
    commune = UnitFactory(code="xa-a", name="UBND xã A", level=commune_level, parent=province)
    remote = UnitFactory(
        code="xa-xa", name="UBND xã Vùng Cao", level=commune_level, parent=province, is_remote=True
    )
    other = UnitFactory(code="xa-b", name="UBND xã B", level=commune_level, parent=province)
    return Org(
        province=province,
        department=department,
        commune=commune,
        remote_commune=remote,
        other_commune=other,
        reception=staff(commune, Role.RECEPTION_OFFICER, "reception"),
        handler=staff(commune, Role.HANDLER, "handler"),
        head=staff(commune, Role.UNIT_HEAD, "head"),
        p_reception=staff(province, Role.RECEPTION_OFFICER, "p_reception"),
        p_handler=staff(province, Role.HANDLER, "p_handler"),
        p_head=staff(province, Role.UNIT_HEAD, "p_head"),
        monitor=staff(province, Role.MONITOR, "monitor"),
        outsider=staff(other, Role.UNIT_HEAD, "outsider"),
        remote_reception=staff(remote, Role.RECEPTION_OFFICER, "remote_reception"),
        remote_head=staff(remote, Role.UNIT_HEAD, "remote_head"),
    )


@pytest.fixture
def frozen_today():
    """Freeze "today" in Asia/Ho_Chi_Minh; use as frozen_today(date(...))."""
    travellers = []

    def freeze(day: date):
        traveller = time_machine.travel(f"{day.isoformat()} 09:00 +0700", tick=False)
        traveller.start()
        travellers.append(traveller)

    yield freeze
    for traveller in reversed(travellers):
        traveller.stop()
