"""The purchaser's tender documents and their lifecycle: drafting from an approved project,
editing the draft, publication, amendments, attached documents, cancellation, failure and
re-tendering; the finance bureau's approval of a change of method."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.documents.forms import DocumentUploadForm
from caidan.jurisdiction.selectors import setting_value
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from .. import forms, selectors, services, sheet_templates
from ..inputs import TenderInput, project_defaults
from ..models import TenderStatus
from .common import confirm

# The draft's fields the edit form starts from.
EDITABLE = (
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


@login_required
@domain_errors
def tender_new(request):
    require(request.actor, Perm.PROCUREMENT_CREATE)
    return render(
        request,
        "procurement/tender_new.html",
        {"proposals": selectors.eligible_proposals(request.actor)[:200]},
    )


def _sheet_action(request, **kwargs) -> forms.TenderForm | None:
    """Without JavaScript the row editor works by submitting: 'add a row', 'remove row n'
    and 'apply the template' (``sheet_action``) show the form again with every typed value
    and the sheet changed, saving nothing. ``None`` when the form was submitted to save."""
    action = request.POST.get("sheet_action", "") if request.method == "POST" else ""
    if not action:
        return None
    typed = forms.TenderForm(request.POST, **kwargs)
    rows = [
        {part: typed[f"factor_{n}_{part}"].data or "" for part in forms.FACTOR_PARTS}
        for n in typed.row_numbers
    ]
    if action == "add":
        rows.append({})
    elif action.startswith("remove-"):
        numbers = typed.row_numbers
        rows = [row for n, row in zip(numbers, rows, strict=True) if f"remove-{n}" != action]
    elif action == "template":
        template = sheet_templates.template_get(request.POST.get("sheet_template", ""))
        if template is not None:
            post = request.POST.copy()
            post["price_points"] = str(template.price_points)
            return forms.TenderForm.redisplay(post, rows=template.rows(), **kwargs)
    return forms.TenderForm.redisplay(request.POST, rows=rows, **kwargs)


@login_required
@domain_errors
def tender_create(request, proposal_id: int):
    actor = request.actor
    require(actor, Perm.PROCUREMENT_CREATE)
    proposal = selectors.eligible_proposal_get_for(actor=actor, proposal_id=proposal_id)
    template = sheet_templates.template_for(proposal.required_fields)
    initial = {
        **project_defaults(proposal),
        "evaluation_method": "comprehensive",
        "aggregate": setting_value("score_aggregate"),
        "bid_security": 0,
        "price_points": template.price_points,
        "sheet_template": template.key,
        **forms.TenderForm.initial_factors(template.rows()),
    }
    organizations = selectors.organizations_for_choice()
    form = _sheet_action(request, organizations=organizations)
    if form is None:
        form = forms.TenderForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_bound and form.is_valid():
        tender, error = attempt_refusal(
            lambda: services.tender_create(
                actor=actor, data=TenderInput.parse(form.service_data(), proposal=proposal)
            )
        )
        if error is not None:
            form.add_service_error(error)
        else:
            messages.success(request, _("采购文件草稿已保存。检查无误后请发布公告。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return _render_form(request, form, proposal=proposal, tender=None)


@login_required
@domain_errors
def tender_edit(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    if tender.status != TenderStatus.DRAFT:
        messages.error(request, _("采购公告已发布，只能通过澄清修改公告变更采购文件。"))
        return redirect("procurement:tender", tender_id=tender.pk)
    initial = {f: getattr(tender, f) for f in EDITABLE}
    initial["invited_organization"] = str(tender.invited_organization_id or "")
    initial["deadline"] = timezone.localtime(tender.deadline) if tender.deadline else None
    initial["sheet_template"] = sheet_templates.template_for(tender.required_fields).key
    initial.update(forms.TenderForm.initial_factors(tender.factors))
    organizations = selectors.organizations_for_choice()
    form = _sheet_action(request, organizations=organizations)
    if form is None:
        form = forms.TenderForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_bound and form.is_valid():
        changes = form.service_data()
        if changes["method"] == tender.method:
            changes.pop("method")  # an unchanged method keeps its approval
        error = attempt_refusal(
            lambda: services.tender_update(tender=tender, changes=changes, actor=actor)
        )[1]
        if error is not None:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return _render_form(request, form, proposal=tender.proposal, tender=tender)


def _render_form(request, form, *, proposal, tender):
    return render(
        request,
        "procurement/tender_form.html",
        {
            "form": form,
            "proposal": proposal,
            "t": tender,
            "sheet_templates": {t.key: t.as_json() for t in sheet_templates.TEMPLATES},
        },
    )


@login_required
@domain_errors
def tender_publish(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    error = None
    if request.method == "POST":
        error = attempt_error(lambda: services.tender_publish(tender=tender, actor=actor))
        if error is None:
            messages.success(request, _("采购公告已发布，投标期开始。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return confirm(
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
    tender = selectors.tender_get_for(actor=request.actor, tender_id=tender_id)
    error = attempt_error(
        lambda: services.tender_approve_method_change(tender=tender, actor=request.actor)
    )
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(request, _("已批准变更采购方式。"))
    return redirect("procurement:tender", tender_id=tender.pk)


@login_required
@domain_errors
def tender_amend(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    if request.method == "GET" and not tender.phase_at(timezone.now()).bidding_open:
        # the tender page no longer offers it (bidding closed, or not published): say why
        # there rather than show a form whose every submission is refused
        messages.info(request, _("投标已截止或采购未在公告中，不能再发布澄清修改。"))
        return redirect("procurement:tender", tender_id=tender.pk)
    form = forms.AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        error = attempt_error(
            lambda: services.tender_amend(
                tender=tender,
                summary=d["summary"],
                affects_bids=d["affects_bids"],
                new_deadline=d["new_deadline"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("澄清修改公告已发布。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(request, "procurement/amend.html", {"t": tender, "form": form})


@login_required
@require_POST
@domain_errors
def document_add(request, tender_id: int):
    """The purchaser attaches a public document; once published this is an amendment."""
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect("procurement:tender", tender_id=tender.pk)
    document, error = attempt(
        lambda: services.tender_document_add(
            tender=tender,
            file=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
            actor=actor,
        )
    )
    if error is not None:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("已附加采购文件“%(original_name)s”。") % {"original_name": document.original_name},
        )
    return redirect("procurement:tender", tender_id=tender.pk)


def _reason_action(request, tender_id, *, service, title, warning, action_label, done):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: service(tender=tender, reason=form.cleaned_data["reason"], actor=actor),
            form=form,
        )
        if error is None:
            messages.success(request, done)
            return redirect("procurement:tender", tender_id=tender.pk)
    return confirm(
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
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    form = forms.RetenderForm(request.POST or None, initial={"method": tender.method})
    if request.method == "POST" and form.is_valid():
        new, error = attempt(
            lambda: services.tender_retender(
                tender=tender,
                method=form.cleaned_data["method"],
                reason=form.cleaned_data["reason"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("已生成重新采购的采购文件草稿，请设定截止时间后发布。"))
            return redirect("procurement:tender", tender_id=new.pk)
    return confirm(
        request,
        tender=tender,
        title=_("重新采购"),
        warning=_("将以本项目的采购文件生成新的草稿；变更采购方式须说明理由并经财政部门批准。"),
        action_label=_("生成重新采购草稿"),
        form=form,
    )
