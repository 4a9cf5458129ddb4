"""API permissions. Row-level scope comes from casework.access selectors in each view's queryset;
what a role may do to a case is decided by workflows.permissions inside the services."""

from rest_framework import permissions

from casework.access import all_roles, is_system_admin
from casework.choices import Role


def is_administrator(user) -> bool:
    return bool(user and user.is_authenticated) and (
        is_system_admin(user) or Role.ADMINISTRATOR in all_roles(user)
    )


class IsAdministrator(permissions.BasePermission):
    message = "Only administrators may do this."

    def has_permission(self, request, view) -> bool:
        return is_administrator(request.user)


class ReadAnyWriteAdministrator(permissions.BasePermission):
    """Any signed-in user reads; only administrators write (e.g. the calendar of days off)."""

    message = "Only administrators may change this."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or is_administrator(request.user)
