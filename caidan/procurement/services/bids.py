"""Sealed bids: submit, replace, withdraw before the deadline; opening at the deadline.

Submission and opening meet on the tender row: a submission holds a *shared* lock on it
(PostgreSQL ``FOR SHARE``: many bids at once, no waiting on each other) and checks the
server clock after acquiring it; opening takes the *exclusive* lock, so it waits for every
submission in flight and any later submission sees the tender opened. Nothing arriving in
the final seconds is lost, and nothing arrives after opening.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.calendar import local_date
from caidan.common.codes import Common
from caidan.common.errors import Conflict, ValidationError, field_error
from caidan.common.money import format_yuan
from caidan.common.perms import Perm
from caidan.common.tick import tick_job
from caidan.orgs.eligibility import Requirements, eligibility
from caidan.procurement.codes import Code

from .. import sealing
from ..inputs import BidContentInput
from ..lifecycles import BidAction, bid_lifecycle, tender_lifecycle
from ..methods import committee_needed
from ..models import Bid, BidStatus, Tender, TenderAction, TenderStatus
from ..tasks import draw_task, question_task, respond_task
from .lifecycle import fail


def requirements_of(tender: Tender) -> Requirements:
    return Requirements(
        grade_policy=tender.grade_policy,
        fields=tuple(tender.required_fields),
        abnormal_excludes=tender.abnormal_excludes,
        require_experience=tender.require_experience,
    )


def bidder_problems(tender: Tender, organization, *, on: dt.date) -> list[str]:
    """Why ``organization`` may not bid on ``tender`` (empty: it may). DOMAIN §4.2 and
    实施条例 §18 (the project's designer)."""
    cfg = tender.config
    problems: list[str] = []
    if cfg.invited_only and organization.pk != tender.invited_organization_id:
        problems.append(f"{cfg.label}项目只接受拟定承接主体的响应。")
    if tender.designer_organization_id == organization.pk:
        problems.append(
            "为本项目提供整体设计、规范编制或者项目管理服务的单位不得参加投标（实施条例 §18）。"
        )
    problems += eligibility(organization, requirements_of(tender), on=on).reasons
    return problems


def _sealed_content(tender: Tender, data: BidContentInput) -> dict[str, Any]:
    """What is sealed: the price the tender's method asks for (under post purchase the
    price per post and the total for the tender's posts), the plan and the team."""
    out: dict[str, Any] = {}
    if tender.config.posts:
        if data.per_post_price is None:
            raise field_error("per_post_price", _("请填写每岗位报价。"))
        out["per_post_price"] = str(data.per_post_price)
        out["posts"] = tender.posts
        out["price"] = str(data.per_post_price * tender.posts)
    else:
        if data.price is None:
            raise field_error("price", _("请填写投标报价。"))
        out["price"] = str(data.price)
    out["plan"] = data.plan
    out["team"] = data.team
    return out


def _share_lock(tender_id: int) -> Tender:
    """Lock the tender row in share mode (PostgreSQL) and re-read it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT id FROM procurement_tender WHERE id = %s FOR SHARE", [tender_id])
    return Tender.objects.get(pk=tender_id)


def accepting_bids(tender: Tender, now: dt.datetime) -> bool:
    """Bids (and questions) are accepted on this tender itself: its phase says bidding is
    open (``Tender.phase_at``, the one rule: published and the server clock's ``now`` before
    the deadline) and it is not in lots — a tender in lots takes bids per lot, never on the
    whole."""
    return tender.phase_at(now).bidding_open and not tender.has_lots


def _refuse_after_deadline(t: Tender, now: dt.datetime) -> None:
    """Refuse unless ``accepting_bids``, saying why."""
    if accepting_bids(t, now):
        return
    if t.has_lots:
        raise Conflict(
            _("本项目划分分包，请在各分包中分别投标。"),
            code=Code.LOTS_NOT_ALLOWED,
            detail={"field": "tender"},
        )
    if t.status != TenderStatus.PUBLISHED:
        raise Conflict(
            _("采购项目处于“%(get_status_display)s”状态，不接受投标。")
            % {"get_status_display": t.get_status_display()},
            code=Code.NOT_OPEN,
        )
    raise Conflict(
        _("投标已截止：截止时间 %(localtime)s，服务器时间 %(localtime_2)s。")
        % {
            "localtime": format(timezone.localtime(t.deadline), "%Y-%m-%d %H:%M:%S"),
            "localtime_2": format(timezone.localtime(now), "%Y-%m-%d %H:%M:%S"),
        },
        code=Code.DEADLINE_PASSED,
        detail={"deadline": t.deadline.isoformat(), "server_time": now.isoformat()},
    )


def bid_submit(
    *,
    tender: Tender,
    organization,
    data: BidContentInput,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Bid:
    """Seal and submit a bid (投标) saying ``data``. Submitting again replaces the earlier
    bid. Returns the bid; its ``receipt`` is the bidder's proof of what was sealed.

    ``now`` is for seeding a past procurement (the demo) and for tests on a fixed clock; the
    views and the API never pass it, so a bidder's deadline is always the server clock's."""
    require(actor, Perm.PROCUREMENT_BID, organization)
    cleaned = _sealed_content(tender, data)
    with transaction.atomic():
        t = _share_lock(tender.pk)
        now = now or timezone.now()  # the server clock, read under the lock
        _refuse_after_deadline(t, now)
        problems = bidder_problems(t, organization, on=local_date(now))
        if problems:
            raise ValidationError(
                _("贵组织不符合本项目的投标资格：%(reasons)s") % {"reasons": "；".join(problems)},
                code=Common.INELIGIBLE,
                detail={"field": "organization", "reasons": problems},
            )
        previous = (
            Bid.objects.select_for_update()
            .filter(tender=t, organization=organization, status=BidStatus.SUBMITTED)
            .first()
        )
        if previous is not None:
            bid_lifecycle.apply(
                previous,
                BidAction.REPLACE,
                actor=actor,
                update_fields=[],
                audit_new={"organization": organization.pk, "receipt": previous.receipt},
            )
        seal_id = uuid.uuid4().hex
        sealed = sealing.seal(t, organization_id=organization.pk, seal_id=seal_id, content=cleaned)
        try:
            with transaction.atomic():
                bid = Bid.objects.create(
                    tender=t,
                    organization=organization,
                    status=BidStatus.SUBMITTED,
                    seal_id=seal_id,
                    sealed=sealed.ciphertext,
                    nonce=sealed.nonce,
                    receipt=sealed.receipt,
                    submitted_at=now,
                    submitted_by=user_of(actor),
                    replaces=previous,
                )
        except IntegrityError:
            raise Conflict(
                _("贵组织的另一份投标正在递交，请稍后刷新查看。"), code=Code.CONCURRENT_BID
            ) from None
        audit_record(
            kind=EventKind.BID_SUBMITTED,
            actor=actor,
            target=t,
            new={
                "bid": bid.pk,
                "organization": organization.pk,
                "receipt": bid.receipt,
                "replaces": previous.pk if previous else None,
                "server_time": now.isoformat(),
            },
        )
        from caidan.notifications.services import notifications_resolve

        notifications_resolve(task=respond_task(t), now=now)
    return bid


def bid_withdraw(*, bid: Bid, actor: Actor) -> Bid:
    require(actor, Perm.PROCUREMENT_BID, bid.organization)
    with transaction.atomic():
        t = _share_lock(bid.tender_id)
        _refuse_after_deadline(t, timezone.now())
        b = Bid.objects.select_for_update().get(pk=bid.pk)
        if b.status != BidStatus.SUBMITTED:
            raise Conflict(_("该投标已被替换或撤回。"), code=Code.NOT_LIVE)
        b.tender = t
        bid_lifecycle.apply(
            b,
            BidAction.WITHDRAW,
            actor=actor,
            update_fields=[],
            withdrawn_at=timezone.now(),
            audit_new={"organization": b.organization_id, "receipt": b.receipt},
        )
    return b


def receipt_verify(bid: Bid) -> bool:
    """Recompute the receipt from the stored sealed blob: equal means the blob opened is
    the one the bidder was given a receipt for."""
    return (
        sealing.receipt_for(
            tender_id=bid.tender_id,
            organization_id=bid.organization_id,
            seal_id=bid.seal_id,
            nonce=bytes(bid.nonce),
            ciphertext=bytes(bid.sealed),
        )
        == bid.receipt
    )


# --- opening ------------------------------------------------------------------------------------


def _same_control_groups(bids: list[Bid]) -> dict[int, str]:
    """实施条例 §18: suppliers with the same person in charge may not both bid."""
    by_person: dict[str, list[Bid]] = {}
    for b in bids:
        person = (b.organization.legal_representative or "").strip()
        if person:
            by_person.setdefault(person, []).append(b)
    out = {}
    for person, group in by_person.items():
        if len(group) > 1:
            names = "、".join(b.organization.name for b in group)
            for b in group:
                out[b.pk] = (
                    f"与其他投标人（{names}）的法定代表人均为 {person}，不得参加同一项目投标（实施条例 §18）。"
                )
    return out


def _open_locked(t: Tender, now: dt.datetime, actor: Actor) -> None:
    from caidan.notifications.services import notifications_resolve

    # questions not answered by the deadline can no longer be answered, nor a response sent
    notifications_resolve(
        task=[respond_task(t)]
        + [
            question_task(pk)
            for pk in t.clarifications.filter(answered_at__isnull=True).values_list("pk", flat=True)
        ],
        now=now,
    )
    key = sealing.open_key(t, now=now)
    bids = list(
        Bid.objects.select_for_update()
        .filter(tender=t, status=BidStatus.SUBMITTED)
        .select_related("organization")
        .order_by("submitted_at", "id")
    )
    day = local_date(t.deadline)
    same_person = _same_control_groups(bids)
    opened = []
    for b in bids:
        reasons: list[str] = []
        if not receipt_verify(b):
            reasons.append("密封内容与投标回执不符。")
            content: dict[str, Any] = {}
        else:
            content = sealing.unseal(key, bid=b)
        reasons += bidder_problems(t, b.organization, on=day)
        if b.pk in same_person:
            reasons.append(same_person[b.pk])
        price = Decimal(content["price"]) if content.get("price") else None
        per_post = content.get("per_post_price")
        over_cap = (
            t.post_price_cap is not None and per_post and Decimal(per_post) > t.post_price_cap
        )
        if t.config.posts and over_cap:
            reasons.append(
                f"每岗位报价 {format_yuan(per_post)} 超过最高单价 {format_yuan(t.post_price_cap)}。"
            )
        b.content = content
        b.price = price
        b.opened_at = now
        b.invalid_reasons = reasons
        b.tender = t
        bid_lifecycle.apply(
            b,
            BidAction.REJECT if reasons else BidAction.ACCEPT,
            actor=actor,
            update_fields=["content", "price", "opened_at", "invalid_reasons"],
            audit_new={"organization": b.organization_id, "reasons": reasons},
        )
        opened.append(
            {
                "bid": b.pk,
                "organization": b.organization_id,
                "receipt": b.receipt,
                "price": str(price) if price is not None else None,
                "valid": not reasons,
            }
        )
    tender_lifecycle.apply(t, TenderAction.OPEN, actor=actor, opened_at=now)
    audit_record(kind=EventKind.BID_OPENED, actor=actor, target=t, new={"bids": opened})
    valid = [b for b in bids if b.status == BidStatus.VALID]
    within = [b for b in valid if b.price is not None and b.price <= t.budget]
    minimum = t.config.min_valid_bids()
    if valid and not within:
        fail(
            t,
            reason=f"全部 {len(valid)} 份有效投标报价均超过采购预算 {format_yuan(t.budget)}（政府采购法 §36）。",
            actor=actor,
        )
        return
    if len(within) < minimum:
        fail(
            t,
            reason=f"有效投标（报价不超过预算）仅 {len(within)} 家，少于{t.config.label}要求的 "
            f"{minimum} 家（政府采购法 §36；财库〔2015〕124号）。",
            actor=actor,
        )
        return
    if not committee_needed(t):  # single source, agreement: ranked by price at once
        from .ranking import evaluation_compute

        evaluation_compute(tender=t, actor=actor)
        return
    from caidan.accounts.selectors import unit_officers
    from caidan.notifications.services import notify

    officers = unit_officers(t.unit)
    notify(
        recipients=officers,
        kind="tender.opened",
        title=f"请抽取评审专家：{t.title}（已开标）",
        body=f"{t.reference} 已开标，有效投标 {len(within)} 份，请抽取评审专家。",
        url=f"/procurement/tenders/{t.pk}/panel/",
        task=draw_task(t),
    )


def tender_open(
    *, tender: Tender, now: dt.datetime | None = None, actor: Actor | None = None
) -> bool:
    """Open one tender whose deadline has passed. Idempotent: returns False (and changes
    nothing) when the tender is not due, already opened, or being opened elsewhere."""
    now = now or timezone.now()
    actor = actor or Actor.system()
    with transaction.atomic():
        t = (
            Tender.objects.select_for_update(skip_locked=True)
            .select_related("unit", "proposal")
            .filter(pk=tender.pk, status=TenderStatus.PUBLISHED, deadline__lte=now, has_lots=False)
            .first()
        )
        if t is None:
            return False
        _open_locked(t, now, actor)
    return True


@tick_job("procurement.open_bids")
def open_due_tenders(now: dt.datetime) -> int:
    """Open every tender whose deadline has come (开标). Safe to run on several servers."""
    due = list(
        Tender.objects.filter(status=TenderStatus.PUBLISHED, deadline__lte=now, has_lots=False)
        .order_by("deadline", "id")
        .values_list("pk", flat=True)[:200]
    )
    return sum(1 for pk in due if tender_open(tender=Tender(pk=pk), now=now))
