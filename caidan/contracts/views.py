"""Contract pages: the public list and contract (redacted for the public), the PDF; the
purchaser's drafting from an award, editing, signing, cancelling, payments (the mid-term
and final gates are opened by published evaluations, see ``caidan.evaluations``), report
review, amendments, termination and renewal; the provider's signing and reports (summary,
fund-usage lines, attachments).

Views are thin: parse a form, call one service or selector, render. Domain errors become
form errors or messages; permission problems the 403/404 pages (``domain_errors``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.models import Role
from caidan.accounts.permissions import can, require
from caidan.common.errors import DomainError, NotFound, PermissionDenied, form_add_error
from caidan.documents.forms import DocumentUploadForm
from caidan.documents.responses import document_file_response
from caidan.procurement.services import award_blockers
from caidan.web.ui import attempt, attempt_error, domain_errors

from . import forms, selectors, services
from .models import ContractStatus, ReportKind, ReportStatus
from .pdf import contract_pdf
from .services.reports import fund_totals

RENEWABLE = (ContractStatus.ACTIVE, ContractStatus.COMPLETED)


# --- helpers ---------------------------------------------------------------------------------


def _query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


def _back(contract) -> str:
    return reverse("contracts:detail", kwargs={"pk": contract.pk})


def _confirm(request, *, contract, title, warning, action_label, form=None, danger=False, **extra):
    """A confirmation page. ``extra`` may hold ``facts`` (label, value pairs shown above the
    form), ``reasons`` (why it cannot be done now), ``error`` and ``can_submit``."""
    return render(
        request,
        "contracts/confirm.html",
        {
            "c": contract,
            "title": title,
            "warning": warning,
            "action_label": action_label,
            "form": form,
            "danger": danger,
            "can_submit": extra.pop("can_submit", True),
            **extra,
        },
    )


def _display(value) -> str:
    """A term's value in an amendment or version, for people."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _g("是") if value else _g("否")
    if isinstance(value, list):
        if all(isinstance(v, int | str) for v in value):
            return " / ".join(str(v) for v in value)
        return "；".join(
            f"{v.get('name', '')} {v.get('target', '')}{v.get('unit', '')}".strip()
            if isinstance(v, dict)
            else str(v)
            for v in value
        )
    return str(value)


def _change_rows(changes: dict) -> list[dict]:
    labels = forms.term_labels()
    return [
        {"label": labels.get(k, k), "old": _display(old), "new": _display(new)}
        for k, (old, new) in changes.items()
    ]


def _term_rows(terms: dict) -> list[tuple[str, str]]:
    labels = forms.term_labels()
    return [(labels.get(k, k), _display(v)) for k, v in terms.items()]


def _history_rows(contract, actor) -> list[dict]:
    return [
        {"at": e.at, "kind": e.get_kind_display(), "who": e.actor_label, "note": e.note}
        for e in selectors.contract_history(contract, actor=actor)
    ]


def _instalment(contract, instalment_id: int):
    inst = next((i for i in selectors.instalments_of(contract) if i.pk == instalment_id), None)
    if inst is None:
        raise NotFound("该期付款不存在。")
    return inst


def _require_full(actor, contract) -> None:
    if not selectors.sees_full_contract(actor, contract):
        require(actor, "contracts.oversee")  # 401 for anonymous visitors, else 403
        raise PermissionDenied("只有合同双方、平台管理员和审计人员可以查看。")


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
            "query": _query_without_cursor(request),
            "can_draft": actor.has_role(Role.PURCHASER),
        },
    )


@domain_errors
def contract_detail(request, pk: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    full = selectors.sees_full_contract(actor, c)
    managing = can(actor, "contracts.manage", c)
    performing = can(actor, "contracts.perform", c)
    signing = can(actor, "contracts.sign", c) and c.status == ContractStatus.DRAFT
    side_signed = None
    if signing:
        purchaser = actor.has_role(Role.PURCHASER)
        side_signed = c.purchaser_signed_at if purchaser else c.provider_signed_at
    renewal = c.renewals.exclude(status=ContractStatus.CANCELLED).first() if full else None
    amendments = list(c.amendments.select_related("approved_by").order_by("version"))
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "c": c,
            "full": full,
            "managing": managing,
            "performing": performing,
            "signing": signing,
            "side_signed": side_signed,
            "blockers": services.signing_blockers(c)
            if full and c.status == ContractStatus.DRAFT
            else [],
            "instalments": selectors.instalments_of(c),
            "reports": selectors.reports_of(c) if full else [],
            "amendments": [(a, _change_rows(a.changes)) for a in amendments],
            "versions": [(v, _term_rows(v.terms)) for v in c.versions.order_by("version")],
            "history": _history_rows(c, actor),
            "renewal": renewal,
            "can_renew": managing
            and c.renewal_intent
            and c.status in RENEWABLE
            and c.year_index < c.renewal_years
            and renewal is None,
        },
    )


