from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Recompute the plan totals and the statistics snapshots from the rows (after a bulk "
        "load; idempotent). --check only compares the stored plan totals with the rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="exit 1 if the plan totals differ from the rows"
        )

    def handle(self, *args, check=False, **options):
        if check:
            from caidan.projects.totals import plan_totals_computed, plan_totals_stored

            stored, computed = plan_totals_stored(), plan_totals_computed()
            wrong = sorted(
                k for k in set(stored) | set(computed) if stored.get(k) != computed.get(k)
            )
            for key in wrong[:20]:
                self.stdout.write(f"{key}: stored {stored.get(key)}, rows {computed.get(key)}")
            if wrong:
                raise CommandError(f"{len(wrong)} plan total(s) differ from the rows")
            self.stdout.write(f"plan totals match the rows ({len(stored)} rows)")
            return
        from caidan.stats.snapshots import totals_rebuild

        for name, rows in totals_rebuild().items():
            self.stdout.write(f"{name}: {rows}")
