"""A contract's budget lines (预算明细): the provider's fund-usage statements start from them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("contracts", "0003_stored_search_grams")]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="budget_lines",
            field=models.JSONField(blank=True, default=list, verbose_name="预算明细"),
        ),
    ]
