"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit trail and the personal
data access log, so not even a bulk queryset call or a stray SQL session can rewrite history."""

from django.db import migrations

TABLES = ("casework_caseevent", "casework_accesslog")

FUNCTION = """
CREATE OR REPLACE FUNCTION casework_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION casework_refuse_change()"
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS casework_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_case_awaiting_citizen")]

    operations = [migrations.RunPython(install, uninstall)]
