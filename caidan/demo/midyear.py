"""The demo jurisdiction mid-year: one 江苏路街道 contracting process at every stage.

Run after ``caidan.demo.data.seed`` (``manage.py seed_demo --midyear``). Everything goes
through the real services with the demo users as actors, as the test factories do; the
only tricks are theirs: a tender is published with ``now=`` set back so its legal bidding
period has run, bids are sealed before its deadline, and it is opened "by the tick" with
``now`` one second after the deadline (``tender_open(now=…)``). Processes whose service
period is in the past (running and completed contracts) carry past periods; the events
themselves are stamped with the time of seeding.

Idempotent: the whole seeding is one transaction that ends with a ``demo.seeded`` audit
event noted ``MARKER``; when that event exists, ``seed_midyear`` does nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role, Unit, User
from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditEvent
from caidan.audit.services import audit_record
from caidan.common.calendar import WorkingCalendar
from caidan.common.identifiers import make_uscc
from caidan.orgs.models import Organization
from caidan.orgs.rules import add_years

MARKER = "midyear"
UNIT = "310105-001"  # 江苏路街道: the demo purchaser's street
FACTORS = [
    {"id": "plan", "name": "服务方案", "max": 40},
    {"id": "team", "name": "团队与资质", "max": 20},
    {"id": "experience", "name": "同类项目经验", "max": 10},
]

# The stages, in lifecycle order: key, title, budget.
STAGES = [
    ("draft", "江苏路街道老年人助餐服务", "360000.00"),
    ("review", "江苏路街道社区心理健康服务", "280000.00"),
    ("approved", "江苏路街道失能老人喘息服务", "300000.00"),
    ("bidding", "江苏路街道老年人智能手机培训服务", "150000.00"),
    ("evaluating", "江苏路街道居家养老上门服务", "500000.00"),
    ("awarded", "江苏路街道高龄老人助浴服务", "350000.00"),
    ("contract_draft", "江苏路街道认知症老人照护服务", "450000.00"),
    ("performing", "江苏路街道社区睦邻点运营服务", "400000.00"),
    ("midterm", "江苏路街道独居老人安全守护服务", "480000.00"),
    ("completed", "江苏路街道老年活动室运营服务", "320000.00"),
]
TITLES = {key: title for key, title, _ in STAGES}

# Two more bidders with logins (password: the demo password), so that tenders have
# competition and a losing bidder can challenge an award.
BIDDERS = [
    # username, display name, organization prefix, new organization (name, representative)
    ("provider2", "赵乐龄（长宁区乐龄居家养老服务社）", "52310105MJ0000008", None),
    (
        "provider3",
        "黄康乐（长宁区康乐社会工作服务社）",
        "52310105MJ0000101",
        ("长宁区康乐社会工作服务社", "黄康乐"),
    ),
]

# Where to click, printed by ``demo_accounts`` once the mid-year processes exist.
WHERE_TO_CLICK = [
    (
        "purchaser",
        "项目申报",
        "a drafted proposal to submit; the approved one to put out to tender",
    ),
    ("purchaser", "合同待办", "a progress report to review, a contract to sign"),
    ("committee", "审定会议", "an open review session waiting for your vote"),
    ("expert", "我的评审", "a tender in evaluation waiting for your scores"),
    ("provider", "合同待办", "a contract to sign; a mid-term report due"),
    ("provider", "我的投标", "a lost bid: the challenge window (质疑) is open"),
    ("provider2", "我的投标", "an award won, in its challenge window"),
    ("evaluator", "我的评估", "a mid-term evaluation to score"),
    ("purchaser", "咨询建议 → 办理", "a resident's suggestion waiting for an answer"),
    ("resident", "咨询建议 → 我的", "a question answered and published on the public page"),
    ("auditor", "审计日志", "every step above in the hash-chained log"),
]


@dataclass
class MidyearResult:
    created: bool = False
    stages: dict[str, str] = field(default_factory=dict)  # stage key → what was made
    survey_url: str = ""
    survey_tokens: list[str] = field(default_factory=list)
    enquiries: int = 0  # enquiries made (one answered and published, one in the inbox)


def waiting_experts() -> list[str]:
    """The demo expert accounts seated on the mid-year tender in evaluation whose scores are
    still due (the draw is random, so the demo reports who was drawn)."""
    from caidan.procurement.models import PanelMember

    return sorted(
        PanelMember.objects.filter(
            tender__title=TITLES["evaluating"], status="active", sheet__submitted_at__isnull=True
        ).values_list("expert__user__username", flat=True)
    )


def already_seeded() -> bool:
    return AuditEvent.objects.filter(kind=EventKind.DEMO_SEEDED, note=MARKER).exists()


# --- helpers ---------------------------------------------------------------------------------


def _enquiries(unit: Unit, purchaser: Actor) -> int:
    """A resident's question about a menu item, answered and published with consent, and a
    suggestion still waiting in the purchaser's inbox."""
    from caidan.enquiries.services import (
        enquiry_answer,
        enquiry_assign,
        enquiry_publish,
        enquiry_submit,
    )
    from caidan.needs.models import MenuItem

    resident = _actor("resident", Role.RESIDENT)
    item = MenuItem.objects.filter(menu__status="published", menu__unit=unit).order_by("id").first()
    subject = ("menu_item", item.pk) if item else ("unit", unit.pk)
    answered, _code = enquiry_submit(
        actor=resident,
        kind="enquiry",
        subject_type=subject[0],
        subject_id=subject[1],
        title="助餐点周末是否开放？",
        body="家里老人想知道周六、周日助餐点是否照常供餐，需要提前预约吗？",
        publish_consent=True,
    )
    enquiry_assign(enquiry=answered, handler=purchaser.user, actor=purchaser)
    enquiry_answer(
        enquiry=answered,
        answer="周末照常供餐，无需预约；如需送餐上门，请提前一天告知社区助餐点。",
        actor=purchaser,
    )
    enquiry_publish(enquiry=answered, actor=purchaser)
    enquiry_submit(
        actor=resident,
        kind="suggestion",
        subject_type="unit",
        subject_id=unit.pk,
        title="建议增加晚间助浴服务时段",
        body="上班的子女只能晚上陪老人，建议助浴服务增加 18:00 以后的时段。",
        publish_consent=True,
    )
    return 2


