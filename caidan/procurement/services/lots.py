"""Tenders in lots (分包采购, issue 21).

A tender divided into lots (``Tender.has_lots``) holds the shared announcement, the overall
budget and, optionally, the cap on lots one provider may win (``max_lots_per_provider``).
Each lot is a child tender (``Tender.parent``, ``lot_number``) with its own budget,
requirements, scoring sheet, bids, opening, panel, award, challenge window and contract, so
every rule of a single tender applies to each lot unchanged — fewer valid bids than the
method's minimum fails that lot only.

Rules of their own:

* lots are added to a draft of a competitive method (not single source or agreement
  purchase, which name one provider); their budgets together stay within the tender's;
* the tender is published with its lots (at least two), all with the tender's deadline; a
  lot is never published alone; the tender itself takes no bids and is never opened;
* the cap is applied when lots are awarded, in lot-number order: a lot is awarded only after
  every lower-numbered lot is decided, and a bidder already holding ``cap`` confirmed awards
  in the tender is passed over for the next-ranked one (``cap_passed_over``); whom the award
  passed over, and why, is stored with the award (``Award.cap_skipped``) and published in the
  notice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.money import format_yuan
from caidan.common.perms import Perm
from caidan.procurement.codes import Code

from ..models import Award, AwardStatus, Bid, Tender, TenderStatus
from .lifecycle import lock

# A lot still waiting for its result: the next lots' awards wait for it when a cap applies.
UNDECIDED = (TenderStatus.PUBLISHED, TenderStatus.EVALUATING, TenderStatus.EVALUATED)
LOT_FIELDS_FIXED = ("method", "deadline", "method_change_reason")  # the tender's, for every lot
MAX_LOTS = 99


def _refuse_unless_lot_parent(t: Tender) -> None:
    if t.parent_id is not None:
        raise Conflict(_("分包不能再划分分包。"), code=Code.LOTS_NOT_ALLOWED)
    if t.config.invited_only:
        raise Conflict(
            _("%(label)s只向一家拟定承接主体采购，不能划分分包。") % {"label": t.config.label},
            code=Code.LOTS_NOT_ALLOWED,
        )


def live_lots(parent: Tender):
    return parent.lots.exclude(status=TenderStatus.CANCELLED).order_by("lot_number")


def check_lot_budgets(parent: Tender) -> None:
    """The lots' budgets together stay within the tender's budget (the overall ceiling)."""
    total = live_lots(parent).aggregate(total=Sum("budget"))["total"] or Decimal("0.00")
    if total > parent.budget:
        raise field_error(
            "budget",
            _("各分包预算合计 %(total)s 超过采购预算 %(budget)s。")
            % {"total": format_yuan(total), "budget": format_yuan(parent.budget)},
        )


def tender_lot_add(*, tender: Tender, changes: dict[str, Any], actor: Actor) -> Tender:
    """Add a lot to a draft tender: a child tender with the tender's documents and
    ``changes`` (its title, budget, requirements, scoring sheet…), checked as any tender's
    documents are. The method and deadline are the tender's."""
    from .tenders import _documents, _snapshot, tender_input

    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    fixed = sorted(set(changes) & set(LOT_FIELDS_FIXED))
    if fixed:
        raise field_error(
            fixed[0], _("各分包的采购方式和投标截止时间与采购项目相同，不能单独设定。")
        )
    with transaction.atomic():
        parent = lock(tender)
        _refuse_unless_lot_parent(parent)
        if parent.status != TenderStatus.DRAFT:
            raise Conflict(_("采购公告已发布，不能再增加分包。"), code=Common.NOT_DRAFT)
        number = (parent.lots.aggregate(n=Max("lot_number"))["n"] or 0) + 1
        if number > MAX_LOTS:
            raise Conflict(
                _("一个采购项目至多 %(n)s 个分包。") % {"n": MAX_LOTS}, code=Code.LOTS_NOT_ALLOWED
            )
        data = tender_input(parent, **changes)
        from .tender_rules import check_jurisdiction_limits

        check_jurisdiction_limits(data)
        lot = Tender(
            proposal=parent.proposal,
            unit=parent.unit,
            reference=f"{parent.reference}-{number:02d}",
            parent=parent,
            lot_number=number,
            created_by=user_of(actor),
            **_documents(data),
        )
        lot.method_change_approved_by = parent.method_change_approved_by
        lot.method_change_approved_at = parent.method_change_approved_at
        lot.save()
        if not parent.has_lots:
            parent.has_lots = True
            parent.save(update_fields=["has_lots", "updated_at"])
        check_lot_budgets(parent)
        audit_record(
            kind=EventKind.TENDER_CREATED,
            actor=actor,
            target=lot,
            new={**_snapshot(lot), "parent": parent.pk, "lot_number": number},
        )
    return lot


