"""Helpers shared by procurement's service modules: the rule the expert services cite, text
cleaning, the panel member's lock and seat checks, and who is told what."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.models import User
from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users
from caidan.common.actor import Actor
from caidan.common.errors import PermissionDenied, field_error
from caidan.common.perms import Perm
from caidan.notifications.services import notify
from caidan.procurement.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..models import Bid, Clarification, PanelMember, Tender, TenderStatus
from ..tasks import declare_task

RULE = "财库〔2016〕198号"


def _clean_text(field: str, label: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise field_error(field, _("%(label)s须为文本。") % {"label": label})
    value = value.strip()
    if len(value) > limit:
        raise field_error(
            field, _("%(label)s不能超过 %(limit)s 个字符。") % {"label": label, "limit": limit}
        )
    return value


def _notify_drawn(members: Iterable[PanelMember], tender: Tender) -> None:
    users = [m.expert.user for m in members if m.expert.user_id]
    if users:
        notify(
            recipients=users,
            kind="panel.drawn",
            title=f"请声明利害关系：您被抽取为评审专家（{tender.title}）",
            body=(
                f"您被随机抽取为采购项目 {tender.reference}“{tender.title}”的评审专家。"
                f"评审前请先声明与投标人是否存在利害关系（{RULE}）。"
            ),
            url=f"/procurement/tenders/{tender.pk}/panel/",
            task=declare_task(tender),
        )


def _officers(tender: Tender) -> list[User]:
    from caidan.accounts.selectors import unit_officers

    return unit_officers(tender.unit)


def scoring_open(tender: Tender) -> bool:
    """Experts may declare and score while evaluating, or after a voided sheet has taken
    the result away (evaluated, no result) until the replacement has scored."""
    return tender.status == TenderStatus.EVALUATING or (
        tender.status == TenderStatus.EVALUATED and tender.result is None
    )


def _locked_member(member: PanelMember) -> PanelMember:
    return (
        PanelMember.objects.select_for_update().select_related("expert", "tender").get(pk=member.pk)
    )


def _require_self(member: PanelMember, actor: Actor) -> None:
    require(actor, Perm.PROCUREMENT_SCORE, member.tender)
    user = user_of(actor)
    if getattr(actor, "via", "") != "system" and (user is None or member.expert.user_id != user.pk):
        raise PermissionDenied(_("只能由专家本人进行此操作。"), code=Code.NOT_OWN_SEAT)


def _notify_prospective(
    t: Tender, title: str, body: str, *, told: frozenset[int] | set[int] = frozenset()
) -> set[int]:
    """Tell organizations that asked questions or submitted bids (their identity is not
    published) — on a tender in lots, those of every lot (questions and bids go to lots).
    People in ``told`` (user ids, already told of the same change) are left out; returns
    the ids of those told now."""
    from caidan.notifications.services import notify

    on = Q(tender=t) | Q(tender__parent=t) if t.has_lots else Q(tender=t)
    orgs = set(Clarification.objects.filter(on).values_list("asked_by", flat=True)) | set(
        Bid.objects.filter(on).values_list("organization", flat=True)
    )
    users = [u for u in organization_users(orgs) if u.pk not in told]
    notify(
        recipients=users,
        kind="tender.amended",
        title=title,
        body=body,
        url=f"/procurement/tenders/{t.pk}/",
    )
    return {u.pk for u in users}
