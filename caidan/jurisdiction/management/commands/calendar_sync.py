"""Load official holiday schedules from the chinesecalendar library (rerun after upgrading it).

manage.py calendar_sync --years 2024-2027
manage.py calendar_sync --years 2027 --force   # also replace a year entered by hand
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from caidan.common.actor import Actor
from caidan.common.calendar import next_year_missing
from caidan.common.calendar_sources import library_source, library_years
from caidan.jurisdiction.services import calendar_year_sync


def parse_years(text: str) -> list[int]:
    years: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            a, b = int(first), int(last or first)
        except ValueError as exc:
            raise CommandError(f"年份格式无效：{part!r}（示例：2024-2027 或 2026,2027）") from exc
        if not (2000 <= a <= b <= 2200):
            raise CommandError(f"年份范围无效：{part!r}")
        years.extend(range(a, b + 1))
    return sorted(set(years))


class Command(BaseCommand):
    help = "从 chinesecalendar 库载入国务院公布的节假日与调休安排，并记录已载入的年度。"

    def add_arguments(self, parser):
        this_year = timezone.localdate().year
        parser.add_argument(
            "--years",
            default=f"{this_year - 1}-{this_year + 1}",
            help="年份或范围，如 2024-2027 或 2026,2027（默认：去年到明年）",
        )
        parser.add_argument("--force", action="store_true", help="也覆盖管理员按通知录入的年度")

    def handle(self, *args, **options):
        years = parse_years(options["years"])
        self.stdout.write(
            f"来源：{library_source()}，库中已公布年度 {min(library_years())}–"
            f"{max(library_years())}"
        )
        outcome = calendar_year_sync(years=years, actor=Actor.system(), force=options["force"])
        labels = {
            "loaded": "已载入",
            "unchanged": "已载入（无变化）",
            "kept": "保留管理员按通知录入的安排（--force 可覆盖）",
            "not in library": "库中尚无该年安排：请在“节假日与调休”页面按国务院办公厅通知录入",
        }
        for year, what in outcome.items():
            line = f"{year}：{labels[what]}"
            self.stdout.write(self.style.WARNING(line) if what == "not in library" else line)
        missing = next_year_missing()
        if missing:
            self.stdout.write(self.style.WARNING(f"注意：{missing} 年的节假日安排尚未载入。"))
