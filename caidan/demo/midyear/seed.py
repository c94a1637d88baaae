"""The mid-year seeding: one function per stage, in lifecycle order, all in one transaction
that ends with the ``demo.seeded`` audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Role, Unit, User
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.evaluations.inputs import SurveyInput
from caidan.procurement.inputs import SheetScoresInput

from .enquiries import seed_enquiries
from .helpers import actor_for, catalog_item, demo_bidders, ensure_ceiling, working_at
from .performance import evaluate, file_report, pay, signed_contract
from .plan import MARKER, STAGES, UNIT, MidyearResult, already_seeded
from .procurement import drafted_proposal, opened_tender, past_award, published_tender


@dataclass
class Scene:
    """Who acts and what every stage starts from: one drafted proposal per stage."""

    today: dt.date
    unit: Unit
    district: Unit
    admin: Actor
    purchaser: Actor
    committee: Actor
    evaluator: Actor
    bidders: dict[str, Actor]
    budgets: dict[str, Decimal]
    proposals: dict


def seed_midyear(password: str | None = None) -> MidyearResult:
    """Create one process at every stage (see ``STAGES``) unless already done."""
    result = MidyearResult()
    if already_seeded():
        return result
    system = Actor.system()
    with transaction.atomic():
        scene = _scene(system, password)
        _committee(scene, result)  # stages 1–3, and 2 left under review
        _bidding(scene, result)  # 4
        _evaluating(scene, result)  # 5
        _awarded(scene, result)  # 6
        _contract_draft(scene, result)  # 7
        _performing(scene, result)  # 8
        _midterm(scene, result)  # 9
        _completed(scene, result)  # 10
        # Enquiries: one answered and published, one waiting in the purchaser's inbox.
        result.enquiries = seed_enquiries(scene.unit, scene.purchaser)

        audit_record(
            kind=EventKind.DEMO_SEEDED,
            actor=system,
            new={"midyear": list(result.stages)},
            note=MARKER,
        )
    result.created = True
    return result


def _scene(system: Actor, password: str | None) -> Scene:
    from caidan.demo.data import DEMO_PASSWORD
    from caidan.projects.services import proposal_submit

    today = timezone.localdate()
    unit = Unit.objects.get(code=UNIT)
    purchaser = actor_for("purchaser", Role.PURCHASER)
    bidders = demo_bidders(
        actor_for("registrar", Role.REGISTRATION_AUTHORITY), system, password or DEMO_PASSWORD
    )
    item = catalog_item()
    proposals = {
        key: drafted_proposal(key, budget, purchaser, unit, item) for key, _, budget in STAGES
    }
    for key in list(proposals)[1:]:
        proposal_submit(proposal=proposals[key], actor=purchaser)
    return Scene(
        today=today,
        unit=unit,
        district=Unit.objects.get(code="310105"),
        admin=actor_for("admin", Role.PLATFORM_ADMIN),
        purchaser=purchaser,
        committee=actor_for("committee", Role.COMMITTEE_MEMBER),
        evaluator=actor_for("evaluator", Role.EVALUATOR),
        bidders=bidders,
        budgets={key: Decimal(budget) for key, _, budget in STAGES},
        proposals=proposals,
    )


def _committee(s: Scene, result: MidyearResult) -> None:
    """3–10 approved at one committee meeting (budget ceilings raised where needed); 2 on
    the agenda of an open meeting, waiting for the committee's vote; 1 left a draft."""
    from caidan.projects.services import (
        agenda_item_decide,
        review_session_add_proposal,
        review_session_create,
        review_session_open,
        vote_cast,
    )

    admin, proposals = s.admin, s.proposals
    session = review_session_create(
        title=f"{s.today.year} 年江苏路街道项目审定会议（第三次）",
        unit=s.district,
        meeting_at=timezone.now() - dt.timedelta(hours=2),
        members=[User.objects.get(username="committee")],
        actor=admin,
    )
    approved = [k for k in proposals if k not in ("draft", "review")]
    items = [
        review_session_add_proposal(session=session, proposal=proposals[k], actor=admin)
        for k in approved
    ]
    review_session_open(session=session, actor=admin)
    for key, agenda in zip(approved, items, strict=True):
        vote_cast(item=agenda, choice="yes", actor=s.committee)
        ensure_ceiling(s.unit, proposals[key].year, s.budgets[key], admin)
        agenda_item_decide(item=agenda, reason="需求明确，预算合理，同意立项。", actor=admin)
    # the session closed itself when its last item was decided
    for key in approved:
        proposals[key].refresh_from_db()
    result.stages["draft"] = "proposal drafted"
    result.stages["approved"] = "proposal approved, no tender yet"

    pending = review_session_create(
        title=f"{s.today.year} 年江苏路街道项目审定会议（第四次）",
        unit=s.district,
        meeting_at=timezone.now() + dt.timedelta(days=1),
        members=[User.objects.get(username="committee")],
        actor=admin,
    )
    review_session_add_proposal(session=pending, proposal=proposals["review"], actor=admin)
    review_session_open(session=pending, actor=admin)
    result.stages["review"] = "proposal under review, session open for votes"


