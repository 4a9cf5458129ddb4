"""On PostgreSQL the petitioner search reads the trigram index (casework migration 0007) rather than
every person on file."""

import pytest
from django.db import connection

from casework.models import Party
from casework.text import fold

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL-only"),
]


def test_a_name_search_can_use_the_trigram_index(db):
    names = [f"Người {n}" for n in range(200)]
    Party.objects.bulk_create(Party(full_name=name, search_name=fold(name)) for name in names)
    query = Party.objects.filter(search_name__contains=fold("Người 17")).values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is cheaper to scan; forbid that to see that the index can answer.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "party_search_name_trgm" in plan
        cursor.execute(sql, params)
        assert len(cursor.fetchall()) == 11  # Người 17 and Người 170–179
