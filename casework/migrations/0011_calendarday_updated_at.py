"""CalendarDay.updated_at: with the row count, the stamp that tells a process its cached working
calendar (casework.rules.calendar) is out of date. Existing rows take the time of the migration."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casework", "0010_calendarday_source")]

    operations = [
        migrations.AddField(
            model_name="calendarday",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="updated at"),
            preserve_default=False,
        ),
    ]
