"""Proposals: validation (funding to the fen, period limits, negative list), lifecycle."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.projects.lifecycles import proposal_lifecycle
from caidan.projects.models import TRANSITIONS, Proposal, ProposalAction, ProposalStatus
from caidan.projects.services import (
    proposal_package,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
)


def test_draft_is_created_and_audited(draft):
    p = draft()
    assert p.status == ProposalStatus.DRAFT
    assert p.funding.get().amount == Decimal("300000.00")
    assert AuditEvent.objects.filter(kind="proposal.created", target_id=str(p.pk)).exists()


@pytest.mark.parametrize(
    ("funding", "ok"),
    [
        (
            [
                {"source": "fiscal", "amount": "200000.00"},
                {"source": "welfare_lottery", "amount": "100000.00"},
            ],
            True,
        ),
        (
            [
                {"source": "fiscal", "amount": "200000.00"},
                {"source": "social", "amount": "99999.99"},
            ],
            False,
        ),
        ([{"source": "fiscal", "amount": "300000.01"}], False),
        (
            [
                {"source": "fiscal", "amount": "150000.00"},
                {"source": "fiscal", "amount": "150000.00"},
            ],
            False,
        ),
        ([{"source": "lottery", "amount": "300000.00"}], False),
        ([], False),
    ],
)
def test_funding_must_add_up_to_the_fen(draft, funding, ok):
    if ok:
        assert draft(funding=funding).funding.count() == 2
    else:
        with pytest.raises(ValidationError) as exc:
            draft(funding=funding)
        assert exc.value.field.startswith("funding")


def test_funding_mismatch_message_names_totals(draft):
    with pytest.raises(ValidationError) as exc:
        draft(funding=[{"source": "fiscal", "amount": "299999.99"}])
    assert exc.value.code == "funding_mismatch"
    assert "¥299,999.99" in exc.value.message and "¥300,000.00" in exc.value.message


@pytest.mark.parametrize(
    ("end_days", "justification", "field"),
    [
        (365 - 1, "", None),  # a full year: start + 1 year - 1 day
        (365, "", "stability_justification"),  # a day longer needs a reason
        (365 * 2, "需求稳定、财政持续资助", None),
        (365 * 3 + 1, "需求稳定", "period_end"),  # beyond three years: never
        (0, "", "period_end"),
    ],
)
def test_period_limits(draft, next_year, end_days, justification, field):
    start = dt.date(next_year, 1, 1)
    kwargs = {
        "period_start": start,
        "period_end": start + dt.timedelta(days=end_days),
        "stability_justification": justification,
    }
    if field is None:
        assert draft(**kwargs).pk
    else:
        with pytest.raises(ValidationError) as exc:
            draft(**kwargs)
        assert exc.value.field == field


def test_negative_list_refused_with_reason(draft):
    with pytest.raises(ValidationError) as exc:
        draft(title="社区活动中心装修工程")
    assert exc.value.code == "negative_list"
    assert exc.value.field == "title"
    assert "第102号" in exc.value.message
    assert not Proposal.objects.filter(title="社区活动中心装修工程").exists()


def test_negative_list_checked_again_at_submission(draft, world):
    """The list may change between drafting and submission: submission checks again."""
    from caidan.catalog.models import NegativeListEntry

    p = draft(description="为独居老人提供上门探访和陪伴服务")
    entry = NegativeListEntry.objects.filter(is_active=True).first()
    entry.keywords = [*entry.keywords, "陪伴服务"]
    entry.save()
    with pytest.raises(ValidationError) as exc:
        proposal_submit(proposal=p, actor=world.actor("purchaser"))
    assert exc.value.code == "negative_list" and exc.value.field == "description"
    p.refresh_from_db()
    assert p.status == ProposalStatus.DRAFT


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " "}, "title"),
        ({"budget": "0"}, "budget"),
        ({"purchase_mode": "post", "procurement_method": "open_tender"}, "procurement_method"),
        ({"required_fields": ["fishing"]}, "required_fields"),
        ({"target_groups": ["外星人"]}, "target_groups"),
        ({"outputs": [{"name": "探访", "target": "many"}]}, "outputs.0.target"),
    ],
)
def test_field_validation(draft, kwargs, field):
    if "budget" in kwargs:
        kwargs["funding"] = [{"source": "fiscal", "amount": "1"}]
    with pytest.raises(ValidationError) as exc:
        draft(**kwargs)
    assert exc.value.field == field


def test_catalog_item_must_be_level3_of_published_version(draft):
    from caidan.catalog.models import CatalogItem

    level2 = CatalogItem.objects.filter(level=2, version__status="published").first()
    with pytest.raises(ValidationError) as exc:
        draft(catalog_item=level2)
    assert exc.value.field == "catalog_item"


def test_scope_purchaser_of_another_street(draft, world):
    with pytest.raises(PermissionDenied):
        draft(actor=world.actor("purchaser2"))  # 新华路 officer drafting for 江苏路
    p = draft()
    with pytest.raises(PermissionDenied):
        proposal_submit(proposal=p, actor=world.actor("purchaser2"))


def test_update_only_while_editable(draft, world):
    actor = world.actor("purchaser")
    p = draft()
    proposal_update(proposal=p, changes={"title": "独居老人探访与陪伴"}, actor=actor)
    p.refresh_from_db()
    assert p.title == "独居老人探访与陪伴"
    proposal_submit(proposal=p, actor=actor)
    with pytest.raises(Conflict):
        proposal_update(proposal=p, changes={"title": "x"}, actor=actor)


# Every allowed and every forbidden transition, table-driven.
ALL = [(s, a) for s in ProposalStatus.values for a in ProposalAction.values]


@pytest.mark.parametrize(("status", "action"), ALL)
def test_transition_table(draft, world, status, action):
    from django.db import transaction as tx

    p = draft()
    Proposal.objects.filter(pk=p.pk).update(status=status)
    p.refresh_from_db()
    sources, target = TRANSITIONS[action]
    with tx.atomic():
        if status in sources:
            proposal_lifecycle.apply(p, action, actor=world.actor("admin"))
            p.refresh_from_db()
            assert p.status == target
        else:
            with pytest.raises(Conflict) as exc:
                proposal_lifecycle.apply(p, action, actor=world.actor("admin"))
            assert exc.value.code == "bad_transition"
            p.refresh_from_db()
            assert p.status == status


def test_withdraw(draft, world):
    p = draft()
    proposal_withdraw(proposal=p, reason="需求已由其他渠道满足", actor=world.actor("purchaser"))
    p.refresh_from_db()
    assert p.status == ProposalStatus.WITHDRAWN
    with pytest.raises(Conflict):
        proposal_withdraw(proposal=p, actor=world.actor("purchaser"))


def test_hub_packages_affiliates_proposals(world, draft):
    from caidan.accounts.models import Role
    from caidan.accounts.services import membership_grant, user_create
    from caidan.orgs.models import Organization

    hub = Organization.objects.get(name="区人民调解协会")
    affiliate = Organization.objects.get(name="区医患纠纷人民调解委员会")
    user = user_create(
        username="affiliate_staff", password="x", actor=world.system, validate_password=False
    )
    membership_grant(user=user, role=Role.PROVIDER, organization=affiliate, actor=world.system)
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership

    staff = Actor(user=user, membership=Membership.objects.get(user=user))
    a = draft(
        actor=staff,
        proposing_organization=affiliate,
        title="医患纠纷调解（一）",
        budget="100000.00",
        funding=[{"source": "fiscal", "amount": "100000.00"}],
    )
    b = draft(
        actor=staff,
        proposing_organization=affiliate,
        title="医患纠纷调解（二）",
        budget="50000.50",
        funding=[{"source": "welfare_lottery", "amount": "50000.50"}],
    )
    package = proposal_package(
        parts=[a, b], hub=hub, title="医患纠纷人民调解综合项目", actor=world.actor("hub")
    )
    assert package.lead_organization == hub
    assert package.budget == Decimal("150000.50")
    assert {f.source: f.amount for f in package.funding.all()} == {
        "fiscal": Decimal("100000.00"),
        "welfare_lottery": Decimal("50000.50"),
    }
    a.refresh_from_db()
    assert a.status == ProposalStatus.PACKAGED and a.packaged_into == package
    # A provider that is not an affiliate cannot be packaged by this hub.
    outsider = draft(title="其他项目")
    with pytest.raises(ValidationError):
        proposal_package(parts=[outsider, package], hub=hub, title="x", actor=world.actor("hub"))


def test_an_ineligible_hub_cannot_package(world, draft):
    """Eligibility is checked again at hub packaging (DOMAIN §4.7): a hub found to be a
    judgment defaulter since is refused, with the reason, and nothing is packaged."""
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership, Role
    from caidan.accounts.services import membership_grant, user_create
    from caidan.orgs.models import Organization
    from caidan.orgs.services.credit import judgment_defaulter_set

    hub = Organization.objects.get(name="区人民调解协会")
    affiliate = Organization.objects.get(name="区医患纠纷人民调解委员会")
    user = user_create(
        username="affiliate_staff2", password="x", actor=world.system, validate_password=False
    )
    membership_grant(user=user, role=Role.PROVIDER, organization=affiliate, actor=world.system)
    staff = Actor(user=user, membership=Membership.objects.get(user=user))
    parts = [
        draft(actor=staff, proposing_organization=affiliate, title=f"调解（{n}）")
        for n in ("一", "二")
    ]
    judgment_defaulter_set(
        organization=hub, listed_on=timezone.localdate(), actor=world.actor("registrar")
    )
    with pytest.raises(Conflict) as exc:
        proposal_package(parts=parts, hub=hub, title="打包", actor=world.actor("hub"))
    assert exc.value.code == "ineligible" and "失信被执行人" in exc.value.message
    for p in parts:
        p.refresh_from_db()
        assert p.status == ProposalStatus.DRAFT and p.packaged_into is None
