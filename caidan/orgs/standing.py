"""A hub's member group gains standing to bid on its own (独立投标资格, issue 21).

Grassroots groups affiliated to a hub (``Organization.hub``) have no standing to bid; the
hub bundles their proposals and leads the contract, which names the part each member
delivers. Each part's final evaluation is attributed to the member (evaluations'
``PartResult``), so a member earns its own record. It gains standing once it meets the
jurisdiction's rule (``jurisdiction/registry.py``):

* ``hub_member_standing_parts`` parts (default 2) delivered through a hub whose final
  evaluation graded at least
* ``hub_member_standing_grade`` (default 良: 优 and 良 count, 中 does not), and
* registration complete: registered (正常登记) with a registration date.

The parts are counted by whatever the evaluations app registers here
(``register_part_counter``): orgs sits below evaluations and must not import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

# grade → the grades at least as good (evaluations' Grade values)
GRADES_AT_LEAST: dict[str, tuple[str, ...]] = {
    "excellent": ("excellent",),
    "good": ("excellent", "good"),
    "fair": ("excellent", "good", "fair"),
}

# (organization ids, grades that count) → {organization id: number of parts}
PartCounter = Callable[[Iterable[int], tuple[str, ...]], dict[int, int]]
_COUNTERS: list[PartCounter] = []


def register_part_counter(counter: PartCounter) -> None:
    """Called by evaluations from its ``AppConfig.ready``."""
    if counter not in _COUNTERS:
        _COUNTERS.append(counter)


def _counted(org_ids: list[int], grades: tuple[str, ...]) -> dict[int, int]:
    out: dict[int, int] = dict.fromkeys(org_ids, 0)
    for counter in _COUNTERS:
        for org_id, n in counter(org_ids, grades).items():
            out[org_id] = out.get(org_id, 0) + n
    return out


@dataclass(frozen=True)
class StandingRule:
    parts: int
    grade: str

    @property
    def grades(self) -> tuple[str, ...]:
        return GRADES_AT_LEAST.get(self.grade, GRADES_AT_LEAST["good"])

    @property
    def grade_label(self) -> str:
        return str({"excellent": _("优"), "good": _("良及以上"), "fair": _("中及以上")}[self.grade])


def standing_rule() -> StandingRule:
    from caidan.jurisdiction.selectors import setting_value

    return StandingRule(
        parts=int(setting_value("hub_member_standing_parts")),
        grade=str(setting_value("hub_member_standing_grade")),
    )


@dataclass(frozen=True)
class Standing:
    """Where a member group stands on its path to bidding on its own."""

    is_member: bool  # affiliated to a hub (otherwise the path does not apply)
    rule: StandingRule
    parts_done: int
    registration_complete: bool
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def parts_counted(self) -> int:
        return min(self.parts_done, self.rule.parts)

    @property
    def percent(self) -> int:
        """How far along the path, for a progress bar: parts and registration together."""
        total = self.rule.parts + 1
        done = self.parts_counted + (1 if self.registration_complete else 0)
        return round(100 * done / total)

    @property
    def has_standing(self) -> bool:
        return self.parts_done >= self.rule.parts and self.registration_complete


def registration_complete(org) -> bool:
    return org.status == "active" and org.registration_date is not None


def _standing(org, rule: StandingRule, parts_done: int) -> Standing:
    complete = registration_complete(org)
    steps = [
        {
            "label": _("经由枢纽承担、终期评估%(grade)s的部分：%(done)s / %(need)s 个")
            % {"grade": rule.grade_label, "done": min(parts_done, rule.parts), "need": rule.parts},
            "done": parts_done >= rule.parts,
        },
        {"label": _("登记完成（正常登记，有成立登记日期）"), "done": complete},
    ]
    return Standing(
        is_member=org.hub_id is not None,
        rule=rule,
        parts_done=parts_done,
        registration_complete=complete,
        steps=steps,
    )


def standing_of(org) -> Standing:
    """One organization's standing (the registry's organization page)."""
    rule = standing_rule()
    return _standing(org, rule, _counted([org.pk], rule.grades).get(org.pk, 0))


def standings_of(orgs: Iterable) -> dict[int, Standing]:
    """Many organizations' standings in one count (a hub's member list)."""
    orgs = list(orgs)
    rule = standing_rule()
    counts = _counted([o.pk for o in orgs], rule.grades)
    return {o.pk: _standing(o, rule, counts.get(o.pk, 0)) for o in orgs}
