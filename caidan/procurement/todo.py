"""The procurement's waiting steps on the workbench (``caidan.accounts.workbench``) and its
calendar events. Purchaser: projects to put out to tender, drafts to publish, questions to
answer (before the bid deadline), results to confirm, challenges to answer (``answer_due``,
7 working days). Expert: declarations and score sheets. Provider: lost bids whose challenge
window (质疑) is open (``Award.challenge_deadline``). Events: bid openings and the end of
challenge windows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.workbench import (
    Entry,
    EventSource,
    TodoKind,
    entries,
    local_day,
    register_kind,
    register_source,
)
from caidan.common.calendar import start_of_day
from caidan.common.roles import Role

from .models import (
    Award,
    Bid,
    Challenge,
    Clarification,
    MemberStatus,
    PanelMember,
    Tender,
    TenderStatus,
)

PURCHASER = frozenset({Role.PURCHASER})
BIDDERS = frozenset({Role.PROVIDER, Role.HUB})


def _unit(actor) -> str | None:
    if actor.has_role(Role.PURCHASER) and actor.unit is not None:
        return actor.unit.path
    return None


def projects_to_tender(actor, today):
    """Approved projects with no live tender (as ``eligible_proposals``): no legal deadline."""
    from .selectors import eligible_proposals

    if _unit(actor) is None:
        return []
    rows = eligible_proposals(actor).select_related(None).values("pk", "title")
    return entries(rows, "procurement:create", key="proposal")


def tenders_to_publish(actor, today):
    path = _unit(actor)
    if path is None:
        return []
    # a lot is published with its tender: only the tender is a step to take
    rows = Tender.objects.filter(
        unit__path__startswith=path, status=TenderStatus.DRAFT, parent__isnull=True
    ).values("pk", "title")
    return entries(rows, "procurement:tender", key="tender")


def questions_to_answer(actor, today):
    """Unanswered questions on tenders still taking bids: answered before the bid deadline."""
    path = _unit(actor)
    if path is None:
        return []
    rows = Clarification.objects.filter(
        tender__unit__path__startswith=path,
        tender__status=TenderStatus.PUBLISHED,
        answered_at__isnull=True,
    ).values("pk", "question", "tender_id", "tender__title", "tender__deadline")
    return [
        Entry(
            label=f"{r['tender__title']} · {r['question'][:20]}",
            url=reverse("procurement:questions", args=[r["tender_id"]]),
            due=local_day(r["tender__deadline"]),
            at=r["tender__deadline"],
            key=f"clarification-{r['pk']}",
        )
        for r in rows
    ]


def results_to_confirm(actor, today):
    """Evaluated tenders waiting for the purchaser's award decision."""
    path = _unit(actor)
    if path is None:
        return []
    rows = Tender.objects.filter(unit__path__startswith=path, status=TenderStatus.EVALUATED).values(
        "pk", "title"
    )
    return entries(rows, "procurement:award", key="award")


def challenges_to_answer(actor, today):
    path = _unit(actor)
    if path is None:
        return []
    rows = Challenge.objects.filter(tender__unit__path__startswith=path, status="filed").values(
        "pk", "tender_id", "tender__title", "answer_due"
    )
    return entries(
        rows,
        "procurement:tender",
        key="challenge",
        label="tender__title",
        url_arg="tender_id",
        moment="answer_due",
    )


def scores_due(actor, today):
    """My seats on tenders in evaluation: declare first (drawn), then submit the score
    sheet (active, not submitted). No legal deadline is stored for the scoring."""
    if not actor.has_role(Role.EXPERT) or actor.user is None:
        return []
    rows = (
        PanelMember.objects.filter(
            expert__user=actor.user,
            tender__status=TenderStatus.EVALUATING,
            status__in=[MemberStatus.DRAWN, MemberStatus.ACTIVE],
        )
        .filter(Q(sheet__isnull=True) | Q(sheet__submitted_at__isnull=True))
        .values("pk", "status", "tender_id", "tender__title")
    )
    return [
        Entry(
            label=_("%(tender)s（先声明利害关系）") % {"tender": r["tender__title"]}
            if r["status"] == MemberStatus.DRAWN
            else r["tender__title"],
            url=reverse("procurement:review", args=[r["tender_id"]]),
            key=f"seat-{r['pk']}",
        )
        for r in rows
    ]


