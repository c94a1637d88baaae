"""Load the official holiday schedules of 2024–2026 from the chinesecalendar library.

A fixed list of years, so that every database built from these migrations is the same
whatever library version is installed; later years are loaded with
``manage.py calendar_sync`` or entered from the State Council notice on the calendar page.
Days already present that the notice does not list are kept (an administrator's entry).
"""

from django.db import migrations
from django.utils import timezone

YEARS = (2024, 2025, 2026)


def load(apps, schema_editor):
    from caidan.common.calendar_sources import library_schedule, library_source, store_schedule

    day_model = apps.get_model("common", "CalendarDay")
    year_model = apps.get_model("common", "CalendarYear")
    for year in YEARS:
        if year_model.objects.filter(year=year).exists():
            continue
        schedule = library_schedule(year)
        if schedule is None:
            continue
        store_schedule(
            schedule,
            day_model=day_model,
            year_model=year_model,
            source=library_source(),
            loaded_by="系统（数据迁移）",
            now=timezone.now(),
            replace=False,
        )


class Migration(migrations.Migration):
    dependencies = [("common", "0002_calendar_year")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
