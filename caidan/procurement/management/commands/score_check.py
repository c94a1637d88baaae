"""``manage.py score_check FILE``: recompute a ranking from a JSON file (no database).

A thin wrapper of ``caidan.procurement.score_check``; see that module for the format.
"""

from django.core.management.base import BaseCommand, CommandError

from caidan.common.errors import DomainError
from caidan.procurement.score_check import check_file, dumps


class Command(BaseCommand):
    help = "Recompute the bid ranking from an evaluation JSON file (评标结果复核)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="evaluation input JSON file")

    def handle(self, *args, **options):
        try:
            output = check_file(options["file"])
        except DomainError as exc:
            where = f"（{exc.field}）" if exc.field else ""
            raise CommandError(f"输入无效{where}：{exc.message}", returncode=2) from None
        self.stdout.write(dumps(output))
