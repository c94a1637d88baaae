"""The mid-year seeding: one generator per stage, each stepping through its process from the
proposal on, run interleaved in time order (``timeline.run_in_order``) in one transaction
that ends with the ``demo.seeded`` audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Role, Unit
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.evaluations.inputs import SurveyInput
from caidan.procurement.inputs import SheetScoresInput

from .assisted import seed_assisted
from .bundles import ceiling_need as bundles_ceiling_need
from .bundles import seed_bundles
from .enquiries import seed_enquiries
from .gaps import ceiling_need as gaps_ceiling_need
from .gaps import seed_gaps
from .helpers import (
    actor_for,
    approve_at_meeting,
    catalog_item,
    demo_bidders,
    ensure_ceiling,
    open_review_session,
    service_period,
)
from .lots import ceiling_need as lots_ceiling_need
from .lots import seed_lots
from .performance import contract_terms, evaluate, file_report, pay
from .plan import MARKER, STAGES, UNIT, MidyearResult, already_seeded
from .procurement import (
    award_steps,
    draft_tender,
    drafted_proposal,
    past_deadline,
    scored_award_steps,
    tender_steps,
)
from .timeline import (
    Stage,
    at,
    demo_clock,
    local_day,
    run_in_order,
    working_at,
    working_days_back,
    working_on_or_before,
)

# How far back each process's bid deadline lies (days before the seeding). The award's
# challenge window (1 + 7 working days) is open two days after it and closed three weeks
# after it, well inside the 30 days in which the contract is signed (政府采购法 §46).
DEADLINE_DAYS_AGO = {
    "evaluating": 1,
    "awarded": 2,
    "performing": 120,
    "midterm": 210,
    "completed": 440,
}
# The drafted contract's award: its challenge window (1 + 7 working days) has closed, counted
# in working days so that a holiday week in between does not keep it open.
CONTRACT_DRAFT_WORKING_DAYS_AGO = 12
APPROVED_BEFORE_TENDER = dt.timedelta(days=40)  # approval, then 19 days to the announcement
SETUP_BEFORE = dt.timedelta(days=max(DEADLINE_DAYS_AGO.values()) + 60)


@dataclass
class Scene:
    """Who acts, the real day and time of the seeding, and each stage's budget."""

    now: dt.datetime
    today: dt.date
    unit: Unit
    district: Unit
    admin: Actor
    purchaser: Actor
    committee: Actor
    evaluator: Actor
    bidders: dict[str, Actor]
    budgets: dict[str, str]
    item: object
    proposals: dict


def seed_midyear(password: str | None = None) -> MidyearResult:
    """Create one process at every stage (see ``STAGES``) unless already done."""
    result = MidyearResult()
    if already_seeded():
        return result
    system = Actor.system()
    with transaction.atomic(), demo_clock() as clock:
        # the bidders and the ceilings are there before the oldest process begins
        clock.set(clock.real_now - SETUP_BEFORE)
        s = _scene(clock.real_now, system, password)
        _ceilings(s)
        stages = [
            _draft(s, result),
            _review(s, result),
            _approved(s, result),
            _bidding(s, result),
            _evaluating(s, result),
            _awarded(s, result),
            _contract_draft(s, result),
            _performing(s, result),
            _midterm(s, result),
            _completed(s, result),
            _enquiries(s, result),
            seed_assisted(s, result),
            seed_lots(s, result),
            seed_bundles(s, result, password),
            seed_gaps(s, result),
        ]
        run_in_order(clock, stages)
        # the ten stages in lifecycle order, then the others (lots, bundles, assisted…)
        ten = {key: result.stages[key] for key, _, _ in STAGES}
        result.stages = ten | {k: v for k, v in result.stages.items() if k not in ten}
        clock.set(clock.real_now)
        audit_record(
            kind=EventKind.DEMO_SEEDED,
            actor=system,
            new={"midyear": list(result.stages)},
            note=MARKER,
        )
    result.created = True
    return result


def _scene(now: dt.datetime, system: Actor, password: str | None) -> Scene:
    from caidan.demo.data import DEMO_PASSWORD

    return Scene(
        now=now,
        today=timezone.localdate(now),
        unit=Unit.objects.get(code=UNIT),
        district=Unit.objects.get(code="310105"),
        admin=actor_for("admin", Role.PLATFORM_ADMIN),
        purchaser=actor_for("purchaser", Role.PURCHASER),
        committee=actor_for("committee", Role.COMMITTEE_MEMBER),
        evaluator=actor_for("evaluator", Role.EVALUATOR),
        bidders=demo_bidders(
            actor_for("registrar", Role.REGISTRATION_AUTHORITY), system, password or DEMO_PASSWORD
        ),
        budgets={key: budget for key, _, budget in STAGES},
        item=catalog_item(),
        proposals={},
    )


