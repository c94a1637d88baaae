"""Releases of the planning and procurement stages: the approved project (planning), the
tender and its amendments, the opening's bids, the tender's end, awards and published
complaint decisions.

Redaction: a bid's price and status are read only once ``tender.opened_at`` is set (the
prefetch reads only the opened, public columns of bids)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext

from .builder import Builder
from .values import money, when

PROCUREMENT_METHOD = {
    "open_tender": "open",
    "consultation": "selective",
    "single_source": "limited",
    "agreement": "limited",
    "post_purchase": "open",
}
AWARD_STATUS = {"confirmed": "active", "declined": "unsuccessful", "revoked": "cancelled"}


def add_planning(b: Builder) -> None:
    p = b.proposal
    rationale = p.decision_reason or p.service_targets
    b.add(
        p.decided_at or p.created_at,
        "planning",
        ["planning"],
        {
            "planning": {
                "rationale": rationale,
                "budget": {
                    "id": str(p.pk),
                    "description": p.description,
                    "amount": money(p.budget),
                    "project": p.title,
                    "projectID": str(p.pk),
                },
            }
        },
    )


def _tender_core(tender, *, status: str, end=None) -> dict:
    from caidan.procurement.models import EvaluationMethod, Method

    comprehensive = tender.evaluation_method == EvaluationMethod.COMPREHENSIVE
    return {
        "id": tender.reference,
        "title": tender.title,
        "description": tender.description,
        "status": status,
        "value": money(tender.budget),
        "procurementMethod": PROCUREMENT_METHOD.get(tender.method, "open"),
        "procurementMethodDetails": str(Method(tender.method).label),
        "procurementMethodRationale": tender.justification,
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria" if comprehensive else "priceOnly",
        "awardCriteriaDetails": str(EvaluationMethod(tender.evaluation_method).label),
        "tenderPeriod": {"startDate": when(tender.published_at), "endDate": when(end)},
    }


def add_tender(b: Builder, tender, lots=()) -> None:
    """The tender's announcement and amendments; a tender in lots also lists its lots'
    documents and amendments (an amendment to one lot amends the one tender of the process),
    each naming its lot (``_lot_amendment``)."""
    from caidan.procurement.models import TenderStatus

    from .lots import lot_id

    key = f"tender-{tender.pk}"
    entity = b.unit_ref(tender.unit)
    # Every amendment of the tender and of its lots, in the order they were published.
    timeline = [(a, None) for a in tender.ocds_amendments] + [
        (a, lot) for lot in lots for a in lot.ocds_amendments
    ]
    timeline.sort(key=lambda pair: (pair[0].created_at, pair[0].pk))
    first_end = timeline[0][0].old_deadline if timeline else tender.deadline
    core = _tender_core(tender, status="active", end=first_end)
    core["procuringEntity"] = entity
    documents = _tender_documents(tender)
    for lot in lots:
        documents += _tender_documents(lot, lot=lot_id(lot))
    documents.sort(key=lambda pair: pair[0])  # stable: the tender's own first at equal times
    core["documents"] = [d for when, d in documents if when <= tender.published_at]
    roles = {entity["id"]: {"procuringEntity"}}
    b.add(tender.published_at, key, ["tender"], {"tender": core}, roles)

    # Each amendment release lists all of them so far (arrays are cumulative).
    listed = []
    for amendment, lot in timeline:
        listed.append(_amendment(amendment) if lot is None else _lot_amendment(amendment, lot))
        body = {
            "id": tender.reference,
            "status": "active",
            "amendments": list(listed),
            "documents": [d for when, d in documents if when <= amendment.created_at],
        }
        # the tender and its lots share one deadline: a lot's amendment that moved it moved
        # the tender's (procurement's ``tender_amend``), so it sets the period as the
        # tender's own amendment does
        if lot is None or amendment.new_deadline != amendment.old_deadline:
            body["tenderPeriod"] = {"endDate": when(amendment.new_deadline)}
        b.add(
            amendment.created_at,
            key if lot is None else f"{key}-lot-{lot.pk}",
            ["tenderAmendment"],
            {"tender": body},
        )

    if tender.opened_at:  # bids exist publicly only from the opening
        opened = tender.ocds_opened_bids
        roles, details, valid = opened_bids(b, opened)
        b.add(
            tender.evaluated_at or tender.opened_at,
            key,
            ["tenderUpdate"],
            {
                "tender": {"id": tender.reference, "status": "active"},
                "bids": {
                    "statistics": [
                        {"id": "bids", "measure": "bids", "value": len(opened)},
                        {"id": "validBids", "measure": "validBids", "value": valid},
                    ],
                    "details": details,
                },
            },
            roles,
        )

    if tender.status in (TenderStatus.FAILED, TenderStatus.CANCELLED):
        failed = tender.status == TenderStatus.FAILED
        reason = tender.failed_reason if failed else tender.cancelled_reason
        # No own timestamp: the last known moment of the tender (never before its opening).
        moments = (tender.published_at, tender.opened_at, tender.evaluated_at, tender.updated_at)
        b.add(
            max(m for m in moments if m),
            key,
            ["tenderUpdate"],
            {
                "tender": {
                    "id": tender.reference,
                    "status": "unsuccessful" if failed else "cancelled",
                    "statusDetails": f"{TenderStatus(tender.status).label}：{reason}".rstrip("："),
                }
            },
        )

    for award in tender.ocds_awards:
        _award(b, tender, award)
    for complaint in getattr(tender, "ocds_complaints", ()):
        _complaint(b, tender, complaint)


def _amendment(amendment) -> dict:
    return {
        "id": str(amendment.pk),
        "date": when(amendment.created_at),
        "description": amendment.summary,
        "rationale": (
            gettext("投标截止时间由 %(old)s 调整为 %(new)s")
            % {"old": when(amendment.old_deadline), "new": when(amendment.new_deadline)}
            if amendment.new_deadline != amendment.old_deadline
            else ""
        ),
    }


def _lot_amendment(amendment, lot) -> dict:
    """An amendment to one lot, in the tender's ``amendments``. The lots extension (1.1.5)
    has no ``relatedLots`` on amendments, so the description starts with the lot (number
    and id, as in ``tender.lots``) and the rationale says it concerns that lot only — or,
    when it moved the deadline, that the deadline of the tender and all its lots moved (they
    share one; the release sets ``tenderPeriod`` as the tender's own amendment does)."""
    from .lots import lot_id

    lot_name = gettext("第 %(n)s 包（%(lot)s）") % {"n": lot.lot_number, "lot": lot_id(lot)}
    if amendment.new_deadline != amendment.old_deadline:
        rationale = gettext(
            "%(lot)s的澄清修改：本项目全部分包的投标截止时间由 %(old)s 调整为 %(new)s"
        ) % {
            "lot": lot_name,
            "old": when(amendment.old_deadline),
            "new": when(amendment.new_deadline),
        }
    else:
        rationale = gettext("仅涉及%(lot)s，其他分包不变") % {"lot": lot_name}
    return {
        "id": str(amendment.pk),
        "date": when(amendment.created_at),
        "description": f"{lot_name}：{amendment.summary}",
        "rationale": rationale,
    }


def _tender_documents(tender, *, lot: str | None = None) -> list[tuple[dt.datetime, dict]]:
    """The tender's public documents (招标文件 etc.), with their upload time; a lot's name
    their lot (``relatedLots``, which the lots extension puts on documents)."""
    from django.urls import reverse

    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    docs = tender.ocds_documents
    return [
        (
            doc.uploaded_at,
            {
                "id": f"document-{doc.pk}",
                "documentType": "biddingDocuments",
                "title": doc.original_name,
                "description": doc.description,
                "url": site + reverse("documents:download", args=[doc.pk]),
                "datePublished": when(doc.uploaded_at),
                "format": doc.content_type,
                "language": "zh",
                **({"relatedLots": [lot]} if lot is not None else {}),
            },
        )
        for doc in docs
    ]


def _complaint(b: Builder, tender, complaint, *, lot=None) -> None:
    """A published complaint decision (投诉处理决定, 94号令 §35): the finance bureau as the
    ``reviewBody``, the decision as a ``complaints`` tender document, and the complaints so
    far in an additional ``complaints`` array (id, status, dates, outcome). A complaint about
    ``lot`` of ``tender`` (in lots) is released on the one tender, its document naming the lot
    (``relatedLots``). The builder makes both arrays cumulative (``builder.CUMULATIVE``)."""
    from django.urls import reverse

    from .lots import lot_id

    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    body = b.unit_ref(complaint.bureau)
    label = complaint.get_outcome_display()
    about = lot if lot is not None else tender
    listed = [c for c in about.ocds_complaints if c.published_at <= complaint.published_at]
    b.add(
        complaint.published_at,
        f"complaint-{complaint.pk}",
        ["tenderUpdate"],
        {
            "tender": {
                "id": tender.reference,
                "documents": [
                    {
                        "id": f"complaint-decision-{complaint.pk}",
                        "documentType": "complaints",
                        "title": gettext("投诉处理决定：%(label)s") % {"label": label},
                        "description": complaint.reasoning,
                        "url": site + reverse("complaints:detail", args=[complaint.pk]),
                        "datePublished": when(complaint.published_at),
                        "format": "text/html",
                        "language": "zh",
                        **({"relatedLots": [lot_id(lot)]} if lot is not None else {}),
                    }
                ],
            },
            "complaints": [
                {
                    "id": str(c.pk),
                    "status": c.status,
                    "complainant": b.org_ref(c.organization),
                    "reviewBody": b.unit_ref(c.bureau),
                    "dateSubmitted": when(c.filed_at),
                    "dateAccepted": when(c.handled_at),
                    "dateDecided": when(c.decided_at),
                    "suspensionPeriod": {
                        "startDate": when(c.suspension_start),
                        "endDate": when(c.suspension_lifted_at or c.suspension_end),
                    }
                    if c.suspension_start
                    else None,
                    "outcome": c.outcome,
                    "outcomeDetails": c.get_outcome_display(),
                    "rationale": c.reasoning,
                }
                for c in listed
            ],
        },
        {body["id"]: {"reviewBody"}},
    )


def _award(b: Builder, tender, award) -> None:
    from caidan.procurement.models import AwardStatus, TenderStatus

    supplier = b.org_ref(award.bid.organization)
    key = f"award-{award.pk}"
    base = {
        "id": str(award.pk),
        "title": tender.title,
        "date": when(award.decided_at),
        "value": money(award.amount),
        "suppliers": [supplier],
        "relatedBid": str(award.bid_id),
    }
    body: dict = {"awards": [{**base, "status": "active"}]}
    if award.status == AwardStatus.CONFIRMED and tender.status in (
        TenderStatus.AWARDED,
        TenderStatus.CONCLUDED,
    ):
        body["tender"] = {"id": tender.reference, "status": "complete"}
    b.add(award.decided_at, key, ["award"], body, {supplier["id"]: {"supplier"}})
    if award.status != AwardStatus.CONFIRMED:
        ended = {**base, "status": AWARD_STATUS[award.status]}
        ended["description"] = f"{AwardStatus(award.status).label}：{award.end_reason}".rstrip("：")
        b.add(award.ended_at or award.decided_at, key, ["awardUpdate"], {"awards": [ended]})


def opened_bids(b: Builder, opened, *, lot: str | None = None) -> tuple[dict, list, int]:
    """The opened bids as OCDS ``bids.details`` (``relatedLots`` naming ``lot`` when the
    tender is in lots), the parties' tenderer roles and how many are valid. Never the
    sealed content or nonce: only the opened, public columns."""
    from caidan.procurement.models import BidStatus

    roles: dict = {}
    details = []
    for bid in opened:
        ref = b.org_ref(bid.organization)
        roles[ref["id"]] = {"tenderer"}
        detail = {
            "id": str(bid.pk),
            "date": when(bid.submitted_at),
            "status": "valid" if bid.status == BidStatus.VALID else "disqualified",
            "tenderers": [ref],
            "value": money(bid.price),
        }
        if lot is not None:
            detail["relatedLots"] = [lot]
        details.append(detail)
    valid = sum(1 for bid in opened if bid.status == BidStatus.VALID)
    return roles, details, valid
