"""What evaluations add to a contract's page and API (``caidan.contracts.links``; registered
in ``apps.py``): links to the contract's evaluations and to the provider's track record, the
passed evaluation that opened each staged payment gate, and the published 差 that blocks a
renewal."""

from __future__ import annotations

from django.urls import reverse

from caidan.contracts.links import ContractSection, RenewalBlock
from caidan.evaluations.codes import Code

from .models import Evaluation, EvaluationStatus, Grade, Stage

# The evaluation stage whose passed result opens a payment gate (the publication's effect,
# ``services.evaluations._effects``, opens it).
GATE_OF_STAGE = {Stage.MID: "midterm", Stage.FINAL: "final"}
PASSING_GRADES = (Grade.EXCELLENT, Grade.GOOD, Grade.FAIR)  # as ``Evaluation.passed``


def gate_evaluations(contract) -> dict[str, int]:
    """Which published, passed evaluation opens which gate (``{"midterm": id, "final": id}``):
    a passed mid-term evaluation opens the second instalment, a passed final one the third."""
    rows = (
        Evaluation.objects.public()
        .filter(contract=contract, stage__in=list(GATE_OF_STAGE), grade__in=PASSING_GRADES)
        .values_list("stage", "pk")
    )
    return {GATE_OF_STAGE[stage]: pk for stage, pk in rows}


def contract_links(contract) -> dict[str, str]:
    return {
        "evaluations": reverse("evaluations:contract", args=[contract.pk]),
        "track_record": reverse("evaluations:track_record", args=[contract.organization_id]),
    }


def renewal_blocks(contract) -> list[RenewalBlock]:
    """A published evaluation graded 差 blocks the renewal (优胜劣汰)."""
    poor = Evaluation.objects.filter(
        contract=contract, status=EvaluationStatus.PUBLISHED, grade=Grade.POOR
    ).first()
    if poor is None:
        return []
    reason = f"{poor.get_stage_display()}等级为“差”，不能续签（优胜劣汰）。"
    return [RenewalBlock(code=Code.POOR_GRADE, reason=reason)]


section = ContractSection(
    name="evaluations",
    links=contract_links,
    gate_records=gate_evaluations,
    renewal_blocks=renewal_blocks,
)