@domain_errors
def contract_pdf_view(request, pk: int):
    """The full contract for the parties, the platform admin and auditors; the published
    version (no signatories) for everyone else."""
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
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
    require(request.actor, "contracts.manage")
    awards = list(selectors.awards_without_contract(request.actor)[:200])
    rows = [(a, award_blockers(a)) for a in awards]  # one unit's awards awaiting a contract
    return render(request, "contracts/contract_new.html", {"awards": awards, "rows": rows})


@login_required
@domain_errors
def contract_create(request, award_id: int):
    actor = request.actor
    require(actor, "contracts.manage")
    award = selectors.awards_without_contract(actor).filter(pk=award_id).first()
    if award is None:
        raise NotFound("该中标结果不存在、不属于本单位，或已有合同。")
    form = forms.ContractTermsForm(
        request.POST or None, initial=selectors.contract_draft_terms(award)
    )
    if request.method == "POST" and form.is_valid():
        contract, error = attempt(
            lambda: services.contract_create(award=award, actor=actor, **form.terms()), form=form
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
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.manage", c)
    if c.status != ContractStatus.DRAFT:
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
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.sign", c)
    error = None
    if request.method == "POST":
        signed, error = attempt(lambda: services.contract_sign(contract=c, actor=actor))
        if error is None:
            if signed.status == ContractStatus.ACTIVE:
                messages.success(request, _("双方均已签订，合同生效并已公开。"))
            else:
                messages.success(request, _("您一方已签订，等待对方签订。"))
            return redirect("contracts:detail", pk=signed.pk)
    reasons = services.signing_blockers(c) if c.status == ContractStatus.DRAFT else []
    return _confirm(
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
        reasons=reasons,
        error=error,
        can_submit=not reasons and c.status == ContractStatus.DRAFT,
    )


@login_required
@domain_errors
def contract_cancel(request, pk: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.manage", c)
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
    return _confirm(
        request,
        contract=c,
        title=_("作废合同草稿"),
        warning=_("作废后不可恢复；可就同一中标结果重新起草合同。"),
        action_label=_("确认作废"),
        form=form,
        danger=True,
    )


# --- amendments, termination, renewal -------------------------------------------------------


@login_required
@domain_errors
def contract_amend(request, pk: int):
    """Changed terms and the rationale → a confirmation showing old → new → the
    supplementary agreement (a new version)."""
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.manage", c)
    if c.status != ContractStatus.ACTIVE:
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
                    "rows": _change_rows({k: (current[k], v) for k, v in changes.items()}),
                    "rationale": form.cleaned_data["rationale"],
                },
            )
    return render(request, "contracts/amend.html", {"c": c, "form": form})