def _bidding(s: Scene, result: MidyearResult) -> None:
    """4: out to tender, deadline in 25 days."""
    published_tender(
        s.proposals["bidding"],
        s.purchaser,
        evaluation_method="comprehensive",
        deadline=working_at(s.today + dt.timedelta(days=25), 9, 30),
    )
    result.stages["bidding"] = "tender published, open for bids"


def _evaluating(s: Scene, result: MidyearResult) -> None:
    """5: opened; five experts drawn (the seed committed when the tender was published:
    nobody picks the panel, the demo neither) and declared; three have scored, two have
    not. ``waiting_experts()`` names the two, for ``demo_accounts``."""
    from caidan.procurement.models import PanelMember
    from caidan.procurement.services import panel_declare, panel_draw, scores_save, scores_submit
    from caidan.procurement.services.evaluation import scorable_bids

    tender = opened_tender(
        s.proposals["evaluating"],
        s.purchaser,
        s.bidders,
        {"provider": "468000.00", "provider2": "455000.00", "provider3": "490000.00"},
        "comprehensive",
    )
    panel_draw(tender=tender, actor=s.purchaser)
    members = list(
        PanelMember.objects.filter(tender=tender, status="drawn")
        .select_related("expert__user")
        .order_by("position")
    )
    names = [m.expert.user.username for m in members]
    unscored = {n for n in names if n == "expert"}  # the first demo account, if drawn
    for name in reversed(names):
        if len(unscored) >= 2:
            break
        unscored.add(name)
    bids = scorable_bids(tender)
    for i, member in enumerate(members):
        actor = actor_for(member.expert.user.username, Role.EXPERT)
        panel_declare(
            member=member,
            no_conflict=True,
            declaration="与各投标人无利害关系。",
            actor=actor,
        )
        if member.expert.user.username in unscored:
            continue
        sheet = {
            str(b.pk): {"plan": str(30 + (i + j) % 6), "team": str(15 + j), "experience": "8"}
            for j, b in enumerate(bids)
        }
        scores_save(member=member, data=SheetScoresInput.parse(scores=sheet), actor=actor)
        scores_submit(member=member, actor=actor)
    result.stages["evaluating"] = "tender opened, experts scoring"


def _awarded(s: Scene, result: MidyearResult) -> None:
    """6: awarded to 乐龄 two days ago; the challenge window is open for the demo provider."""
    past_award(
        s.proposals["awarded"],
        s.purchaser,
        s.bidders,
        {"provider": "339000.00", "provider2": "328000.00", "provider3": "345000.00"},
        days_ago=2,
    )
    result.stages["awarded"] = "award published, challenge window open"


