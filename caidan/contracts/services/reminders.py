"""Deadline reminders through the tick: unsigned contracts past 30 days, reports past
their due date, instalments whose gate opened more than ``PAY_WITHIN_DAYS`` ago unpaid.
Each is flagged once (idempotent), on both parties' dashboards."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.money import format_yuan
from caidan.common.tick import flag_once, tick_job
from caidan.notifications.services import notify

from ..models import Contract, ContractStatus, Instalment, Report, ReportStatus
from ._shared import _provider_users, _purchaser_users
from .contracts import sign_task
from .payments import pay_task
from .reports import report_submit_task

PAY_WITHIN_DAYS = 15


@tick_job("contracts.reminders")
def flag_overdue(now: dt.datetime) -> int:
    """Once each: contracts not signed within 30 days of the award notice, reports past due,
    instalments whose gate opened ``PAY_WITHIN_DAYS`` ago and still unpaid."""
    system = Actor.system()
    today = timezone.localtime(now).date()

    def signing(c: Contract) -> None:
        audit_record(
            kind=EventKind.CONTRACT_OVERDUE,
            actor=system,
            target=c,
            new={"what": "signing", "due": c.sign_due.isoformat()},
        )
        for side, people in (("purchaser", _purchaser_users(c)), ("provider", _provider_users(c))):
            signed = getattr(c, f"{side}_signed_at") is not None
            notify(
                recipients=people,
                kind="contract.sign_overdue",
                title=f"逾期未签订：{c.title}" if signed else f"合同已逾期，请尽快签订：{c.title}",
                body=f"中标通知后 30 日内应签订合同（政府采购法 §46），期限 "
                f"{timezone.localtime(c.sign_due):%Y-%m-%d} 已过。",
                url=f"/contracts/{c.pk}/",
                task="" if signed else sign_task(c, side),
            )

    def report(r: Report) -> None:
        audit_record(
            kind=EventKind.CONTRACT_OVERDUE,
            actor=system,
            target=r.contract,
            new={"what": "report", "report": r.pk, "due": r.due_on.isoformat()},
        )
        notify(
            recipients=_provider_users(r.contract),
            kind="report.overdue",
            title=f"{r.get_kind_display()}已逾期，请尽快提交：{r.contract.title}",
            body=f"{r.contract.title}的{r.get_kind_display()}应于 {r.due_on} 提交。",
            url=f"/contracts/{r.contract_id}/reports/{r.pk}/",
            task=report_submit_task(r),
        )
        notify(
            recipients=_purchaser_users(r.contract),
            kind="report.overdue",
            title=f"报告逾期：{r.get_kind_display()}（{r.contract.title}）",
            body=f"{r.contract.title}的{r.get_kind_display()}应于 {r.due_on} 提交，承接方尚未提交。",
            url=f"/contracts/{r.contract_id}/reports/{r.pk}/",
        )

    def payment(i: Instalment) -> None:
        audit_record(
            kind=EventKind.CONTRACT_OVERDUE,
            actor=system,
            target=i.contract,
            new={"what": "payment", "instalment": i.sequence},
        )
        notify(
            recipients=_purchaser_users(i.contract),
            kind="instalment.due",
            title=f"请尽快支付：{i.contract.title} 第 {i.sequence} 期 {format_yuan(i.amount)}",
            body=f"付款条件已于 {timezone.localtime(i.gate_opened_at):%Y-%m-%d} 达成，"
            f"{format_yuan(i.amount)} 尚未支付。",
            url=f"/contracts/{i.contract_id}/",
            task=pay_task(i),
        )

    active = {"contract__status": ContractStatus.ACTIVE}
    return (
        flag_once(
            Contract.objects.filter(status=ContractStatus.DRAFT, sign_due__lt=now),
            flag="sign_overdue_flagged_at",
            now=now,
            apply=signing,
            batch=500,
        )
        + flag_once(
            Report.objects.filter(
                status__in=[ReportStatus.DUE, ReportStatus.RETURNED], due_on__lt=today, **active
            ),
            flag="overdue_flagged_at",
            now=now,
            apply=report,
            select_related=("contract",),
        )
        + flag_once(
            Instalment.objects.filter(
                gate_opened_at__lt=now - dt.timedelta(days=PAY_WITHIN_DAYS),
                payment__isnull=True,
                **active,
            ),
            flag="due_reminded_at",
            now=now,
            apply=payment,
            select_related=("contract",),
        )
    )