def tender_lots_configure(
    *, tender: Tender, max_lots_per_provider: int | None, actor: Actor
) -> Tender:
    """Set (or clear, ``None``) how many lots one provider may win. Part of the documents:
    only on a draft (published, it is in the announcement)."""
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    cap = max_lots_per_provider
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
        raise field_error(
            "max_lots_per_provider", _("每个供应商最多中标分包数须为不小于 1 的整数，或留空不限。")
        )
    with transaction.atomic():
        t = lock(tender)
        _refuse_unless_lot_parent(t)
        if t.status != TenderStatus.DRAFT:
            raise Conflict(
                _("采购公告已发布，只能通过澄清修改公告变更采购文件。"), code=Common.NOT_DRAFT
            )
        old = t.max_lots_per_provider
        if old != cap:
            t.max_lots_per_provider = cap
            t.save(update_fields=["max_lots_per_provider", "updated_at"])
            audit_record(
                kind=EventKind.TENDER_UPDATED,
                actor=actor,
                target=t,
                old={"max_lots_per_provider": old},
                new={"max_lots_per_provider": cap},
            )
    return t


def check_lot_update(t: Tender, changes: dict[str, Any]) -> None:
    """A lot keeps the tender's method (``tender_update`` of a lot)."""
    if t.has_lots and changes.get("method", t.method) != t.method:
        raise field_error(
            "method", _("已划分分包的采购项目不能修改采购方式；可取消后按新的方式重新发起。")
        )
    if t.parent_id is not None and changes.get("method", t.method) != t.parent.method:
        raise field_error("method", _("各分包的采购方式与采购项目相同，不能单独修改。"))


def lots_publish(parent: Tender, *, actor: Actor, now) -> None:
    """Publish a tender's draft lots with it (inside ``tender_publish``, the tender locked):
    each with the tender's deadline, its own sealing key and draw seed."""
    from .tenders import tender_publish_one

    lots = list(parent.lots.filter(status=TenderStatus.DRAFT).order_by("lot_number"))
    if len(lots) < 2:
        raise Conflict(
            _("分包采购至少须有 2 个分包（现有 %(n)s 个），请增加分包或删去分包设置。")
            % {"n": len(lots)},
            code=Code.LOTS_TOO_FEW,
        )
    check_lot_budgets(parent)
    for lot in lots:
        lot.deadline = parent.deadline
        lot.method_change_approved_by = parent.method_change_approved_by
        lot.method_change_approved_at = parent.method_change_approved_at
        lot.save(
            update_fields=["deadline", "method_change_approved_by", "method_change_approved_at"]
        )
        tender_publish_one(lot, actor=actor, now=now)


# --- the cap --------------------------------------------------------------------------------------


def lot_cap(tender: Tender) -> int | None:
    """The cap on lots one provider may win that applies to ``tender`` (a lot), if any."""
    if tender.parent_id is None:
        return None
    return tender.parent.max_lots_per_provider


def lots_won(tender: Tender) -> dict[int, list[int]]:
    """Organization id → the numbers of the *other* lots of ``tender``'s parent it holds a
    confirmed award in."""
    rows = (
        Award.objects.filter(status=AwardStatus.CONFIRMED, tender__parent_id=tender.parent_id)
        .exclude(tender_id=tender.pk)
        .values_list("bid__organization_id", "tender__lot_number")
        .order_by("tender__lot_number")
    )
    won: dict[int, list[int]] = {}
    for org, number in rows:
        won.setdefault(org, []).append(number)
    return won


