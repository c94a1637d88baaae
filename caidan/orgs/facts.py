"""Everything the registry knows about one organization on one date, in a few queries.

Eligibility, the recommended directory and the public profile all read through here, so a
rule (what counts as "on the list", "a valid grade", "a recent penalty") lives once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from . import rules
from .models import CreditRecord, Grade, Organization, Penalty, ProviderBar


@dataclass
class OrgFacts:
    organization: Organization
    on: dt.date
    grades: list[Grade] = field(default_factory=list)
    credit: list[CreditRecord] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)
    bars: list[ProviderBar] = field(default_factory=list)
    recognised_projects: int = 0
    fields: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, organization: Organization, on: dt.date | None = None) -> OrgFacts:
        on = on or timezone.localdate()
        return cls(
            organization=organization,
            on=on,
            grades=list(organization.grades.filter(assessed_on__lte=on)),
            credit=list(organization.credit_records.filter(listed_on__lte=on)),
            penalties=list(organization.penalties.filter(decided_on__lte=on)),
            bars=list(organization.bars.filter(starts_on__lte=on, ends_on__gte=on)),
            recognised_projects=organization.past_projects.filter(recognised=True).count(),
            fields=list(organization.field_rows.values_list("field", flat=True)),
        )

    @property
    def current_grade(self) -> Grade | None:
        """The latest grade still valid on the date; an expired grade counts as none."""
        for grade in self.grades:  # ordered newest first
            if grade.assessed_on <= self.on <= grade.valid_until:
                return grade
        return None

    @property
    def latest_grade(self) -> Grade | None:
        return self.grades[0] if self.grades else None

    def active(self, list_kind: str) -> list[CreditRecord]:
        return [r for r in self.credit if r.list == list_kind and r.active_on(self.on)]

    @property
    def active_bars(self) -> list[ProviderBar]:
        return [b for b in self.bars if b.active_on(self.on)]

    def penalties_within(self, years: int) -> list[Penalty]:
        since = rules.add_years(self.on, -years)
        return [p for p in self.penalties if since < p.decided_on <= self.on]

    def major_violations_within(self, years: int) -> list[Penalty]:
        return [p for p in self.penalties_within(years) if rules.penalty_is_major(p.kind, p.amount)]
