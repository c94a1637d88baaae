"""Helpers of the mid-year demo: the demo users as actors, working-day dates, the catalog
item the projects buy, budget ceilings, and the two extra bidders' accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role, Unit, User
from caidan.common.identifiers import make_uscc
from caidan.orgs.inputs import OrganizationInput
from caidan.orgs.models import Organization
from caidan.orgs.rules import add_years

from .plan import BIDDERS


def actor_for(username: str, role: str) -> Actor:
    user = User.objects.get(username=username)
    membership = Membership.objects.filter(user=user, role=role, is_active=True).order_by("id")
    return Actor(user=user, membership=membership.first())


def catalog_item():
    from caidan.catalog.models import CatalogItem

    published = CatalogItem.objects.filter(level=3, version__status="published")
    return (
        published.filter(name__contains="老").order_by("code").first()
        or published.order_by("code").first()
    )


def ensure_ceiling(unit: Unit, year: int, amount: Decimal, admin: Actor) -> None:
    """Raise ``unit``'s ceiling for ``year`` to at least ``amount`` (never lowers it)."""
    from caidan.projects.models import BudgetCeiling
    from caidan.projects.services import budget_ceiling_set

    ceiling = BudgetCeiling.objects.filter(unit=unit, year=year).first()
    if ceiling is None or ceiling.amount < amount:
        budget_ceiling_set(unit=unit, year=year, amount=str(amount), actor=admin)


def service_period(key: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """One-year service periods: next year for processes still in procurement; started 80
    or 170 days ago for running contracts; ended about a month ago for the completed one."""
    start = {
        "performing": today - dt.timedelta(days=80),
        "midterm": today - dt.timedelta(days=170),
        "completed": add_years(today, -1) - dt.timedelta(days=35),
    }.get(key, dt.date(today.year + 1, 1, 1))
    return start, add_years(start, 1) - dt.timedelta(days=1)


def demo_bidders(registrar: Actor, system: Actor, password: str) -> dict[str, Actor]:
    from caidan.accounts.services import membership_grant, user_create
    from caidan.orgs.services import grade_record, organization_create

    today = timezone.localdate()
    out = {"provider": actor_for("provider", Role.PROVIDER)}
    for username, display_name, prefix, new_org in BIDDERS:
        org = Organization.objects.filter(uscc=make_uscc(prefix)).first()
        if org is None:
            name, rep = new_org
            org = organization_create(
                actor=registrar,
                data=OrganizationInput.parse(
                    name=name,
                    uscc=make_uscc(prefix),
                    legal_form=Organization.LegalForm.SERVICE_INSTITUTION,
                    fields=["elderly"],
                    registration_date=dt.date(2016, 3, 18),
                    legal_representative=rep,
                ),
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
        out[username] = actor_for(username, Role.PROVIDER)
    return out


def open_review_session(s, proposal, meeting: dt.datetime, *, note: str = ""):
    """The district's review session for ``meeting`` (the demo committee member its only
    member) with the submitted ``proposal`` on its agenda, opened for votes; its agenda item.
    ``note`` tells the session apart in its title (，分包采购)."""
    from caidan.projects.services import (
        review_session_add_proposal,
        review_session_create,
        review_session_open,
    )

    session = review_session_create(
        title=f"江苏路街道项目审定会议（{timezone.localtime(meeting):%Y年%m月%d日}{note}）",
        unit=s.district,
        meeting_at=meeting,
        members=[User.objects.get(username="committee")],
        actor=s.admin,
    )
    item = review_session_add_proposal(session=session, proposal=proposal, actor=s.admin)
    review_session_open(session=session, actor=s.admin)
    return item


def approve_at_meeting(s, proposal, meeting: dt.datetime, *, reason: str, note: str = ""):
    """A stage's steps (a generator yielding the clock's next moment): the submitted
    ``proposal`` put on the agenda of a review session two days before ``meeting``, voted and
    approved at it. ``note`` tells the session apart in its title (，分包采购)."""
    from caidan.projects.services import agenda_item_decide, vote_cast

    yield meeting - dt.timedelta(days=2)
    item = open_review_session(s, proposal, meeting, note=note)
    yield meeting
    vote_cast(item=item, choice="yes", actor=s.committee)
    agenda_item_decide(item=item, reason=reason, actor=s.admin)
    proposal.refresh_from_db()
