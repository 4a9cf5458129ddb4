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
    Role.RECEPTION_OFFICER: [
        *VIEW_ALL,
        "add_party",
        "change_party",
        "add_visit",
        "add_case",
        "change_case",
        "add_dialogue",
        "notifications.view_letter",
        "notifications.change_letter",
    ],
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
        "notifications.view_letter",
        "notifications.change_letter",
        "notifications.view_notification",
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
        "view_accesslog",
        "notifications.view_notification",
        "notifications.change_notification",
        "notifications.view_letter",
        "notifications.change_letter",
        "notifications.view_notificationpreference",
        # Failed sign-ins and lockouts (django-axes): seen, and unlocked by deleting the attempts.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    ],
}


def sync_groups(sender=None, **kwargs) -> None:
    """Create or update the role groups with their permissions. Runs after migrate (post_migrate), so a
    new model's permissions reach the groups without a data migration: for the last app the signal is
    sent for, once every app's permissions exist. The runs for the apps before it did the same work only
    to have it redone (a dozen times per `migrate`, and per `flush`, which tests with transactions
    call after each test)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    # emit_post_migrate_signal sends it to each installed app with models, in order (the apps a test
    # limits the registry to, if it does).
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is not None and sender is not last:
        return

    for role, names in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = Q(pk__in=[])
        for name in names:  # "codename" means a casework permission; "app.codename" any other app's
            app_label, codename = name.split(".") if "." in name else ("casework", name)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
