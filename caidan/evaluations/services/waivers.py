"""Whole evaluations (issue 20): an evaluation is published only with a result from every
subject the jurisdiction's weights name (``evaluation_subject_weights`` > 0: the purchaser's
score, the recipients' satisfaction survey, the evaluator's indicator scores), or with the
purchaser's explicit, recorded waiver of a subject it cannot supply (a survey nobody could
answer, a purchaser's score not given), with its reason. A waived subject does not count:
the weighted total is taken over the others, as ``formulas.weighted_total`` does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.errors import Conflict, field_error
from caidan.common.i18n import join_list
from caidan.common.perms import Perm
from caidan.evaluations.codes import Code
from caidan.jurisdiction.selectors import setting_value

from ..inputs import SubjectWaiverInput
from ..models import Evaluation, EvaluationStatus

# The subjects in the order pages list them, and what each one's result is.
SUBJECT_LABELS = {
    "purchaser": _("购买方评分"),
    "recipients": _("服务对象满意度调查"),
    "evaluator": _("第三方指标评分"),
}
MISSING_WHY = {
    "purchaser": _("购买方尚未评分"),
    "recipients": _("满意度调查尚无答卷"),
}
# The evaluator publishes, so it cannot waive its own part; the purchaser may waive its
# score or a survey that could not be held.
WAIVABLE = ("purchaser", "recipients")


def required_subjects() -> list[str]:
    """The subjects the jurisdiction weighs (weight above 0), in page order."""
    weights = setting_value("evaluation_subject_weights")
    return [key for key in SUBJECT_LABELS if weights.get(key)]


def _has_result(e: Evaluation, subject: str, facts: dict[str, Any]) -> bool:
    if subject == "purchaser":
        return e.purchaser_score is not None
    if subject == "recipients":
        return facts["satisfaction"] is not None
    return True  # the evaluator's indicators: evaluation_compute names any left unscored


def missing_subjects(e: Evaluation, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """The required subjects with no result and no waiver: ``key``, ``label``, ``why`` and
    whether the purchaser may ``waive`` it."""
    waived = e.waivers or {}
    return [
        {
            "key": key,
            "label": SUBJECT_LABELS[key],
            "why": MISSING_WHY.get(key, ""),
            "waivable": key in WAIVABLE,
        }
        for key in required_subjects()
        if key not in waived and not _has_result(e, key, facts)
    ]


def missing_refusal(missing: list[dict[str, Any]]) -> Conflict:
    listed = join_list(f"{m['label']}（{m['why']}）" for m in missing)
    return Conflict(
        _("不能公布：缺少%(missing)s。请补齐；确实无法取得的，由购买方记录免评及理由。")
        % {"missing": listed},
        code=Code.SUBJECTS_MISSING,
        detail={"missing": [m["key"] for m in missing]},
    )


def evaluation_subject_waive(
    *,
    evaluation: Evaluation,
    data: SubjectWaiverInput,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Evaluation:
    """The purchaser records that a subject will not be part of this evaluation, and why.
    Recorded on the evaluation (shown with its result) and in the audit log; only while the
    evaluation is open, only for a waivable subject that has no result."""
    require(actor, Perm.EVALUATIONS_COMMISSION, evaluation.contract)
    subject, reason = data.subject, data.reason
    if subject not in WAIVABLE:
        raise field_error(
            "subject", _("只能免评购买方评分或服务对象满意度调查；第三方指标评分不能免评。")
        )
    now = now or timezone.now()
    from .evaluations import _lock, contract_facts

    with transaction.atomic():
        e = _lock(evaluation)
        if e.status != EvaluationStatus.OPEN:
            raise Conflict(_("评价结果已公布，不能再免评。"), code=Code.PUBLISHED)
        if subject not in required_subjects():
            raise Conflict(_("该评价主体不计入综合得分，无需免评。"), code=Code.NOT_REQUIRED)
        if subject in (e.waivers or {}):
            raise Conflict(_("该评价主体已记录免评。"), code=Code.ALREADY_WAIVED)
        if _has_result(e, subject, contract_facts(e.contract)):
            raise Conflict(_("该评价主体已有结果，无需免评。"), code=Code.HAS_RESULT)
        user = user_of(actor)
        e.waivers = {
            **(e.waivers or {}),
            subject: {
                "reason": reason,
                "by": getattr(user, "pk", None),
                "by_name": user.get_full_name() if user else "",
                "at": now.isoformat(),
            },
        }
        e.save(update_fields=["waivers"])
        audit_record(
            kind=EventKind.EVALUATION_SCORED,
            actor=actor,
            target=e.contract,
            new={"evaluation": e.pk, "waived": subject},
            note=reason,
        )
    return e


def waiver_rows(e: Evaluation) -> list[dict[str, Any]]:
    """The recorded waivers, for the evaluation's pages: label, reason, who, when."""
    rows = []
    for key, w in (e.waivers or {}).items():
        at = w.get("at")
        rows.append(
            {
                "key": key,
                "label": SUBJECT_LABELS.get(key, key),
                "reason": w.get("reason", ""),
                "by_name": w.get("by_name", ""),
                "at": dt.datetime.fromisoformat(at) if at else None,
            }
        )
    return rows
