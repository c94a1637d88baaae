"""Contract pages: the public list and contract (redacted for the public), the PDF; the
purchaser's drafting from an award and editing; signing by either party, cancelling,
supplementary agreements and termination. What the reader may do next comes from
``contract_affordances``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.procurement.services import award_blockers
from caidan.web.ui import attempt, attempt_error, domain_errors

from .. import forms, selectors, services
from ..affordances import contract_affordances
from ..inputs import ContractTermsInput
from ..links import contract_links
from ..models import ContractStatus
from ..pdf import contract_pdf
from .helpers import change_rows, confirm, history_rows, query_without_cursor, term_rows

# --- public ----------------------------------------------------------------------------------


@domain_errors
def contract_list(request):
    actor = request.actor
    party = actor.has_role(Role.PURCHASER, Role.PROVIDER, Role.HUB)
    form = forms.ContractListFilter(request.GET or None, party=party)
    status, search, mine = "", "", False
    if form.is_valid():
        d = form.cleaned_data
        status, search, mine = d["status"], d["q"], d["mine"]
    page = selectors.contract_list_public(
        actor=actor,
        status=status,
        search=search,
        mine=mine,
        cursor=request.GET.get("cursor") or None,
    )
    return render(
        request,
        "contracts/contract_list.html",
        {
            "page": page,
            "form": form,
            "query": query_without_cursor(request),
            "can_draft": actor.has_role(Role.PURCHASER),
        },
    )


@domain_errors
def contract_detail(request, pk: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    a = contract_affordances(actor, c)
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "c": c,
            "a": a,
            "links": contract_links(c),
            "instalments": selectors.instalments_of(c),
            "parts": selectors.parts_of(c),
            "reports": selectors.reports_of(c) if a.full else [],
            "amendments": [(m, change_rows(m.changes)) for m in selectors.amendments_of(c)],
            "versions": [(v, term_rows(v.terms)) for v in selectors.versions_of(c)],
            "history": history_rows(c, actor),
        },
    )


@domain_errors
def contract_pdf_view(request, pk: int):
    """The full contract for the parties, the platform admin and auditors; the published
    version (no signatories) for everyone else."""
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    full = selectors.sees_full_contract(actor, c)
    response = HttpResponse(contract_pdf(c, public=not full), content_type="application/pdf")
    suffix = "" if full else "-public"
    response["Content-Disposition"] = f'attachment; filename="{c.reference}{suffix}.pdf"'
    if full:
        response["Cache-Control"] = "private, no-store"
    return response


# --- purchaser: drafting ---------------------------------------------------------------------


@login_required
@domain_errors
def contract_new(request):
    """Confirmed awards of the purchaser's units without a contract yet."""
    require(request.actor, Perm.CONTRACTS_MANAGE)
    awards = list(selectors.awards_without_contract(request.actor)[:200])
    rows = [(a, award_blockers(a)) for a in awards]  # one unit's awards awaiting a contract
    return render(request, "contracts/contract_new.html", {"awards": awards, "rows": rows})


@login_required
@domain_errors
def contract_create(request, award_id: int):
    actor = request.actor
    require(actor, Perm.CONTRACTS_MANAGE)
    award = selectors.award_without_contract_get_for(actor=actor, award_id=award_id)
    form = forms.ContractTermsForm(
        request.POST or None, initial=selectors.contract_draft_terms(award)
    )
    if request.method == "POST" and form.is_valid():
        contract, error = attempt(
            lambda: services.contract_create(
                award=award, actor=actor, data=ContractTermsInput.parse(form.terms())
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("合同草稿已保存。请核对后签订，并通知承接主体签订。"))
            return redirect("contracts:detail", pk=contract.pk)
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "award": award, "c": None, "blockers": award_blockers(award)},
    )


@login_required
@domain_errors
def contract_edit(request, pk: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_MANAGE, c)
    if not contract_affordances(actor, c).edit:
        messages.error(request, _("合同已签订，变更须签订补充协议。"))
        return redirect("contracts:detail", pk=c.pk)
    form = forms.ContractTermsForm(
        request.POST or None, initial=forms.ContractTermsForm.initial_from(c)
    )
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.contract_update(contract=c, changes=form.terms(), actor=actor),
            form=form,
        )
        if error is None:
            messages.success(request, _("已保存。已签订的一方须重新签订。"))
            return redirect("contracts:detail", pk=c.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "award": c.award, "c": c})


