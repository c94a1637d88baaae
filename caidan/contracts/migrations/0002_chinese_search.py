"""Chinese search on contracts_contract, served by gram indexes on PostgreSQL (see
``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("common", "0004_chinese_search")]
    operations = [
        search.gram_index_operation("contracts_contract", {"contract_title_grams": "title"}),
    ]
