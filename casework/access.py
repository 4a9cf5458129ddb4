"""Who may see what: roles are scoped to units, and a role in a unit reaches the unit's whole subtree
for reading. Selectors here return querysets; the API and the admin both filter through them. Who may
see a denouncer's identity is casework.confidentiality's question, not this module's."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from .choices import Role
from .models import Case, Membership, Unit
from .prepared import PreparedQuery


def memberships_of(user_id) -> QuerySet[Membership]:
    """The memberships `memberships()` reads, of the user with this id (a value or an expression)."""
    return Membership.objects.filter(user_id=user_id).select_related("unit", "unit__level")


# Read once per request, by nearly every request: compiled once per connection (casework.prepared).
_MEMBERSHIPS = PreparedQuery(memberships_of)


def is_system_admin(user) -> bool:
    return bool(user and user.is_active and user.is_superuser)


def memberships(user) -> list[Membership]:
    """The user's memberships, cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = _MEMBERSHIPS.fetch(user.pk)
        user._membership_cache = cached
    return cached


def remember_memberships(user, found: list[Membership]) -> None:
    """`found` (memberships_of(user.pk)'s rows, read with the user, e.g. with their API token) are the
    user's memberships for the request."""
    user._membership_cache = found


def roles_in(user, unit: Unit) -> frozenset[str]:
    """Roles the user holds in exactly this unit, plus administrator roles held above it. Remembered
    with the memberships they come from: a list page asks it for every action of every row."""
    held = memberships(user)
    if not held:
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is None or cached[0] is not held:
        cached = user._roles_cache = (held, {})
    key = (unit.pk, unit.path)
    roles = cached[1].get(key)
    if roles is None:
        found = {m.role for m in held if m.unit_id == unit.pk}
        if any(m.role == Role.ADMINISTRATOR and unit.path.startswith(m.unit.path) for m in held):
            found.add(Role.ADMINISTRATOR)
        roles = cached[1][key] = frozenset(found)
    return roles


def all_roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def _path_filter(prefix_field: str, user) -> Q | None:
    paths = {m.unit.path for m in memberships(user)}
    if not paths:
        return None
    # Drop paths already covered by an ancestor path so the OR stays short.
    roots = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return reduce(or_, (Q(**{f"{prefix_field}__startswith": p}) for p in sorted(roots)))


def visible_units(user) -> QuerySet[Unit]:
    if is_system_admin(user):
        return Unit.objects.all()
    q = _path_filter("path", user)
    return Unit.objects.filter(q) if q is not None else Unit.objects.none()


def visible_cases(user, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    queryset = queryset if queryset is not None else Case.objects.all()
    if is_system_admin(user):
        return queryset
    q = _path_filter("unit__path", user)
    return queryset.filter(q) if q is not None else queryset.none()


def can_view_unit(user, unit: Unit) -> bool:
    return is_system_admin(user) or any(unit.path.startswith(m.unit.path) for m in memberships(user))


def can_act_in(user, unit: Unit, roles: set[str]) -> bool:
    """True if the user holds one of `roles` (or is an administrator) in this very unit."""
    if is_system_admin(user):
        return True
    held = roles_in(user, unit)
    return bool(held & (roles | {Role.ADMINISTRATOR}))
