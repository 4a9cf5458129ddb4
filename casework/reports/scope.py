"""Who a report covers and how its rows are keyed (casework.reports).

``group_by="level"`` groups by the resolver's authority level (``unit.level.authority_level``).
``group_by="unit"`` rolls subtrees up: with ``within=<unit>`` one row for the unit's own cases plus
one row per direct child unit covering that child's whole subtree, so the rows of a province are its
own office, each department and each commune, and their sum is the province's subtree; without
``within`` the rows are the user's scope roots (or, for a single root, as if ``within`` were that
root; for a system administrator the top-level units). The roll-up key is computed in SQL from the
materialized path, so it stays one grouped query. Resolution and outcome rows exist where there are
cases; reception rows cover every active unit (a head who received no one still owes the days).
Reports never contain a denouncer's identity: they read no party data at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case as SQLCase
from django.db.models import CharField, F, Q, Value
from django.db.models import When as SQLWhen
from django.db.models.functions import StrIndex, Substr
from django.utils.translation import gettext as _

from ..access import is_system_admin, memberships
from ..choices import AuthorityLevel, CaseKind, Role
from ..models import Unit
from .periods import Period, ReportError

GROUP_BY_LEVEL = "level"
GROUP_BY_UNIT = "unit"
GROUP_CHOICES = (GROUP_BY_LEVEL, GROUP_BY_UNIT)

# Who may read reports, over the subtree of the unit where they hold the role (DOMAIN.md §13).
REPORT_ROLES = frozenset({Role.MONITOR, Role.UNIT_HEAD, Role.ADMINISTRATOR})

LEVEL_ORDER = {code: i for i, code in enumerate(AuthorityLevel.values)}  # central first
KIND_ORDER = {code: i for i, code in enumerate(CaseKind.values)}


# --- Scope --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The unit subtrees a report may cover: materialized-path prefixes, or everything."""

    paths: tuple[str, ...] = ()
    everything: bool = False

    @classmethod
    def for_user(cls, user) -> Scope | None:
        """The subtrees where `user` monitors, heads or administers; None if they may read no report."""
        if is_system_admin(user):
            return cls(everything=True)
        paths = {m.unit.path for m in memberships(user) if m.role in REPORT_ROLES}
        if not paths:
            return None
        roots = sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
        return cls(paths=tuple(roots))

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    def covers(self, unit: Unit) -> bool:
        return self.everything or any(unit.path.startswith(p) for p in self.paths)

    def q(self, path_field: str) -> Q:
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in self.paths))


def resolve_within(scope: Scope, unit_id: Any) -> Unit:
    """The unit a report is restricted to; ReportError(code="not_found") if it is outside the scope,
    indistinguishable from a unit that does not exist."""
    try:
        unit = Unit.objects.select_related("level").get(pk=int(unit_id))
    except (Unit.DoesNotExist, TypeError, ValueError):
        unit = None
    if unit is None or not scope.covers(unit):
        raise ReportError("within", _("No such unit."), code="not_found")
    return unit


# --- Grouping -----------------------------------------------------------------------------------


@dataclass
class Grouping:
    """How rows are keyed: by authority level, or by unit with subtree roll-up (see module doc)."""

    by: str
    scope: Scope
    within: Unit | None = None
    _units: dict[str, Unit] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.by not in GROUP_CHOICES:
            raise ReportError("group_by", _("Group by level or unit."))
        if self.within is not None and not self.scope.covers(self.within):
            raise ReportError("within", _("No such unit."), code="not_found")

    # The anchor whose direct children become rows ("/" is the virtual national root).
    @property
    def anchor_path(self) -> str | None:
        if self.within is not None:
            return self.within.path
        if self.scope.everything:
            return "/"
        if len(self.scope.paths) == 1:
            return self.scope.paths[0]
        return None  # several roots: one rolled-up row per root

    def filter_q(self, path_field: str) -> Q:
        if self.within is not None:
            return Q(**{f"{path_field}__startswith": self.within.path})
        return self.scope.q(path_field)

    def key_expression(self, unit_prefix: str):
        """SQL expression of the row key for a row whose unit is reached through `unit_prefix`."""
        if self.by == GROUP_BY_LEVEL:
            return F(f"{unit_prefix}level__authority_level")
        path = F(f"{unit_prefix}path")
        anchor = self.anchor_path
        if anchor is None:
            return SQLCase(
                *[SQLWhen(**{f"{unit_prefix}path__startswith": p}, then=Value(p)) for p in self.scope.paths],
                output_field=CharField(),
            )
        # The prefix up to the next "/" after the anchor: the direct child's path, or the anchor's own
        # path for the anchor's own rows (StrIndex is 0 there, so no negative length is ever asked).
        rest = Substr(path, len(anchor) + 1)
        return Substr(path, 1, Value(len(anchor)) + StrIndex(rest, Value("/")), output_field=CharField())

    def describe(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Row labels for the keys the query returned."""
        keys = [k for k in keys if k is not None]
        if self.by == GROUP_BY_LEVEL:
            return {k: {"level": k} for k in keys}
        units = {u.path: u for u in Unit.objects.filter(path__in=keys).select_related("level")}
        self._units.update(units)
        anchor = self.anchor_path
        described = {}
        for k in keys:
            unit = units.get(k)
            if unit is None:
                continue
            described[k] = {
                "level": unit.level.authority_level,
                "unit": unit.pk,
                "unit_code": unit.code,
                "unit_name": unit.name,
                "includes_subtree": anchor is None or unit.path != anchor,
            }
        return described

    def sort_key(self, described: dict[str, Any]):
        if self.by == GROUP_BY_LEVEL:
            return (LEVEL_ORDER.get(described["level"], 99),)
        # The anchor's own row first, then children by level and name.
        return (
            described["includes_subtree"],
            LEVEL_ORDER.get(described["level"], 99),
            described["unit_name"],
        )


def _finish_rows(
    grouping: Grouping, raw: list[dict], metrics: tuple[str, ...], by_kind: bool
) -> list[dict[str, Any]]:
    """Attach labels to the grouped rows, drop keys outside the tree, sort."""
    described = grouping.describe({r["key"] for r in raw})
    rows = []
    for r in raw:
        label = described.get(r["key"])
        if label is None:
            continue
        row = dict(label)
        if by_kind:
            row["kind"] = r["kind"]
        row.update({m: r[m] or 0 for m in metrics})
        rows.append(row)
    rows.sort(key=lambda row: (*grouping.sort_key(row), KIND_ORDER.get(row.get("kind"), 99)))
    return rows


def _row_key(row: dict[str, Any]) -> tuple:
    return (row.get("level"), row.get("unit"), row.get("kind"))


def _sum(rows: list[dict], metrics: Iterable[str]) -> dict[str, int]:
    return {m: sum(r.get(m) or 0 for r in rows) for m in metrics}


@dataclass
class Report:
    period: Period
    group_by: str
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    within: Unit | None = None
    previous_period: Period | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = {
            "period": self.period.as_dict(),
            "group_by": self.group_by,
            "within": self.within.pk if self.within else None,
            "rows": self.rows,
            "totals": self.totals,
        }
        if self.previous_period is not None:
            data["previous_period"] = self.previous_period.as_dict()
        data.update(self.extra)
        return data