# --- signing, cancelling ---------------------------------------------------------------------


@login_required
@domain_errors
def contract_sign(request, pk: int):
    """Either party signs, after a confirmation that shows what would block signing."""
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_SIGN, c)
    error = None
    if request.method == "POST":
        signed, error = attempt(lambda: services.contract_sign(contract=c, actor=actor))
        if error is None:
            if signed.status == ContractStatus.ACTIVE:
                messages.success(request, _("双方均已签订，合同生效并已公开。"))
            else:
                messages.success(request, _("您一方已签订，等待对方签订。"))
            return redirect("contracts:detail", pk=signed.pk)
    a = contract_affordances(actor, c)
    return confirm(
        request,
        contract=c,
        title=_("签订本合同"),
        warning=_(
            "签订即表示本方同意合同全部条款。双方均签订后合同生效并立即公开（公开版本不含经办人等个人信息），首期款的付款条件随即达成。签订后条款只能通过补充协议变更。"
        ),
        action_label=_("确认签订"),
        facts=[
            (_("合同编号"), c.reference),
            (_("合同名称"), c.title),
            (_("甲方（购买主体）"), c.unit.name),
            (_("乙方（承接主体）"), c.organization.name),
            (_("合同金额（元）"), c.amount),
            (_("服务期"), f"{c.period_start:%Y-%m-%d} — {c.period_end:%Y-%m-%d}"),
        ],
        reasons=a.blockers,
        error=error,
        can_submit=a.draft and not a.blockers,
    )


@login_required
@domain_errors
def contract_cancel(request, pk: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_MANAGE, c)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.contract_cancel(
                contract=c, reason=form.cleaned_data["reason"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("合同草稿已作废。"))
            return redirect("contracts:detail", pk=c.pk)
    return confirm(
        request,
        contract=c,
        title=_("作废合同草稿"),
        warning=_("作废后不可恢复；可就同一中标结果重新起草合同。"),
        action_label=_("确认作废"),
        form=form,
        danger=True,
    )


# --- amendments, termination -----------------------------------------------------------------


@login_required
@domain_errors
def contract_amend(request, pk: int):
    """Changed terms and the rationale → a confirmation showing old → new → the
    supplementary agreement (a new version)."""
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_MANAGE, c)
    if not contract_affordances(actor, c).amend:
        messages.error(request, _("只有履行中的合同可以签订补充协议。"))
        return redirect("contracts:detail", pk=c.pk)
    form = forms.AmendmentForm(request.POST or None, initial=forms.AmendmentForm.initial_from(c))
    if request.method == "POST" and form.is_valid():
        changes = form.changes(c)
        if not changes:
            form.add_error(None, _("请修改至少一项条款。"))
        elif request.POST.get("confirm") == "1":
            amendment, error = attempt(
                lambda: services.contract_amend(
                    contract=c,
                    changes=changes,
                    rationale=form.cleaned_data["rationale"],
                    actor=actor,
                ),
                form=form,
            )
            if error is None:
                messages.success(
                    request,
                    _("补充协议已签订，合同更新为第 %(v)s 版。") % {"v": amendment.version},
                )
                return redirect("contracts:detail", pk=c.pk)
        else:
            current = {k: getattr(c, k) for k in changes}
            return render(
                request,
                "contracts/amend_confirm.html",
                {
                    "c": c,
                    "form": form,
                    "rows": change_rows({k: (current[k], v) for k, v in changes.items()}),
                    "rationale": form.cleaned_data["rationale"],
                },
            )
    return render(request, "contracts/amend.html", {"c": c, "form": form})


@login_required
@domain_errors
def contract_terminate(request, pk: int):
    actor = request.actor
    c = selectors.contract_get_for(actor=actor, contract_id=pk)
    require(actor, Perm.CONTRACTS_MANAGE, c)
    form = forms.TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        error = attempt_error(
            lambda: services.contract_terminate(
                contract=c,
                kind=d["kind"],
                reason=d["reason"],
                settlement=d["settlement"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("合同已终止，终止理由已记录并公开。"))
            return redirect("contracts:detail", pk=c.pk)
    return confirm(
        request,
        contract=c,
        title=_("终止合同"),
        warning=_(
            "终止后不可恢复：合同不再履行，未支付的款项按结算安排处理；违约解除的理由将记入承接主体的履约记录。"
        ),
        action_label=_("确认终止合同"),
        form=form,
        danger=True,
    )