def _ceilings(s: Scene) -> None:
    """Budget ceilings with room for every stage's project of their year (the ten stages',
    the tender in lots, the hub bundle and the demand-gap project), set (or raised) before
    the oldest process begins if need be: after the approvals, the room left takes the
    drafted proposal and the one under review (the committee can approve both). The base
    demo's ceilings (``projects/demo.py``) already have that room for this year and next,
    so on a fresh demo only the past year's ceiling is set here. No stage touches a ceiling
    later: a base-demo ceiling was set at the real time, and an event on it dated in the
    mid-year past would run its history backwards."""
    from caidan.projects.services import approved_total

    years: dict[int, Decimal] = {}
    for key, budget in s.budgets.items():
        year = service_period(key, s.today)[0].year
        years[year] = years.get(year, Decimal(0)) + Decimal(budget)
    for year, budget in (
        lots_ceiling_need(s.today),
        bundles_ceiling_need(s.today),
        gaps_ceiling_need(s.today),
    ):
        years[year] = years.get(year, Decimal(0)) + budget
    for year, budgets in sorted(years.items()):
        ensure_ceiling(s.unit, year, approved_total(unit=s.unit, year=year) + budgets, s.admin)


def _days_ago(s: Scene, days: int, hour: int, minute: int = 0) -> dt.datetime:
    """``hour:minute`` on the working day ``days`` before the seeding (or the one before)."""
    return at(working_on_or_before(s.today - dt.timedelta(days=days)), hour, minute)


def _proposal(s: Scene, key: str, *, submit: bool):
    from caidan.projects.services import proposal_submit

    proposal = drafted_proposal(key, s.budgets[key], s.purchaser, s.unit, s.item, s.today)
    if submit:
        proposal = proposal_submit(proposal=proposal, actor=s.purchaser)
    s.proposals[key] = proposal
    return proposal


def _approval(s: Scene, key: str, meeting: dt.datetime) -> Stage:
    """The proposal drafted and submitted ten days before ``meeting``, put on that meeting's
    agenda two days before it, voted and approved at it. Returns the proposal."""

    yield meeting - dt.timedelta(days=10)
    proposal = _proposal(s, key, submit=True)
    yield from approve_at_meeting(s, proposal, meeting, reason="需求明确，预算合理，同意立项。")
    return proposal


def _approved_for_tender(s: Scene, key: str, deadline: dt.datetime) -> Stage:
    meeting = working_at(local_day(deadline - APPROVED_BEFORE_TENDER), 14)
    return (yield from _approval(s, key, meeting))


# --- the stages, in lifecycle order ---------------------------------------------------------


def _draft(s: Scene, result: MidyearResult) -> Stage:
    """1: drafted yesterday, waiting to be submitted."""
    yield _days_ago(s, 1, 16)
    _proposal(s, "draft", submit=False)
    result.stages["draft"] = "proposal drafted"


def _review(s: Scene, result: MidyearResult) -> Stage:
    """2: submitted three days ago, on the agenda of tomorrow's meeting, open for votes."""
    yield _days_ago(s, 3, 10)
    proposal = _proposal(s, "review", submit=True)
    yield s.now - dt.timedelta(hours=1)
    open_review_session(s, proposal, working_at(s.today + dt.timedelta(days=1), 14))
    result.stages["review"] = "proposal under review, session open for votes"


def _approved(s: Scene, result: MidyearResult) -> Stage:
    """3: approved ten days ago, no tender yet."""
    yield from _approval(s, "approved", _days_ago(s, 10, 14))
    result.stages["approved"] = "proposal approved, no tender yet"


def _bidding(s: Scene, result: MidyearResult) -> Stage:
    """4: approved two weeks ago, announced this morning, deadline in about 25 days."""
    from caidan.procurement.services import tender_publish

    proposal = yield from _approval(s, "bidding", _days_ago(s, 14, 14))
    deadline = working_at(s.today + dt.timedelta(days=25), 9, 30)
    yield s.now - dt.timedelta(hours=3)
    tender = draft_tender(
        proposal, s.purchaser, evaluation_method="comprehensive", deadline=deadline
    )
    yield s.now - dt.timedelta(hours=2)
    tender_publish(tender=tender, actor=s.purchaser)
    result.stages["bidding"] = "tender published, open for bids"


