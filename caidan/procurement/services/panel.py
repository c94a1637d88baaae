"""A tender's panel after the draw: declarations of interest, recusal, voided scores and
replacement from the reserves (DOMAIN.md §4.4; 财库〔2016〕198号).

Replacement: a member who recuses (declared conflict, a bidder's request accepted by the
purchaser) or whose scores are voided is replaced by the first remaining reserve. When no
reserve is left, the recusal is still recorded and the service raises ``Conflict``
(``no_reserve``) after committing it, telling the purchaser to run a supplementary draw
(``panel_draw`` again), which draws the missing members plus fresh reserves among the
experts not yet on the panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.notifications.services import notifications_resolve, notify
from caidan.orgs.models import Organization
from caidan.procurement.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..lifecycles import MemberAction, member_lifecycle
from ..models import Bid, MemberStatus, PanelMember, ScoreSheet, Tender, TenderStatus
from ..selectors_experts import SEATED
from ..tasks import declare_task, draw_task
from ._shared import (
    RULE,
    _clean_text,
    _locked_member,
    _notify_drawn,
    _officers,
    _require_self,
    scoring_open,
)
from .lifecycle import lock


def _replace(member: PanelMember, actor: Actor) -> PanelMember:
    """Seat the first remaining reserve (by draw position) in ``member``'s place. Raises
    ``Conflict`` (``no_reserve``) when none is left: a supplementary draw is needed."""
    reserve = (
        PanelMember.objects.select_for_update(of=("self",))  # the login is an outer join
        .select_related("expert", "expert__user")
        .filter(tender_id=member.tender_id, status=MemberStatus.RESERVE)
        .order_by("position")
        .first()
    )
    if reserve is None:
        raise Conflict(
            _("专家“%(name)s”的回避已记录，但备选专家已用尽：采购人须重新（补充）抽取评审专家。")
            % {"name": member.expert.name},
            code=Code.NO_RESERVE,
        )
    reserve.tender = member.tender
    member_lifecycle.apply(
        reserve,
        MemberAction.SEAT,
        actor=actor,
        update_fields=[],
        audit_old={"replaces": member.pk, "replaced_expert": member.expert_id},
        audit_new={"expert": reserve.expert_id, "position": reserve.position},
    )
    member.replaced_by = reserve
    member.save(update_fields=["replaced_by"])
    _notify_drawn([reserve], member.tender)
    return reserve


def _remove_and_replace(
    member: PanelMember,
    *,
    action: str,
    reason: str,
    actor: Actor,
    audit_new: dict[str, Any],
    update_fields: Sequence[str] = (),
):
    """Recuse or void ``member`` (one audited step), then replace it from the reserves when
    it held a seat. Returns the Conflict to raise after commit when no reserve is left."""
    had_seat = member.status in SEATED
    member_lifecycle.apply(
        member,
        action,
        actor=actor,
        note=reason,
        update_fields=update_fields,
        recusal_reason=reason,
        audit_new={"expert": member.expert_id, **audit_new},
    )
    if not had_seat:
        return None
    try:
        with transaction.atomic():
            _replace(member, actor)
    except Conflict as shortage:
        tender = member.tender
        notify(
            recipients=_officers(tender),
            kind="panel.short",
            title=f"请补充抽取评审专家：{tender.title}",
            body=f"{shortage.message}（{tender.reference}）",
            url=f"/procurement/tenders/{tender.pk}/panel/",
            task=draw_task(tender),
        )
        return shortage
    return None


def panel_declare(
    *, member: PanelMember, no_conflict: bool, declaration: str = "", actor: Actor
) -> PanelMember:
    """The drawn expert declares, before seeing the bids, whether it has a conflict of
    interest with any bidder. No conflict → active member; a conflict → recused (the
    declaration is the reason) and replaced from the reserves."""
    with transaction.atomic():
        member = _locked_member(member)
        _require_self(member, actor)
        tender = lock(member.tender)
        member.tender = tender
        if not scoring_open(tender):
            raise Conflict(
                _("采购项目处于“%(get_status_display)s”状态，不能声明利害关系。")
                % {"get_status_display": tender.get_status_display()},
                code=Common.BAD_TRANSITION,
            )
        if member.status != MemberStatus.DRAWN:
            raise Conflict(
                _("您在本项目的状态为“%(get_status_display)s”，无需（或不能）再声明。")
                % {"get_status_display": member.get_status_display()},
                code=Code.BAD_MEMBER_STATUS,
            )
        declaration = _clean_text("declaration", "利害关系声明", declaration, 2000)
        notifications_resolve(task=declare_task(tender), recipients=[actor.user])
        member.declared_at = timezone.now()
        member.declaration = declaration
        shortage = None
        if no_conflict:
            member_lifecycle.apply(
                member,
                MemberAction.DECLARE,
                actor=actor,
                note=declaration,
                update_fields=["declared_at", "declaration"],
                audit_new={"expert": member.expert_id, "no_conflict": True},
            )
        else:
            if not declaration:
                raise field_error(
                    "declaration", _("声明存在利害关系时，须说明与哪个投标人存在何种关系。")
                )
            shortage = _remove_and_replace(
                member,
                action=MemberAction.RECUSE,
                reason=declaration,
                actor=actor,
                update_fields=["declared_at", "declaration"],
                audit_new={"declared": True},
            )
    if shortage is not None:
        raise shortage
    return member


def panel_recuse(*, member: PanelMember, reason: str, actor: Actor) -> PanelMember:
    """The purchaser records a recusal (e.g. a bidder's request accepted, 财库〔2016〕198号)
    of a member who has not submitted scores, or of a reserve. A member who already
    submitted scores is voided instead (``panel_void``)."""
    reason = _clean_text("reason", "回避理由", reason, 2000)
    if not reason:
        raise field_error("reason", _("请填写回避理由。"))
    with transaction.atomic():
        member = _locked_member(member)
        require(actor, Perm.PROCUREMENT_MANAGE, member.tender)
        tender = lock(member.tender)
        member.tender = tender
        if tender.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(
                _("采购项目处于“%(get_status_display)s”状态，不能记录专家回避。")
                % {"get_status_display": tender.get_status_display()},
                code=Common.BAD_TRANSITION,
            )
        if member.status not in (*SEATED, MemberStatus.RESERVE):
            raise Conflict(
                _("专家“%(name)s”的状态为“%(get_status_display)s”，不能回避。")
                % {"name": member.expert.name, "get_status_display": member.get_status_display()},
                code=Code.BAD_MEMBER_STATUS,
            )
        sheet = ScoreSheet.objects.filter(member=member).first()
        if sheet is not None and sheet.submitted_at is not None:
            raise Conflict(
                _(
                    "专家“%(name)s”已提交评分：应当回避而未回避的，其评分作废（%(RULE)s），请使用“评分作废”。"
                )
                % {"name": member.expert.name, "RULE": RULE},
                code=Code.ALREADY_SCORED,
            )
        if not scoring_open(tender):
            raise Conflict(_("评审结果已形成，不能再记录专家回避。"), code=Common.BAD_TRANSITION)
        if sheet is not None:
            sheet.voided = True
            sheet.save(update_fields=["voided"])
        shortage = _remove_and_replace(
            member, action=MemberAction.RECUSE, reason=reason, actor=actor, audit_new={}
        )
    if shortage is not None:
        raise shortage
    return member


def panel_void(*, member: PanelMember, reason: str, actor: Actor) -> PanelMember:
    """Void the scores of a member who scored but should have recused (财库〔2016〕198号).

    The sheet is voided, the member set aside and replaced from the reserves. The tender's
    result, if any, is no longer final: ``tender.result`` is cleared and so are the bids'
    scores and ranks. A tender still ``evaluating`` stays so; an ``evaluated`` one keeps
    its status with ``result = None`` (no award is possible without a result) until the
    replacement has declared and submitted, when the evaluation is recomputed."""
    reason = _clean_text("reason", "作废理由", reason, 2000)
    if not reason:
        raise field_error("reason", _("请填写评分作废的理由（应当回避的情形）。"))
    with transaction.atomic():
        member = _locked_member(member)
        require(actor, Perm.PROCUREMENT_MANAGE, member.tender)
        tender = lock(member.tender)
        member.tender = tender
        if tender.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(
                _("采购项目处于“%(get_status_display)s”状态：中标结果确定后不能再作废专家评分。")
                % {"get_status_display": tender.get_status_display()},
                code=Common.BAD_TRANSITION,
            )
        sheet = ScoreSheet.objects.filter(member=member).first()
        if member.status != MemberStatus.ACTIVE or sheet is None or sheet.voided:
            raise Conflict(
                _("专家“%(name)s”尚未评分，无需作废评分，请使用“回避”。")
                % {"name": member.expert.name},
                code=Code.NOT_SCORED,
            )
        sheet.voided = True
        sheet.save(update_fields=["voided"])
        had_result = tender.result is not None
        if had_result:
            tender.result = None
            tender.save(update_fields=["result", "updated_at"])
        Bid.objects.filter(tender=tender).update(price_score=None, total=None, rank=None)
        shortage = _remove_and_replace(
            member,
            action=MemberAction.VOID,
            reason=reason,
            actor=actor,
            audit_new={"sheet": sheet.pk, "result": False, "had_result": had_result},
        )
    if shortage is not None:
        raise shortage
    return member


def recusal_request(
    *, tender: Tender, organization: Organization, reason: str, expert_name: str = "", actor: Actor
) -> None:
    """A bidder asks the purchaser to recuse someone (财库〔2016〕198号): the request is
    recorded and sent to the purchaser, who decides with ``panel_recuse`` or ``panel_void``.
    Panel members' names are not published before the award, so the bidder may describe the
    relationship instead of naming the person."""
    require(actor, Perm.PROCUREMENT_BID, organization)
    reason = _clean_text("reason", "申请理由", reason, 2000)
    if not reason:
        raise field_error("reason", _("请写明申请回避的事实和理由（如与某投标人存在的关系）。"))
    expert_name = _clean_text("expert_name", "专家姓名", expert_name, 100)
    with transaction.atomic():
        tender = lock(tender)
        if tender.status not in (TenderStatus.PUBLISHED, TenderStatus.EVALUATING):
            raise Conflict(_("评审已经结束，不能再申请专家回避；对结果有异议的请提出质疑。"))
        if not tender.bids.filter(organization=organization).exclude(status="withdrawn").exists():
            raise field_error("organization", _("只有参加本项目投标的供应商可以申请专家回避。"))
        audit_record(
            kind=EventKind.PANEL_RECUSAL_REQUESTED,
            actor=actor,
            target=tender,
            new={"organization": organization.pk, "expert_name": expert_name},
            note=reason,
        )
        who = f"专家“{expert_name}”" if expert_name else "评审专家"
        # Before opening nobody, the purchaser included, learns who bid (招标投标法 §22).
        requester = organization.name if tender.opened_at else "一名投标人（开标前不公开名称）"
        notify(
            recipients=_officers(tender),
            kind="panel.recusal_requested",
            title=f"回避申请：{tender.title}",
            body=f"{requester}申请{who}回避：{reason[:300]}",
            url=f"/procurement/tenders/{tender.pk}/",
        )
