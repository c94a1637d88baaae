"""Chinese search on projects_proposal, served by gram indexes on PostgreSQL (see
``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_plan_totals"), ("common", "0004_chinese_search")]
    operations = [
        search.gram_index_operation("projects_proposal", {"proposal_title_grams": "title"}),
    ]
