"""The OCDS bulk files of ``/open/data/`` (DOMAIN.md §5), built in one pass over every public
contracting process into ``settings.OCDS_BULK_DIR``:

* ``releases.json`` — one release package with every release;
* ``releases.json.gz`` — the same bytes, gzip-compressed;
* ``records.jsonl.gz`` — one line per process: a record package with its one record.

They are written as they are built (``ocds.stream``: one batch of processes in memory at a
time), each to a temporary file renamed into place when complete, so a reader never sees
half a file. The tick job ``disclosure.ocds_bulk`` rebuilds them when the last build is an
hour old; ``manage.py seed_demo`` builds them once, so the demo's links work from the
first ``make run``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from caidan.common.tick import tick_job

RELEASES_FILE = "releases.json"
RELEASES_GZ_FILE = "releases.json.gz"
RECORDS_FILE = "records.jsonl.gz"
# kind → file name, in the order the download page lists them
BULK_FILES = {"releases": RELEASES_FILE, "releases_gz": RELEASES_GZ_FILE, "records": RECORDS_FILE}
BULK_INTERVAL = dt.timedelta(hours=1)


def bulk_dir() -> Path:
    return Path(settings.OCDS_BULK_DIR)


def bulk_path(kind: str) -> Path | None:
    """The latest complete build of ``kind`` (a key of ``BULK_FILES``), or None."""
    name = BULK_FILES.get(kind)
    if name is None:
        return None
    path = bulk_dir() / name
    return path if path.is_file() else None


def _site_url(path: str) -> str:
    base = (getattr(settings, "SITE_URL", "") or "https://caidan.invalid").rstrip("/")
    return f"{base}{path}"


def build_ocds_bulk(directory: Path | None = None) -> int:
    """Write the bulk files into ``directory`` (default ``OCDS_BULK_DIR``) in one pass: each
    process's releases go to the release package (plain and gzip) and, as its record, to the
    records file. Returns the number of processes. Memory stays flat."""
    from django.urls import reverse

    from caidan.disclosure import ocds

    directory = Path(directory or bulk_dir())
    releases_uri = _site_url(reverse("disclosure:ocds_bulk", args=[RELEASES_FILE]))
    records_uri = _site_url(reverse("disclosure:ocds_bulk", args=[RECORDS_FILE]))
    tally = ocds.Tally()
    paths = (directory / RELEASES_FILE, directory / RELEASES_GZ_FILE, directory / RECORDS_FILE)
    with ocds.stream.AtomicFiles(*paths) as (releases_out, releases_gz, records_out):

        def write_record(proposal, releases: list[dict]) -> None:
            record = ocds.record_for(proposal, releases=releases)
            package = ocds.record_package([record], uri=records_uri)
            records_out.write(ocds.dumps(package) + b"\n")

        for chunk in ocds.release_package_chunks(uri=releases_uri, tally=tally, each=write_record):
            releases_out.write(chunk)
            releases_gz.write(chunk)
    return tally.processes


def bulk_is_fresh(now: dt.datetime, directory: Path | None = None) -> bool:
    directory = Path(directory or bulk_dir())
    built = [directory / name for name in BULK_FILES.values()]
    if not all(p.is_file() for p in built):
        return False
    oldest = min(p.stat().st_mtime for p in built)
    return now.timestamp() - oldest < BULK_INTERVAL.total_seconds()


def ocds_bulk_build(*, now: dt.datetime | None = None, force: bool = False) -> int:
    """Build the bulk files unless a build of the last hour is complete (``force``: build
    anyway). On one host a lock file keeps two builds from running at once (the second
    returns 0); across hosts each build is complete and atomic, so the last rename wins.
    Returns the number of processes written."""
    now = now or timezone.now()
    if not force and bulk_is_fresh(now):
        return 0
    directory = bulk_dir()
    directory.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return build_ocds_bulk(directory)
    with open(directory / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another build is running right now
        if not force and bulk_is_fresh(now):
            return 0
        return build_ocds_bulk(directory)


@tick_job("disclosure.ocds_bulk")
def ocds_bulk_tick(now: dt.datetime) -> int:
    """Rebuild the OCDS bulk files when the last build is an hour old (or missing)."""
    return ocds_bulk_build(now=now)
