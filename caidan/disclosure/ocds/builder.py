"""One contracting process's events, collected by the builders and turned into releases:
each release carries the parties known so far (cumulative roles) and the buyer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from .values import clean, ocid_for, org_party_id, unit_party_id, when


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
            out.append(clean(release))
        return out