def challenge_windows(actor, today):
    """Lost bids of my organization on awards still open to challenge and not yet
    challenged by it: the last day is the award's ``challenge_deadline``."""
    if not actor.has_role(Role.PROVIDER, Role.HUB) or actor.organization is None:
        return []
    org = actor.organization
    now = timezone.now()
    rows = (
        Award.objects.filter(
            status="confirmed",
            challenge_deadline__gte=now,
            tender__bids__organization=org,
            tender__bids__status="valid",
        )
        .exclude(bid__organization=org)
        .exclude(Exists(Challenge.objects.filter(award=OuterRef("pk"), organization=org)))
        .values("pk", "tender_id", "tender__title", "challenge_deadline")
        .distinct()
    )
    return entries(
        rows,
        "procurement:challenge",
        key="challenge-window",
        label="tender__title",
        url_arg="tender_id",
        moment="challenge_deadline",
    )


def _range(start, end):
    return start_of_day(start), start_of_day(end + dt.timedelta(days=1))


def openings(actor, start, end):
    """Bid openings (投标截止/开标) of my unit's tenders, my bids' tenders, my panels."""
    lo, hi = _range(start, end)
    if _unit(actor) is not None:
        scope = Q(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None:
        scope = Q(
            Exists(Bid.objects.filter(tender=OuterRef("pk"), organization=actor.organization))
        )
    elif actor.has_role(Role.EXPERT) and actor.user is not None:
        scope = Q(
            Exists(PanelMember.objects.filter(tender=OuterRef("pk"), expert__user=actor.user))
        )
    else:
        return []
    rows = (
        Tender.objects.filter(scope, deadline__gte=lo, deadline__lt=hi)
        .exclude(status__in=[TenderStatus.DRAFT, TenderStatus.CANCELLED])
        .values("pk", "title", "deadline")
    )
    return entries(rows, "procurement:tender", key="opening", moment="deadline")


def challenge_window_ends(actor, start, end):
    lo, hi = _range(start, end)
    if _unit(actor) is not None:
        scope = Q(tender__unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None:
        scope = Q(
            Exists(
                Bid.objects.filter(tender=OuterRef("tender_id"), organization=actor.organization)
            )
        )
    else:
        return []
    rows = Award.objects.filter(
        scope, status="confirmed", challenge_deadline__gte=lo, challenge_deadline__lt=hi
    ).values("pk", "tender_id", "tender__title", "challenge_deadline")
    return entries(
        rows,
        "procurement:notice",
        key="challenge-end",
        label="tender__title",
        url_arg="tender_id",
        moment="challenge_deadline",
    )


def register() -> None:
    for kind in [
        TodoKind("procurement:start", _("发起采购"), PURCHASER, projects_to_tender),
        TodoKind("procurement:publish", _("发布采购公告"), PURCHASER, tenders_to_publish),
        TodoKind(
            "procurement:answer",
            _("答复供应商提问"),
            PURCHASER,
            questions_to_answer,
            _("投标截止（提问答复期限）"),
        ),
        TodoKind("procurement:award", _("确定中标结果"), PURCHASER, results_to_confirm),
        TodoKind(
            "procurement:challenge_answer",
            _("答复质疑"),
            PURCHASER,
            challenges_to_answer,
            _("质疑答复期限"),
        ),
        TodoKind("procurement:score", _("提交评审评分"), frozenset({Role.EXPERT}), scores_due),
        TodoKind(
            "procurement:challenge_window",
            _("未中标：质疑期内可提出质疑"),
            BIDDERS,
            challenge_windows,
            _("质疑截止"),
        ),
    ]:
        register_kind(kind)
    register_source(
        EventSource(
            "procurement:opening",
            _("开标"),
            frozenset({Role.PURCHASER, Role.PROVIDER, Role.HUB, Role.EXPERT}),
            openings,
        )
    )
    register_source(
        EventSource(
            "procurement:challenge_end",
            _("质疑期届满"),
            frozenset({Role.PURCHASER, Role.PROVIDER, Role.HUB}),
            challenge_window_ends,
        )
    )
