import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.projects.inputs import ProposalInput


@pytest.fixture
def next_year():
    return timezone.localdate().year + 1


@pytest.fixture
def item(world):
    from caidan.catalog.models import CatalogItem

    return (
        CatalogItem.objects.select_related("version")
        .filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )


@pytest.fixture
def draft(world, item, next_year):
    """``draft(**overrides)`` drafts a proposal for 江苏路街道 as its purchaser."""
    from caidan.projects.services import proposal_create

    def _draft(actor=None, unit=None, **overrides):
        budget = Decimal(overrides.pop("budget", "300000.00"))
        data = {
            "title": "独居老人探访服务",
            "catalog_item": item,
            "budget": str(budget),
            "funding": [{"source": "fiscal", "amount": str(budget)}],
            "period_start": dt.date(next_year, 1, 1),
            "period_end": dt.date(next_year, 12, 31),
            "purchase_mode": "outsourcing",
            "procurement_method": "open_tender",
            "outputs": [{"name": "上门探访", "target": "1200", "unit": "人次"}],
        }
        data.update(overrides)
        org = data.pop("proposing_organization", None)
        return proposal_create(
            actor=actor or world.actor("purchaser"),
            unit=unit or world.unit("310105-001"),
            proposing_organization=org,
            data=ProposalInput.parse(**data),
        )

    return _draft


@pytest.fixture
def committee(world):
    """Three more committee members so quorum and majority can be exercised."""
    from caidan.accounts.models import Role
    from caidan.accounts.services import membership_grant, user_create

    district = world.unit("310105")
    users = [world.user("committee")]
    for i in range(1, 4):
        u = user_create(
            username=f"member{i}",
            password="x",
            display_name=f"委员{i}",
            actor=world.system,
            validate_password=False,
        )
        membership_grant(user=u, role=Role.COMMITTEE_MEMBER, unit=district, actor=world.system)
        users.append(u)
    return users


@pytest.fixture
def session(world, committee):
    from caidan.projects.services import review_session_create

    return review_session_create(
        title="2027 年第一次审定会议",
        unit=world.unit("310105"),
        meeting_at=timezone.now(),
        members=committee,
        actor=world.actor("admin"),
    )


@pytest.fixture
def member_actor(world):
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership, Role

    def _actor(user):
        return Actor(
            user=user, membership=Membership.objects.get(user=user, role=Role.COMMITTEE_MEMBER)
        )

    return _actor
