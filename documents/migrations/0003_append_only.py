"""On PostgreSQL the database refuses UPDATE and DELETE on issued documents, like the audit trail
(casework 0003): a correction is a new document, never an edit."""

from django.db import migrations

TABLE = "documents_document"


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # casework_refuse_change() is created by casework.0003_append_only_triggers.
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION casework_refuse_change()"
    )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_seed_templates"), ("casework", "0003_append_only_triggers")]

    operations = [migrations.RunPython(install, uninstall)]
