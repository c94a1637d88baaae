"""Walk the audit chain; exit 1 naming the first broken event if any row was altered. With
``--anchors <file or URL>``, also check the chain against every published anchor."""

from django.core.management.base import BaseCommand, CommandError

from caidan.audit.anchors import fetch_anchors, verify_against_anchors
from caidan.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log (审计日志完整性校验)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            metavar="FILE_OR_URL",
            help="a copy of the published anchors (JSON Lines file, or an http(s) URL such as "
            "https://<site>/open/data/audit-anchors.jsonl) to check the chain against",
        )
        parser.add_argument(
            "--public-key",
            action="append",
            metavar="KEY_ID:BASE64",
            help="trust only this anchor-signing public key (repeatable); default: the keys "
            "this installation publishes",
        )
        parser.add_argument("--timeout", type=float, default=30.0, help="URL fetch timeout (s)")

    def handle(self, *args, **options):
        report = audit_chain_verify()
        problems = []
        if not report.ok:
            problems.append(
                f"BROKEN at event #{report.broken_seq}"
                + (f" (id {report.broken_id})" if report.broken_id else "")
                + f": {report.reason}; {report.checked} events verified before it."
            )
        anchored = ""
        if options.get("anchors"):
            keys = None
            if options.get("public_key"):
                keys = {}
                for item in options["public_key"]:
                    key_id, _, b64 = item.rpartition(":")
                    keys[key_id or "*"] = b64  # without an id: for any key id
            try:
                anchors = fetch_anchors(options["anchors"], timeout=options["timeout"])
            except (OSError, ValueError) as exc:
                raise CommandError(
                    f"cannot read anchors from {options['anchors']}: {exc}"
                ) from None
            if not anchors:
                raise CommandError(f"no anchors in {options['anchors']}")
            result = verify_against_anchors(anchors, keys=keys)
            problems += [f"ANCHOR {p}" for p in result.problems]
            if result.newest:
                anchored = (
                    f"; {result.checked} of {len(anchors)} anchors match (newest "
                    f"{result.newest.get('day')} #{result.newest.get('seq')})"
                )
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(f"OK: {report.checked} events, chain intact{anchored}.")
