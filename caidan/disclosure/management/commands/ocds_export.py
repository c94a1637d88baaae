"""Export every approved project's contracting process as OCDS 1.1.5.

    python manage.py ocds_export --releases releases.json   # one release package
    python manage.py ocds_export --records records.json     # one record package
    python manage.py ocds_export --jsonl DIR                # DIR/<ocid>.jsonl per process

JSONL: one file per process named ``<ocid>.jsonl``, holding one line: that process's record
package (with its one record: embedded releases and the compiled release).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caidan.disclosure import ocds


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Command(BaseCommand):
    help = "导出开放合同数据（OCDS 1.1.5）：发布包、记录包或每个项目一个 JSONL 文件。"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--releases", metavar="FILE", help="write one release package")
        group.add_argument("--records", metavar="FILE", help="write one record package")
        group.add_argument("--jsonl", metavar="DIR", help="one <ocid>.jsonl per process")
        parser.add_argument("--uri", default="", help="the package uri (default: the API URL)")

    def handle(self, *args, **opts):
        proposals = ocds.approved_proposals().order_by("id")
        if opts["releases"]:
            items = [
                r
                for p in ocds.each_process(proposals)
                for r in ocds.releases_for(p, prefetched=True)
            ]
            if not items:
                raise CommandError("没有可导出的已立项项目。")
            package = ocds.release_package(items, uri=opts["uri"])
            Path(opts["releases"]).write_text(_dump(package) + "\n", encoding="utf-8")
            self.stdout.write(f"{len(items)} releases → {opts['releases']}")
        elif opts["records"]:
            records = [ocds.record_for(p, prefetched=True) for p in ocds.each_process(proposals)]
            if not records:
                raise CommandError("没有可导出的已立项项目。")
            package = ocds.record_package(records, uri=opts["uri"])
            Path(opts["records"]).write_text(_dump(package) + "\n", encoding="utf-8")
            self.stdout.write(f"{len(records)} records → {opts['records']}")
        else:
            out = Path(opts["jsonl"])
            out.mkdir(parents=True, exist_ok=True)
            count = 0
            for proposal in ocds.each_process(proposals):
                record = ocds.record_for(proposal, prefetched=True)
                package = ocds.record_package([record], uri=opts["uri"])
                (out / f"{record['ocid']}.jsonl").write_text(
                    _dump(package) + "\n", encoding="utf-8"
                )
                count += 1
            self.stdout.write(f"{count} processes → {out}/")
