"""The evaluations' waiting steps on the workbench (``caidan.accounts.workbench``): for the
purchaser, active contracts with no third-party evaluator commissioned yet and open
evaluations still waiting for its own score; for the evaluator, the evaluations to score (``Evaluation.due_on``, the date
the ``evaluations.overdue`` tick enforces); for the registration authority, assessments to
confirm. Hearings are calendar events."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caidan.accounts.workbench import (
    Entry,
    EventSource,
    TodoKind,
    entries,
    register_kind,
    register_source,
)
from caidan.common.roles import Role

from .models import AssessmentStatus, Evaluation, EvaluationStatus, Hearing, OrgAssessment

STAGES = dict(Evaluation._meta.get_field("stage").choices)


def _entry(r, url_name, args, key):
    return Entry(
        label=f"{r['contract__title']} · {STAGES.get(r['stage'], r['stage'])}",
        url=reverse(url_name, args=args),
        due=r["due_on"],
        key=key,
    )


def _open_of_unit(actor):
    if not actor.has_role(Role.PURCHASER) or actor.unit is None:
        return None
    return Evaluation.objects.filter(
        contract__unit__path__startswith=actor.unit.path, status=EvaluationStatus.OPEN
    )


def evaluations_to_commission(actor, today):
    """Active contracts of my units with no third-party evaluator yet (nothing can be
    scheduled before one is: ``evaluation_schedule``). No legal deadline is stored."""
    from caidan.contracts.models import Contract, ContractStatus

    if not actor.has_role(Role.PURCHASER) or actor.unit is None:
        return []
    rows = Contract.objects.filter(
        unit__path__startswith=actor.unit.path,
        status=ContractStatus.ACTIVE,
        evaluator_appointment__isnull=True,
    ).values("pk", "title")
    return entries(rows, "evaluations:contract", key="commission")


def purchaser_scores(actor, today):
    qs = _open_of_unit(actor)
    if qs is None:
        return []
    rows = qs.filter(purchaser_score__isnull=True).values(
        "pk", "stage", "due_on", "contract_id", "contract__title"
    )
    return [
        _entry(r, "evaluations:contract", [r["contract_id"]], f"pscore-{r['pk']}") for r in rows
    ]


def evaluations_to_score(actor, today):
    if not actor.has_role(Role.EVALUATOR) or actor.organization is None:
        return []
    rows = Evaluation.objects.filter(
        contract__evaluator_appointment__organization=actor.organization,
        status=EvaluationStatus.OPEN,
    ).values("pk", "stage", "due_on", "contract_id", "contract__title")
    return [_entry(r, "evaluations:score", [r["pk"]], f"evaluation-{r['pk']}") for r in rows]


def assessments_to_confirm(actor, today):
    if not actor.has_role(Role.REGISTRATION_AUTHORITY):
        return []
    rows = OrgAssessment.objects.filter(status=AssessmentStatus.SUBMITTED).values(
        "pk", "organization__name"
    )
    return entries(rows, "evaluations:assessment", key="assessment", label="organization__name")


def hearings(actor, start, end):
    if actor.has_role(Role.PURCHASER) and actor.unit is not None:
        scope = Q(contract__unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None:
        scope = Q(contract__organization=actor.organization)
    elif actor.has_role(Role.EVALUATOR) and actor.organization is not None:
        scope = Q(contract__evaluator_appointment__organization=actor.organization)
    else:
        return []
    rows = Hearing.objects.filter(scope, held_on__gte=start, held_on__lte=end).values(
        "pk", "held_on", "contract_id", "contract__title"
    )
    return [
        Entry(
            label=r["contract__title"],
            url=reverse("evaluations:contract", args=[r["contract_id"]]),
            due=r["held_on"],
            key=f"hearing-{r['pk']}",
        )
        for r in rows
    ]


def provider_evaluations(actor, start, end):
    """For a provider: when its projects are evaluated (an event: the step is not its own)."""
    if not actor.has_role(Role.PROVIDER, Role.HUB) or actor.organization is None:
        return []
    rows = Evaluation.objects.filter(
        contract__organization=actor.organization,
        status=EvaluationStatus.OPEN,
        due_on__gte=start,
        due_on__lte=end,
    ).values("pk", "stage", "due_on", "contract_id", "contract__title")
    return [_entry(r, "evaluations:detail", [r["pk"]], f"evaluation-{r['pk']}") for r in rows]


def register() -> None:
    purchaser = frozenset({Role.PURCHASER})
    register_kind(
        TodoKind(
            "evaluations:commission",
            _("委托第三方评估"),
            purchaser,
            evaluations_to_commission,
        )
    )
    register_kind(
        TodoKind(
            "evaluations:purchaser_score",
            _("给出购买方评分"),
            purchaser,
            purchaser_scores,
            _("绩效评价应完成日期"),
        )
    )
    register_kind(
        TodoKind(
            "evaluations:score",
            _("完成绩效评价评分"),
            frozenset({Role.EVALUATOR}),
            evaluations_to_score,
            _("绩效评价应完成日期"),
        )
    )
    register_kind(
        TodoKind(
            "evaluations:assessment",
            _("确认规范化评估结果"),
            frozenset({Role.REGISTRATION_AUTHORITY}),
            assessments_to_confirm,
        )
    )
    everyone = frozenset({Role.PURCHASER, Role.PROVIDER, Role.HUB, Role.EVALUATOR})
    register_source(EventSource("evaluations:hearing", _("听证会"), everyone, hearings))
    register_source(
        EventSource(
            "evaluations:due",
            _("绩效评价应完成日期"),
            frozenset({Role.PROVIDER, Role.HUB}),
            provider_evaluations,
        )
    )
