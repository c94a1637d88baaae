"""The mid-year demo's hub bundle (枢纽打包申报, issue 21): 区人民调解协会 (the demo ``hub``)
and two grassroots groups it works with — 区医患纠纷人民调解委员会 and a neighbourhood
mediation studio registered here — each with a login (``member1``, ``member2``; the demo
password). Seed 004 (/work/shared/seeds/) is the model: grassroots groups without standing to
bid have the hub package their proposals.

* One bundle submitted: each member drafted its proposal, the hub bundled them with one
  part trimmed, and submitted it to the project library (the committee may put it on an
  agenda).
* Two member drafts left for the hub to bundle in the demo (所联系的社会组织 → 打包申报).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from caidan.accounts.models import Membership, Role, User
from caidan.common.identifiers import make_uscc
from caidan.orgs.inputs import OrganizationInput
from caidan.orgs.models import Organization
from caidan.projects.inputs import ProposalInput

from .helpers import actor_for, service_period
from .timeline import Stage

KEY = "bundles"
HUB_USCC = "51310105MJ0000003"  # 区人民调解协会
FIRST_USCC = "51310105MJ0000004"  # prefix of 区医患纠纷人民调解委员会 (orgs/demo.py)
STUDIO = ("江苏路街道邻里调解工作室", "52310105MJH000009", "钱晓岚")
MEMBERS = [
    # username, display name
    ("member1", "孙调解（区医患纠纷人民调解委员会）"),
    ("member2", "钱晓岚（江苏路街道邻里调解工作室）"),
]
# (member index, title, budget, description)
BUNDLED = [
    (0, "医患纠纷人民调解进社区", "120000.00", "社区卫生服务中心驻点调解，每周两个半天。"),
    (1, "楼组邻里纠纷调解", "90000.00", "楼组长培训与邻里纠纷上门调解，全年不少于 80 件。"),
]
TRIMMED = "80000.00"  # the hub's amount for the second part
WAITING = [
    (0, "医疗纠纷预防宣传", "60000.00", "面向老年患者家属的纠纷预防讲座，全年 12 场。"),
    (1, "家庭矛盾调解热线", "50000.00", "工作日晚间调解热线，全年不少于 300 通。"),
]
BUNDLE_TITLE = "江苏路街道人民调解综合服务（枢纽打包）"


def ceiling_need(today: dt.date) -> tuple[int, Decimal]:
    """The year and budget the ceilings must make room for (``seed._ceilings``): the
    bundle's parts, so that the committee can approve it."""
    return service_period(KEY, today)[0].year, sum(
        (Decimal(b) for _i, _t, b, _d in BUNDLED), Decimal(0)
    )


def _members(s, password: str) -> list:
    """The two member groups with a provider login each (created once)."""
    from caidan.accounts.services import membership_grant, user_create
    from caidan.orgs.services import organization_create

    hub = Organization.objects.get(uscc=make_uscc(HUB_USCC))
    first = (
        Organization.objects.filter(hub=hub, uscc__startswith=FIRST_USCC).first()
        or Organization.objects.filter(hub=hub).order_by("id").first()
    )
    name, prefix, rep = STUDIO
    studio = Organization.objects.filter(uscc=make_uscc(prefix)).first()
    if studio is None:
        studio = organization_create(
            actor=actor_for("registrar", Role.REGISTRATION_AUTHORITY),
            data=OrganizationInput.parse(
                name=name,
                uscc=make_uscc(prefix),
                legal_form=Organization.LegalForm.SOCIAL_GROUP,
                fields=["mediation"],
                registration_date=dt.date(2021, 6, 1),
                legal_representative=rep,
            ),
            hub=hub,
        )
    actors = []
    for (username, display_name), org in zip(MEMBERS, (first, studio), strict=True):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=password,
                display_name=display_name,
                email=f"{username}@demo.caidan.local",
                actor=s.admin,
            )
        if not Membership.objects.filter(user=user, role=Role.PROVIDER, organization=org).exists():
            membership_grant(user=user, role=Role.PROVIDER, organization=org, actor=s.admin)
        actors.append(actor_for(username, Role.PROVIDER))
    return actors


def _draft(s, actor, title: str, budget: str, description: str):
    from caidan.projects.services import proposal_create

    start, end = service_period(KEY, s.today)
    return proposal_create(
        actor=actor,
        unit=s.unit,
        proposing_organization=actor.organization,
        data=ProposalInput.parse(
            title=title,
            catalog_item=s.item,
            description=description,
            service_targets="江苏路街道居民",
            budget=budget,
            funding=[{"source": "fiscal", "amount": budget}],
            period_start=start,
            period_end=end,
            purchase_mode="outsourcing",
            procurement_method="consultation",
            grade_policy="none",
            outputs=[{"name": "调解案件", "target": "80", "unit": "件"}],
        ),
    )


def seed_bundles(s, result, password: str | None = None) -> Stage:
    """The stage: members draft (two weeks ago), the hub bundles and submits (a week ago);
    two more drafts wait for the hub."""
    from caidan.demo.data import DEMO_PASSWORD
    from caidan.projects.services.bundles import proposal_bundle

    yield s.now - dt.timedelta(days=14)
    members = _members(s, password or DEMO_PASSWORD)
    drafts = [_draft(s, members[i], t, b, d) for i, t, b, d in BUNDLED]
    yield s.now - dt.timedelta(days=7)
    hub = actor_for("hub", Role.HUB)
    proposal_bundle(
        hub=hub.organization,
        title=BUNDLE_TITLE,
        rows=[
            {"part": str(drafts[0].pk), "amount": ""},
            {"part": str(drafts[1].pk), "amount": TRIMMED},
        ],
        submit=True,
        actor=hub,
    )
    yield s.now - dt.timedelta(days=2)
    for i, t, b, d in WAITING:
        _draft(s, members[i], t, b, d)
    result.stages[KEY] = "hub bundle of two members' parts submitted; two member drafts waiting"
