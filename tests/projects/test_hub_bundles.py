"""Hub bundles (issue 21): the hub sees its members and their proposals, assembles a bundle
with each member's part and amount, and submits it; every row's problem is named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caidan.common.errors import PermissionDenied, ValidationError
from caidan.projects.models import ProposalStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(world):
    """Two member groups of the demo hub (区人民调解协会), each with a staff account."""
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership, Role
    from caidan.accounts.services import membership_grant, user_create
    from caidan.common.identifiers import make_uscc
    from caidan.orgs.inputs import OrganizationInput
    from caidan.orgs.models import Organization
    from caidan.orgs.services import organization_create

    hub = Organization.objects.get(name="区人民调解协会")
    first = Organization.objects.get(name="区医患纠纷人民调解委员会")
    second = organization_create(
        actor=world.actor("registrar"),
        data=OrganizationInput.parse(
            name="江苏路街道邻里调解工作室",
            uscc=make_uscc("52310105MJH000001"),
            legal_form="social_group",
            fields=["mediation"],
        ),
        hub=hub,
    )
    out = {"hub": hub}
    for key, org in (("a", first), ("b", second)):
        user = user_create(
            username=f"member_{key}", password="x", actor=world.system, validate_password=False
        )
        membership_grant(user=user, role=Role.PROVIDER, organization=org, actor=world.system)
        out[key] = (org, Actor(user=user, membership=Membership.objects.get(user=user)))
    return out


@pytest.fixture
def member_drafts(members, draft):
    def _for(key, **kw):
        org, actor = members[key]
        budget = kw.pop("budget", "100000.00")
        kw.setdefault("funding", [{"source": "fiscal", "amount": budget}])
        return draft(actor=actor, proposing_organization=org, budget=budget, **kw)

    return _for


def test_the_hub_bundles_its_members_parts_with_amounts_and_submits(world, members, member_drafts):
    from caidan.audit.models import AuditEvent
    from caidan.projects.services.bundles import proposal_bundle

    a = member_drafts("a", title="医患纠纷调解", budget="120000.00")
    b = member_drafts(
        "b",
        title="邻里纠纷调解",
        budget="80000.00",
        funding=[
            {"source": "fiscal", "amount": "60000.00"},
            {"source": "social", "amount": "20000.00"},
        ],
    )
    bundle = proposal_bundle(
        hub=members["hub"],
        title="江苏路街道人民调解综合项目",
        rows=[{"part": str(a.pk), "amount": ""}, {"part": str(b.pk), "amount": "60000.00"}],
        submit=True,
        actor=world.actor("hub"),
    )
    assert bundle.status == ProposalStatus.SUBMITTED
    assert bundle.lead_organization == members["hub"]
    assert bundle.budget == Decimal("180000.00")  # 120,000 as asked + 60,000 trimmed
    b.refresh_from_db()
    assert b.status == ProposalStatus.PACKAGED and b.packaged_into == bundle
    assert b.budget == Decimal("60000.00")
    # the member's two sources scaled 3:1 to the part's amount, to the fen
    assert {f.source: f.amount for f in b.funding.all()} == {
        "fiscal": Decimal("45000.00"),
        "social": Decimal("15000.00"),
    }
    assert AuditEvent.objects.filter(
        target_type="projects.proposal", target_id=str(b.pk), kind="proposal.updated"
    ).exists()
    assert {p.pk for p in bundle.packaged_parts.all()} == {a.pk, b.pk}


@pytest.mark.parametrize(
    ("amount", "ok"),
    [("79999.99", True), ("80000.00", True), ("80000.01", False), ("0", False), ("abc", False)],
)
def test_a_parts_amount_may_trim_but_not_exceed_the_members_budget(
    world, members, member_drafts, amount, ok
):
    from caidan.projects.services.bundles import proposal_bundle

    a = member_drafts("a", title="医患纠纷调解")
    b = member_drafts("b", title="邻里纠纷调解", budget="80000.00")
    rows = [{"part": str(a.pk), "amount": ""}, {"part": str(b.pk), "amount": amount}]
    if ok:
        bundle = proposal_bundle(
            hub=members["hub"], title="打包", rows=rows, actor=world.actor("hub")
        )
        assert bundle.budget == Decimal("100000.00") + Decimal(amount)
        return
    with pytest.raises(ValidationError) as exc:
        proposal_bundle(hub=members["hub"], title="打包", rows=rows, actor=world.actor("hub"))
    assert exc.value.detail["field"] == "parts.2.amount"
    assert "第 2 行" in exc.value.message
    b.refresh_from_db()
    assert b.status == ProposalStatus.DRAFT and b.budget == Decimal("80000.00")


def test_every_rows_problem_is_named_and_nothing_is_written(world, members, member_drafts, draft):
    from caidan.projects.services.bundles import proposal_bundle

    a = member_drafts("a", title="医患纠纷调解")
    outsider = draft(title="不是成员的申报")
    with pytest.raises(ValidationError) as exc:
        proposal_bundle(
            hub=members["hub"],
            title="打包",
            rows=[
                {"part": str(a.pk), "amount": ""},
                {"part": str(a.pk), "amount": ""},
                {"part": str(outsider.pk), "amount": "1"},
                {"part": "", "amount": "5"},
            ],
            actor=world.actor("hub"),
        )
    fields = [e["field"] for e in exc.value.detail["errors"]]
    assert fields == ["parts.2.part", "parts.3.part", "parts.4.part"]
    a.refresh_from_db()
    assert a.status == ProposalStatus.DRAFT
    with pytest.raises(ValidationError) as exc:
        proposal_bundle(
            hub=members["hub"],
            title="打包",
            rows=[{"part": str(a.pk), "amount": ""}],
            actor=world.actor("hub"),
        )
    assert exc.value.detail["field"] == "parts"


def test_only_the_hub_bundles(world, members, member_drafts):
    from caidan.projects.services.bundles import proposal_bundle

    a = member_drafts("a", title="一")
    b = member_drafts("b", title="二")
    rows = [{"part": str(a.pk), "amount": ""}, {"part": str(b.pk), "amount": ""}]
    with pytest.raises(PermissionDenied):
        proposal_bundle(hub=members["hub"], title="打包", rows=rows, actor=members["a"][1])


def test_hub_page_lists_members_and_drafts_in_few_queries(
    world, login, members, member_drafts, django_assert_max_num_queries
):
    for i in range(3):
        member_drafts("a", title=f"医患纠纷调解{i}")
        member_drafts("b", title=f"邻里纠纷调解{i}")
    client = login("hub")
    with django_assert_max_num_queries(25):
        html = client.get("/projects/hub/").content.decode()
    assert "江苏路街道邻里调解工作室" in html and "邻里纠纷调解2" in html
    dashboard = client.get("/dashboard/").content.decode()
    assert 'href="/projects/hub/"' in dashboard


def test_bundle_form_confirms_then_creates(world, login, members, member_drafts):
    a = member_drafts("a", title="医患纠纷调解", budget="120000.00")
    b = member_drafts("b", title="邻里纠纷调解", budget="80000.00")
    client = login("hub")
    page = client.get(f"/projects/hub/bundles/new/?part={a.pk}&part={b.pk}").content.decode()
    assert f'<option value="{a.pk}" selected>' in page
    data = {
        "title": "调解综合项目",
        "parts-0-part": str(a.pk),
        "parts-0-amount": "",
        "parts-1-part": str(b.pk),
        "parts-1-amount": "90000.00",  # more than asked: refused, as typed
        "submit_now": "on",
    }
    resp = client.post("/projects/hub/bundles/new/", data)
    html = resp.content.decode()
    assert resp.status_code == 200 and "第 2 行" in html and 'value="90000.00"' in html
    data["parts-1-amount"] = "50000.00"
    resp = client.post("/projects/hub/bundles/new/", data)
    html = resp.content.decode()
    assert "确认打包" in html and "¥170,000.00" in html
    a.refresh_from_db()
    assert a.status == ProposalStatus.DRAFT  # nothing written before the confirmation
    resp = client.post("/projects/hub/bundles/new/", {**data, "confirm": "1"})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.status == ProposalStatus.PACKAGED
    assert a.packaged_into.status == ProposalStatus.SUBMITTED
    detail = client.get(resp["Location"]).content.decode()
    assert "成员组织承担的部分" in detail and "江苏路街道邻里调解工作室" in detail


def test_bundle_api(world, client, token_for, members, member_drafts):
    a = member_drafts("a", title="医患纠纷调解")
    b = member_drafts("b", title="邻里纠纷调解")
    hub = token_for("hub")
    members_out = client.get("/api/v1/projects/hub/members", **hub).json()
    assert {m["name"] for m in members_out} >= {"江苏路街道邻里调解工作室"}
    listed = client.get("/api/v1/projects/hub/proposals", **hub).json()
    assert {p["id"] for p in listed} >= {a.pk, b.pk}
    resp = client.post(
        "/api/v1/projects/bundles",
        data={
            "title": "打包",
            "parts": [{"proposal_id": a.pk}, {"proposal_id": b.pk, "amount": "100000.01"}],
        },
        content_type="application/json",
        **hub,
    )
    assert resp.status_code == 400
    assert resp.json()["detail"]["field"] == "parts.2.amount"
    resp = client.post(
        "/api/v1/projects/bundles",
        data={
            "title": "打包",
            "parts": [{"proposal_id": a.pk}, {"proposal_id": b.pk, "amount": "40000"}],
        },
        content_type="application/json",
        **hub,
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert [p["amount"] for p in body["parts"]] == ["100000.00", "40000.00"]
    resp = client.get("/api/v1/projects/hub/members", **token_for("provider"))
    assert resp.status_code == 403
