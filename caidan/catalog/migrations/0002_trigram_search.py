"""Substring search (``icontains``) on item names and descriptions, indexed on PostgreSQL.

Django turns ``name__icontains=q`` into ``UPPER(name::text) LIKE UPPER('%q%')``; a B-tree
cannot serve a leading wildcard, a trigram GIN index on the same expression can (pg_trgm
splits Chinese text into trigrams too). Creating the extension needs the right privilege:
where it is missing and cannot be created, the indexes are skipped (search still works,
scanning one version's few hundred rows). SQLite has no equivalent; nothing to do there.
"""

from django.db import migrations, transaction

INDEXES = {
    "catalog_item_name_trgm": "UPPER(name::text)",
    "catalog_item_desc_trgm": "UPPER(description::text)",
}


def _has_trgm(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return True
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if not cursor.fetchone():
            return False
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no privilege: search works without the index
        return False
    return True


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not _has_trgm(connection):
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON catalog_catalogitem "
            f"USING gin ({expression} gin_trgm_ops)",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
