"""Chinese search on disclosure_notice, served by gram indexes on PostgreSQL (see
``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0002_notice"), ("common", "0004_chinese_search")]
    operations = [
        search.gram_index_operation(
            "disclosure_notice",
            {"notice_title_grams": "title", "notice_docno_grams": "document_number"},
        ),
    ]
