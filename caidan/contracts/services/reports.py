"""Provider reports (seed 003): submitted by the provider, reviewed by the purchaser."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.actor import Actor, user_of
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.notifications.services import notifications_resolve, notify

from ..inputs import ReportInput
from ..lifecycles import ReportAction, report_lifecycle
from ..models import ContractStatus, Report, ReportKind, ReportStatus
from ._shared import _provider_users, _purchaser_users
from .contracts import maybe_complete

DOCUMENT_TARGET = "contracts.report"


def fund_totals(lines: list[dict[str, str]]) -> dict[str, Decimal]:
    budget = sum((Decimal(r["budget"]) for r in lines), Decimal("0.00"))
    spent = sum((Decimal(r["spent"]) for r in lines), Decimal("0.00"))
    return {"budget": budget, "spent": spent}


def fund_lines_start(report: Report) -> list[dict[str, str]]:
    """The fund-usage rows a report's form starts from: its own (a returned report); for a
    mid-term or final report, which carry a statement, the contract's budget lines (each 科目
    with its budgeted amount, spent to be filled in), else the budget lines of the contract's
    latest earlier statement. A progress report, where the statement is optional, starts
    blank: prefilled rows would have to be filled in or removed."""
    if report.fund_lines:
        return list(report.fund_lines)
    if report.kind == ReportKind.PROGRESS:
        return []
    lines = [{"line": b["line"], "budget": b["amount"]} for b in report.contract.budget_lines]
    if not lines:
        earlier = (
            Report.objects.filter(contract_id=report.contract_id, due_on__lte=report.due_on)
            .exclude(pk=report.pk)
            .exclude(fund_lines=[])
            .order_by("-due_on", "-pk")
            .values_list("fund_lines", flat=True)
            .first()
        )
        lines = [{"line": r["line"], "budget": r["budget"]} for r in earlier or []]
    return [{**row, "spent": ""} for row in lines]


def report_attachments(report: Report, *, actor: Actor):
    from caidan.documents.selectors import document_list_for_target

    return document_list_for_target(actor=actor, target_type=DOCUMENT_TARGET, target_id=report.pk)


def report_attach(*, report: Report, file: Any, description: str = "", actor: Actor):
    """Attach a file (statements, photos, records) to a report not yet accepted."""
    from caidan.documents.services import document_upload

    require(actor, Perm.CONTRACTS_PERFORM, report.contract)
    if report.status == ReportStatus.ACCEPTED:
        raise Conflict(_("报告已审核通过，不能再补充附件。"))
    return document_upload(
        file=file,
        actor=actor,
        description=description,
        is_public=False,
        target_type=DOCUMENT_TARGET,
        target_id=str(report.pk),
    )


def report_submit(*, report: Report, data: ReportInput, actor: Actor) -> Report:
    """The provider submits a report due (or returned); a mid-term report has its fund-usage
    statement, a final report its financial statements attached."""
    require(actor, Perm.CONTRACTS_PERFORM, report.contract)
    with transaction.atomic():
        r = Report.objects.select_for_update().select_related("contract").get(pk=report.pk)
        if r.contract.status != ContractStatus.ACTIVE:
            raise Conflict(_("合同不在履行中。"), code=Common.NOT_ACTIVE)
        if r.status not in (ReportStatus.DUE, ReportStatus.RETURNED):
            raise Conflict(_("报告已提交，等待审核。"), code=Common.ALREADY_SUBMITTED)
        if r.kind == ReportKind.MIDTERM and not data.fund_lines:
            raise field_error(
                "fund_lines", _("中期报告须附资金使用情况：至少填写一条预算科目及已支出金额。")
            )
        if r.kind == ReportKind.FINAL and not report_attachments(r, actor=actor).exists():
            raise field_error("attachments", _("结项报告须附项目财务报表（请先上传附件）。"))
        r.summary = data.summary
        r.fund_lines = data.fund_rows()
        from .parts import part_outputs_check

        r.part_outputs = part_outputs_check(r.contract, data.part_outputs)
        report_lifecycle.apply(
            r,
            ReportAction.SUBMIT,
            actor=actor,
            submitted_at=timezone.now(),
            submitted_by=user_of(actor),
            audit_new={"kind": r.kind, "late": r.is_late},
        )
        notifications_resolve(task=report_submit_task(r))
        notify(
            recipients=_purchaser_users(r.contract),
            kind="report.submitted",
            title=f"请审核{r.get_kind_display()}：{r.contract.title}",
            body=f"{r.contract.organization.name}提交了{r.get_kind_display()}，"
            "请审核：通过，或写明意见退回修改。",
            url=f"/contracts/{r.contract_id}/reports/{r.pk}/",
            task=report_review_task(r),
        )
    return r


def report_submit_task(r: Report) -> str:
    return f"report_submit:report:{r.pk}"


def report_review_task(r: Report) -> str:
    return f"report_review:report:{r.pk}"


def report_review(*, report: Report, accept: bool, comment: str = "", actor: Actor) -> Report:
    """Accept, or return with comments (then the provider submits again)."""
    require(actor, Perm.CONTRACTS_MANAGE, report.contract)
    comment = (comment or "").strip()
    if not accept and not comment:
        raise field_error("comment", _("退回修改须写明意见。"))
    with transaction.atomic():
        r = Report.objects.select_for_update().select_related("contract").get(pk=report.pk)
        if r.status != ReportStatus.SUBMITTED:
            raise Conflict(_("只有已提交待审核的报告可以审核。"), code=Common.NOT_SUBMITTED)
        report_lifecycle.apply(
            r,
            ReportAction.ACCEPT if accept else ReportAction.RETURN,
            actor=actor,
            note=comment,
            review_comment=comment,
            reviewed_at=timezone.now(),
            reviewed_by=user_of(actor),
        )
        notifications_resolve(task=report_review_task(r))
        notify(
            recipients=_provider_users(r.contract),
            kind="report.reviewed",
            title=f"{r.get_kind_display()}已通过"
            if accept
            else f"请修改后重新提交{r.get_kind_display()}：{r.contract.title}",
            body=comment[:300],
            url=f"/contracts/{r.contract_id}/reports/{r.pk}/",
            task="" if accept else report_submit_task(r),
        )
        if accept:
            maybe_complete(r.contract, actor=actor)
    return r
