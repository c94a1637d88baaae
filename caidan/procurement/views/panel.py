"""The expert panel: the purchaser's and overseers' panel page, the draw, recusals and
voided scores; a bidder's request for a recusal; an expert's list of reviews."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.errors import PermissionDenied, form_add_error
from caidan.common.pagination import keyset_paginate
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from .. import forms, selectors, selectors_experts, services
from ..affordances import tender_affordances
from ..models import MemberStatus
from .common import confirm


@login_required
@domain_errors
def panel(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    if actor.has_role(Role.EXPERT):
        return redirect("procurement:review", tender_id=tender.pk)
    aff = tender_affordances(actor, tender)
    if not (aff.managing or aff.overseeing):
        raise PermissionDenied(_("只有采购人和监督人员可以查看评审委员会。"))
    members = list(selectors_experts.panel_for(tender))
    submitted = selectors_experts.submission_times(tender)
    draws = [(d, services.draw_verify(d)) for d in selectors_experts.draws_of(tender)]
    return render(
        request,
        "procurement/panel.html",
        {
            "t": tender,
            "aff": aff,
            "members": [(m, submitted.get(m.pk)) for m in members],
            "draws": draws,
            # The seed stays secret (only its commitment is shown) until the award notice.
            "draw_published": selectors_experts.draw_published(tender),
            "recusable": (MemberStatus.DRAWN, MemberStatus.ACTIVE, MemberStatus.RESERVE),
        },
    )


@require_POST
@login_required
@domain_errors
def panel_draw(request, tender_id: int):
    tender = selectors.tender_get_for(actor=request.actor, tender_id=tender_id)
    require(request.actor, Perm.PROCUREMENT_MANAGE, tender)
    draw, error = attempt(lambda: services.panel_draw(tender=tender, actor=request.actor))
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _(
                "已随机抽取评审专家 %(size)s 名、备选 %(reserves)s 名（随机种子在公告时已确定，中标公告后公开）。"
            )
            % {"size": draw.size, "reserves": draw.reserves},
        )
    return redirect("procurement:panel", tender_id=tender.pk)


@require_POST
@login_required
@domain_errors
def panel_recuse(request, tender_id: int, member_id: int):
    tender = selectors.tender_get_for(actor=request.actor, tender_id=tender_id)
    require(request.actor, Perm.PROCUREMENT_MANAGE, tender)
    member = selectors_experts.panel_member_of(tender, member_id)
    form = forms.RecusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写回避理由。"))
        return redirect("procurement:panel", tender_id=tender.pk)
    error = attempt_error(
        lambda: services.panel_recuse(
            member=member, reason=form.cleaned_data["reason"], actor=request.actor
        )
    )
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("已记录专家“%(name)s”回避，并由备选专家递补。") % {"name": member.expert.name},
        )
    return redirect("procurement:panel", tender_id=tender.pk)


@login_required
@domain_errors
def panel_void(request, tender_id: int, member_id: int):
    """Void the scores of a member who should have recused (财库〔2016〕198号): a
    confirmation page with the reason, then the service; the first reserve takes the seat."""
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    member = selectors_experts.panel_member_of(tender, member_id)
    form = forms.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = attempt_refusal(
            lambda: services.panel_void(
                member=member, reason=form.cleaned_data["reason"], actor=actor
            )
        )[1]
        if refusal is None:
            messages.success(
                request,
                _(
                    "已作废专家“%(name)s”的评分，由备选专家递补；递补专家声明并提交评分后重新计算评审结果。"
                )
                % {"name": member.expert.name},
            )
            return redirect("procurement:panel", tender_id=tender.pk)
        if refusal.code == "no_reserve":  # voided; the purchaser must draw again
            messages.warning(request, refusal.message)
            return redirect("procurement:panel", tender_id=tender.pk)
        form_add_error(form, refusal)
    submitted_at = selectors_experts.submission_times(tender).get(member.pk)
    return confirm(
        request,
        tender=tender,
        title=_("作废专家评分"),
        warning=_(
            "依据财库〔2016〕198号，评审专家与投标人存在利害关系、应当回避而未回避的，其评分"
            "作废：该专家的评分不再计入，已形成的评审结果随之失效；由第一顺位备选专家递补，"
            "声明利害关系后重新评分，全体提交后重新计算评审结果。作废不可撤销，理由记入采购记录。"
        ),
        action_label=_("确认作废评分"),
        form=form,
        danger=True,
        facts=[
            (_("专家"), member.expert.name),
            (_("顺位"), member.position),
            (_("状态"), member.get_status_display()),
            (
                _("评分提交时间"),
                timezone.localtime(submitted_at).strftime("%Y-%m-%d %H:%M:%S")
                if submitted_at
                else "—",
            ),
        ],
        back_url=reverse("procurement:panel", kwargs={"tender_id": tender.pk}),
        back_label=_("评审委员会"),
    )


@login_required
@domain_errors
def recusal_request(request, tender_id: int):
    """A bidder asks the purchaser to recuse an expert (财库〔2016〕198号)."""
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_BID, actor.organization)
    form = forms.RecusalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.recusal_request(
                tender=tender,
                organization=actor.organization,
                expert_name=form.cleaned_data["expert_name"],
                reason=form.cleaned_data["reason"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("回避申请已送交采购人，由采购人依规决定。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(request, "procurement/recusal_request.html", {"t": tender, "form": form})


@login_required
@domain_errors
def my_reviews(request):
    actor = request.actor
    if not actor.has_role(Role.EXPERT):
        raise PermissionDenied(_("当前角色无权访问此页面（需要：评审专家）。"))
    page = keyset_paginate(
        selectors_experts.expert_tenders(actor.user), cursor=request.GET.get("cursor") or None
    )
    seats = selectors_experts.seats_of(actor.user, page.items)
    return render(
        request,
        "procurement/my_reviews.html",
        {"page": page, "rows": [(t, seats.get(t.pk)) for t in page.items]},
    )
