"""The award and its challenges: the purchaser confirms the winner (after reviewing the
candidates' eligibility) and answers challenges; the winner may decline; the other bidders
challenge and may withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.errors import NotFound
from caidan.common.perms import Perm
from caidan.web.ui import attempt_error, domain_errors

from .. import forms, selectors, services
from ..models import TenderStatus
from .common import confirm


def _lot_award_context(tender) -> dict:
    """A lot of a tender with a cap: the rule, the lots still to be awarded before this one,
    and who the cap passes over (with why)."""
    from ..services.awards import candidates as ranked_candidates
    from ..services.lots import (
        award_order_problems,
        cap_passed_over,
        cap_sentence,
        lot_cap,
        skipped_sentence,
    )

    cap = lot_cap(tender)
    if not cap:
        return {}
    _kept, skipped = (
        cap_passed_over(tender, ranked_candidates(tender))
        if tender.status == TenderStatus.EVALUATED
        else ([], [])
    )
    return {
        "lot_rule": cap_sentence(cap),
        "lot_order": award_order_problems(tender),
        "cap_skipped": [skipped_sentence(row, cap) for row in skipped],
    }


@login_required
@domain_errors
def award(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    candidates = services.recommended(tender) if tender.status == TenderStatus.EVALUATED else []
    form = forms.AwardForm(
        request.POST or None,
        candidates=candidates,
        initial={"bid": str(candidates[0].pk)} if len(candidates) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        chosen = next((b for b in candidates if str(b.pk) == form.cleaned_data["bid"]), None)
        error = attempt_error(
            lambda: services.award_confirm(
                tender=tender, bid=chosen, note=form.cleaned_data["note"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("已确定中标人，中标结果公告已发布。"))
            return redirect("procurement:notice", tender_id=tender.pk)
    ranking = [b for b in selectors.opening_record(tender) if b.rank is not None]
    problems = services.candidate_problems(tender) if candidates else {}
    return render(
        request,
        "procurement/award.html",
        {
            **_lot_award_context(tender),
            "t": tender,
            "form": form,
            "candidates": candidates,
            "ranking": ranking,
            "problems": [(b, problems[b.pk]) for b in candidates if b.pk in problems],
        },
    )


@login_required
@domain_errors
def candidate_disqualify(request, tender_id: int, bid_id: int):
    """The purchaser records a recommended bidder as no longer qualified (the platform's
    reasons), after a confirmation; the next-ranked is then recommended."""
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    bid = next((b for b in services.recommended(tender) if b.pk == bid_id), None)
    if bid is None:
        raise NotFound(_("该投标不是本项目的中标候选人。"))
    problems = services.candidate_problems(tender).get(bid.pk, [])
    if request.method == "POST":
        error = attempt_error(
            lambda: services.candidate_disqualify(tender=tender, bid=bid, actor=actor)
        )
        if error is not None:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("已认定%(name)s不符合承接条件，并通知该供应商。")
                % {"name": bid.organization.name},
            )
        return redirect("procurement:award", tender_id=tender.pk)
    return render(
        request,
        "procurement/candidate_disqualify.html",
        {"t": tender, "bid": bid, "problems": problems},
    )


@login_required
@domain_errors
def award_decline(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    current = selectors.current_award(tender)
    if current is None:
        raise NotFound(_("该采购项目没有有效的中标结果。"))
    require(actor, Perm.PROCUREMENT_BID, current.bid.organization)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.award_decline(
                award=current, reason=form.cleaned_data["reason"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("已放弃中标。采购人可确定排名其后的供应商中标或重新采购。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return confirm(
        request,
        tender=tender,
        title=_("放弃中标"),
        warning=_("放弃后不可恢复；无正当理由放弃中标可能影响贵组织的履约记录。"),
        action_label=_("确认放弃中标"),
        form=form,
        danger=True,
    )


@login_required
@domain_errors
def challenge_new(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_BID, actor.organization)
    current = selectors.current_award(tender)
    if current is None:
        raise NotFound(_("该采购项目没有有效的中标结果。"))
    form = forms.ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.challenge_file(
                award=current,
                organization=actor.organization,
                grounds=form.cleaned_data["grounds"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("质疑已提交，采购人须在 7 个工作日内书面答复。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(
        request, "procurement/challenge.html", {"t": tender, "form": form, "award": current}
    )


def _challenge(tender, actor, challenge_id: int):
    c = next((c for c in selectors.challenges_for(tender, actor) if c.pk == challenge_id), None)
    if c is None:
        raise NotFound(_("质疑不存在。"))
    return c


@require_POST
@login_required
@domain_errors
def challenge_answer(request, tender_id: int, challenge_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    challenge = _challenge(tender, actor, challenge_id)
    form = forms.ChallengeAnswerForm(request.POST)
    if form.is_valid():
        error = attempt_error(
            lambda: services.challenge_answer(
                challenge=challenge,
                answer=form.cleaned_data["answer"],
                upheld=form.cleaned_data["upheld"],
                actor=actor,
            )
        )
        if error is not None:
            messages.error(request, error)
        else:
            messages.success(request, _("质疑答复已送达质疑人。"))
    else:
        messages.error(request, _("请填写答复内容并选择质疑是否成立。"))
    return redirect("procurement:tender", tender_id=tender.pk)


@require_POST
@login_required
@domain_errors
def challenge_withdraw(request, tender_id: int, challenge_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    challenge = _challenge(tender, actor, challenge_id)
    error = attempt_error(lambda: services.challenge_withdraw(challenge=challenge, actor=actor))
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(request, _("质疑已撤回。"))
    return redirect("procurement:tender", tender_id=tender.pk)
