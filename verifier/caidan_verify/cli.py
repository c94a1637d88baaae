"""``caidan-verify SOURCE [--save DIR] [--quiet]``

SOURCE is a directory of saved JSON files (see ``sources``) or a Caidan site's base URL
(``https://…``), which is downloaded first (into ``--save DIR`` to check again offline).

Exit status: 0 when every check agrees with what was published, 1 on any disagreement,
2 when the data cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__, checks, sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="caidan-verify",
        description="Recompute Caidan's published expert draws, rankings, evaluation grades, "
        "payment gates and track-record points from its public data.",
    )
    parser.add_argument("source", help="a directory of saved JSON files, or a base URL")
    parser.add_argument("--save", metavar="DIR", help="with a URL: save what was downloaded")
    parser.add_argument("--quiet", action="store_true", help="print only failures and totals")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)

    def out(text: str) -> None:
        print(text, flush=False)

    try:
        if args.source.startswith(("http://", "https://")):
            print(f"downloading the published data of {args.source}")
            published = sources.crawl(sources.url_fetch(args.source), log=out)
            if args.save:
                sources.save(published, args.save)
                print(f"saved to {args.save}")
        else:
            published = sources.load(args.source)
    except (OSError, ValueError) as exc:
        print(f"caidan-verify: cannot read the published data: {exc}", file=sys.stderr)
        return 2

    report = checks.Report(out=(lambda text: None) if args.quiet else out)
    checks.run_all(published, report)
    print("")
    if not report.checked:
        print(f"caidan-verify: nothing to check in {args.source} (see docs/verifier.md for "
              "the files it reads)", file=sys.stderr)  # fmt: skip
        return 2
    if report.failures:
        print(f"FAILED: {len(report.failures)} of {report.checked} checks disagree with what "
              "was published:")  # fmt: skip
        for failure in report.failures:
            print(f"  - {failure}")
        return 1
    print(f"OK: all {report.checked} checks agree with what was published.")
    return 0
