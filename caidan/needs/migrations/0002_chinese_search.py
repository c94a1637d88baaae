"""Chinese search on needs and menus, served by gram indexes on PostgreSQL (see
``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_initial"), ("common", "0004_chinese_search")]
    operations = [
        search.gram_index_operation(
            "needs_need", {"need_text_grams": "text", "need_community_grams": "community"}
        ),
        search.gram_index_operation(
            "needs_menu", {"menu_title_grams": "title", "menu_desc_grams": "description"}
        ),
    ]
