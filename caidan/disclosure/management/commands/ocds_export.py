"""Export every approved project's contracting process as OCDS 1.1.5.

    python manage.py ocds_export --releases releases.json   # one release package
    python manage.py ocds_export --releases releases.json.gz  # the same, gzip-compressed
    python manage.py ocds_export --records records.json     # one record package
    python manage.py ocds_export --jsonl DIR                # DIR/<ocid>.jsonl per process

Packages are written as they are built, ``--batch`` processes at a time (``ocds.stream``):
memory stays flat whatever the number of processes. A FILE ending in ``.gz`` is written
gzip-compressed; ``--gzip`` adds the ``.gz`` to a name without it. Each file is written to
a temporary name and renamed when complete.

JSONL: one file per process named ``<ocid>.jsonl``, holding one line: that process's record
package (with its one record: embedded releases and the compiled release).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caidan.disclosure import ocds


class Command(BaseCommand):
    help = "导出开放合同数据（OCDS 1.1.5）：发布包、记录包或每个项目一个 JSONL 文件；边生成边写出，内存占用恒定。"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--releases", metavar="FILE", help="write one release package")
        group.add_argument("--records", metavar="FILE", help="write one record package")
        group.add_argument("--jsonl", metavar="DIR", help="one <ocid>.jsonl per process")
        parser.add_argument("--uri", default="", help="the package uri (default: the API URL)")
        parser.add_argument(
            "--gzip", action="store_true", help="gzip the package (FILE.gz); implied by FILE.gz"
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=ocds.stream.BATCH,
            help=f"processes read and held at a time (default {ocds.stream.BATCH})",
        )

    def handle(self, *args, **opts):
        batch = opts["batch"]
        if batch < 1:
            raise CommandError("--batch 至少为 1。")
        if not ocds.approved_proposals().exists():
            raise CommandError("没有可导出的已立项项目。")
        started = time.perf_counter()
        if opts["releases"] or opts["records"]:
            kind = "releases" if opts["releases"] else "records"
            path = Path(opts[kind])
            if opts["gzip"] and path.suffix != ".gz":
                path = path.with_name(path.name + ".gz")
            chunks = (
                ocds.release_package_chunks if kind == "releases" else ocds.record_package_chunks
            )
            tally = ocds.Tally()
            size = ocds.write_chunks(chunks(uri=opts["uri"], batch=batch, tally=tally), path)
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"{tally.items} {kind} of {tally.processes} processes → {path} "
                f"({size / 1e6:.1f} MB of JSON in {seconds:.1f} s, "
                f"{tally.items / max(seconds, 1e-9):.0f} {kind}/s)"
            )
            return

        out = Path(opts["jsonl"])
        out.mkdir(parents=True, exist_ok=True)
        count = 0
        for proposal in ocds.each_process(batch=batch):
            record = ocds.record_for(proposal, prefetched=True)
            package = ocds.record_package([record], uri=opts["uri"])
            (out / f"{record['ocid']}.jsonl").write_bytes(ocds.dumps(package) + b"\n")
            count += 1
        self.stdout.write(f"{count} processes → {out}/")