def _actor(username: str, role: str) -> Actor:
    user = User.objects.get(username=username)
    membership = Membership.objects.filter(user=user, role=role, is_active=True).order_by("id")
    return Actor(user=user, membership=membership.first())


def _working_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    calendar = WorkingCalendar()
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _soon_deadline() -> dt.datetime:
    """A deadline a few minutes from now (or the next working morning): bids are sealed
    before it in real time, then the tender is opened one second after it."""
    soon = timezone.localtime(timezone.now() + dt.timedelta(minutes=5))
    if WorkingCalendar().is_working_day(soon.date()):
        return soon.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return _working_at(soon.date(), 9, 30)


def _catalog_item():
    from caidan.catalog.models import CatalogItem

    published = CatalogItem.objects.filter(level=3, version__status="published")
    return (
        published.filter(name__contains="老").order_by("code").first()
        or published.order_by("code").first()
    )


def _ensure_ceiling(unit: Unit, year: int, budget: Decimal, admin: Actor) -> None:
    from caidan.projects.models import BudgetCeiling
    from caidan.projects.services import approved_total, budget_ceiling_set

    needed = approved_total(unit=unit, year=year) + budget
    ceiling = BudgetCeiling.objects.filter(unit=unit, year=year).first()
    if ceiling is None or ceiling.amount < needed:
        budget_ceiling_set(unit=unit, year=year, amount=str(needed), actor=admin)


