"""Create ``caidan_grams(text)``, the function every Chinese search index is built on
(PostgreSQL only; see ``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [("common", "0003_load_official_calendar")]
    operations = [
        search.function_operation(),
    ]
