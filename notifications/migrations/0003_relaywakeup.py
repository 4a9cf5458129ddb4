"""The relay's pending wake-up flag (notifications.wakeup), with its one row."""

from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("notifications", "RelayWakeup").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_field_labels")]

    operations = [
        migrations.CreateModel(
            name="RelayWakeup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("requested_at", models.DateTimeField(blank=True, null=True, verbose_name="wake-up sent at")),
            ],
            options={"verbose_name": "relay wake-up", "verbose_name_plural": "relay wake-ups"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
