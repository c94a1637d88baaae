"""Substring search on organization names at scale (PostgreSQL): a trigram GIN index on
UPPER(name), which is what Django's ``icontains`` compares. SQLite needs no index here."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS org_name_trgm ON orgs_organization USING gin (UPPER(name) gin_trgm_ops);
"""
DROP = "DROP INDEX IF EXISTS org_name_trgm;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_creditrecord_directoryentry_grade_organizationfield_and_more")]
    operations = [migrations.RunPython(forwards, backwards)]