@login_required
@domain_errors
def contract_terminate(request, pk: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.manage", c)
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
    return _confirm(
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


@login_required
@domain_errors
def contract_renew(request, pk: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.manage", c)
    error = None
    if request.method == "POST":
        new, error = attempt(lambda: services.contract_renew(contract=c, actor=actor))
        if error is None:
            messages.success(request, _("已起草下一年度的续签合同，请核对后双方签订。"))
            return redirect("contracts:detail", pk=new.pk)
    return _confirm(
        request,
        contract=c,
        title=_("续签合同"),
        warning=_(
            "将按本合同的条款起草下一年度的合同草稿（服务期顺延一年），双方签订后生效。需求稳定的服务含本合同在内最长 3 年。"
        ),
        action_label=_("起草续签合同"),
        facts=[
            (_("合同编号"), c.reference),
            (_("第几年合同"), c.year_index),
            (_("意向续签总年限"), c.renewal_years),
        ],
        error=error,
    )


# --- payments ------------------------------------------------------------------------------


@login_required
@domain_errors
def payment_new(request, pk: int, instalment_id: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.manage", c)
    inst = _instalment(c, instalment_id)
    form = forms.PaymentForm(request.POST or None, initial={"amount": inst.amount})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        error = attempt_error(
            lambda: services.payment_record(
                instalment=inst,
                paid_on=d["paid_on"],
                voucher=d["voucher"],
                amount=inst.amount,
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("第 %(n)s 期付款 %(a)s 元已记录。") % {"n": inst.sequence, "a": inst.amount},
            )
            return redirect("contracts:detail", pk=c.pk)
    return render(request, "contracts/payment_form.html", {"c": c, "inst": inst, "form": form})


# --- reports -------------------------------------------------------------------------------


@login_required
@domain_errors
def report_list(request, pk: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    _require_full(actor, c)
    return render(
        request,
        "contracts/report_list.html",
        {
            "c": c,
            "reports": selectors.reports_of(c),
            "performing": can(actor, "contracts.perform", c),
        },
    )


def _report_page(request, c, report, *, form=None, upload_form=None, review_form=None):
    actor = request.actor
    performing = can(actor, "contracts.perform", c)
    managing = can(actor, "contracts.manage", c)
    active = c.status == ContractStatus.ACTIVE
    open_ = active and report.status in (ReportStatus.DUE, ReportStatus.RETURNED)
    if performing and open_ and form is None:
        initial = {"summary": report.summary, **forms.ReportForm.initial_lines(report.fund_lines)}
        form = forms.ReportForm(initial=initial)
    if performing and active and report.status != ReportStatus.ACCEPTED and upload_form is None:
        upload_form = DocumentUploadForm()
        del upload_form.fields["is_public"]
    if managing and report.status == ReportStatus.SUBMITTED and review_form is None:
        review_form = forms.ReviewForm()
    documents = list(selectors.report_documents_for(report, actor=actor))
    return render(
        request,
        "contracts/report_detail.html",
        {
            "c": c,
            "r": report,
            "form": form if performing and open_ else None,
            "upload_form": upload_form if performing else None,
            "review_form": review_form if managing else None,
            "documents": documents,
            "totals": fund_totals(report.fund_lines) if report.fund_lines else None,
            "performing": performing,
            "needs_lines": report.kind == ReportKind.MIDTERM,
            # The reminder only while it is still to be done: the provider has yet to attach
            # the financial statements of a final report it may still submit.
            "needs_files": report.kind == ReportKind.FINAL
            and performing
            and open_
            and not documents,
        },
    )


@login_required
@domain_errors
def report_detail(request, pk: int, report_id: int):
    """The report; the provider submits it here (POST), the purchaser reviews it."""
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    _require_full(actor, c)
    report = selectors.report_get(contract=c, pk=report_id)
    if request.method != "POST":
        return _report_page(request, c, report)
    require(actor, "contracts.perform", c)
    form = forms.ReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_submit(
                report=report,
                summary=form.cleaned_data["summary"],
                fund_lines=form.fund_lines() or None,
                actor=actor,
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            forms.add_domain_error(form, exc, aliases=form.error_aliases())
        else:
            messages.success(request, _("报告已提交，等待购买主体审核。"))
            return redirect("contracts:report", pk=c.pk, report_id=report.pk)
    return _report_page(request, c, report, form=form)


@require_POST
@login_required
@domain_errors
def report_attach(request, pk: int, report_id: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.perform", c)
    report = selectors.report_get(contract=c, pk=report_id)
    upload_form = DocumentUploadForm(request.POST, request.FILES)
    del upload_form.fields["is_public"]
    if upload_form.is_valid():
        try:
            document = services.report_attach(
                report=report,
                file=upload_form.cleaned_data["file"],
                description=upload_form.cleaned_data["description"],
                actor=actor,
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form_add_error(upload_form, exc)
        else:
            messages.success(
                request, _("已上传附件“%(name)s”。") % {"name": document.original_name}
            )
            return redirect("contracts:report", pk=c.pk, report_id=report.pk)
    return _report_page(request, c, report, upload_form=upload_form)


@require_POST
@login_required
@domain_errors
def report_review(request, pk: int, report_id: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    require(actor, "contracts.manage", c)
    report = selectors.report_get(contract=c, pk=report_id)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"]
        error = attempt_error(
            lambda: services.report_review(
                report=report, accept=accept, comment=form.cleaned_data["comment"], actor=actor
            ),
            form=form,
        )
        if error is None:
            if accept:
                messages.success(request, _("报告已审核通过。"))
            else:
                messages.success(request, _("报告已退回修改，承接主体将看到审核意见。"))
            return redirect("contracts:report", pk=c.pk, report_id=report.pk)
    return _report_page(request, c, report, review_form=form)


@login_required
@domain_errors
def report_file(request, pk: int, report_id: int, document_id: int):
    actor = request.actor
    c = selectors.contract_get(pk=pk, actor=actor)
    _require_full(actor, c)
    report = selectors.report_get(contract=c, pk=report_id)
    document = selectors.report_documents_for(report, actor=actor).filter(pk=document_id).first()
    if document is None:
        raise NotFound("找不到该文件。")
    return document_file_response(document)


# --- the parties' to-do list ----------------------------------------------------------------


@login_required
@domain_errors
def todo(request):
    """What needs doing: drafts to sign, late reports, instalments to pay (both parties'
    dashboards link here)."""
    actor = request.actor
    require(actor, "contracts.sign")  # a purchaser, provider or hub organization
    late = selectors.overdue_for(actor)
    drafts = selectors.contract_list_for(actor=actor, status=ContractStatus.DRAFT, limit=50).items
    purchaser = actor.has_role(Role.PURCHASER)
    to_sign = [
        c for c in drafts if not (c.purchaser_signed_at if purchaser else c.provider_signed_at)
    ]
    awards = list(selectors.awards_without_contract(actor)[:50]) if purchaser else []
    return render(
        request,
        "contracts/todo.html",
        {
            "late": late,
            "to_sign": to_sign,
            "awards": awards,
            "pending_reports": selectors.reports_pending_for(actor),
            "purchaser": purchaser,
        },
    )
