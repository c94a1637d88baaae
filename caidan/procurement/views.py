"""Procurement pages: the public tender list, announcement and award notice; the
purchaser's drafting, publication, amendments, questions, expert draw, award and challenge
answers; the bidders' questions, sealed bids and receipts; the experts' declarations and
score sheets; the admin's expert pool.

Views are thin: parse a form, call one service or selector, render. Domain errors become
form errors or messages; permission problems the 403/404 pages (``domain_errors``).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.models import Role, Unit, User
from caidan.accounts.permissions import can, require
from caidan.common.errors import DomainError, NotFound, PermissionDenied, form_add_error
from caidan.common.pagination import keyset_paginate
from caidan.documents.forms import DocumentUploadForm
from caidan.jurisdiction.selectors import setting_value
from caidan.orgs.models import Organization, ServiceField
from caidan.web.ui import attempt, attempt_error, domain_errors

from . import forms, selectors, selectors_experts, services
from . import services as expert_services
from .methods import committee_needed, compliance_only, experts_needed
from .models import BidStatus, MemberStatus, TenderStatus
from .services import evaluation as evaluation_services
from .services.tenders import DEFAULT_FACTORS, tender_documents

SCORING_OPEN = (TenderStatus.EVALUATING, TenderStatus.EVALUATED)


# --- helpers ---------------------------------------------------------------------------------


def _organizations():
    return Organization.objects.filter(status="active").only("pk", "name").order_by("name")


def _is_bidder(actor) -> bool:
    return actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None


def _bidder_problems(actor, tender) -> list[str]:
    """Why the actor's organization may not bid on ``tender`` today (shown before it fills in
    a bid, so nobody writes a whole bid only to be refused at the last step)."""
    from caidan.common.calendar import local_date

    from .services.bids import bidder_problems

    if not _is_bidder(actor) or not _accepting_bids(tender):
        return []
    return bidder_problems(tender, actor.organization, on=local_date(timezone.now()))


def _accepting_bids(tender) -> bool:
    return tender.status == TenderStatus.PUBLISHED and timezone.now() < tender.deadline


def _history_rows(tender, actor) -> list[dict]:
    """Who did what. Before opening, bid events are left out (their number is a leak too)
    and the askers of questions stay unnamed (``selectors.tender_history``)."""
    return [
        {"at": e.at, "kind": e.get_kind_display(), "who": e.actor_label, "note": e.note}
        for e in selectors.tender_history(tender, actor=actor)
    ]


def _needs_method_approval(tender) -> bool:
    baseline = tender.previous.method if tender.previous_id else tender.proposal.procurement_method
    return (
        tender.status == TenderStatus.DRAFT
        and tender.method != baseline
        and tender.method_change_approved_by_id is None
    )


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


def _confirm(request, *, tender, title, warning, action_label, form=None, danger=False, **extra):
    """A confirmation page. ``extra`` may hold ``facts`` (label, value pairs shown above the
    form), ``back_url`` / ``back_label`` (default: the tender) and ``error``."""
    return render(
        request,
        "procurement/confirm.html",
        {
            "t": tender,
            "title": title,
            "warning": warning,
            "action_label": action_label,
            "form": form,
            "danger": danger,
            **extra,
        },
    )


# --- public ----------------------------------------------------------------------------------


@domain_errors
def tender_list(request):
    actor = request.actor
    form = forms.TenderListFilter(request.GET or None)
    filters = {"status": "", "method": "", "search": ""}
    if form.is_valid():
        d = form.cleaned_data
        filters = {"status": d["status"], "method": d["method"], "search": d["q"]}
    cursor = request.GET.get("cursor") or None
    if actor.is_authenticated:
        page = selectors.tender_list_for(actor=actor, **filters, cursor=cursor)
    else:
        page = selectors.tender_list_public(**filters, cursor=cursor)
    return render(
        request,
        "procurement/tender_list.html",
        {
            "page": page,
            "form": form,
            "query": _query_without_cursor(request),
            "can_create": can(actor, "procurement.create"),
        },
    )


@domain_errors
def tender_detail(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    managing = can(actor, "procurement.manage", tender)
    my_bid = None
    if _is_bidder(actor):
        mine = selectors.bids_of(actor=actor, organization=actor.organization, tender=tender)
        my_bid = next((b for b in mine if b.status not in ("replaced", "withdrawn")), None)
    award = selectors.current_award(tender)
    opening = sorted(selectors.opening_record(tender), key=lambda b: (b.submitted_at, b.pk))
    return render(
        request,
        "procurement/tender_detail.html",
        {
            "t": tender,
            "cfg": tender.config,
            "experts_needed": experts_needed(tender),
            "committee_needed": committee_needed(tender),
            "draw": selectors_experts.draw_record(tender)
            if committee_needed(tender) and tender.draw_commitment and tender.published_at
            else None,
            "fields_display": "、".join(
                ServiceField(f).label for f in tender.required_fields if f in ServiceField.values
            ),
            "amendments": list(tender.amendments.order_by("id")),
            "documents": list(tender_documents(tender, actor=actor)),
            "document_form": DocumentUploadForm()
            if managing and tender.status in ("draft", "published")
            else None,
            "qa": selectors.clarifications_public(tender),
            "my_questions": selectors.clarifications_of(tender, actor.organization)
            if _is_bidder(actor)
            else [],
            "opening": opening,
            "award": award,
            "has_notice": award is not None or tender.awards.exists(),
            "challenges": selectors.challenges_for(tender, actor),
            "history": _history_rows(tender, actor),
            "managing": managing,
            "overseeing": can(actor, "procurement.oversee"),
            "accepting": _accepting_bids(tender),
            "is_bidder": _is_bidder(actor),
            "ineligible": _bidder_problems(actor, tender),
            "my_bid": my_bid,
            "is_winner": bool(
                award and _is_bidder(actor) and award.bid.organization_id == actor.organization.pk
            ),
            "can_challenge": bool(
                award
                and my_bid is not None
                and award.bid.organization_id != my_bid.organization_id
                and timezone.now() <= award.challenge_deadline
            ),
            "on_panel": can(actor, "procurement.score", tender),
            "question_form": forms.QuestionForm(),
            "unanswered": sum(1 for c in tender.clarifications.all() if not c.answered_at)
            if managing
            else 0,
            "needs_method_approval": _needs_method_approval(tender),
            "can_approve_method": can(actor, "procurement.approve_method_change"),
            "answer_form": forms.ChallengeAnswerForm(),
            "now": timezone.now(),
        },
    )


def _public_contract(award):
    """The signed contract of this award, when it is public (the notice links to it)."""
    if award is None:
        return None
    from caidan.contracts.selectors import contract_for_award

    contract = contract_for_award(award)
    return contract if contract is not None and contract.is_public else None


@domain_errors
def award_notice(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    notice = selectors.award_notice(tender)
    if notice is None:
        raise NotFound("该采购项目尚未公告中标结果。")
    award = notice["award"]
    is_bidder = _is_bidder(actor)
    my_bid = None
    if is_bidder:
        mine = selectors.bids_of(actor=actor, organization=actor.organization, tender=tender)
        my_bid = next((b for b in mine if b.status in (BidStatus.VALID, BidStatus.INVALID)), None)
    return render(
        request,
        "procurement/notice.html",
        {
            "t": tender,
            "n": notice,
            "award": award,
            "factors": tender.factors if experts_needed(tender) else [],
            "is_winner": bool(
                award and is_bidder and award.bid.organization_id == actor.organization.pk
            ),
            "can_challenge": bool(
                award
                and my_bid is not None
                and award.bid.organization_id != my_bid.organization_id
                and timezone.now() <= award.challenge_deadline
            ),
            "challenges": selectors.challenges_for(tender, actor),
            "contract": _public_contract(award),
        },
    )


@domain_errors
def evaluation_json(request, tender_id: int):
    tender = selectors.tender_get(pk=tender_id, actor=request.actor)
    data = selectors.evaluation_data(tender)
    if data is None:
        raise NotFound("评审数据在中标结果公告后公开。")
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tender.reference}-evaluation.json"'
    return response


# --- purchaser: drafting and publication ---------------------------------------------------


@login_required
@domain_errors
def tender_new(request):
    require(request.actor, "procurement.create")
    return render(
        request,
        "procurement/tender_new.html",
        {"proposals": selectors.eligible_proposals(request.actor)[:200]},
    )


@login_required
@domain_errors
def tender_create(request, proposal_id: int):
    actor = request.actor
    require(actor, "procurement.create")
    proposal = selectors.eligible_proposals(actor).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound("该项目不存在、尚未立项，或已有进行中的采购。")
    initial = {
        "title": proposal.title,
        "method": proposal.procurement_method,
        "evaluation_method": "comprehensive",
        "aggregate": setting_value("score_aggregate"),
        "description": proposal.description,
        "budget": proposal.budget,
        "bid_security": 0,
        "grade_policy": proposal.grade_policy,
        "required_fields": list(proposal.required_fields),
        "require_experience": proposal.require_experience,
        "price_points": 30,
        **forms.TenderForm.initial_factors(DEFAULT_FACTORS),
    }
    form = forms.TenderForm(request.POST or None, initial=initial, organizations=_organizations())
    if request.method == "POST" and form.is_valid():
        try:
            tender = services.tender_create(
                proposal=proposal, actor=actor, **form.service_data(creating=True)
            )
        except DomainError as exc:
            forms.add_domain_error(form, exc, aliases=form.error_aliases())
        else:
            messages.success(request, "采购文件草稿已保存。检查无误后请发布公告。")
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(
        request,
        "procurement/tender_form.html",
        {"form": form, "proposal": proposal, "t": None},
    )


@login_required
@domain_errors
def tender_edit(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    if tender.status != TenderStatus.DRAFT:
        messages.error(request, "采购公告已发布，只能通过澄清修改公告变更采购文件。")
        return redirect("procurement:tender", tender_id=tender.pk)
    initial = {
        f: getattr(tender, f)
        for f in (
            "title",
            "method",
            "method_change_reason",
            "evaluation_method",
            "aggregate",
            "description",
            "budget",
            "bid_security",
            "grade_policy",
            "required_fields",
            "require_experience",
            "price_points",
            "committee_size",
            "reserve_count",
            "justification",
            "posts",
            "post_requirements",
            "post_price_cap",
        )
    }
    initial["invited_organization"] = str(tender.invited_organization_id or "")
    initial["deadline"] = timezone.localtime(tender.deadline) if tender.deadline else None
    initial.update(forms.TenderForm.initial_factors(tender.factors))
    form = forms.TenderForm(request.POST or None, initial=initial, organizations=_organizations())
    if request.method == "POST" and form.is_valid():
        changes = form.service_data(creating=False)
        if changes["method"] == tender.method:
            changes.pop("method")  # an unchanged method keeps its approval
        try:
            services.tender_update(tender=tender, changes=changes, actor=actor)
        except DomainError as exc:
            forms.add_domain_error(form, exc, aliases=form.error_aliases())
        else:
            messages.success(request, "已保存。")
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(
        request,
        "procurement/tender_form.html",
        {"form": form, "proposal": tender.proposal, "t": tender},
    )


@login_required
@domain_errors
def tender_publish(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    error = None
    if request.method == "POST":
        try:
            services.tender_publish(tender=tender, actor=actor)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "采购公告已发布，投标期开始。")
            return redirect("procurement:tender", tender_id=tender.pk)
    return _confirm(
        request,
        tender=tender,
        title=_("发布采购公告"),
        warning=_(
            "发布后不可撤回：公告立即公开，投标期开始计算；此后采购文件只能通过澄清修改公告变更。"
        ),
        action_label=_("确认发布"),
        error=error,
        show_summary=True,
    )


@require_POST
@login_required
@domain_errors
def tender_approve_method(request, tender_id: int):
    tender = selectors.tender_get(pk=tender_id, actor=request.actor)
    try:
        services.tender_approve_method_change(tender=tender, actor=request.actor)
        messages.success(request, "已批准变更采购方式。")
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    return redirect("procurement:tender", tender_id=tender.pk)


@login_required
@domain_errors
def tender_amend(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    form = forms.AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.tender_amend(
                tender=tender,
                summary=d["summary"],
                affects_bids=d["affects_bids"],
                new_deadline=d["new_deadline"],
                actor=actor,
            )
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "澄清修改公告已发布。")
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(request, "procurement/amend.html", {"t": tender, "form": form})


def _reason_action(request, tender_id, *, service, title, warning, action_label, done):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(tender=tender, reason=form.cleaned_data["reason"], actor=actor)
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("procurement:tender", tender_id=tender.pk)
    return _confirm(
        request,
        tender=tender,
        title=title,
        warning=warning,
        action_label=action_label,
        form=form,
        danger=True,
    )


@login_required
@domain_errors
def tender_cancel(request, tender_id: int):
    return _reason_action(
        request,
        tender_id,
        service=services.tender_cancel,
        title=_("取消采购"),
        warning=_("取消后不可恢复，取消理由将公开；已递交的投标不再开启。"),
        action_label=_("确认取消"),
        done="采购已取消。",
    )


@login_required
@domain_errors
def tender_fail(request, tender_id: int):
    return _reason_action(
        request,
        tender_id,
        service=services.tender_fail_manual,
        title=_("废标"),
        warning=_("废标后本次采购终止，理由将公开；之后可重新采购或经批准变更采购方式。"),
        action_label=_("确认废标"),
        done="已废标。",
    )


@login_required
@domain_errors
def tender_retender(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    form = forms.RetenderForm(request.POST or None, initial={"method": tender.method})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.tender_retender(
                tender=tender,
                method=form.cleaned_data["method"],
                reason=form.cleaned_data["reason"],
                actor=actor,
            )
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "已生成重新采购的采购文件草稿，请设定截止时间后发布。")
            return redirect("procurement:tender", tender_id=new.pk)
    return _confirm(
        request,
        tender=tender,
        title=_("重新采购"),
        warning=_("将以本项目的采购文件生成新的草稿；变更采购方式须说明理由并经财政部门批准。"),
        action_label=_("生成重新采购草稿"),
        form=form,
    )


# --- questions (答疑) ---------------------------------------------------------------------


@login_required
@domain_errors
def question_ask(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.bid", actor.organization)
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.clarification_ask(
                tender=tender,
                organization=actor.organization,
                question=form.cleaned_data["question"],
                actor=actor,
            )
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "问题已提交。采购人的答复将在公告中公开（不显示提问单位）。")
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(request, "procurement/ask.html", {"t": tender, "form": form})


@login_required
@require_POST
@domain_errors
def document_add(request, tender_id: int):
    """The purchaser attaches a public document; once published this is an amendment."""
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("procurement:tender", tender_id=tender.pk)
    try:
        document = services.tender_document_add(
            tender=tender,
            file=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
            actor=actor,
        )
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已附加采购文件“{document.original_name}”。")
    return redirect("procurement:tender", tender_id=tender.pk)


@login_required
@domain_errors
def recusal_request(request, tender_id: int):
    """A bidder asks the purchaser to recuse an expert (财库〔2016〕198号)."""
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.bid", actor.organization)
    form = forms.RecusalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recusal_request(
                tender=tender,
                organization=actor.organization,
                expert_name=form.cleaned_data["expert_name"],
                reason=form.cleaned_data["reason"],
                actor=actor,
            )
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, _("回避申请已送交采购人，由采购人依规决定。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(request, "procurement/recusal_request.html", {"t": tender, "form": form})


@login_required
@domain_errors
def questions(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    items = selectors.clarifications_for_purchaser(tender, actor)
    forms_by_id = {}
    if request.method == "POST":
        target = next((c for c in items if str(c.pk) == request.POST.get("clarification")), None)
        if target is None:
            raise NotFound("问题不存在。")
        form = forms.AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.clarification_answer(
                    clarification=target, answer=form.cleaned_data["answer"], actor=actor
                )
            except DomainError as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, "答复已公开。")
                return redirect("procurement:questions", tender_id=tender.pk)
        forms_by_id[target.pk] = form
    rows = [(c, forms_by_id.get(c.pk) or forms.AnswerForm()) for c in items]
    return render(request, "procurement/questions.html", {"t": tender, "rows": rows})


# --- bids ----------------------------------------------------------------------------------


@login_required
@domain_errors
def bid_new(request, tender_id: int):
    """Bid form → confirmation (with the server's deadline) → sealed submission."""
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.bid", actor.organization)
    form = forms.BidForm(request.POST or None, tender=tender)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") == "1":
            try:
                bid = services.bid_submit(
                    tender=tender,
                    organization=actor.organization,
                    content=form.content(),
                    actor=actor,
                )
            except DomainError as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, "投标文件已密封递交。请保存回执。")
                return redirect("procurement:bid", bid_id=bid.pk)
        else:
            return render(
                request,
                "procurement/bid_confirm.html",
                {"t": tender, "form": form, "now": timezone.now(), "data": form.cleaned_data},
            )
    return render(
        request,
        "procurement/bid_form.html",
        {
            "t": tender,
            "form": form,
            "now": timezone.now(),
            "accepting": _accepting_bids(tender),
            "ineligible": _bidder_problems(actor, tender),
        },
    )


