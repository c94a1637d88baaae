"""Keep contracts_contract.title's grams in a stored column, so an ordered scan checks a stored
tsvector per row instead of computing caidan_grams (see STORED_GRAMS in
``caidan/common/search.py``). PostgreSQL only; the table is rewritten once."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_chinese_search")]
    operations = [
        search.stored_grams_operation("contracts_contract", "title", "contract_title_grams"),
    ]
