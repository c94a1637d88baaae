"""The catalog version's status table (``caidan.common.lifecycle``). Discarding a draft
deletes it, so that action checks the table but moves no status."""

from __future__ import annotations

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import TRANSITIONS, VersionAction, VersionStatus

version_lifecycle = Lifecycle(
    name="catalog_version",
    model="catalog.CatalogVersion",
    table=TRANSITIONS,
    audit_kind={
        VersionAction.PUBLISH: EventKind.CATALOG_VERSION_PUBLISHED,
        VersionAction.RETIRE: EventKind.CATALOG_VERSION_RETIRED,
        VersionAction.DISCARD: EventKind.CATALOG_VERSION_DISCARDED,
    },
    noun="目录版本",
    actions=VersionAction,
    statuses=VersionStatus,
    initial=frozenset({VersionStatus.DRAFT}),
    named=True,
)
