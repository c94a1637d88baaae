"""Chinese search on enquiries_enquiry, served by gram indexes on PostgreSQL (see
``caidan/common/search.py``)."""

from django.db import migrations

from caidan.common import search


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0001_initial"), ("common", "0004_chinese_search")]
    operations = [
        search.gram_index_operation(
            "enquiries_enquiry",
            {
                "enquiry_pub_title_grams": "published_title",
                "enquiry_pub_body_grams": "published_body",
                "enquiry_pub_answer_grams": "published_answer",
            },
        ),
    ]
