"""Evaluation test data through the services: a signed contract with the demo evaluator
(上海申杰社会组织培育评估中心) appointed."""

from __future__ import annotations

from caidan.evaluations.services import evaluation_schedule, evaluator_appoint
from tests.contracts.factories import signed_contract


def appointed_contract(world, **terms):
    contract = signed_contract(world, **terms)
    evaluator_appoint(
        contract=contract,
        organization=world.actor("evaluator").organization,
        actor=world.actor("purchaser"),
    )
    contract.refresh_from_db()
    return contract


def scheduled(world, stage="final", contract=None):
    contract = contract or appointed_contract(world)
    return evaluation_schedule(contract=contract, stage=stage, actor=world.actor("purchaser"))


def full_scores(evaluation, fraction="1"):
    """Every leaf indicator scored at ``fraction`` of its weight, with evidence; completion
    given as actual / planned."""
    from decimal import Decimal

    from caidan.evaluations.services.frameworks import leaves

    out = {}
    for ind in leaves(evaluation.contract.framework.indicators):
        points = (Decimal(ind["weight"]) * Decimal(fraction)).quantize(Decimal("0.01"))
        out[ind["code"]] = {"score": str(points), "evidence": f"{ind['name']}：查阅台账和记录"}
    return out


def waive_missing(world, evaluation, reason="本期未开展（测试）"):
    """The purchaser waives, with a reason, each subject that has no result yet (the
    purchaser's score, the survey), so the evaluator may publish (services/waivers.py)."""
    from caidan.evaluations.inputs import SubjectWaiverInput
    from caidan.evaluations.services.evaluations import contract_facts
    from caidan.evaluations.services.waivers import evaluation_subject_waive, missing_subjects

    evaluation.refresh_from_db()
    for m in missing_subjects(evaluation, contract_facts(evaluation.contract)):
        if m["waivable"]:
            evaluation_subject_waive(
                evaluation=evaluation,
                data=SubjectWaiverInput.parse(subject=m["key"], reason=reason),
                actor=world.actor("purchaser"),
            )
    return evaluation
