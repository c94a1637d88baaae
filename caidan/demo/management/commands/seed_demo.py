from django.core.management.base import BaseCommand

from caidan.demo.data import seed


class Command(BaseCommand):
    help = (
        "Create the demo jurisdiction (长宁区) and one demo user per role. Idempotent. "
        "With --midyear, also one contracting process at every stage (see docs/demo.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--midyear",
            action="store_true",
            help="land the demo mid-year: one 江苏路街道 process at every stage",
        )

    def handle(self, *args, midyear=False, **options):
        from django.test.utils import override_settings

        # The demo's notices go to made-up addresses: kept in the in-app inbox, not printed
        # to the console (the development email backend) where they would bury the accounts.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            changed = self._seed(midyear)
        self._ocds_bulk(changed)

    def _ocds_bulk(self, changed: bool) -> None:
        """The OCDS bulk files of /open/data/, so its links work from the first run (the
        tick rebuilds them hourly after that); rebuilt when the seeding changed the data."""
        from caidan.disclosure.bulk import bulk_dir, ocds_bulk_build

        processes = ocds_bulk_build(force=changed)
        if processes:
            self.stdout.write(f"OCDS bulk files built: {processes} processes in {bulk_dir()}/.")

    def _seed(self, midyear: bool) -> bool:
        """Seed; True when anything was created."""
        created = seed()
        if any(created.values()):
            parts = ", ".join(f"{k}: {v}" for k, v in created.items() if v)
            self.stdout.write(f"Demo jurisdiction loaded ({parts}).")
        else:
            self.stdout.write("Demo jurisdiction already present; nothing to do.")
        if midyear:
            from caidan.common.errors import DomainError
            from caidan.demo.midyear import seed_midyear

            try:
                result = seed_midyear()
            except DomainError as exc:  # e.g. a demo database its users have changed
                self.stderr.write(f"Mid-year processes not loaded (nothing written): {exc}")
                return any(created.values())
            if not result.created:
                self.stdout.write("Mid-year processes already present; nothing to do.")
                return any(created.values())
            self.stdout.write(f"Mid-year processes loaded ({len(result.stages)} stages):")
            for key, what in result.stages.items():
                self.stdout.write(f"  {key:<15} {what}")
            self.stdout.write(
                f"Satisfaction survey {result.survey_url} — one-time tokens (shown once): "
                + " ".join(result.survey_tokens[:5])
            )
            # Today's signed anchor of the audit chain, so /open/audit-anchors/ has one from
            # the first run (the tick makes one a day after that).
            from caidan.audit.anchors import audit_anchor_create

            anchor, _ = audit_anchor_create()
            self.stdout.write(f"Audit chain anchored at event {anchor.seq} (/open/audit-anchors/).")
            return True
        return any(created.values())