def _period(key: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """One-year service periods: next year for processes still in procurement; started 80
    or 170 days ago for running contracts; ended about a month ago for the completed one."""
    start = {
        "performing": today - dt.timedelta(days=80),
        "midterm": today - dt.timedelta(days=170),
        "completed": add_years(today, -1) - dt.timedelta(days=35),
    }.get(key, dt.date(today.year + 1, 1, 1))
    return start, add_years(start, 1) - dt.timedelta(days=1)


def _bidders(registrar: Actor, system: Actor, password: str) -> dict[str, Actor]:
    from caidan.accounts.services import membership_grant, user_create
    from caidan.orgs.services import grade_record, organization_create

    today = timezone.localdate()
    out = {"provider": _actor("provider", Role.PROVIDER)}
    for username, display_name, prefix, new_org in BIDDERS:
        org = Organization.objects.filter(uscc=make_uscc(prefix)).first()
        if org is None:
            name, rep = new_org
            org = organization_create(
                name=name,
                uscc=make_uscc(prefix),
                legal_form=Organization.LegalForm.SERVICE_INSTITUTION,
                fields=["elderly"],
                registration_date=dt.date(2016, 3, 18),
                legal_representative=rep,
                actor=registrar,
            )
            grade_record(
                organization=org,
                level=3,
                assessed_on=today - dt.timedelta(days=400),
                assessor="上海申杰社会组织培育评估中心",
                actor=registrar,
            )
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=password,
                display_name=display_name,
                email=f"{username}@demo.caidan.local",
                actor=system,
            )
        if not Membership.objects.filter(user=user, role=Role.PROVIDER, organization=org).exists():
            membership_grant(user=user, role=Role.PROVIDER, organization=org, actor=system)
        out[username] = _actor(username, Role.PROVIDER)
    return out


def _proposal(key: str, budget: str, purchaser: Actor, unit: Unit, item):
    from caidan.projects.services import proposal_create

    title = TITLES[key]
    start, end = _period(key, timezone.localdate())
    return proposal_create(
        actor=purchaser,
        unit=unit,
        title=title,
        catalog_item=item,
        description=f"{title}：面向江苏路街道辖区老年人及其家庭，由专业社会组织提供服务，"
        f"按季度报送进度、接受第三方绩效评价。",
        service_targets="江苏路街道辖区 60 岁以上老年人，优先困难、独居、高龄老人",
        target_groups=["老年人"],
        budget=budget,
        funding=[{"source": "fiscal", "amount": budget}],
        period_start=start,
        period_end=end,
        purchase_mode="outsourcing",
        procurement_method="open_tender",
        grade_policy="preferred",
        required_fields=["elderly"],
        outputs=[{"name": "服务人次", "target": "2400", "unit": "人次"}],
        outcomes=[{"name": "服务对象满意度", "target": "90", "unit": "%"}],
    )


def _tender(proposal, purchaser: Actor, *, evaluation_method: str, deadline: dt.datetime):
    from caidan.procurement.services import tender_create, tender_publish, tender_update

    tender = tender_create(
        proposal=proposal,
        actor=purchaser,
        evaluation_method=evaluation_method,
        price_points=30,
        factors=[dict(f) for f in FACTORS],
        bid_security=str((proposal.budget * Decimal("0.01")).quantize(Decimal("0.01"))),
    )
    tender_update(tender=tender, changes={"deadline": deadline}, actor=purchaser)
    # The announcement is dated so the legal bidding period (≥ 20 days) has run.
    published_at = min(timezone.now(), deadline - dt.timedelta(days=21))
    return tender_publish(tender=tender, actor=purchaser, now=published_at)


PLANS = {
    "provider": (
        "组建 6 人社工团队，按居委分片服务，建立服务对象档案，每月回访。",
        "持证社工 4 名，护理员 2 名",
    ),
    "provider2": ("依托乐龄服务站点，护理员上门服务，服务记录当日上传。", "护理员 8 名，社工 1 名"),
    "provider3": (
        "社工 + 志愿者双轨服务，设立 24 小时应急联络电话。",
        "持证社工 3 名，志愿者 20 名",
    ),
}


def _opened_tender(
    proposal,
    purchaser: Actor,
    bidders: dict[str, Actor],
    prices,
    method,
    *,
    deadline: dt.datetime | None = None,
):
    """Published, sealed bids at ``prices`` ({username: price}), opened as the tick would.

    Without ``deadline`` the bids are sealed now and the deadline is a few minutes ahead;
    with a past ``deadline`` the whole procurement is dated in the past: bids the day before
    the deadline, the opening one second after it."""
    from caidan.procurement.services import bid_submit, tender_open

    deadline = deadline or _soon_deadline()
    tender = _tender(proposal, purchaser, evaluation_method=method, deadline=deadline)
    bid_at = min(timezone.now(), deadline - dt.timedelta(days=1))
    for username, price in prices.items():
        actor = bidders[username]
        plan, team = PLANS[username]
        bid_submit(
            tender=tender,
            organization=actor.organization,
            content={"price": price, "plan": plan, "team": team},
            actor=actor,
            now=bid_at,
        )
    tender_open(tender=tender, now=tender.deadline + dt.timedelta(seconds=1))
    tender.refresh_from_db()
    if method == "lowest_price" and tender.status == "evaluating":
        _compliance_review(tender, purchaser)
    return tender


