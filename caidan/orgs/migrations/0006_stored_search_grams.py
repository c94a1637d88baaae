"""Keep orgs_organization.name's grams in a stored column, so an ordered scan checks a stored
tsvector per row instead of computing caidan_grams (see STORED_GRAMS in
``caidan/common/search.py``). PostgreSQL only; the table is rewritten once."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [("orgs", "0005_chinese_search")]
    operations = [
        search.stored_grams_operation("orgs_organization", "name", "org_name_grams"),
    ]