def _evaluating(s: Scene, result: MidyearResult) -> Stage:
    """5: opened on the last working day; five experts drawn ten minutes later (from the
    seed committed when the tender was published: nobody picks the panel, the demo
    neither) and declared; three have scored, two have not. ``waiting_experts()`` names the
    two, for ``demo_accounts``."""
    from caidan.procurement.models import PanelMember
    from caidan.procurement.services import panel_declare, panel_draw, scores_save, scores_submit
    from caidan.procurement.services.evaluation import scorable_bids

    deadline = past_deadline(s.today, DEADLINE_DAYS_AGO["evaluating"])
    proposal = yield from _approved_for_tender(s, "evaluating", deadline)
    tender = yield from tender_steps(
        proposal,
        s.purchaser,
        s.bidders,
        {"provider": "468000.00", "provider2": "455000.00", "provider3": "490000.00"},
        "comprehensive",
        deadline=deadline,
    )
    yield tender.opened_at + dt.timedelta(minutes=10)
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
    yield tender.opened_at + dt.timedelta(minutes=30)
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


def _award(s: Scene, key: str, prices: dict[str, str], *, scored_ahead: str = "") -> Stage:
    """The stage's proposal approved, tendered and awarded (``award_steps``; with
    ``scored_ahead``, comprehensive-scored by experts who put that bidder ahead:
    ``scored_award_steps``)."""
    if key == "contract_draft":
        deadline = at(working_days_back(s.today, CONTRACT_DRAFT_WORKING_DAYS_AGO), 9, 30)
    else:
        deadline = past_deadline(s.today, DEADLINE_DAYS_AGO[key])
    proposal = yield from _approved_for_tender(s, key, deadline)
    if scored_ahead:
        return (
            yield from scored_award_steps(
                proposal, s.purchaser, s.bidders, prices, deadline=deadline, ahead=scored_ahead
            )
        )
    return (yield from award_steps(proposal, s.purchaser, s.bidders, prices, deadline=deadline))


def _awarded(s: Scene, result: MidyearResult) -> Stage:
    """6: awarded to 乐龄 two days ago after comprehensive scoring (综合评分法: five experts'
    sheets, published with the award for anyone to recompute); the challenge window is open
    for the demo provider."""
    yield from _award(
        s,
        "awarded",
        {"provider": "339000.00", "provider2": "328000.00", "provider3": "345000.00"},
        scored_ahead="provider2",
    )
    result.stages["awarded"] = "award published, challenge window open"


def _after_challenges(award) -> dt.datetime:
    """10:00 on the first working day after the award's challenge window closed."""
    return working_at(local_day(award.challenge_deadline) + dt.timedelta(days=1), 10)


def _contract_draft(s: Scene, result: MidyearResult) -> Stage:
    """7: awarded about three weeks ago; the contract drafted yesterday, no signature yet."""
    from caidan.contracts.services import contract_create

    award = yield from _award(
        s,
        "contract_draft",
        {"provider": "428000.00", "provider2": "436000.00", "provider3": "441000.00"},
    )
    yield max(_after_challenges(award), _days_ago(s, 1, 10))
    contract_create(award=award, actor=s.purchaser, data=contract_terms(award))
    result.stages["contract_draft"] = "contract drafted, waiting for signatures"


def _signed(s: Scene, award, provider: Actor) -> Stage:
    """Drafted the working day after the challenge window closed, signed by the purchaser an
    hour later and by the provider in the afternoon; the first instalment paid a week on.
    Returns the contract."""
    from caidan.contracts.services import contract_create, contract_sign

    drafted = _after_challenges(award)
    yield drafted
    contract = contract_create(award=award, actor=s.purchaser, data=contract_terms(award))
    yield drafted + dt.timedelta(hours=1)
    contract_sign(contract=contract, actor=s.purchaser)
    yield drafted + dt.timedelta(hours=5)
    contract_sign(contract=contract, actor=provider)
    contract.refresh_from_db()
    yield working_at(local_day(contract.signed_at) + dt.timedelta(days=7), 10)
    pay(contract, "signature", s.purchaser)
    return contract


def _report(s: Scene, report, provider: Actor, purchaser: Actor | None, **kw) -> Stage:
    """Submitted two days before it is due (or yesterday, if that is later), accepted two
    working days later (when ``purchaser``)."""
    due = report.due_on
    submitted = min(at(due - dt.timedelta(days=2), 10), _days_ago(s, 1, 10))
    yield submitted
    file_report(report, provider, None, **kw)
    if purchaser is not None:
        from caidan.contracts.services import report_review

        yield min(working_at(local_day(submitted) + dt.timedelta(days=2), 15), s.now)
        report.refresh_from_db()
        report_review(report=report, accept=True, comment="材料齐全，同意通过。", actor=purchaser)