def _compliance_review(tender, purchaser: Actor) -> None:
    """Lowest-price method: the committee is drawn (from the seed committed at publication)
    and reviews qualification and compliance; every bid passes, so the tender is ranked by
    price (87号令 §45–47)."""
    from caidan.procurement.models import PanelMember
    from caidan.procurement.services import panel_declare, panel_draw, scores_submit
    from caidan.procurement.services.evaluation import scorable_bids, verdicts_save

    panel_draw(tender=tender, actor=purchaser, now=tender.opened_at + dt.timedelta(minutes=10))
    members = PanelMember.objects.filter(tender=tender, status="drawn").select_related(
        "expert__user"
    )
    bids = scorable_bids(tender)
    for member in members.order_by("position"):
        actor = _actor(member.expert.user.username, Role.EXPERT)
        panel_declare(
            member=member, no_conflict=True, declaration="与各投标人无利害关系。", actor=actor
        )
        verdicts_save(
            member=member, verdicts={str(b.pk): {"pass": True} for b in bids}, actor=actor
        )
        scores_submit(member=member, actor=actor)
    tender.refresh_from_db()


def _awarded(proposal, purchaser, bidders, prices, *, days_ago: int):
    """An award confirmed an hour after an opening ``days_ago`` days back (the procurement
    dated in the past). From about two weeks back its challenge window (1 + 7 working days)
    has closed and the contract may be drafted (政府采购法 §52)."""
    from caidan.procurement.services import award_confirm

    calendar = WorkingCalendar()
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    while not calendar.is_working_day(day):  # the working day on or before
        day -= dt.timedelta(days=1)
    deadline = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    tender = _opened_tender(proposal, purchaser, bidders, prices, "lowest_price", deadline=deadline)
    return award_confirm(
        tender=tender, actor=purchaser, now=tender.opened_at + dt.timedelta(hours=1)
    )


def _signed(award, purchaser: Actor, provider: Actor):
    from caidan.contracts.services import contract_create, contract_sign

    contract = contract_create(award=award, actor=purchaser)
    contract_sign(contract=contract, actor=purchaser)
    contract_sign(contract=contract, actor=provider)
    contract.refresh_from_db()
    return contract


def _pay(contract, gate: str, purchaser: Actor) -> None:
    from caidan.contracts.services import payment_record

    instalment = contract.instalments.get(gate=gate)
    payment_record(
        instalment=instalment,
        paid_on=timezone.localdate(),
        voucher=f"JSL-{contract.pk:04d}-{instalment.sequence}",
        actor=purchaser,
    )


def _fund_lines(contract, share: Decimal) -> list[dict[str, str]]:
    staff = (contract.amount * Decimal("0.7")).quantize(Decimal("0.01"))
    other = contract.amount - staff
    return [
        {
            "line": "人员经费",
            "budget": str(staff),
            "spent": str((staff * share).quantize(Decimal("0.01"))),
        },
        {
            "line": "活动经费",
            "budget": str(other),
            "spent": str((other * share).quantize(Decimal("0.01"))),
        },
    ]


def _report(report, provider: Actor, purchaser: Actor | None, *, fund_share=None) -> None:
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
        summary=f"{report.get_kind_display()}：按计划开展上门服务和小组活动，服务对象反馈良好；"
        "部分高龄老人需求变化，已调整服务频次。",
        fund_lines=_fund_lines(report.contract, fund_share) if fund_share is not None else None,
        actor=provider,
    )
    if purchaser is not None:
        report_review(report=report, accept=True, comment="材料齐全，同意通过。", actor=purchaser)


