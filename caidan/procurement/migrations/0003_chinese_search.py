"""Chinese search on procurement_tender, served by gram indexes on PostgreSQL (see
``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0002_draw_commitment_and_compliance"),
        ("common", "0004_chinese_search"),
    ]
    operations = [
        search.gram_index_operation("procurement_tender", {"tender_title_grams": "title"}),
    ]
