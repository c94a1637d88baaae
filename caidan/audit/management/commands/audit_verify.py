"""Walk the audit chain; exit 1 naming the first broken event if any row was altered."""

from django.core.management.base import BaseCommand, CommandError

from caidan.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log (审计日志完整性校验)."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"BROKEN at event #{report.broken_seq}"
                + (f" (id {report.broken_id})" if report.broken_id else "")
                + f": {report.reason}; {report.checked} events verified before it."
            )
        self.stdout.write(f"OK: {report.checked} events, chain intact.")
