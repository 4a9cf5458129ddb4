"""On PostgreSQL, a trigram index lets a search for part of a name (``search_name LIKE '%...%'``) find
the people without reading them all. pg_trgm is a trusted extension: the database owner may create it."""

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS party_search_name_trgm ON casework_party "
        "USING gin (search_name gin_trgm_ops)"
    )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS party_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_party_search_name"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
