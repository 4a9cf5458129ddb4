from datetime import date

import pytest

from casework.choices import CaseKind
from notifications import relay
from tests.factories import act, petitioner, register


@pytest.fixture
def accepted_complaint(org, frozen_today):
    """A first-round complaint at the commune, accepted on Thu 5/3/2026 (today frozen at 20/3/2026)."""

    def make(**person):
        frozen_today(date(2026, 3, 20))
        case = register(
            org.commune, org.reception, received_at=date(2026, 3, 2), petitioners=[petitioner(**person)]
        )
        case = act(case, "review", org.reception, on=date(2026, 3, 3))
        return act(case, "accept", org.head, on=date(2026, 3, 5))

    return make


@pytest.fixture
def denunciation(org, frozen_today):
    frozen_today(date(2026, 3, 20))
    return register(
        org.commune,
        org.reception,
        kind=CaseKind.DENUNCIATION,
        received_at=date(2026, 3, 2),
        petitioners=[
            petitioner(
                7,
                full_name="Trần Thị Bí Mật",
                email="bimat@example.vn",
                address="Số 9 ngõ Kín, xã A",
                id_number="001099777777",
            )
        ],
        summary="Tố cáo cán bộ địa chính nhận hối lộ",
    )


@pytest.fixture
def run_relay():
    return relay.relay
