"""Who may see what: roles are scoped to units, and a role in a unit reaches the unit's whole subtree
for reading. Selectors here return querysets; the API and the admin both filter through them."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from .choices import Role
from .models import Case, CaseParty, Membership, Party, Unit
from .text import fold


def is_system_admin(user) -> bool:
    return bool(user and user.is_active and user.is_superuser)


def memberships(user) -> list[Membership]:
    """The user's memberships, cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit", "unit__level"))
        user._membership_cache = cached
    return cached


def roles_in(user, unit: Unit) -> set[str]:
    """Roles the user holds in exactly this unit, plus administrator roles held above it."""
    roles = {m.role for m in memberships(user) if m.unit_id == unit.pk}
    if any(m.role == Role.ADMINISTRATOR and unit.path.startswith(m.unit.path) for m in memberships(user)):
        roles.add(Role.ADMINISTRATOR)
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


def can_see_denouncer(user, case: Case) -> bool:
    """Only the resolver (head of the competent unit) and the officer who registered the case see a
    denouncer's identity (DOMAIN.md §9). Administrators do not get it by default either."""
    if not user or not user.is_authenticated:
        return False
    return user.pk in (case.unit.head_id, case.registered_by_id)


def visible_party_links(user) -> Q:
    """The CaseParty rows whose identity `user` may see: every open link, and a sealed denouncer's
    link only for the case's resolver or registering officer (the rule of can_see_denouncer, as a
    filter)."""
    return Q(confidential=False) | Q(case__unit__head_id=user.pk) | Q(case__registered_by_id=user.pk)


def cases_naming(user, queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases of `queryset` with a petitioner whose name contains `text` (case and diacritics ignored:
    "nguyen van duc" finds "Nguyễn Văn Đức") or whose ID number is exactly `text`. A sealed denouncer
    matches only for a user who may see them, so a search never tells anyone else who denounced."""
    text = text.strip()
    if not text:
        return queryset.none()
    # People first (trigram and ID-number indexes), then their links, then the cases: the search
    # costs what the matches cost, not what the user's whole subtree holds.
    people = Party.objects.filter(Q(search_name__contains=fold(text)) | Q(id_number=text))
    links = CaseParty.objects.filter(visible_party_links(user), party__in=people)
    return queryset.filter(pk__in=links.values("case_id"))
