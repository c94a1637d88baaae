"""Sign and store today's audit-chain anchor now (the tick job ``audit.anchor`` does it daily),
or print a new signing key."""

from django.core.management.base import BaseCommand, CommandError

from caidan.audit.anchors import AnchorRefused, anchor_line, audit_anchor_create, new_anchor_key


class Command(BaseCommand):
    help = "Anchor the audit chain head (发布今日审计链锚点); --new-key prints a signing key."

    def add_arguments(self, parser):
        parser.add_argument(
            "--new-key",
            metavar="KEY_ID",
            nargs="?",
            const="k1",
            help="print a fresh AUDIT_ANCHOR_KEY value (with this key id) and exit",
        )

    def handle(self, *args, **options):
        if options["new_key"]:
            self.stdout.write(new_anchor_key(options["new_key"]))
            return
        try:
            anchor, created = audit_anchor_create()
        except AnchorRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            ("anchored: " if created else "already anchored today: ") + anchor_line(anchor)
        )
