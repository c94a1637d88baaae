"""Chinese search on orgs_organization, served by gram indexes on PostgreSQL (see
``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


def _drop_trigram(apps, schema_editor):
    # the gram index serves every term the trigram index served, and two-character ones
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS org_name_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_current_grade"), ("common", "0004_chinese_search")]
    operations = [
        search.gram_index_operation("orgs_organization", {"org_name_grams": "name"}),
        migrations.RunPython(_drop_trigram, migrations.RunPython.noop),
    ]
