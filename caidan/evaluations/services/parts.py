"""A hub bundle's evaluation attributes output and a score to each member's part (issue 21).

The evaluator scores each member's part (0–100, with what that member delivered) while the
evaluation is open; when it is published, a part left unscored takes the evaluation's
total. The published final results are the members' track record "via the hub" and count
towards their standing to bid on their own (``caidan.orgs.standing``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import Conflict, ValidationError, field_error
from caidan.common.perms import Perm
from caidan.evaluations.codes import Code

from .. import formulas
from ..models import Evaluation, EvaluationStatus, PartResult

MAX_OUTPUTS = 2000


def _parts(contract) -> dict[str, Any]:
    return {
        str(p.pk): p for p in contract.parts.select_related("organization").order_by("position")
    }


def _check_rows(
    rows: list[dict[str, Any]], parts: dict[str, Any]
) -> list[tuple[Any, Decimal, str]]:
    errors: list[dict[str, str]] = []
    out: list[tuple[Any, Decimal, str]] = []
    seen: set[str] = set()

    def err(n: int, column: str, message) -> None:
        errors.append({"field": f"parts.{n}.{column}", "message": str(message)})

    for n, row in enumerate(rows, 1):
        pid = str(row.get("part") or "").strip()
        part = parts.get(pid)
        if not pid:
            err(n, "part", _("第 %(n)s 行：请选择成员部分。") % {"n": n})
        elif part is None:
            err(n, "part", _("第 %(n)s 行：所选部分不属于本合同。") % {"n": n})
        elif pid in seen:
            err(n, "part", _("第 %(n)s 行：同一部分只能评分一次。") % {"n": n})
        seen.add(pid)
        text = str(row.get("score") or "").strip()
        score = None
        try:
            score = Decimal(text)
        except InvalidOperation:
            err(n, "score", _("第 %(n)s 行：得分须是 0 到 100 之间的数字。") % {"n": n})
        else:
            if not score.is_finite() or score < 0 or score > 100:
                err(n, "score", _("第 %(n)s 行：得分须是 0 到 100 之间的数字。") % {"n": n})
                score = None
        outputs = str(row.get("outputs") or "").strip()
        if len(outputs) > MAX_OUTPUTS:
            err(n, "outputs", _("第 %(n)s 行：产出说明不能超过 2000 字。") % {"n": n})
        if part is not None and score is not None:
            out.append((part, score.quantize(Decimal("0.01")), outputs))
    if errors:
        raise ValidationError(
            errors[0]["message"], detail={"field": errors[0]["field"], "errors": errors}
        )
    return out


def evaluation_parts_score(
    *,
    evaluation: Evaluation,
    rows: list[dict[str, Any]],
    actor: Actor,
    now: dt.datetime | None = None,
) -> list[PartResult]:
    """The evaluator attributes a score (0–100) and the output delivered to each member's
    part; the rows replace what was scored before. Only while the evaluation is open."""
    require(actor, Perm.EVALUATIONS_EVALUATE, evaluation.contract)
    with transaction.atomic():
        e = Evaluation.objects.select_for_update().select_related("contract").get(pk=evaluation.pk)
        if e.status != EvaluationStatus.OPEN:
            raise Conflict(_("评价结果已公布，不能再修改。"), code=Code.PUBLISHED)
        parts = _parts(e.contract)
        if not parts:
            raise field_error("parts", _("本合同不是枢纽打包项目的合同，没有成员承担的部分。"))
        checked = _check_rows(rows, parts)
        before = {str(r.part_id): str(r.score) for r in PartResult.objects.filter(evaluation=e)}
        PartResult.objects.filter(evaluation=e).delete()
        results = PartResult.objects.bulk_create(
            [
                PartResult(
                    evaluation=e,
                    part=part,
                    organization_id=part.organization_id,
                    hub_id=e.contract.organization_id,
                    score=score,
                    grade=formulas.grade_for(score),
                    outputs=outputs,
                    scored_by_evaluator=True,
                )
                for part, score, outputs in checked
            ]
        )
        audit_record(
            kind=EventKind.EVALUATION_SCORED,
            actor=actor,
            target=e.contract,
            old={"parts": before},
            new={"parts": {str(r.part_id): str(r.score) for r in results}},
            note="成员部分评分",
        )
    return results


def part_results_complete(e: Evaluation) -> list[PartResult]:
    """At publication (inside ``evaluation_publish``'s transaction): every member's part
    the evaluator did not score takes the evaluation's total and grade."""
    parts = _parts(e.contract)
    if not parts:
        return []
    scored = set(PartResult.objects.filter(evaluation=e).values_list("part_id", flat=True))
    return PartResult.objects.bulk_create(
        [
            PartResult(
                evaluation=e,
                part=part,
                organization_id=part.organization_id,
                hub_id=e.contract.organization_id,
                score=e.total,
                grade=e.grade,
                scored_by_evaluator=False,
            )
            for part in parts.values()
            if part.pk not in scored
        ]
    )
