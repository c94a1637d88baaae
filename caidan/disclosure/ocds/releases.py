"""One process's releases and record (with the compiled release), and the packages that
carry them."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from .builder import Builder
from .contract import add_contract
from .lots import add_lots
from .prefetch import prefetch
from .schema import EXTENSIONS, LICENSE, PUBLISHER, VERSION, release_schema, schema_available
from .tender import add_planning, add_tender
from .values import ocid_for, when


def releases_for(proposal, *, prefetched: bool = False) -> list[dict]:
    """The OCDS releases of one approved project, oldest first. ``prefetched``: the caller
    ran ``prefetch`` on a batch including it (``each_process`` does)."""
    if not prefetched:
        prefetch([proposal])
    b = Builder(proposal)
    add_planning(b)
    # a tender in lots is one tender with ``lots[]``; its lots' documents, amendments, bids
    # and awards name their lot
    lots: dict[int, list] = {}
    for tender in proposal.ocds_tenders:
        if tender.parent_id is not None:
            lots.setdefault(tender.parent_id, []).append(tender)
    for tender in proposal.ocds_tenders:
        if tender.parent_id is None:
            add_tender(b, tender, lots.get(tender.pk, ()))
            add_lots(b, tender, lots.get(tender.pk, ()))
    for contract in proposal.ocds_contracts:
        add_contract(b, contract)
    return b.releases()


@lru_cache(maxsize=1)
def _merger():
    """Built once per process: reading the schema's merge rules is the expensive part."""
    import ocdsmerge

    if schema_available():
        return ocdsmerge.Merger(schema=release_schema())
    return ocdsmerge.Merger(merge_rules={})


def compile_releases(releases: list[dict]) -> dict:
    return _merger().create_compiled_release(copy.deepcopy(releases))


def record_for(proposal, *, prefetched: bool = False, releases: list[dict] | None = None) -> dict:
    """The record of one process; ``releases``: its releases when the caller already built
    them (the bulk files write both)."""
    if releases is None:
        releases = releases_for(proposal, prefetched=prefetched)
    return {
        "ocid": ocid_for(proposal),
        "releases": releases,
        "compiledRelease": compile_releases(releases),
    }


def package(key: str, items: list[dict], *, uri: str = "") -> dict:
    """A release (``key="releases"``) or record (``"records"``) package of ``items``;
    ``uri`` defaults to the API's URL. The items are its last member (``stream`` relies
    on it)."""
    return {
        "uri": uri or _base_uri(key),
        "version": VERSION,
        "publishedDate": when(timezone.now()),
        "publisher": PUBLISHER,
        "license": LICENSE,
        "extensions": list(EXTENSIONS),
        key: items,
    }


def release_package(releases: Iterable[dict], *, uri: str = "") -> dict:
    return package("releases", list(releases), uri=uri)


def record_package(records: Iterable[dict], *, uri: str = "") -> dict:
    return package("records", list(records), uri=uri)


def _base_uri(kind: str) -> str:
    base = getattr(settings, "SITE_URL", "") or "https://caidan.invalid"
    return f"{base.rstrip('/')}/api/v1/ocds/{kind}"
