"""On PostgreSQL, the registry's ordered lists walk an index in their order: a keyset page
reads its rows, not a sort of every row of the filter (EXPLAIN, sorts ruled out)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's"
)


def _plan(sql: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(r[0] for r in cursor.fetchall())


def test_the_directory_of_a_field_is_an_index_walk(world):
    """/orgs/directory/<field>/ and /api/v1/orgs/directory: highest grade first, then the
    newest entry; at 1M organizations a sort of the field's 24,000 entries cost 14 ms a
    page."""
    from caidan.orgs.selectors import directory_list

    with CaptureQueriesContext(connection) as ctx:
        directory_list(field="elderly")
    (sql,) = [q["sql"] for q in ctx.captured_queries if "orgs_directoryentry" in q["sql"]][:1]
    plan = _plan(sql)
    assert "Index Scan using directory_field on orgs_directoryentry" in plan, plan
    assert "Sort" not in plan, plan
