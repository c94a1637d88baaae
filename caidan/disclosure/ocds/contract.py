"""Releases of the contract stage: signature, implementation (payments, reports as
milestones, published evaluations as metrics) and termination."""

from __future__ import annotations

from django.utils.translation import gettext

from .builder import Builder
from .values import money, when


def add_contract(b: Builder, contract) -> None:
    from caidan.contracts.models import ContractStatus, ReportStatus

    key = f"contract-{contract.pk}"
    payer = b.unit_ref(contract.unit)
    payee = b.org_ref(contract.organization)
    core = {
        "id": contract.reference,
        "awardID": str(contract.award_id),
        "title": contract.title,
        "description": contract.service_content,
        "value": money(contract.amount),
        "period": {
            "startDate": when(contract.period_start),
            "endDate": when(contract.period_end),
        },
        "dateSigned": when(contract.signed_at),
    }
    b.add(
        contract.signed_at,
        key,
        ["contract"],
        {"contracts": [{**core, "status": "active"}]},
        {payer["id"]: {"payer"}, payee["id"]: {"payee", "supplier"}},
    )

    payments = contract.ocds_payments
    reports = contract.ocds_reports
    evaluations = contract.ocds_evaluations
    moments = sorted(
        {i.payment.recorded_at for i in payments}
        | {r.reviewed_at for r in reports if r.status == ReportStatus.ACCEPTED and r.reviewed_at}
        | {e.published_at for e in evaluations if e.published_at}
    )
    status = "terminated" if contract.status != ContractStatus.ACTIVE else "active"
    for moment in moments:
        implementation = {
            "transactions": [
                {
                    "id": f"payment-{i.payment.pk}",
                    "date": when(i.payment.paid_on),
                    "value": money(i.payment.amount),
                    "payer": payer,
                    "payee": payee,
                }
                for i in payments
                if i.payment.recorded_at <= moment
            ],
            "milestones": [_milestone(r, moment) for r in reports],
            "metrics": [_metric(e) for e in evaluations if e.published_at <= moment],
        }
        current = "active" if not contract.ended_at or moment < contract.ended_at else status
        b.add(
            moment,
            key,
            ["implementation"],
            {
                "contracts": [
                    {
                        "id": contract.reference,
                        "awardID": str(contract.award_id),
                        "status": current,
                        "implementation": implementation,
                    }
                ]
            },
        )

    if contract.status != ContractStatus.ACTIVE:
        b.add(
            contract.ended_at or contract.signed_at,
            key,
            ["contractTermination"],
            {
                "contracts": [
                    {
                        **core,
                        "status": "terminated",
                        "statusDetails": str(ContractStatus(contract.status).label),
                    }
                ]
            },
        )


def _milestone(report, moment) -> dict:
    from caidan.contracts.models import ReportKind, ReportStatus

    met = (
        report.status == ReportStatus.ACCEPTED
        and report.reviewed_at is not None
        and report.reviewed_at <= moment
    )
    return {
        "id": f"report-{report.pk}",
        "title": gettext("%(kind)s（第 %(sequence)s 次）")
        % {"kind": ReportKind(report.kind).label, "sequence": report.sequence},
        "type": "reporting",
        "dueDate": when(report.due_on),
        "status": "met" if met else "scheduled",
        "dateMet": when(report.reviewed_at) if met else None,
    }


def _metric(evaluation) -> dict:
    from caidan.evaluations.models import Grade, Stage

    observations = []
    if evaluation.total is not None:
        observations.append(
            {
                "id": f"evaluation-{evaluation.pk}-total",
                "measure": float(evaluation.total),
                "unit": {"name": gettext("分")},
                "notes": gettext("综合得分"),
            }
        )
    if evaluation.grade:
        observations.append(
            {
                "id": f"evaluation-{evaluation.pk}-grade",
                "measure": str(Grade(evaluation.grade).label),
                "notes": gettext("等级"),
            }
        )
    return {
        "id": f"evaluation-{evaluation.pk}",
        "title": str(Stage(evaluation.stage).label),
        "description": gettext("绩效评价结果"),
        "observations": observations,
    }
