"""A tender in lots (分包, issue 21) with the OCDS lots extension: one contracting process
(one ocid) whose tender lists its lots (``tender.lots[]``, an item per lot with
``relatedLot``, ``lotDetails`` with the cap on lots per supplier); each lot's opened bids,
its end (failed or cancelled: the lot's status) and its awards name the lot
(``relatedLots``, as the extension's schema has it on bids and awards); once every lot is
decided the tender is complete (a lot awarded) or unsuccessful (none). A lot's documents
and amendments are released with the tender's (``tender.add_tender``): documents with
``relatedLots``, amendments naming the lot in their text (the extension has no
``relatedLots`` on amendments).

The lots are procurement's child tenders (``Tender.parent``); ``releases_for`` hands each
tender in lots its lots, and no lot is released as a tender of its own."""

from __future__ import annotations

from .builder import Builder
from .tender import AWARD_STATUS, _complaint, opened_bids
from .values import money, when


def lot_id(lot) -> str:
    """A lot's id in ``tender.lots[]`` and in ``relatedLot(s)``: its reference."""
    return lot.reference


def _lot_entry(lot, status: str = "active") -> dict:
    return {
        "id": lot_id(lot),
        "title": f"第 {lot.lot_number} 包：{lot.title}",
        "description": lot.description,
        "status": status,
        "value": money(lot.budget),
    }


def add_lots(b: Builder, tender, lots) -> None:
    """The lots of ``tender`` (already added by ``add_tender``): announced with it, then
    each lot's events."""
    from caidan.procurement.services.lots import cap_sentence

    if not lots:
        return
    b.add(
        tender.published_at,
        f"tender-{tender.pk}",
        ["tender"],
        {
            "tender": {
                "id": tender.reference,
                "lots": [_lot_entry(lot) for lot in lots],
                "items": [
                    {"id": lot_id(lot), "description": lot.title, "relatedLot": lot_id(lot)}
                    for lot in lots
                ],
                "lotDetails": {
                    "maximumLotsAwardedPerSupplier": tender.max_lots_per_provider,
                    "awardCriteriaDetails": cap_sentence(tender.max_lots_per_provider)
                    or "各分包单独评审、确定中标人，不限中标分包数。",
                },
            }
        },
    )
    for lot in lots:
        _add_lot(b, tender, lot)
    _lots_outcome(b, tender, lots)


def _add_lot(b: Builder, tender, lot) -> None:
    from caidan.procurement.models import TenderStatus

    key = f"tender-{tender.pk}-lot-{lot.pk}"
    lid = lot_id(lot)
    if lot.opened_at:  # bids exist publicly only from the opening: the opened columns only
        opened = lot.ocds_opened_bids
        roles, details, valid = opened_bids(b, opened, lot=lid)
        statistics = [
            {"id": f"{lid}-bids", "measure": "bids", "value": len(opened), "relatedLot": lid},
            {"id": f"{lid}-validBids", "measure": "validBids", "value": valid, "relatedLot": lid},
        ]
        b.add(
            lot.evaluated_at or lot.opened_at,
            key,
            ["tenderUpdate"],
            {
                "tender": {"id": tender.reference},
                "bids": {"statistics": statistics, "details": details},
            },
            roles,
        )
    if lot.status in (TenderStatus.FAILED, TenderStatus.CANCELLED):
        failed = lot.status == TenderStatus.FAILED
        reason = lot.failed_reason if failed else lot.cancelled_reason
        moments = (lot.published_at, lot.opened_at, lot.evaluated_at, lot.updated_at)
        entry = _lot_entry(lot, "unsuccessful" if failed else "cancelled")
        entry["description"] = f"{TenderStatus(lot.status).label}：{reason}".rstrip("：")
        b.add(  # the other lots as known so far join it (``builder.CUMULATIVE``)
            max(m for m in moments if m),
            key,
            ["tenderUpdate"],
            {"tender": {"id": tender.reference, "lots": [entry]}},
        )
    for award in lot.ocds_awards:
        _lot_award(b, lot, award, cap=tender.max_lots_per_provider)
    for complaint in getattr(lot, "ocds_complaints", ()):
        _complaint(b, tender, complaint, lot=lot)  # on the one tender, naming the lot


def _lot_award(b: Builder, lot, award, *, cap) -> None:
    """A lot's award: as any award, naming its lot and, when the cap passed higher-ranked
    bidders over, who and why; the tender's status is left to ``_lots_outcome``."""
    from caidan.procurement.models import AwardStatus
    from caidan.procurement.services.lots import skipped_sentence

    supplier = b.org_ref(award.bid.organization)
    key = f"award-{award.pk}"
    base = {
        "id": str(award.pk),
        "title": lot.title,
        "date": when(award.decided_at),
        "value": money(award.amount),
        "suppliers": [supplier],
        "relatedBid": str(award.bid_id),
        "relatedLots": [lot_id(lot)],
    }
    if award.cap_skipped:
        base["description"] = "；".join(skipped_sentence(r, cap) for r in award.cap_skipped)
    b.add(
        award.decided_at,
        key,
        ["award"],
        {"awards": [{**base, "status": "active"}]},
        {supplier["id"]: {"supplier"}},
    )
    if award.status != AwardStatus.CONFIRMED:
        ended = {**base, "status": AWARD_STATUS[award.status]}
        ended["description"] = f"{AwardStatus(award.status).label}：{award.end_reason}".rstrip("：")
        b.add(award.ended_at or award.decided_at, key, ["awardUpdate"], {"awards": [ended]})


def _lots_outcome(b: Builder, tender, lots) -> None:
    """Every lot decided: the tender is complete (a lot awarded) or unsuccessful (none)."""
    from caidan.procurement.models import TenderStatus

    done = (TenderStatus.AWARDED, TenderStatus.CONCLUDED)
    ended = (*done, TenderStatus.FAILED, TenderStatus.CANCELLED)
    if any(lot.status not in ended for lot in lots):
        return
    awarded = any(lot.status in done for lot in lots)
    moments = [lot.updated_at for lot in lots] + [
        a.decided_at for lot in lots for a in lot.ocds_awards
    ]
    b.add(
        max(m for m in moments if m),
        f"tender-{tender.pk}-lots",
        ["tenderUpdate"],
        {"tender": {"id": tender.reference, "status": "complete" if awarded else "unsuccessful"}},
    )
