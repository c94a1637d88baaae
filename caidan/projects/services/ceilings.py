"""Budget ceilings (预算控制数) as a proposal meets them: the room left for a purchaser's
year, and the refusal that says who can raise the ceiling and where (DOMAIN.md §3.3).

A proposal meets the ceiling three times: at submission (refused when a ceiling is set and
the budget is more than the room left; without a ceiling the library still takes it — the
library feeds the budget), when it is put on a review agenda (refused when there is no
ceiling or no room: a vote that cannot be carried out is wasted) and at the decision (the
ceiling row is locked, so concurrent approvals cannot together exceed it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from caidan.common.errors import ValidationError
from caidan.common.money import format_yuan
from caidan.projects.codes import Code

from ..models import BudgetCeiling, Proposal, ProposalStatus

# Who sets and raises ceilings: the holder of Perm.PROJECTS_SET_CEILING (the platform admin,
# DOMAIN.md §2: the finance bureau leads the platform).
CEILING_OWNER = _("财政局（平台管理员）")
# The step a refusal stops, as the services name it.
STEPS = {"不能申报": _("不能申报"), "不能列入议程": _("不能列入议程"), "不能通过": _("不能通过")}


def approved_total(*, unit, year: int) -> Decimal:
    total = Proposal.objects.filter(unit=unit, year=year, status=ProposalStatus.APPROVED).aggregate(
        s=Sum("budget")
    )["s"]
    return total or Decimal("0.00")


def ceiling_url(*, unit_id: int, year: int) -> str:
    """The page where the ceiling of ``unit_id`` for ``year`` is raised, with the form filled."""
    return f"/projects/ceilings/?unit={unit_id}&year={year}"


@dataclass(frozen=True)
class Room:
    """A purchaser's year: its ceiling (``None``: not set), what is approved, what is left."""

    unit_id: int
    unit_name: str
    year: int
    ceiling: Decimal | None
    approved: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.ceiling is None else self.ceiling - self.approved

    def fits(self, budget: Decimal) -> bool:
        return self.ceiling is not None and budget <= self.remaining

    @property
    def url(self) -> str:
        return ceiling_url(unit_id=self.unit_id, year=self.year)


def ceiling_room(*, unit, year: int, lock: bool = False) -> Room:
    """The room left under ``unit``'s ceiling for ``year``; ``lock`` locks the ceiling row
    (inside a transaction) so concurrent approvals are serialised."""
    qs = BudgetCeiling.objects.filter(unit_id=unit.pk, year=year)
    if lock:
        qs = qs.select_for_update()
    ceiling = qs.first()
    return Room(
        unit_id=unit.pk,
        unit_name=unit.name,
        year=year,
        ceiling=ceiling.amount if ceiling else None,
        approved=approved_total(unit=unit, year=year),
    )


def ceiling_refusal(room: Room, budget: Decimal, *, step: str) -> ValidationError:
    """The refusal of ``step`` ("不能申报", "不能列入议程", "不能通过") for a budget that does
    not fit: the figures, who can raise the ceiling and the page where it is raised."""
    owner = str(CEILING_OWNER)
    values = {
        "step": STEPS.get(step, step),
        "unit": room.unit_name,
        "year": room.year,
        "budget": format_yuan(budget),
        "approved": format_yuan(room.approved),
        "ceiling": format_yuan(room.ceiling),
        "remaining": format_yuan(room.remaining),
    }
    who = _("请联系%(owner)s调整预算控制数（%(url)s）。") % {"owner": owner, "url": room.url}
    detail = {
        "field": "budget",
        "budget": str(budget),
        "approved": str(room.approved),
        "raised_by": owner,
        "raise_url": room.url,
    }
    if room.ceiling is None:
        return ValidationError(
            _("%(step)s：%(unit)s%(year)s 年尚未设置预算控制数，没有预算的服务不得购买。%(who)s")
            % {**values, "who": who},
            code=Code.NO_CEILING,
            detail=detail,
        )
    return ValidationError(
        _(
            "%(step)s，超出预算控制数：%(unit)s%(year)s 年控制数 %(ceiling)s，"
            "已立项 %(approved)s，余额 %(remaining)s，本项目 %(budget)s。%(who)s"
        )
        % {**values, "who": who},
        code=Code.OVER_CEILING,
        detail={**detail, "ceiling": str(room.ceiling), "remaining": str(room.remaining)},
    )


def ceiling_rooms(pairs) -> dict[tuple[int, int], Room]:
    """``ceiling_room`` for many ``(unit, year)`` pairs at once (two queries), keyed by
    ``(unit_id, year)``: for pages that list proposals of several purchasers."""
    from django.db.models import Q

    units = {unit.pk: unit for unit, _ in pairs}
    keys = {(unit.pk, year) for unit, year in pairs}
    if not keys:
        return {}
    match = Q()
    for unit_id, year in keys:
        match |= Q(unit_id=unit_id, year=year)
    ceilings = {
        (c["unit_id"], c["year"]): c["amount"]
        for c in BudgetCeiling.objects.filter(match).values("unit_id", "year", "amount")
    }
    approved = {
        (r["unit_id"], r["year"]): r["s"]
        for r in Proposal.objects.filter(match, status=ProposalStatus.APPROVED)
        .values("unit_id", "year")
        .annotate(s=Sum("budget"))
    }
    return {
        (unit_id, year): Room(
            unit_id=unit_id,
            unit_name=units[unit_id].name,
            year=year,
            ceiling=ceilings.get((unit_id, year)),
            approved=approved.get((unit_id, year)) or Decimal("0.00"),
        )
        for unit_id, year in keys
    }
