"""The portal's front page: the latest public records of each kind, a few each, linked and
dated. One query per kind whatever the data (each walks an index newest first: tenders and
contracts by status and id, award notices by their publication time), so the page costs the
same on the demo and at a million rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse

LATEST = 5  # records of each kind on the front page


@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    on: datetime | date | None  # the date shown: published, announced, signed
    detail: str = ""  # a second line: who, what
    amount: Decimal | None = None


def latest_tenders(limit: int = LATEST) -> list[Entry]:
    """The newest public tenders (announced), with their deadline."""
    from caidan.procurement.models import Tender

    rows = (
        Tender.objects.public()
        .select_related("unit")
        .only("id", "title", "published_at", "deadline", "status", "unit__name")
        .order_by("-id")[:limit]
    )
    return [
        Entry(
            title=t.title,
            url=reverse("procurement:tender", args=[t.pk]),
            on=t.published_at,
            detail=t.unit.name,
        )
        for t in rows
    ]


def latest_awards(limit: int = LATEST) -> list[Entry]:
    """The newest award notices (中标公告): tender, winner, price."""
    from caidan.procurement.models import Award

    rows = (
        Award.objects.public()
        .select_related("tender", "bid__organization")
        .only(
            "id",
            "notice_published_at",
            "amount",
            "tender__id",
            "tender__title",
            "bid__id",
            "bid__organization__name",
        )
        .order_by("-notice_published_at", "-id")[:limit]
    )
    return [
        Entry(
            title=a.tender.title,
            url=reverse("procurement:notice", args=[a.tender_id]),
            on=a.notice_published_at,
            detail=a.bid.organization.name,
            amount=a.amount,
        )
        for a in rows
    ]


def latest_contracts(limit: int = LATEST) -> list[Entry]:
    """The newest signed contracts: title, provider, amount, the day signed."""
    from caidan.contracts.models import Contract

    rows = (
        Contract.objects.public()
        .select_related("organization")
        .only("id", "title", "signed_at", "amount", "status", "organization__name")
        .order_by("-id")[:limit]
    )
    return [
        Entry(
            title=c.title,
            url=reverse("contracts:detail", args=[c.pk]),
            on=c.signed_at,
            detail=c.organization.name,
            amount=c.amount,
        )
        for c in rows
    ]


def portal_latest(limit: int = LATEST) -> dict[str, list[Entry]]:
    """Tenders, award notices and contracts for the front page (three queries)."""
    return {
        "tenders": latest_tenders(limit),
        "awards": latest_awards(limit),
        "contracts": latest_contracts(limit),
    }
