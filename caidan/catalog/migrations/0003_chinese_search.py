"""Chinese search on catalog_catalogitem, served by gram indexes on PostgreSQL (see
``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


def _drop_trigram(apps, schema_editor):
    # the gram index serves every term the trigram index served, and two-character ones
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_item_name_trgm", params=None)
        schema_editor.execute("DROP INDEX IF EXISTS catalog_item_desc_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_trigram_search"), ("common", "0004_chinese_search")]
    operations = [
        search.gram_index_operation(
            "catalog_catalogitem",
            {"catalog_item_name_grams": "name", "catalog_item_desc_grams": "description"},
        ),
        migrations.RunPython(_drop_trigram, migrations.RunPython.noop),
    ]
