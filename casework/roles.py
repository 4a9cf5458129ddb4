"""Roles as Django groups: the group carries model permissions (what the admin shows); a Membership
scopes the role to a unit (where it applies)."""

from casework.choices import Role

VIEW_ALL = [
    "view_unit",
    "view_unitlevel",
    "view_party",
    "view_visit",
    "view_case",
    "view_dialogue",
    "view_deadline",
    "view_caseevent",
    "view_calendarday",
    "view_membership",
]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    Role.RECEPTION_OFFICER: [*VIEW_ALL, "add_party", "change_party", "add_visit", "add_case", "change_case"],
    Role.HANDLER: [*VIEW_ALL, "change_case", "add_dialogue", "change_dialogue"],
    Role.UNIT_HEAD: [
        *VIEW_ALL,
        "add_party",
        "change_party",
        "add_visit",
        "add_case",
        "change_case",
        "add_dialogue",
        "change_dialogue",
    ],
    Role.MONITOR: VIEW_ALL,
    Role.ADMINISTRATOR: [
        *VIEW_ALL,
        "add_unit",
        "change_unit",
        "add_membership",
        "change_membership",
        "delete_membership",
        "add_calendarday",
        "change_calendarday",
        "delete_calendarday",
        "add_party",
        "change_party",
        "add_visit",
        "add_case",
        "change_case",
        "add_dialogue",
        "change_dialogue",
        "view_outboxmessage",
    ],
}


def sync_groups(**kwargs) -> None:
    """Create or update the role groups with their permissions. Runs after every migrate (post_migrate),
    so a new model's permissions reach the groups without a data migration."""
    from django.contrib.auth.models import Group, Permission

    for role, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="casework", codename__in=codenames)
        )
