"""Contracts' status tables: the contract and the provider's reports
(``caidan.common.lifecycle``). A report's events are recorded against its contract."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import TRANSITIONS, ContractAction, ContractStatus, ReportStatus

contract_lifecycle = Lifecycle(
    name="contract",
    model="contracts.Contract",
    table=TRANSITIONS,
    audit_kind=EventKind.CONTRACT_TRANSITION,
    noun="合同",
    actions=ContractAction,
    statuses=ContractStatus,
    initial=frozenset({ContractStatus.DRAFT}),
)


class ReportAction(models.TextChoices):
    SUBMIT = "submit", _("提交")
    ACCEPT = "accept", _("审核通过")
    RETURN = "return", _("退回修改")


R = ReportStatus
report_lifecycle = Lifecycle(
    name="report",
    model="contracts.Report",
    table={
        ReportAction.SUBMIT: (frozenset({R.DUE, R.RETURNED}), R.SUBMITTED),
        ReportAction.ACCEPT: (frozenset({R.SUBMITTED}), R.ACCEPTED),
        ReportAction.RETURN: (frozenset({R.SUBMITTED}), R.RETURNED),
    },
    audit_kind={
        ReportAction.SUBMIT: EventKind.REPORT_SUBMITTED,
        ReportAction.ACCEPT: EventKind.REPORT_REVIEWED,
        ReportAction.RETURN: EventKind.REPORT_REVIEWED,
    },
    noun="报告",
    actions=ReportAction,
    statuses=ReportStatus,
    initial=frozenset({R.DUE}),
    audit_on="contract",
    audit_key="report",
)
