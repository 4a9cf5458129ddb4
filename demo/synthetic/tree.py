"""The synthetic authority tree: provinces, their departments and communes, with staff in each unit."""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models, transaction

from casework.choices import AuthorityLevel, Role
from casework.models import Membership, Unit, UnitLevel

from .mixes import FAMILY, GIVEN, MIDDLE, PREFIX

User = get_user_model()


@dataclass
class UnitInfo:
    id: int
    code: str
    name: str
    level: str  # province | department | commune
    parent: int | None
    remote: bool
    province: int  # index of its province
    head: int = 0
    handlers: list[int] = field(default_factory=list)
    reception: int = 0

    @property
    def is_remote(self) -> bool:  # read by casework.rules.periods.case_facts like Unit.is_remote
        return self.remote


class Tree:
    """The units (parents before children) and their staff, written to the database on build."""

    def __init__(self, rng: random.Random, n_units: int):
        self.rng, self.n_units = rng, n_units

    def build(self) -> None:
        rng = self.rng
        levels = {
            "province": UnitLevel.objects.get_or_create(
                code="province",
                defaults={"name": "Tỉnh", "rank": 1, "authority_level": AuthorityLevel.PROVINCE},
            )[0],
            "department": UnitLevel.objects.get_or_create(
                code="department",
                defaults={
                    "name": "Sở, ngành",
                    "rank": 2,
                    "authority_level": AuthorityLevel.PROVINCE,
                    "is_agency": True,
                },
            )[0],
            "commune": UnitLevel.objects.get_or_create(
                code="commune",
                defaults={"name": "Xã, phường", "rank": 3, "authority_level": AuthorityLevel.COMMUNE},
            )[0],
        }
        n_prov = max(1, self.n_units // 120)
        share = [self.n_units // n_prov + (1 if i < self.n_units % n_prov else 0) for i in range(n_prov)]
        next_unit = (Unit.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
        self.units: list[UnitInfo] = []
        for p in range(n_prov):
            pid = next_unit
            next_unit += 1
            self.units.append(
                UnitInfo(
                    pid,
                    f"{PREFIX}p{p + 1:02d}",
                    f"UBND tỉnh Tổng Hợp {p + 1} (syn)",
                    "province",
                    None,
                    False,
                    p,
                )
            )
            rest = max(share[p] - 1, 0)
            n_dept = max(1, round(rest * 0.12)) if rest >= 2 else 0
            for d in range(n_dept):
                self.units.append(
                    UnitInfo(
                        next_unit,
                        f"{PREFIX}p{p + 1:02d}-s{d + 1:03d}",
                        f"Sở {d + 1} tỉnh {p + 1} (syn)",
                        "department",
                        pid,
                        False,
                        p,
                    )
                )
                next_unit += 1
            for c in range(rest - n_dept):
                self.units.append(
                    UnitInfo(
                        next_unit,
                        f"{PREFIX}p{p + 1:02d}-x{c + 1:04d}",
                        f"UBND xã {c + 1} tỉnh {p + 1} (syn)",
                        "commune",
                        pid,
                        rng.random() < 0.15,
                        p,
                    )
                )
                next_unit += 1
        self.by_id = {u.id: u for u in self.units}

        # Staff: a head, two handlers and a reception officer per unit; a monitor per province.
        password = make_password(None)
        users, roles = [], []
        for u in self.units:
            for suffix, role in (
                ("head", Role.UNIT_HEAD),
                ("handler1", Role.HANDLER),
                ("handler2", Role.HANDLER),
                ("reception", Role.RECEPTION_OFFICER),
            ):
                users.append(
                    User(
                        username=f"{u.code}-{suffix}",
                        password=password,
                        is_staff=True,
                        first_name=rng.choice(GIVEN),
                        last_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)}",
                    )
                )
                roles.append((u, role, suffix))
            if u.level == "province":
                users.append(User(username=f"{u.code}-monitor", password=password, is_staff=True))
                roles.append((u, Role.MONITOR, "monitor"))
        created = User.objects.bulk_create(users, batch_size=2000)
        if any(user.pk is None for user in created):  # backends without RETURNING
            by_name = dict(User.objects.filter(username__startswith=PREFIX).values_list("username", "pk"))
            for user in created:
                user.pk = by_name[user.username]
        groups = {r: Group.objects.get_or_create(name=r)[0] for r in Role.values}
        memberships, group_links = [], []
        for user, (u, role, suffix) in zip(created, roles, strict=True):
            if suffix == "head":
                u.head = user.pk
            elif suffix.startswith("handler"):
                u.handlers.append(user.pk)
            elif suffix == "reception":
                u.reception = user.pk
            memberships.append(Membership(user_id=user.pk, unit_id=u.id, role=role))
            group_links.append(User.groups.through(user_id=user.pk, group_id=groups[role].pk))

        unit_rows = []
        paths: dict[int, str] = {}
        for u in self.units:  # parents come before their children
            paths[u.id] = f"{paths[u.parent] if u.parent else '/'}{u.id}/"
            unit_rows.append(
                Unit(
                    id=u.id,
                    code=u.code,
                    name=u.name,
                    level=levels[u.level],
                    parent_id=u.parent,
                    path=paths[u.id],
                    depth=paths[u.id].count("/") - 2,
                    is_remote=u.remote,
                    head_id=u.head,
                    address=f"{u.name}, Việt Nam",
                )
            )
        with transaction.atomic():
            Unit.objects.bulk_create(unit_rows, batch_size=2000)
            Membership.objects.bulk_create(memberships, batch_size=5000)
            User.groups.through.objects.bulk_create(group_links, batch_size=5000, ignore_conflicts=True)

        # Where cases arrive: communes most, with a skewed spread; provinces and departments less.
        weights = []
        for u in self.units:
            base = {"province": 4.0, "department": 1.5, "commune": 1.0}[u.level]
            weights.append(base * rng.lognormvariate(0, 0.6))
        # Provinces are generated independently (transfers and appeals stay within one): each gets
        # its share of the cases and spreads them over its own units.
        self.province_units: dict[int, list[UnitInfo]] = defaultdict(list)
        self.cum_weights: dict[int, list[float]] = defaultdict(list)
        self.province_weight: dict[int, float] = defaultdict(float)
        for u, w in zip(self.units, weights, strict=True):
            self.province_units[u.province].append(u)
            self.province_weight[u.province] += w
            self.cum_weights[u.province].append(self.province_weight[u.province])

    @property
    def provinces(self) -> list[int]:
        return sorted(self.province_units)

    def random_unit(self, province: int, rng: random.Random) -> UnitInfo:
        cum, units = self.cum_weights[province], self.province_units[province]
        i = bisect.bisect_left(cum, rng.random() * cum[-1])
        return units[min(i, len(units) - 1)]

    def shares(self, total: int) -> dict[int, int]:
        """`total` cases split over the provinces by their weight (largest remainders)."""
        weight = sum(self.province_weight.values())
        exact = {p: total * w / weight for p, w in self.province_weight.items()}
        shares = {p: int(x) for p, x in exact.items()}
        by_remainder = sorted(exact, key=lambda p: (shares[p] - exact[p], p))
        for p in by_remainder[: total - sum(shares.values())]:
            shares[p] += 1
        return shares