def _contract_draft(s: Scene, result: MidyearResult) -> None:
    """7: contract drafted, waiting for both signatures."""
    from caidan.contracts.services import contract_create

    award = past_award(
        s.proposals["contract_draft"],
        s.purchaser,
        s.bidders,
        {"provider": "428000.00", "provider2": "436000.00", "provider3": "441000.00"},
        days_ago=40,
    )
    contract_create(award=award, actor=s.purchaser)
    result.stages["contract_draft"] = "contract drafted, waiting for signatures"


def _performing(s: Scene, result: MidyearResult) -> None:
    """8: signed and published, first instalment paid, first progress report submitted."""
    award = past_award(
        s.proposals["performing"],
        s.purchaser,
        s.bidders,
        {"provider": "392000.00", "provider2": "389000.00", "provider3": "376000.00"},
        days_ago=120,
    )
    contract = signed_contract(award, s.purchaser, s.bidders["provider3"])
    pay(contract, "signature", s.purchaser)
    first = contract.reports.filter(kind="progress").order_by("due_on").first()
    file_report(first, s.bidders["provider3"], None)
    result.stages["performing"] = "contract signed, 1st instalment paid, report to review"


def _midterm(s: Scene, result: MidyearResult) -> None:
    """9: half-way: mid-term evaluation open for the evaluator, survey open with tokens."""
    from caidan.evaluations.services import evaluator_appoint, survey_create

    purchaser, provider, evaluator = s.purchaser, s.bidders["provider"], s.evaluator
    award = past_award(
        s.proposals["midterm"],
        purchaser,
        s.bidders,
        {"provider": "462000.00", "provider2": "470000.00", "provider3": "475000.00"},
        days_ago=210,
    )
    contract = signed_contract(award, purchaser, provider)
    pay(contract, "signature", purchaser)
    for report in contract.reports.filter(kind="progress", due_on__lt=s.today).order_by("due_on"):
        file_report(report, provider, purchaser)
    evaluator_appoint(contract=contract, organization=evaluator.organization, actor=purchaser)
    evaluate(contract, "mid", purchaser, evaluator, publish=False)
    survey, tokens = survey_create(
        contract=contract,
        actor=purchaser,
        data=SurveyInput.parse(
            title=f"{contract.title}服务对象满意度调查",
            opens_on=s.today,
            closes_on=s.today + dt.timedelta(days=30),
            tokens=20,
        ),
    )
    result.survey_url = f"/evaluations/s/{survey.slug}/"
    result.survey_tokens = tokens
    result.stages["midterm"] = "mid-term evaluation open, survey open"


def _completed(s: Scene, result: MidyearResult) -> None:
    """10: performed: every report accepted, both evaluations published, all paid."""
    from caidan.evaluations.services import evaluator_appoint

    purchaser, provider, evaluator = s.purchaser, s.bidders["provider"], s.evaluator
    award = past_award(
        s.proposals["completed"],
        purchaser,
        s.bidders,
        {"provider": "306000.00", "provider2": "315000.00", "provider3": "318000.00"},
        days_ago=440,
    )
    contract = signed_contract(award, purchaser, provider)
    pay(contract, "signature", purchaser)
    evaluator_appoint(contract=contract, organization=evaluator.organization, actor=purchaser)
    for report in contract.reports.exclude(kind="final").order_by("due_on"):
        share = Decimal("0.5") if report.kind == "midterm" else None
        file_report(report, provider, purchaser, fund_share=share)
    evaluate(contract, "mid", purchaser, evaluator, publish=True)
    contract.refresh_from_db()
    pay(contract, "midterm", purchaser)
    file_report(contract.reports.get(kind="final"), provider, purchaser, fund_share=Decimal("0.98"))
    evaluate(contract, "final", purchaser, evaluator, publish=True)
    contract.refresh_from_db()
    pay(contract, "final", purchaser)
    result.stages["completed"] = "final evaluation published, last instalment paid"
