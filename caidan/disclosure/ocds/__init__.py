"""Open Contracting Data Standard 1.1.5 export (DOMAIN.md §3.7, §5).

One contracting process per approved project: ``ocid = f"{OCDS_OCID_PREFIX}-{proposal.pk}"``.
Each public event of the process is one release; releases carry *cumulative* snapshots of
their arrays (parties; the arrays of ``builder.CUMULATIVE`` — lots, items, documents,
amendments, bids, awards, contracts, complaints — merged by id over the whole process;
transactions, milestones, metrics as their writer lists them), so merging them gives the same
compiled release whether arrays are merged by identifier or replaced.

Redaction: only public facts are read. A bid's price and status are read only once
``tender.opened_at`` is set; sealed content, nonces, people (names, phones, ID numbers),
experts and organizations' contact data are never read.

Extensions used: bids (``bids.statistics`` / ``bids.details``, ``award.relatedBid``) and
metrics (``contract.implementation.metrics`` for published evaluations) and lots (a tender in
lots: ``tender.lots``, ``relatedLot(s)`` on items, documents, bids and awards; an amendment to
one lot is one of the tender's ``amendments`` naming the lot in its text, ``lots``); the
offline copies are in ``OCDS_SCHEMA_DIR``.

The package: ``schema`` (the offline schemas, validation), ``values`` (ids, dates, amounts),
``builder`` (events → releases, parties), ``tender`` and ``contract`` (the releases of each
stage), ``prefetch`` (what they read, in a fixed number of queries), ``releases`` (releases,
records and packages), ``stream`` (packages written as they are built, in constant memory).
Everything callers use is importable from here.
"""

from .builder import Builder
from .prefetch import approved_proposals, each_process, prefetch
from .releases import (
    compile_releases,
    package,
    record_for,
    record_package,
    release_package,
    releases_for,
)
from .schema import (
    EXTENSION_DIRS,
    EXTENSIONS,
    LICENSE,
    PUBLISHER,
    RELEASE_SCHEMA_URL,
    SCHEMA_VERSION,
    VERSION,
    merge_patch,
    package_schema,
    release_schema,
    schema_available,
    schema_dir,
    validation_errors,
)
from .stream import Tally, dumps, record_package_chunks, release_package_chunks, write_chunks
from .tender import AWARD_STATUS, PROCUREMENT_METHOD
from .values import CURRENCY, SHANGHAI, money, ocid_for, org_party_id, unit_party_id, when

__all__ = [
    "AWARD_STATUS",
    "CURRENCY",
    "EXTENSIONS",
    "EXTENSION_DIRS",
    "LICENSE",
    "PROCUREMENT_METHOD",
    "PUBLISHER",
    "RELEASE_SCHEMA_URL",
    "SCHEMA_VERSION",
    "SHANGHAI",
    "Tally",
    "VERSION",
    "Builder",
    "approved_proposals",
    "compile_releases",
    "dumps",
    "each_process",
    "merge_patch",
    "money",
    "ocid_for",
    "org_party_id",
    "package",
    "package_schema",
    "prefetch",
    "record_for",
    "record_package",
    "record_package_chunks",
    "release_package",
    "release_package_chunks",
    "release_schema",
    "releases_for",
    "schema_available",
    "schema_dir",
    "unit_party_id",
    "validation_errors",
    "when",
    "write_chunks",
]