def _own_bid(actor, bid_id: int):
    require(actor, "procurement.bid", actor.organization)
    bid = next(
        (
            b
            for b in selectors.bids_of(actor=actor, organization=actor.organization)
            if b.pk == bid_id
        ),
        None,
    )
    if bid is None:
        raise NotFound("投标不存在。")
    return bid


@login_required
@domain_errors
def my_bids(request):
    actor = request.actor
    require(actor, "procurement.bid", actor.organization)
    bids = selectors.bids_of(actor=actor, organization=actor.organization)
    now = timezone.now()
    rows = [
        {
            "bid": b,
            "can_withdraw": b.status == BidStatus.SUBMITTED
            and b.tender.status == TenderStatus.PUBLISHED
            and now < b.tender.deadline,
        }
        for b in bids
    ]
    return render(request, "procurement/my_bids.html", {"rows": rows})


@login_required
@domain_errors
def bid_receipt(request, bid_id: int):
    bid = _own_bid(request.actor, bid_id)
    return render(request, "procurement/bid_receipt.html", {"bid": bid, "t": bid.tender})


@require_POST
@login_required
@domain_errors
def bid_withdraw(request, bid_id: int):
    bid = _own_bid(request.actor, bid_id)
    try:
        services.bid_withdraw(bid=bid, actor=request.actor)
        messages.success(request, "投标已撤回。截止前可重新递交。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("procurement:my_bids")


# --- experts: the panel, declarations, scores ---------------------------------------------


@login_required
@domain_errors
def panel(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    if actor.has_role(Role.EXPERT):
        return redirect("procurement:review", tender_id=tender.pk)
    managing = can(actor, "procurement.manage", tender)
    if not (managing or can(actor, "procurement.oversee")):
        raise PermissionDenied("只有采购人和监督人员可以查看评审委员会。")
    members = list(selectors_experts.panel_for(tender))
    submitted = selectors_experts.submission_times(tender)
    draws = [(d, expert_services.draw_verify(d)) for d in tender.draws.select_related("drawn_by")]
    published = selectors_experts.draw_published(tender)
    return render(
        request,
        "procurement/panel.html",
        {
            "t": tender,
            "members": [(m, submitted.get(m.pk)) for m in members],
            "draws": draws,
            "managing": managing,
            "can_draw": managing and tender.status in SCORING_OPEN and committee_needed(tender),
            # The seed stays secret (only its commitment is shown) until the award notice.
            "draw_published": published,
            "scoring_open": tender.status == TenderStatus.EVALUATING
            or (tender.status == TenderStatus.EVALUATED and tender.result is None),
            # Recusal while experts score; voiding a submitted sheet until the award.
            "actionable": managing and tender.status in SCORING_OPEN,
            "recusable": (MemberStatus.DRAWN, MemberStatus.ACTIVE, MemberStatus.RESERVE),
        },
    )


@require_POST
@login_required
@domain_errors
def panel_draw(request, tender_id: int):
    tender = selectors.tender_get(pk=tender_id, actor=request.actor)
    require(request.actor, "procurement.manage", tender)
    try:
        draw = expert_services.panel_draw(tender=tender, actor=request.actor)
        messages.success(
            request,
            f"已随机抽取评审专家 {draw.size} 名、备选 {draw.reserves} 名"
            f"（随机种子在公告时已确定，中标公告后公开）。",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("procurement:panel", tender_id=tender.pk)


@require_POST
@login_required
@domain_errors
def panel_recuse(request, tender_id: int, member_id: int):
    tender = selectors.tender_get(pk=tender_id, actor=request.actor)
    require(request.actor, "procurement.manage", tender)
    member = next((m for m in selectors_experts.panel_for(tender) if m.pk == member_id), None)
    if member is None:
        raise NotFound("评审委员会成员不存在。")
    form = forms.RecusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写回避理由。")
        return redirect("procurement:panel", tender_id=tender.pk)
    try:
        expert_services.panel_recuse(
            member=member, reason=form.cleaned_data["reason"], actor=request.actor
        )
        messages.success(request, f"已记录专家“{member.expert.name}”回避，并由备选专家递补。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("procurement:panel", tender_id=tender.pk)


@login_required
@domain_errors
def panel_void(request, tender_id: int, member_id: int):
    """Void the scores of a member who should have recused (财库〔2016〕198号): a
    confirmation page with the reason, then the service; the first reserve takes the seat."""
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    member = next((m for m in selectors_experts.panel_for(tender) if m.pk == member_id), None)
    if member is None:
        raise NotFound("评审委员会成员不存在。")
    form = forms.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            expert_services.panel_void(
                member=member, reason=form.cleaned_data["reason"], actor=actor
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            if exc.code == "no_reserve":  # voided; the purchaser must draw again
                messages.warning(request, exc.message)
                return redirect("procurement:panel", tender_id=tender.pk)
            form_add_error(form, exc)
        else:
            messages.success(
                request,
                f"已作废专家“{member.expert.name}”的评分，由备选专家递补；"
                f"递补专家声明并提交评分后重新计算评审结果。",
            )
            return redirect("procurement:panel", tender_id=tender.pk)
    submitted_at = selectors_experts.submission_times(tender).get(member.pk)
    return _confirm(
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
def my_reviews(request):
    actor = request.actor
    if not actor.has_role(Role.EXPERT):
        raise PermissionDenied("当前角色无权访问此页面（需要：评审专家）。")
    page = keyset_paginate(
        selectors_experts.expert_tenders(actor.user), cursor=request.GET.get("cursor") or None
    )
    seats = selectors_experts.seats_of(actor.user, page.items)
    return render(
        request,
        "procurement/my_reviews.html",
        {"page": page, "rows": [(t, seats.get(t.pk)) for t in page.items]},
    )


def _my_seat(actor, tender):
    require(actor, "procurement.score", tender)
    seat = next(
        (
            m
            for m in selectors_experts.panel_for(tender)
            if m.expert.user_id == actor.user.pk and m.status in selectors_experts.SEATED
        ),
        None,
    )
    if seat is None:
        raise PermissionDenied("您不是本项目的评审专家。")
    return seat


def _score_rows(bids, factors, sheet_scores, posted=None):
    rows = []
    for bid in bids:
        saved = (sheet_scores or {}).get(str(bid.pk), {})
        cells = []
        for f in factors:
            name = f"s-{bid.pk}-{f['id']}"
            value = posted.get(name, "") if posted is not None else saved.get(f["id"], "")
            cells.append({"name": name, "factor": f, "value": value})
        rows.append({"bid": bid, "cells": cells})
    return rows


@login_required
@domain_errors
def review(request, tender_id: int):
    """The expert's page: the declaration first; then the score sheet (bids × factors)."""
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    seat = _my_seat(actor, tender)
    factors = [f for f in tender.factors or [] if not f.get("auto")]  # experts score these
    if seat.status == MemberStatus.DRAWN:
        bidders = [b.organization.name for b in selectors.opening_record(tender)]
        return render(
            request,
            "procurement/declare.html",
            {"t": tender, "seat": seat, "form": forms.DeclarationForm(), "bidders": bidders},
        )
    if compliance_only(tender):
        return _compliance_review(request, tender, seat)
    errors: list[str] = []
    posted = None
    if request.method == "POST":
        posted = request.POST
        scores: dict[str, dict[str, str]] = {}
        for bid in evaluation_services.scorable_bids(tender):
            row = {}
            for f in factors:
                value = request.POST.get(f"s-{bid.pk}-{f['id']}", "").strip()
                if value:
                    row[f["id"]] = value
            if row:
                scores[str(bid.pk)] = row
        done = _save_sheet(
            request,
            tender,
            seat,
            lambda: evaluation_services.scores_save(member=seat, scores=scores, actor=actor),
            noun="评分",
            errors=errors,
        )
        if done is not None:
            return done
    return _review_page(request, tender, seat, errors=errors, posted=posted)


def _save_sheet(request, tender, seat, save, *, noun: str, errors: list[str]):
    """Save the member's sheet (``save``), submit it when the member asked to, and say so;
    the redirect back to the review, or None with the refusal added to ``errors``."""

    def run() -> bool:
        save()
        if request.POST.get("action") != "submit":
            return False
        evaluation_services.scores_submit(member=seat, actor=request.actor)
        return True

    submitted, error = attempt(run)
    if error is not None:
        errors.append(error)
        return None
    if submitted:
        messages.success(request, f"{noun}已提交，不能再修改。")
    else:
        messages.success(request, f"{noun}草稿已保存（仅您本人可见）。")
    return redirect("procurement:review", tender_id=tender.pk)


def _compliance_review(request, tender, seat):
    """Lowest-price method: the member's qualification and compliance review (资格性和
    符合性审查, 87号令 §50) of each bid — pass, or fail with a reason. No scores."""
    actor = request.actor
    errors: list[str] = []
    bids = evaluation_services.scorable_bids(tender)
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        verdicts = {}
        for bid in bids:
            choice = posted.get(f"v-{bid.pk}", "")
            if choice in ("pass", "fail"):
                verdicts[str(bid.pk)] = {
                    "pass": choice == "pass",
                    "reason": posted.get(f"r-{bid.pk}", ""),
                }
        done = _save_sheet(
            request,
            tender,
            seat,
            lambda: evaluation_services.verdicts_save(member=seat, verdicts=verdicts, actor=actor),
            noun="审查意见",
            errors=errors,
        )
        if done is not None:
            return done
    sheets = list(selectors_experts.visible_sheets(tender, actor))
    own = next((s for s in sheets if s.member_id == seat.pk), None)
    saved = own.verdicts if own else {}
    rows = []
    for bid in bids:
        row = saved.get(str(bid.pk), {})
        if posted is not None:
            choice = posted.get(f"v-{bid.pk}", "")
            reason = posted.get(f"r-{bid.pk}", "")
        else:
            choice = "" if not row else ("pass" if row.get("pass") else "fail")
            reason = row.get("reason", "")
        rows.append({"bid": bid, "choice": choice, "reason": reason})
    return render(
        request,
        "procurement/review_compliance.html",
        {
            "t": tender,
            "seat": seat,
            "rows": rows,
            "own": own,
            "submitted": own is not None and own.submitted_at is not None,
            "others": [s for s in sheets if s.member_id != seat.pk],
            "errors": errors,
            "scoring_open": tender.status == TenderStatus.EVALUATING
            or (tender.status == TenderStatus.EVALUATED and tender.result is None),
        },
    )


def _review_page(request, tender, seat, *, errors=(), posted=None, correction_form=None):
    """The score sheet; once submitted, the expert's corrections and (before the award) the
    correction form (87号令 §64)."""
    actor = request.actor
    factors = [f for f in tender.factors or [] if not f.get("auto")]  # experts score these
    sheets = list(selectors_experts.visible_sheets(tender, actor))
    own = next((s for s in sheets if s.member_id == seat.pk), None)
    submitted = own is not None and own.submitted_at is not None
    others = [s for s in sheets if s.member_id != seat.pk]
    bids = evaluation_services.scorable_bids(tender)
    can_correct = (
        submitted
        and not own.voided
        and seat.status == MemberStatus.ACTIVE
        and tender.status in SCORING_OPEN
    )
    if correction_form is None and can_correct:
        correction_form = forms.CorrectionForm(bids=bids, factors=factors)
    factor_names = {str(f["id"]): f.get("name") or f["id"] for f in factors}
    corrections = selectors_experts.corrections_of(own) if submitted else []
    return render(
        request,
        "procurement/review.html",
        {
            "t": tender,
            "seat": seat,
            "factors": factors,
            "rows": _score_rows(bids, factors, own.scores if own else {}, posted),
            "submitted": submitted,
            "own": own,
            "others": [
                {
                    "sheet": s,
                    "rows": [
                        (b, [s.scores.get(str(b.pk), {}).get(f["id"], "") for f in factors])
                        for b in bids
                    ],
                }
                for s in others
            ],
            "errors": errors,
            "scoring_open": tender.status == TenderStatus.EVALUATING
            or (tender.status == TenderStatus.EVALUATED and tender.result is None),
            "correction_form": correction_form,
            "corrections": [(c, factor_names.get(c.factor, c.factor)) for c in corrections],
        },
    )


@require_POST
@login_required
@domain_errors
def review_correct(request, tender_id: int):
    """The expert corrects one submitted score, for a reason of 87号令 §64."""
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    seat = _my_seat(actor, tender)
    if seat.status == MemberStatus.DRAWN:
        return redirect("procurement:review", tender_id=tender.pk)
    bids = evaluation_services.scorable_bids(tender)
    form = forms.CorrectionForm(request.POST, bids=bids, factors=list(tender.factors or []))
    if form.is_valid():
        d = form.cleaned_data
        error = attempt_error(
            lambda: evaluation_services.score_correct(
                member=seat,
                bid=next(b for b in bids if str(b.pk) == d["bid"]),
                factor=d["factor"],
                new_value=str(d["new_value"]),
                reason=d["reason"],
                note=d["note"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, "评分已更正，更正记录已存档备查。")
            return redirect("procurement:review", tender_id=tender.pk)
    return _review_page(request, tender, seat, correction_form=form)


@require_POST
@login_required
@domain_errors
def review_declare(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    seat = _my_seat(actor, tender)
    form = forms.DeclarationForm(request.POST)
    if form.is_valid():
        try:
            expert_services.panel_declare(
                member=seat,
                no_conflict=form.cleaned_data["no_conflict"],
                declaration=form.cleaned_data["declaration"],
                actor=actor,
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            if exc.code == "no_reserve":  # the recusal is recorded; the purchaser redraws
                messages.info(request, "已声明回避。感谢您的如实申报。")
                return redirect("procurement:my_reviews")
            form_add_error(form, exc)
        else:
            if form.cleaned_data["no_conflict"]:
                messages.success(request, "已声明无利害关系，可以开始评分。")
                return redirect("procurement:review", tender_id=tender.pk)
            messages.info(request, "已声明回避，将由备选专家递补。感谢您的如实申报。")
            return redirect("procurement:my_reviews")
    bidders = [b.organization.name for b in selectors.opening_record(tender)]
    return render(
        request,
        "procurement/declare.html",
        {"t": tender, "seat": seat, "form": form, "bidders": bidders},
    )


# --- award and challenges ----------------------------------------------------------------


@login_required
@domain_errors
def award(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    candidates = services.recommended(tender) if tender.status == TenderStatus.EVALUATED else []
    form = forms.AwardForm(
        request.POST or None,
        candidates=candidates,
        initial={"bid": str(candidates[0].pk)} if len(candidates) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        chosen = next((b for b in candidates if str(b.pk) == form.cleaned_data["bid"]), None)
        try:
            services.award_confirm(
                tender=tender, bid=chosen, note=form.cleaned_data["note"], actor=actor
            )
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "已确定中标人，中标结果公告已发布。")
            return redirect("procurement:notice", tender_id=tender.pk)
    ranking = [b for b in selectors.opening_record(tender) if b.rank is not None]
    problems = services.candidate_problems(tender) if candidates else {}
    return render(
        request,
        "procurement/award.html",
        {
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
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    bid = next((b for b in services.recommended(tender) if b.pk == bid_id), None)
    if bid is None:
        raise NotFound("该投标不是本项目的中标候选人。")
    problems = services.candidate_problems(tender).get(bid.pk, [])
    if request.method == "POST":
        try:
            services.candidate_disqualify(tender=tender, bid=bid, actor=actor)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"已认定{bid.organization.name}不符合承接条件，并通知该供应商。"
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
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    current = selectors.current_award(tender)
    if current is None:
        raise NotFound("该采购项目没有有效的中标结果。")
    require(actor, "procurement.bid", current.bid.organization)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.award_decline(award=current, reason=form.cleaned_data["reason"], actor=actor)
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "已放弃中标。采购人可确定排名其后的供应商中标或重新采购。")
            return redirect("procurement:tender", tender_id=tender.pk)
    return _confirm(
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
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.bid", actor.organization)
    current = selectors.current_award(tender)
    if current is None:
        raise NotFound("该采购项目没有有效的中标结果。")
    form = forms.ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_file(
                award=current,
                organization=actor.organization,
                grounds=form.cleaned_data["grounds"],
                actor=actor,
            )
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "质疑已提交，采购人须在 7 个工作日内书面答复。")
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(
        request, "procurement/challenge.html", {"t": tender, "form": form, "award": current}
    )


def _challenge(tender, actor, challenge_id: int):
    c = next((c for c in selectors.challenges_for(tender, actor) if c.pk == challenge_id), None)
    if c is None:
        raise NotFound("质疑不存在。")
    return c


@require_POST
@login_required
@domain_errors
def challenge_answer(request, tender_id: int, challenge_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    require(actor, "procurement.manage", tender)
    challenge = _challenge(tender, actor, challenge_id)
    form = forms.ChallengeAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.challenge_answer(
                challenge=challenge,
                answer=form.cleaned_data["answer"],
                upheld=form.cleaned_data["upheld"],
                actor=actor,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "质疑答复已送达质疑人。")
    else:
        messages.error(request, "请填写答复内容并选择质疑是否成立。")
    return redirect("procurement:tender", tender_id=tender.pk)


@require_POST
@login_required
@domain_errors
def challenge_withdraw(request, tender_id: int, challenge_id: int):
    actor = request.actor
    tender = selectors.tender_get(pk=tender_id, actor=actor)
    challenge = _challenge(tender, actor, challenge_id)
    try:
        services.challenge_withdraw(challenge=challenge, actor=actor)
        messages.success(request, "质疑已撤回。")
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    return redirect("procurement:tender", tender_id=tender.pk)


# --- the expert pool (admin) ---------------------------------------------------------------


def _units():
    """Government units an expert may work at (streets and departments, not the district)."""
    return Unit.objects.exclude(kind="district").order_by("path")


@login_required
@domain_errors
def expert_list(request):
    actor = request.actor
    require(actor, "procurement.manage_experts")
    search = forms.ExpertSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    page = keyset_paginate(
        selectors_experts.expert_pool(search=q),
        ordering=("-id",),
        cursor=request.GET.get("cursor") or None,
    )
    units = _units()
    form = forms.ExpertForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = None
        if d["username"]:
            user = User.objects.filter(username=d["username"].strip()).first()
            if user is None:
                form.add_error("username", "用户不存在。")
        if not form.errors:
            try:
                expert = expert_services.expert_create(
                    name=d["name"],
                    specialties=d["specialties"],
                    title=d["title"],
                    employer_name=d["employer_name"],
                    employer_unit=next((u for u in units if str(u.pk) == d["employer_unit"]), None),
                    user=user,
                    actor=actor,
                )
            except DomainError as exc:
                form_add_error(form, exc)
            else:
                messages.success(request, f"专家“{expert.name}”已入库。")
                return redirect("procurement:expert", expert_id=expert.pk)
    return render(
        request,
        "procurement/expert_list.html",
        {"page": page, "search": search, "form": form, "query": _query_without_cursor(request)},
    )


def _expert_page(request, expert, *, tie_form=None, edit_form=None):
    """The expert's record, its ties and panels, the edit form and the tie form."""
    if edit_form is None:
        edit_form = forms.ExpertEditForm(
            units=_units(),
            initial={
                "name": expert.name,
                "title": expert.title,
                "specialties": list(expert.specialties or []),
                "employer_name": expert.employer_name,
                "employer_unit": str(expert.employer_unit_id or ""),
            },
        )
    return render(
        request,
        "procurement/expert_detail.html",
        {
            "expert": expert,
            "ties": expert.ties.select_related("organization").order_by("id"),
            "panels": expert.panels.select_related("tender").order_by("-id")[:50],
            "form": tie_form or forms.TieForm(organizations=_organizations()),
            "edit_form": edit_form,
        },
    )


@login_required
@domain_errors
def expert_detail(request, expert_id: int):
    actor = request.actor
    require(actor, "procurement.manage_experts")
    expert = selectors_experts.expert_get(expert_id)
    organizations = list(_organizations())
    form = forms.TieForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            expert_services.expert_tie_add(
                expert=expert,
                organization=next(o for o in organizations if str(o.pk) == d["organization"]),
                kind=d["kind"],
                started_on=d["started_on"],
                ended_on=d["ended_on"],
                note=d["note"],
                actor=actor,
            )
        except DomainError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "关联关系已登记，抽取专家时将据此回避。")
            return redirect("procurement:expert", expert_id=expert.pk)
    return _expert_page(request, expert, tie_form=form)


@require_POST
@login_required
@domain_errors
def expert_edit(request, expert_id: int):
    actor = request.actor
    require(actor, "procurement.manage_experts")
    expert = selectors_experts.expert_get(expert_id)
    form = forms.ExpertEditForm(request.POST, units=_units())
    if form.is_valid():
        error = attempt_error(
            lambda: expert_services.expert_update(
                expert=expert, changes=form.changes(), actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, "专家信息已保存。")
            return redirect("procurement:expert", expert_id=expert.pk)
    return _expert_page(request, expert, edit_form=form)


@require_POST
@login_required
@domain_errors
def expert_deactivate(request, expert_id: int):
    actor = request.actor
    require(actor, "procurement.manage_experts")
    expert = selectors_experts.expert_get(expert_id)
    try:
        expert_services.expert_deactivate(expert=expert, actor=actor)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"专家“{expert.name}”已出库，今后不再被抽取。")
    return redirect("procurement:expert", expert_id=expert.pk)
