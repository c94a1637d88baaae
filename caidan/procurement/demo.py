"""Demo procurement: an expert pool whose members can log in (``expert`` and ``expert2`` …
``expert9``, demo password), two approved 江苏路街道 projects out to public tender (one
with an answered question, one with the demo provider's sealed bid) and one approved
project waiting for its tender. Everything goes through the services, as users would do it.

To see the rest of the lifecycle in a demo database, open the tenders with
``python manage.py tick --now <deadline>`` and continue in the UI (see docs/procurement.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role, Unit, User
from caidan.common.calendar import WorkingCalendar
from caidan.projects.inputs import ProposalInput

from .inputs import BidContentInput, ExpertInput, SheetVerdictsInput, TenderInput
from .models import Expert, Tender

EXPERTS = [
    ("expert", "孙立评", ["elderly", "disability"], "教授", "华东理工大学社会工作系"),
    ("expert2", "钱慧敏", ["elderly", "women_children"], "高级社工师", "上海社会工作者协会"),
    ("expert3", "李卫东", ["elderly", "mediation"], "副教授", "华东政法大学"),
    ("expert4", "周雅琴", ["elderly", "culture_sports"], "注册会计师", "立信会计师事务所"),
    ("expert5", "吴国平", ["elderly", "community_correction"], "高级经济师", "上海财经大学"),
    ("expert6", "郑晓岚", ["elderly", "disability"], "主任医师", "长宁区精神卫生中心"),
    ("expert7", "王建华", ["elderly", "legal_aid"], "律师", "上海市锦天城律师事务所"),
    ("expert8", "冯子健", ["elderly", "other"], "研究员", "上海社会科学院"),
    ("expert9", "陈美玲", ["elderly", "women_children"], "高级社工师", "浦东社工协会"),
]
TENDERS = [
    ("江苏路街道独居老人探访服务", Decimal("600000.00")),
    ("江苏路街道老年人日间照料服务", Decimal("450000.00")),
    ("江苏路街道困难家庭帮扶服务", Decimal("300000.00")),
]


def _actor(username: str, role: str) -> Actor:
    user = User.objects.get(username=username)
    return Actor(user=user, membership=Membership.objects.get(user=user, role=role))


def seed_experts(system: Actor, password: str) -> int:
    from caidan.accounts.services import membership_grant, user_create

    from .services.experts import expert_create

    created = 0
    for username, name, specialties, title, employer in EXPERTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=password,
                display_name=f"{name}（评审专家）",
                email=f"{username}@demo.caidan.local",
                actor=system,
            )
        if not Membership.objects.filter(user=user, role=Role.EXPERT).exists():
            membership_grant(user=user, role=Role.EXPERT, actor=system)
        if not Expert.objects.filter(user=user).exists():
            expert_create(
                actor=system,
                data=ExpertInput.parse(
                    name=name,
                    specialties=specialties,
                    title=title,
                    employer_name=employer,
                    user=user,
                ),
            )
            created += 1
    return created


def _approve(title: str, budget: Decimal, system: Actor):
    from caidan.catalog.models import CatalogItem
    from caidan.projects.models import Proposal
    from caidan.projects.services import (
        agenda_item_decide,
        proposal_create,
        proposal_submit,
        review_session_add_proposal,
        review_session_create,
        review_session_open,
        vote_cast,
    )

    existing = Proposal.objects.filter(title=title).first()
    if existing is not None:
        return existing
    year = timezone.localdate().year + 1
    item = (
        CatalogItem.objects.filter(level=3, version__status="published", name__contains="老")
        .order_by("code")
        .first()
    ) or CatalogItem.objects.filter(level=3, version__status="published").order_by("code").first()
    purchaser = _actor("purchaser", Role.PURCHASER)
    proposal = proposal_create(
        actor=purchaser,
        unit=Unit.objects.get(code="310105-001"),
        data=ProposalInput.parse(
            title=title,
            catalog_item=item,
            description=f"{title}：面向辖区困难独居老人、高龄老人，每周上门探访、电话问候和应急联络。",
            service_targets="辖区 80 岁以上独居老人及困难老人",
            budget=str(budget),
            funding=[{"source": "fiscal", "amount": str(budget)}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            grade_policy="preferred",
            required_fields=["elderly"],
            outputs=[{"name": "上门探访", "target": "4800", "unit": "人次"}],
        ),
    )
    proposal_submit(proposal=proposal, actor=purchaser)
    admin = _actor("admin", Role.PLATFORM_ADMIN)
    session = review_session_create(
        title=f"{year} 年度项目审定会议（{title}）",
        unit=Unit.objects.get(code="310105"),
        meeting_at=timezone.now(),
        members=[User.objects.get(username="committee")],
        actor=admin,
    )
    agenda = review_session_add_proposal(session=session, proposal=proposal, actor=admin)
    review_session_open(session=session, actor=admin)
    vote_cast(item=agenda, choice="yes", actor=_actor("committee", Role.COMMITTEE_MEMBER))
    agenda_item_decide(item=agenda, reason="需求明确，预算合理。", actor=admin)
    proposal.refresh_from_db()
    return proposal


def _deadline(days: int) -> dt.datetime:
    calendar = WorkingCalendar()
    day = timezone.localdate() + dt.timedelta(days=days)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))


def seed_procurement(system: Actor, password: str) -> dict[str, int]:
    from .services import (
        bid_submit,
        clarification_answer,
        clarification_ask,
        tender_create,
        tender_publish,
        tender_update,
    )

    created = {"experts": seed_experts(system, password), "tenders": 0}
    proposals = [_approve(title, budget, system) for title, budget in TENDERS]
    purchaser = _actor("purchaser", Role.PURCHASER)
    provider = _actor("provider", Role.PROVIDER)
    for i, proposal in enumerate(proposals[:2]):
        if Tender.objects.filter(proposal=proposal).exists():
            continue
        tender = tender_create(
            actor=purchaser,
            data=TenderInput.parse(
                proposal=proposal,
                bid_security=str((proposal.budget * Decimal("0.01")).quantize(Decimal("0.01"))),
                description=proposal.description,
            ),
        )
        tender_update(tender=tender, changes={"deadline": _deadline(25 + i)}, actor=purchaser)
        tender_publish(tender=tender, actor=purchaser)
        created["tenders"] += 1
        if i == 0:
            q = clarification_ask(
                tender=tender,
                organization=provider.organization,
                question="服务对象名单是否由街道提供？探访记录需要使用什么系统填报？",
                actor=provider,
            )
            clarification_answer(
                clarification=q,
                answer="服务对象名单由街道民政科提供；探访记录使用本平台的进度报告功能填报。",
                actor=purchaser,
            )
        else:
            bid_submit(
                tender=tender,
                organization=provider.organization,
                data=BidContentInput.parse(
                    {
                        "price": "430000.00",
                        "plan": "组建 6 人社工团队，按片区分组，每周上门探访并建立老人服务档案。",
                        "team": "持证社工 4 名，护理员 2 名",
                    }
                ),
                actor=provider,
            )
    return created


def committee_passes_all(tender: Tender, *, purchaser: Actor, now: dt.datetime | None = None):
    """A lowest-price tender's committee review for seeded data (87号令 §45–47, §50): the
    purchaser draws the committee (from the seed committed at publication), every drawn
    expert declares no conflict and passes each bid; the tender is then ranked by price.
    Returns the refreshed tender (``evaluated``, or ``failed`` if the bids alone fail it)."""
    from .selectors_experts import panel_for
    from .services import panel_declare, panel_draw
    from .services.evaluation import scorable_bids, scores_submit, verdicts_save

    panel_draw(tender=tender, actor=purchaser, now=now)
    bids = scorable_bids(tender)
    for member in [m for m in panel_for(tender) if m.status == "drawn"]:
        expert = _actor(member.expert.user.username, Role.EXPERT)
        panel_declare(member=member, no_conflict=True, actor=expert)
        verdicts_save(
            member=member,
            data=SheetVerdictsInput.parse(verdicts={str(b.pk): {"pass": True} for b in bids}),
            actor=expert,
        )
        scores_submit(member=member, actor=expert, now=now)
    tender.refresh_from_db()
    return tender
