"""The mid-year demo's performance steps, through the services: a signed contract, paid
instalments, progress / mid-term / final reports, and evaluations."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.common.money import split_by_weights
from caidan.contracts.inputs import ContractTermsInput, PaymentInput, ReportInput
from caidan.evaluations.inputs import PurchaserScoreInput, ScoresInput

# The demo contracts' budget (预算明细): staff, activities and management, by share of the
# amount; the lines add up to the amount to the fen (common.money.split_by_weights).
BUDGET_SHARES = (("人员经费", 70), ("活动经费", 20), ("管理费用", 10))


def budget_lines(amount: Decimal) -> list[dict[str, str]]:
    parts = split_by_weights(amount, [share for _, share in BUDGET_SHARES])
    return [
        {"line": line, "amount": str(part)}
        for (line, _), part in zip(BUDGET_SHARES, parts, strict=True)
    ]


def contract_terms(award) -> ContractTermsInput:
    """The terms a demo contract is drafted with: the tender's defaults and a budget whose
    lines add up to the award's amount (so a report's fund rows start from them)."""
    return ContractTermsInput.parse(budget_lines=budget_lines(award.amount))


def signed_contract(award, purchaser: Actor, provider: Actor):
    from caidan.contracts.services import contract_create, contract_sign

    contract = contract_create(award=award, actor=purchaser, data=contract_terms(award))
    contract_sign(contract=contract, actor=purchaser)
    contract_sign(contract=contract, actor=provider)
    contract.refresh_from_db()
    return contract


def pay(contract, gate: str, purchaser: Actor) -> None:
    from caidan.contracts.services import payment_record

    instalment = contract.instalments.get(gate=gate)
    payment_record(
        instalment=instalment,
        actor=purchaser,
        data=PaymentInput.parse(
            paid_on=timezone.localdate(), voucher=f"JSL-{contract.pk:04d}-{instalment.sequence}"
        ),
    )


def fund_lines(contract, share: Decimal) -> list[dict[str, str]]:
    """A report's use of funds: each of the contract's budget lines, ``share`` of it spent."""
    lines = contract.budget_lines or budget_lines(contract.amount)
    return [
        {
            "line": row["line"],
            "budget": str(row["amount"]),
            "spent": str((Decimal(str(row["amount"])) * share).quantize(Decimal("0.01"))),
        }
        for row in lines
    ]


def file_report(report, provider: Actor, purchaser: Actor | None, *, fund_share=None) -> None:
    from caidan.contracts.services import report_attach, report_review, report_submit

    if report.kind == "final":
        report_attach(
            report=report,
            file=SimpleUploadedFile(
                "项目财务报表.pdf", b"%PDF-1.4\n%caidan demo\n", content_type="application/pdf"
            ),
            description="项目财务报表",
            actor=provider,
        )
    report_submit(
        report=report,
        actor=provider,
        data=ReportInput.parse(
            summary=f"{report.get_kind_display()}：按计划开展上门服务和小组活动，服务对象反馈良好；"
            "部分高龄老人需求变化，已调整服务频次。",
            fund_lines=fund_lines(report.contract, fund_share) if fund_share is not None else None,
        ),
    )
    if purchaser is not None:
        report_review(report=report, accept=True, comment="材料齐全，同意通过。", actor=purchaser)


# The share of each indicator's weight the demo's evaluator gives, and the share of the planned
# output the provider delivered (实际完成率): the same 92 %, so the computed completion points
# are the ones a hand score would give.
SCORED_SHARE = Decimal("0.92")


def planned_output(contract, stage: str) -> int:
    """The output an evaluation measures against: the service count the contract promises
    (its output indicators' targets, ``stats.gaps.contract_capacity``, what the demand-gap
    page calls capacity) for a final evaluation, half of it, rounded, for a mid-term one."""
    from caidan.stats.gaps import contract_capacity

    capacity = contract_capacity(contract.indicators)
    if stage != "final":
        capacity /= 2
    return int(capacity.quantize(Decimal(1), ROUND_HALF_UP))


def delivered_output(planned: int) -> int:
    """The output the demo's provider delivered: ``SCORED_SHARE`` of the plan, rounded."""
    return int((planned * SCORED_SHARE).quantize(Decimal(1), ROUND_HALF_UP))


def evaluate(contract, stage: str, purchaser: Actor, evaluator: Actor, *, publish: bool):
    from caidan.evaluations.services import (
        evaluation_publish,
        evaluation_purchaser_score,
        evaluation_schedule,
        evaluation_score,
    )
    from caidan.evaluations.services.frameworks import leaves

    evaluation = evaluation_schedule(contract=contract, stage=stage, actor=purchaser)
    if not publish:
        return evaluation
    scores = {}
    planned = planned_output(contract, stage)
    units = {o.get("unit", "") for o in contract.indicators if o.get("kind") == "output"}
    unit = f" {units.pop()}" if len(units) == 1 and "" not in units else ""
    for ind in leaves(contract.framework.indicators):
        points = (Decimal(ind["weight"]) * SCORED_SHARE).quantize(Decimal("0.01"))
        scores[ind["code"]] = {
            "score": str(points),
            "evidence": f"{ind['name']}：查阅台账、走访服务对象",
        }
        if ind["computed"] == "completion" and planned:
            # 实际完成率: the platform computes the points from the actual and planned output,
            # and the demand-gap page reads the actual as the contract's delivered output
            actual = delivered_output(planned)
            scores[ind["code"]].update(actual=actual, planned=planned)
            scores[ind["code"]]["evidence"] = (
                f"{ind['name']}：服务台账记录完成 {actual}{unit}，计划 {planned}{unit}"
            )
    evaluation_score(
        evaluation=evaluation,
        actor=evaluator,
        data=ScoresInput.parse(
            scores=scores,
            summary="项目管理规范，服务按合同开展，服务对象满意度较高；建议加强志愿者培训。",
        ),
    )
    evaluation_purchaser_score(
        evaluation=evaluation, actor=purchaser, data=PurchaserScoreInput.parse(score="90")
    )
    if not contract.surveys.filter(responses__isnull=False).exists():
        # publishing needs every subject or the purchaser's recorded waiver (issue 20)
        from caidan.evaluations.inputs import SubjectWaiverInput
        from caidan.evaluations.services import evaluation_subject_waive

        evaluation_subject_waive(
            evaluation=evaluation,
            data=SubjectWaiverInput.parse(
                subject="recipients",
                reason="本阶段尚未开展服务对象满意度调查，满意度在终期评估时调查。",
            ),
            actor=purchaser,
        )
    return evaluation_publish(evaluation=evaluation, actor=evaluator)
