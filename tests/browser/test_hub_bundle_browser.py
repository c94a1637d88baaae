"""The hub assembles a bundle in the browser (issue 21), on a desktop and on a 390 × 844
phone: from the dashboard's 所联系的社会组织 panel to its member groups and their drafts, two
drafts picked, the part amounts typed in the row editor (the total follows), a refusal that
keeps what was typed, the confirmation, and the bundle submitted with each member's part."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _member_drafts(world):
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership, Role
    from caidan.accounts.services import membership_grant, user_create
    from caidan.catalog.models import CatalogItem
    from caidan.common.identifiers import make_uscc
    from caidan.orgs.inputs import OrganizationInput
    from caidan.orgs.models import Organization
    from caidan.orgs.services import organization_create
    from caidan.projects.inputs import ProposalInput
    from caidan.projects.services import proposal_create

    hub = Organization.objects.get(name="区人民调解协会")
    first = Organization.objects.get(name="区医患纠纷人民调解委员会")
    second = organization_create(
        actor=world.actor("registrar"),
        data=OrganizationInput.parse(
            name="江苏路街道邻里调解工作室",
            uscc=make_uscc("52310105MJH000002"),
            legal_form="social_group",
            fields=["mediation"],
        ),
        hub=hub,
    )
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    year = timezone.localdate().year + 1
    drafts = []
    for n, (org, title, budget) in enumerate(
        [(first, "医患纠纷调解进社区", "120000.00"), (second, "邻里纠纷调解", "80000.00")]
    ):
        user = user_create(
            username=f"member_b{n}", password="x", actor=world.system, validate_password=False
        )
        membership_grant(user=user, role=Role.PROVIDER, organization=org, actor=world.system)
        actor = Actor(user=user, membership=Membership.objects.get(user=user))
        drafts.append(
            proposal_create(
                actor=actor,
                unit=world.unit("310105-001"),
                proposing_organization=org,
                data=ProposalInput.parse(
                    title=title,
                    catalog_item=item,
                    budget=budget,
                    funding=[{"source": "fiscal", "amount": budget}],
                    period_start=dt.date(year, 1, 1),
                    period_end=dt.date(year, 12, 31),
                    purchase_mode="outsourcing",
                    procurement_method="open_tender",
                    grade_policy="none",
                ),
            )
        )
    return drafts


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_hub_assembles_and_submits_a_bundle(browser, live_server, world, phone):
    from playwright.sync_api import expect

    from caidan.projects.models import Proposal

    a, b = _member_drafts(world)
    hub = staff(browser, live_server.url, "hub", phone=phone)
    # the dashboard panel leads to the members and their drafts
    hub.locator("a[href='/projects/hub/']").first.click()
    hub.wait_for_url("**/projects/hub/")
    expect(hub.get_by_test_id("hub-members")).to_contain_text("江苏路街道邻里调解工作室")
    hub.get_by_label("选择“医患纠纷调解进社区”").check()
    hub.get_by_label("选择“邻里纠纷调解”").check()
    hub.get_by_test_id("bundle-picked").click()
    hub.wait_for_url("**/projects/hub/bundles/new/**")

    # the picked drafts fill the rows; the amounts are typed, the total follows
    expect(hub.get_by_label("第 1 行成员组织及其申报", exact=True)).to_have_value(str(a.pk))
    expect(hub.get_by_label("第 2 行成员组织及其申报", exact=True)).to_have_value(str(b.pk))
    hub.get_by_label("打包项目名称").fill("江苏路街道人民调解综合项目")
    hub.get_by_label("第 1 行本部分金额（元）", exact=True).fill("120000.00")
    hub.get_by_label("第 2 行本部分金额（元）", exact=True).fill("90000.00")
    expect(hub.get_by_test_id("total-parts-amount")).to_have_text("210,000.00")
    hub.get_by_test_id("bundle-review").click()
    hub.wait_for_load_state()
    # more than the member asked: refused under the table, everything kept as typed
    expect(hub.get_by_text("第 2 行：金额 ¥90,000.00 超过该成员申报的预算")).to_be_visible()
    expect(hub.get_by_label("打包项目名称")).to_have_value("江苏路街道人民调解综合项目")
    expect(hub.get_by_label("第 2 行本部分金额（元）", exact=True)).to_have_value("90000.00")
    hub.get_by_label("第 2 行本部分金额（元）", exact=True).fill("60000.00")
    expect(hub.get_by_test_id("total-parts-amount")).to_have_text("180,000.00")
    if phone:  # the rows are cards on a phone: the form never scrolls sideways
        width = hub.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    hub.get_by_test_id("bundle-review").click()
    hub.wait_for_load_state()

    # the confirmation lists each member's part and the total; nothing is written yet
    expect(hub.get_by_test_id("bundle-total")).to_contain_text("180,000.00")
    expect(hub.get_by_test_id("bundle-confirm-parts")).to_contain_text("邻里纠纷调解")
    assert Proposal.objects.get(pk=b.pk).status == "draft"
    hub.get_by_test_id("bundle-confirm").click()
    hub.wait_for_url("**/projects/proposals/*/")
    expect(hub.get_by_test_id("proposal-status")).to_have_text("已申报")
    expect(hub.get_by_test_id("bundle-parts")).to_contain_text("江苏路街道邻里调解工作室")
    expect(hub.get_by_test_id("bundle-parts")).to_contain_text("60,000.00")
    b.refresh_from_db()
    assert b.status == "packaged" and b.packaged_into.lead_organization.name == "区人民调解协会"