def cap_passed_over(tender: Tender, ranked: list[Bid]) -> tuple[list[Bid], list[dict]]:
    """``ranked`` (best first) split into the bids that may be awarded and the records of
    those passed over because their bidder already won the cap of lots. Only the bids
    ranked before the first one that may be awarded are recorded as passed over."""
    cap = lot_cap(tender)
    if not cap or not ranked:
        return ranked, []
    won = lots_won(tender)
    kept, skipped = [], []
    for b in ranked:
        lots = won.get(b.organization_id, [])
        if len(lots) >= cap:
            if not kept:
                skipped.append(
                    {
                        "bid": b.pk,
                        "organization": b.organization_id,
                        "name": b.organization.name,
                        "rank": b.rank,
                        "lots": lots,
                    }
                )
        else:
            kept.append(b)
    return kept, skipped


def cap_sentence(cap: int | None) -> str:
    """The rule as the tender page and the award notice state it."""
    if not cap:
        return ""
    return str(
        _(
            "每个供应商最多中标 %(cap)s 个分包。各分包按包号顺序依次确定中标人；"
            "排名在前的供应商已中标 %(cap)s 个分包的，该分包顺延确定排名其后的供应商。"
        )
        % {"cap": cap}
    )


def skipped_sentence(row: dict, cap: int | None) -> str:
    return str(
        _(
            "排名第 %(rank)s 的%(name)s已中标第 %(lots)s 包，达到每个供应商最多中标 %(cap)s 个分包的上限，依采购文件顺延。"
        )
        % {
            "rank": row["rank"],
            "name": row["name"],
            "lots": "、".join(str(n) for n in row["lots"]),
            "cap": cap,
        }
    )


def award_order_problems(tender: Tender) -> list[str]:
    """Why ``tender`` (a lot) may not be awarded yet: with a cap, lots are awarded in
    lot-number order, so each lower-numbered lot must be decided first."""
    if not lot_cap(tender):
        return []
    waiting = list(
        Tender.objects.filter(
            parent_id=tender.parent_id, lot_number__lt=tender.lot_number, status__in=UNDECIDED
        )
        .order_by("lot_number")
        .values_list("lot_number", flat=True)
    )
    if not waiting:
        return []
    return [
        str(
            _(
                "本项目限定每个供应商最多中标分包数，须按包号顺序确定中标人：第 %(lots)s 包尚未确定中标结果。"
            )
            % {"lots": "、".join(str(n) for n in waiting)}
        )
    ]


def lots_summary(parent: Tender, *, now=None) -> list[dict]:
    """The tender's lots for its page and the API: number, title, budget, status, the
    phase at ``now`` (``Tender.phase_at``; ``accepting``: the lot takes bids) and the winner
    once announced (one query for the lots, one for their awards)."""
    lots = parent.lots.order_by("lot_number")
    if parent.published_at is not None:  # a lot dropped before the announcement is no lot
        lots = lots.filter(published_at__isnull=False)
    awards = {
        a.tender_id: a
        for a in Award.objects.filter(
            tender__parent=parent, status=AwardStatus.CONFIRMED, notice_published_at__isnull=False
        ).select_related("bid__organization")
    }
    now = now or timezone.now()
    out = []
    for lot in lots:
        award = awards.get(lot.pk)
        phase = lot.phase_at(now)
        out.append(
            {
                "lot": lot,
                "id": lot.pk,
                "lot_number": lot.lot_number,
                "title": lot.title,
                "budget": lot.budget,
                "status": lot.status,
                "status_label": lot.get_status_display(),
                "winner": award.bid.organization.name if award else "",
                "amount": award.amount if award else None,
                "phase": phase,
                "accepting": phase.bidding_open,
            }
        )
    return out