def _performing(s: Scene, result: MidyearResult) -> Stage:
    """8: signed and published, first instalment paid, first progress report submitted."""
    award = yield from _award(
        s,
        "performing",
        {"provider": "392000.00", "provider2": "389000.00", "provider3": "376000.00"},
    )
    contract = yield from _signed(s, award, s.bidders["provider3"])
    first = contract.reports.filter(kind="progress").order_by("due_on").first()
    yield from _report(s, first, s.bidders["provider3"], None)
    result.stages["performing"] = "contract signed, 1st instalment paid, report to review"


def _midterm(s: Scene, result: MidyearResult) -> Stage:
    """9: half-way: the reports due so far accepted, the mid-term evaluation scheduled for
    the evaluator, the satisfaction survey open since today with tokens."""
    from caidan.evaluations.services import evaluator_appoint, survey_create

    purchaser, provider, evaluator = s.purchaser, s.bidders["provider"], s.evaluator
    award = yield from _award(
        s,
        "midterm",
        {"provider": "462000.00", "provider2": "470000.00", "provider3": "475000.00"},
    )
    contract = yield from _signed(s, award, provider)
    yield working_at(local_day(contract.signed_at) + dt.timedelta(days=8), 10)
    evaluator_appoint(contract=contract, organization=evaluator.organization, actor=purchaser)
    for report in contract.reports.filter(kind="progress", due_on__lt=s.today).order_by("due_on"):
        yield from _report(s, report, provider, purchaser)
    yield _days_ago(s, 2, 11)
    evaluate(contract, "mid", purchaser, evaluator, publish=False)
    # half an hour before now at the latest: just after midnight that is yesterday, so the
    # survey opens on the day it is created (the paper slips are typed in after it opens)
    created = min(at(s.today, 9), s.now - dt.timedelta(minutes=30))
    yield created
    survey, tokens = survey_create(
        contract=contract,
        actor=purchaser,
        data=SurveyInput.parse(
            title=f"{s.proposals['midterm'].title}服务对象满意度调查",
            opens_on=local_day(created),
            closes_on=local_day(created) + dt.timedelta(days=30),
            tokens=20,
        ),
    )
    result.survey_url = f"/evaluations/s/{survey.slug}/"
    result.survey_tokens = tokens
    result.stages["midterm"] = "mid-term evaluation open, survey open"


def _completed(s: Scene, result: MidyearResult) -> Stage:
    """10: performed: each report accepted as it fell due, the mid-term evaluation published
    after the mid-term report and the final one after the final report, each instalment
    paid after its evaluation."""
    from caidan.evaluations.services import evaluator_appoint

    purchaser, provider, evaluator = s.purchaser, s.bidders["provider"], s.evaluator
    award = yield from _award(
        s,
        "completed",
        {"provider": "306000.00", "provider2": "315000.00", "provider3": "318000.00"},
    )
    contract = yield from _signed(s, award, provider)
    yield working_at(local_day(contract.signed_at) + dt.timedelta(days=8), 10)
    evaluator_appoint(contract=contract, organization=evaluator.organization, actor=purchaser)
    for report in contract.reports.order_by("due_on", "id"):
        share = {"midterm": Decimal("0.5"), "final": Decimal("0.98")}.get(report.kind)
        yield from _report(s, report, provider, purchaser, fund_share=share)
        if report.kind in ("midterm", "final"):
            stage = "mid" if report.kind == "midterm" else "final"
            report.refresh_from_db()
            evaluated = min(
                working_at(local_day(report.reviewed_at) + dt.timedelta(days=1), 10), s.now
            )
            yield evaluated
            evaluate(contract, stage, purchaser, evaluator, publish=True)
            yield min(working_at(local_day(evaluated) + dt.timedelta(days=1), 10), s.now)
            contract.refresh_from_db()
            pay(contract, "midterm" if stage == "mid" else "final", purchaser)
    result.stages["completed"] = "final evaluation published, last instalment paid"


def _enquiries(s: Scene, result: MidyearResult) -> Stage:
    """A resident's question answered and published, a suggestion waiting in the inbox."""
    yield s.now - dt.timedelta(minutes=30)
    result.enquiries = seed_enquiries(s.unit, s.purchaser)
