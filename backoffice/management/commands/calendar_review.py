"""The yearly calendar review from the shell (the admin page is backoffice.admin.calendar_review).

    manage.py calendar_review 2026
    manage.py calendar_review 2026 --confirm 2026-11-24 --by admin
    manage.py calendar_review 2026 --override 2026-11-24 --kind working_day \
        --reason "Chưa có trong Bộ luật Lao động" --by admin [--decision "12/QĐ-UBND ngày 01/11/2026"]

Lists the year's days off and make-up working days with their sources (statutory holiday from the
`holidays` package, a named government decision, or an administrator), and says which are still
waiting for confirmation. Confirming or overriding recomputes every running deadline the day touches,
through workflows.clocks (the same path as the admin and the API), audited on each case moved.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.choices import CalendarDayKind, CalendarSource
from casework.rules.calendar import DayStatus, WorkingCalendar
from workflows.clocks import confirm_calendar_day, override_calendar_day
from workflows.errors import RuleViolation


def describe(status: DayStatus) -> str:
    """One line of the review: date, weekday, how it counts, name, source, confirmation."""
    if status.pending:
        counted = _("not counted yet: working day until confirmed")
    elif status.working:
        counted = _("working day")
    else:
        counted = _("day off")
    source = CalendarSource(status.source).label if status.source else ""
    if status.reference:
        source = f"{source}: {status.reference}"
    if status.pending:
        confirmed = _("UNCONFIRMED")
    elif status.confirmed_by:
        confirmed = _("confirmed by %(user)s on %(when)s") % {
            "user": status.confirmed_by,
            "when": formats.date_format(status.confirmed_at, "SHORT_DATETIME_FORMAT")
            if status.confirmed_at
            else "",
        }
    else:
        confirmed = _("as shipped")
    line = " | ".join(
        [
            f"{status.day:%d/%m/%Y} {formats.date_format(status.day, 'D')}",
            str(counted),
            status.name,
            str(source),
            str(confirmed),
        ]
    )
    return f"{line}\n    {status.note}" if status.note else line


class Command(BaseCommand):
    help = "List a year's days off and make-up working days with their sources; confirm or override a day."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--confirm", type=date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument("--override", type=date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument("--kind", choices=CalendarDayKind.values)
        parser.add_argument("--reason", default="")
        parser.add_argument("--decision", default="", help="Number and date of the decision, if any.")
        parser.add_argument("--by", help="Username of the administrator confirming or overriding.")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options) -> None:
        year = options["year"]
        for flag in ("confirm", "override"):
            if options[flag] and options[flag].year != year:
                raise CommandError(_("--%(flag)s must be a day of %(year)d.") % {"flag": flag, "year": year})
        if options["confirm"] or options["override"]:
            actor = self._administrator(options["by"])
            try:
                if options["confirm"]:
                    moved = confirm_calendar_day(day=options["confirm"], actor=actor)
                else:
                    if not options["kind"]:
                        raise CommandError(_("--override needs --kind."))
                    moved = override_calendar_day(
                        day=options["override"],
                        kind=options["kind"],
                        reason=options["reason"],
                        decision_reference=options["decision"],
                        actor=actor,
                    )
            except RuleViolation as exc:
                raise CommandError(f"{exc.code}: {exc.message}") from exc
            self.stdout.write(
                ngettext("%(n)d running deadline moved.", "%(n)d running deadlines moved.", moved)
                % {"n": moved}
            )
        review = WorkingCalendar.load().year_review(year)
        self.stdout.write(_("Days off and make-up working days in %(year)d") % {"year": year})
        for status in review:
            self.stdout.write(describe(status))
        pending = sum(s.pending for s in review)
        if pending:
            self.stdout.write(_("%(n)d day(s) waiting for an administrator's confirmation.") % {"n": pending})

    @staticmethod
    def _administrator(username: str | None):
        if not username:
            raise CommandError(_("Say who confirms or overrides with --by USERNAME."))
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not user.has_perm("casework.change_calendarday"):
            raise CommandError(_("%(user)s may not change the calendar.") % {"user": username})
        return user