def _evaluate(contract, stage: str, purchaser: Actor, evaluator: Actor, *, publish: bool):
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
    for ind in leaves(contract.framework.indicators):
        points = (Decimal(ind["weight"]) * Decimal("0.92")).quantize(Decimal("0.01"))
        scores[ind["code"]] = {
            "score": str(points),
            "evidence": f"{ind['name']}：查阅台账、走访服务对象",
        }
    evaluation_score(
        evaluation=evaluation,
        scores=scores,
        summary="项目管理规范，服务按合同开展，服务对象满意度较高；建议加强志愿者培训。",
        actor=evaluator,
    )
    evaluation_purchaser_score(evaluation=evaluation, score="90", actor=purchaser)
    return evaluation_publish(evaluation=evaluation, actor=evaluator)


# --- the stages ------------------------------------------------------------------------------


def seed_midyear(password: str | None = None) -> MidyearResult:
    """Create one process at every stage (see ``STAGES``) unless already done."""
    from caidan.demo.data import DEMO_PASSWORD
    from caidan.procurement.models import PanelMember
    from caidan.procurement.services import panel_declare, panel_draw, scores_save, scores_submit
    from caidan.procurement.services.evaluation import scorable_bids
    from caidan.projects.services import (
        agenda_item_decide,
        proposal_submit,
        review_session_add_proposal,
        review_session_close,
        review_session_create,
        review_session_open,
        vote_cast,
    )

    result = MidyearResult()
    if already_seeded():
        return result
    system = Actor.system()
    with transaction.atomic():
        today = timezone.localdate()
        unit = Unit.objects.get(code=UNIT)
        district = Unit.objects.get(code="310105")
        admin = _actor("admin", Role.PLATFORM_ADMIN)
        purchaser = _actor("purchaser", Role.PURCHASER)
        committee = _actor("committee", Role.COMMITTEE_MEMBER)
        evaluator = _actor("evaluator", Role.EVALUATOR)
        bidders = _bidders(
            _actor("registrar", Role.REGISTRATION_AUTHORITY), system, password or DEMO_PASSWORD
        )
        provider = bidders["provider"]
        item = _catalog_item()
        budgets = {key: Decimal(budget) for key, _, budget in STAGES}
        proposals = {
            key: _proposal(key, budget, purchaser, unit, item) for key, _, budget in STAGES
        }
        for key in list(proposals)[1:]:
            proposal_submit(proposal=proposals[key], actor=purchaser)

        # 3–10: approved at one committee meeting (budget ceilings raised where needed).
        session = review_session_create(
            title=f"{today.year} 年江苏路街道项目审定会议（第三次）",
            unit=district,
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
            vote_cast(item=agenda, choice="yes", actor=committee)
            _ensure_ceiling(unit, proposals[key].year, budgets[key], admin)
            agenda_item_decide(item=agenda, reason="需求明确，预算合理，同意立项。", actor=admin)
        review_session_close(session=session, actor=admin)
        for key in approved:
            proposals[key].refresh_from_db()
        result.stages["draft"] = "proposal drafted"
        result.stages["approved"] = "proposal approved, no tender yet"

        # 2: on the agenda of an open meeting, waiting for the committee's vote.
        pending = review_session_create(
            title=f"{today.year} 年江苏路街道项目审定会议（第四次）",
            unit=district,
            meeting_at=timezone.now() + dt.timedelta(days=1),
            members=[User.objects.get(username="committee")],
            actor=admin,
        )
        review_session_add_proposal(session=pending, proposal=proposals["review"], actor=admin)
        review_session_open(session=pending, actor=admin)
        result.stages["review"] = "proposal under review, session open for votes"

        # 4: out to tender, deadline in 25 days.
        _tender(
            proposals["bidding"],
            purchaser,
            evaluation_method="comprehensive",
            deadline=_working_at(today + dt.timedelta(days=25), 9, 30),
        )
        result.stages["bidding"] = "tender published, open for bids"

        # 5: opened; five experts drawn (the seed committed when the tender was published:
        # nobody picks the panel, the demo neither) and declared; three have scored, two
        # have not. ``waiting_experts()`` names the two, for ``demo_accounts``.
        tender = _opened_tender(
            proposals["evaluating"],
            purchaser,
            bidders,
            {"provider": "468000.00", "provider2": "455000.00", "provider3": "490000.00"},
            "comprehensive",
        )
        panel_draw(tender=tender, actor=purchaser)
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
            actor = _actor(member.expert.user.username, Role.EXPERT)
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
            scores_save(member=member, scores=sheet, actor=actor)
            scores_submit(member=member, actor=actor)
        result.stages["evaluating"] = "tender opened, experts scoring"

        # 6: awarded to 乐龄 two days ago; the challenge window is open for the demo provider.
        _awarded(
            proposals["awarded"],
            purchaser,
            bidders,
            {"provider": "339000.00", "provider2": "328000.00", "provider3": "345000.00"},
            days_ago=2,
        )
        result.stages["awarded"] = "award published, challenge window open"

        # 7: contract drafted, waiting for both signatures.
        from caidan.contracts.services import contract_create

        award = _awarded(
            proposals["contract_draft"],
            purchaser,
            bidders,
            {"provider": "428000.00", "provider2": "436000.00", "provider3": "441000.00"},
            days_ago=40,
        )
        contract_create(award=award, actor=purchaser)
        result.stages["contract_draft"] = "contract drafted, waiting for signatures"

        # 8: signed and published, first instalment paid, first progress report submitted.
        award = _awarded(
            proposals["performing"],
            purchaser,
            bidders,
            {"provider": "392000.00", "provider2": "389000.00", "provider3": "376000.00"},
            days_ago=120,
        )
        contract = _signed(award, purchaser, bidders["provider3"])
        _pay(contract, "signature", purchaser)
        first = contract.reports.filter(kind="progress").order_by("due_on").first()
        _report(first, bidders["provider3"], None)
        result.stages["performing"] = "contract signed, 1st instalment paid, report to review"

        # 9: half-way: mid-term evaluation open for the evaluator, survey open with tokens.
        from caidan.evaluations.services import evaluator_appoint, survey_create

        award = _awarded(
            proposals["midterm"],
            purchaser,
            bidders,
            {"provider": "462000.00", "provider2": "470000.00", "provider3": "475000.00"},
            days_ago=210,
        )
        contract = _signed(award, purchaser, provider)
        _pay(contract, "signature", purchaser)
        for report in contract.reports.filter(kind="progress", due_on__lt=today).order_by("due_on"):
            _report(report, provider, purchaser)
        evaluator_appoint(contract=contract, organization=evaluator.organization, actor=purchaser)
        _evaluate(contract, "mid", purchaser, evaluator, publish=False)
        survey, tokens = survey_create(
            contract=contract,
            title=f"{contract.title}服务对象满意度调查",
            opens_on=today,
            closes_on=today + dt.timedelta(days=30),
            tokens=20,
            actor=purchaser,
        )
        result.survey_url = f"/evaluations/s/{survey.slug}/"
        result.survey_tokens = tokens
        result.stages["midterm"] = "mid-term evaluation open, survey open"

        # 10: performed: every report accepted, both evaluations published, all paid.
        award = _awarded(
            proposals["completed"],
            purchaser,
            bidders,
            {"provider": "306000.00", "provider2": "315000.00", "provider3": "318000.00"},
            days_ago=440,
        )
        contract = _signed(award, purchaser, provider)
        _pay(contract, "signature", purchaser)
        evaluator_appoint(contract=contract, organization=evaluator.organization, actor=purchaser)
        for report in contract.reports.exclude(kind="final").order_by("due_on"):
            share = Decimal("0.5") if report.kind == "midterm" else None
            _report(report, provider, purchaser, fund_share=share)
        _evaluate(contract, "mid", purchaser, evaluator, publish=True)
        contract.refresh_from_db()
        _pay(contract, "midterm", purchaser)
        _report(contract.reports.get(kind="final"), provider, purchaser, fund_share=Decimal("0.98"))
        _evaluate(contract, "final", purchaser, evaluator, publish=True)
        contract.refresh_from_db()
        _pay(contract, "final", purchaser)
        result.stages["completed"] = "final evaluation published, last instalment paid"

        # Enquiries: one answered and published, one waiting in the purchaser's inbox.
        result.enquiries = _enquiries(unit, purchaser)

        audit_record(
            kind=EventKind.DEMO_SEEDED,
            actor=system,
            new={"midyear": list(result.stages)},
            note=MARKER,
        )
    result.created = True
    return result
