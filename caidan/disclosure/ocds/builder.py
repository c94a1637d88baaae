"""One contracting process's events, collected by the builders and turned into releases:
each release carries the parties known so far (cumulative roles) and the buyer, and each of
its arrays of objects (``CUMULATIVE``) with everything known of it so far."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from .values import clean, ocid_for, org_party_id, unit_party_id, when

#: The arrays a writer may emit in part (one lot's end, one complaint decision's document, one
#: award, one lot's bids, one contract): a release that has one carries it whole — every
#: object listed so far in the process, merged by ``id`` with this release's objects as
#: ``ocdsmerge`` merges them. So every array is cumulative in every release, and compiling by
#: identifier or by replacing whole arrays gives the same record.
CUMULATIVE = (
    ("tender", "lots"),
    ("tender", "items"),
    ("tender", "documents"),
    ("tender", "amendments"),
    ("bids", "details"),
    ("bids", "statistics"),
    ("awards",),
    ("contracts",),
    ("complaints",),
)


def _by_id(value) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(o, dict) and "id" in o for o in value)
    )


def merge(old, new):
    """``new`` over ``old`` as an identifier merge does: objects field by field, arrays of
    objects with ids by id (new ids appended in order), anything else replaced."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for key, value in new.items():
            out[key] = merge(old[key], value) if key in old else value
        return out
    if _by_id(old) and _by_id(new):
        merged = {o["id"]: o for o in old}
        for o in new:
            merged[o["id"]] = merge(merged[o["id"]], o) if o["id"] in merged else o
        return list(merged.values())
    return new


def _accumulate(release: dict, known: dict[tuple, list]) -> None:
    """Make each ``CUMULATIVE`` array of ``release`` (already cleaned) everything so far."""
    for path in CUMULATIVE:
        container = release
        for key in path[:-1]:
            container = container.get(key)
            if not isinstance(container, dict):
                break
        else:
            items = container.get(path[-1])
            if items:
                known[path] = merge(known.get(path, []), items)
                container[path[-1]] = copy.deepcopy(known[path])


@dataclass
class Event:
    date: dt.datetime
    order: int
    key: str
    tag: list[str]
    body: dict
    roles: dict[str, set[str]] = field(default_factory=dict)


class Builder:
    def __init__(self, proposal):
        self.proposal = proposal
        self.ocid = ocid_for(proposal)
        self.events: list[Event] = []
        self.parties: dict[str, dict] = {}
        self.buyer = self.unit_ref(proposal.unit)

    # parties
    def unit_ref(self, unit) -> dict:
        pid = unit_party_id(unit)
        self.parties.setdefault(pid, {"id": pid, "name": unit.name})
        return {"id": pid, "name": unit.name}

    def org_ref(self, org) -> dict:
        pid = org_party_id(org)
        self.parties.setdefault(
            pid,
            {
                "id": pid,
                "name": org.name,
                "identifier": {"scheme": "CN-USCC", "id": org.uscc, "legalName": org.name},
            },
        )
        return {"id": pid, "name": org.name}

    def add(self, date, key, tag, body, roles=None) -> None:
        date = date or timezone.now()
        self.events.append(Event(date, len(self.events), key, tag, body, roles or {}))

    def releases(self) -> list[dict]:
        buyer_id = self.buyer["id"]
        known: dict[str, set[str]] = {buyer_id: {"buyer"}}
        arrays: dict[tuple, list] = {}
        out = []
        for n, ev in enumerate(sorted(self.events, key=lambda e: (e.date, e.order)), start=1):
            for pid, roles in ev.roles.items():
                known.setdefault(pid, set()).update(roles)
            parties = [
                {**self.parties[pid], "roles": sorted(roles)} for pid, roles in known.items()
            ]
            release = {
                "ocid": self.ocid,
                "id": f"{self.ocid}-{ev.key}-{n}",
                "date": when(ev.date),
                "tag": ev.tag,
                "initiationType": "tender",
                "language": "zh",
                "parties": parties,
                "buyer": self.buyer,
                **ev.body,
            }
            release = clean(release)
            _accumulate(release, arrays)
            out.append(release)
        return out
