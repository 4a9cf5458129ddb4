"""factory_boy factories and small helpers shared by the suites."""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth import get_user_model

from casework.choices import AuthorityLevel, CaseKind, Channel, Role
from casework.models import Unit, UnitLevel
from casework.services import grant_role
from workflows.intake import CaseInput, PetitionerInput, register_case
from workflows.service import perform_action


class UnitLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitLevel
        django_get_or_create = ("code",)

    code = "commune"
    name = factory.LazyAttribute(lambda o: o.code.title())
    rank = 3
    authority_level = AuthorityLevel.COMMUNE


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    level = factory.SubFactory(UnitLevelFactory)
    parent = None
    is_remote = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    # Hashed as the user is built (a given password too), not set and saved again afterwards.
    password = factory.django.Password("pw")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.gov.vn")


def staff(unit: Unit, role: str, username: str | None = None):
    # Staff from the start, as grant_role would make them, which saves it a second write per user.
    user = UserFactory(username=username, is_staff=True) if username else UserFactory(is_staff=True)
    grant_role(user=user, unit=unit, role=role)
    return user


def petitioner(n: int = 1, **overrides) -> dict:
    return {
        "full_name": f"Nguyễn Văn {n}",
        "id_number": f"0010900{n:05d}",
        "address": f"Thôn {n}, xã Thử",
        "phone": f"09120000{n:02d}",
        **overrides,
    }


def register(
    unit: Unit,
    actor,
    *,
    kind: str = CaseKind.COMPLAINT,
    received_at: date,
    petitioners=None,
    round: int | None = None,
    **extra,
):
    if kind == CaseKind.COMPLAINT and round is None:
        round = 1
    data = CaseInput(
        unit=unit,
        kind=kind,
        channel=extra.pop("channel", Channel.POST),
        received_at=received_at,
        summary=extra.pop("summary", "Khiếu nại quyết định thu hồi đất của UBND xã"),
        petitioners=[
            PetitionerInput.from_dict(p) for p in (petitioners if petitioners is not None else [petitioner()])
        ],
        round=round,
        **extra,
    )
    return register_case(data, actor=actor)


def act(case, action: str, actor, *, on: date | None = None, note: str = "", **params):
    """Perform `action` at the case's current version and return the refreshed case."""
    case.refresh_from_db()
    return perform_action(
        case_id=case.pk,
        action=action,
        actor=actor,
        version=case.version,
        note=note,
        effective_date=on,
        params=params,
    )


ROLES = Role
