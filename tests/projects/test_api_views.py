"""The project library over HTTP: permissions per role, public plan, the committee's page."""

import pytest

from caidan.projects.models import Proposal, ProposalStatus

USERS = [None, "admin", "purchaser", "purchaser2", "committee", "provider", "resident", "auditor"]


def _payload(world, item, next_year, **over):
    data = {
        "title": "API 项目",
        "unit_id": world.unit("310105-001").pk,
        "catalog_item_id": item.pk,
        "budget": "100000.00",
        "funding": [{"source": "fiscal", "amount": "100000.00"}],
        "period_start": f"{next_year}-01-01",
        "period_end": f"{next_year}-12-31",
        "purchase_mode": "outsourcing",
        "procurement_method": "open_tender",
    }
    data.update(over)
    return data


@pytest.mark.parametrize("user", USERS)
def test_create_permission(world, client, token_for, item, next_year, user):
    headers = token_for(user) if user else {}
    resp = client.post(
        "/api/v1/projects/proposals",
        data=_payload(world, item, next_year),
        content_type="application/json",
        **headers,
    )
    expected = {None: 401, "admin": 201, "purchaser": 201}.get(user, 403)
    assert resp.status_code == expected, resp.content


def test_validation_error_names_the_field(world, client, token_for, item, next_year):
    resp = client.post(
        "/api/v1/projects/proposals",
        data=_payload(world, item, next_year, funding=[{"source": "fiscal", "amount": "99.99"}]),
        content_type="application/json",
        **token_for("purchaser"),
    )
    assert resp.status_code == 400
    assert resp.json()["detail"]["field"] == "funding"
    assert not Proposal.objects.filter(title="API 项目").exists()


def test_visibility_of_drafts(world, client, token_for, draft):
    p = draft()
    assert (
        client.get(f"/api/v1/projects/proposals/{p.pk}", **token_for("purchaser")).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/projects/proposals/{p.pk}", **token_for("purchaser2")).status_code
        == 403
    )
    assert client.get(f"/api/v1/projects/proposals/{p.pk}").status_code == 401
    assert (
        client.get(f"/api/v1/projects/proposals/{p.pk}", **token_for("provider")).status_code == 403
    )
    listed = client.get("/api/v1/projects/proposals", **token_for("purchaser2")).json()["items"]
    assert all(x["unit_id"] != p.unit_id for x in listed)


def test_public_plan_and_totals(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = client.get("/api/v1/projects/plan?year=2014&limit=100").json()
    assert len(page["items"]) == 65
    totals = {t["year"]: t for t in client.get("/api/v1/projects/plan/totals").json()}
    assert totals[2012]["count"] == 31 and totals[2012]["total_wan"] == "384.6"
    assert totals[2015]["total_wan"] == "3603.0"
    approved = page["items"][0]["id"]
    assert client.get(f"/api/v1/projects/proposals/{approved}").status_code == 200


def test_full_flow_over_api(world, client, token_for, item, next_year, committee):
    purchaser = token_for("purchaser")
    admin = token_for("admin")
    p = client.post(
        "/api/v1/projects/proposals",
        data=_payload(world, item, next_year),
        content_type="application/json",
        **purchaser,
    ).json()
    assert (
        client.post(f"/api/v1/projects/proposals/{p['id']}/submit", **purchaser).json()["status"]
        == "submitted"
    )
    s = client.post(
        "/api/v1/projects/sessions",
        data={
            "title": "会议",
            "unit_id": world.unit("310105").pk,
            "meeting_at": "2026-12-01T09:00:00+08:00",
            "member_ids": [u.pk for u in committee],
        },
        content_type="application/json",
        **admin,
    ).json()
    item_id = client.post(
        f"/api/v1/projects/sessions/{s['id']}/agenda",
        data={"proposal_id": p["id"]},
        content_type="application/json",
        **admin,
    ).json()["item_id"]
    assert client.post(f"/api/v1/projects/sessions/{s['id']}/open", **admin).status_code == 200
    from caidan.accounts.services import api_token_create

    for user in committee[:3]:
        from caidan.accounts.actor import Actor

        _, raw = api_token_create(actor=Actor(user=user), name="t")
        resp = client.post(
            f"/api/v1/projects/agenda/{item_id}/vote",
            data={"choice": "yes"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert resp.status_code == 201, resp.content
    result = client.post(
        f"/api/v1/projects/agenda/{item_id}/decide",
        data={},
        content_type="application/json",
        **admin,
    ).json()
    assert result["decision"] == "approved" and result["yes"] == 3
    assert Proposal.objects.get(pk=p["id"]).status == ProposalStatus.APPROVED


@pytest.mark.parametrize(
    ("user", "path", "expected"),
    [
        (None, "/projects/", 200),
        (None, "/projects/proposals/", 302),
        ("purchaser", "/projects/proposals/", 200),
        ("purchaser", "/projects/proposals/new/", 200),
        ("resident", "/projects/proposals/new/", 403),
        ("committee", "/projects/sessions/", 200),
        ("purchaser", "/projects/sessions/", 403),  # the committee's business
        ("resident", "/projects/sessions/", 403),
        ("admin", "/projects/ceilings/", 200),
        ("purchaser", "/projects/ceilings/", 403),
    ],
)
def test_pages(world, login, client, user, path, expected):
    if user:
        login(user)
    assert client.get(path).status_code == expected


def test_plan_page_shows_changning_series(world, client):
    html = client.get("/projects/").content.decode()
    for figure in ("384.60", "1,900.00", "2,380.90", "3,603.00"):
        assert figure in html


def test_purchaser_drafts_and_submits_in_the_ui(world, login, item, next_year):
    client = login("purchaser")
    resp = client.post(
        "/projects/proposals/new/",
        {
            "unit": world.unit("310105-001").pk,
            "title": "社区心理健康讲座",
            "catalog_item": item.pk,
            "budget": "80000.00",
            "fiscal": "50000.00",
            "welfare_lottery": "30000.00",
            "period_start": f"{next_year}-03-01",
            "period_end": f"{next_year}-12-31",
            "purchase_mode": "outsourcing",
            "procurement_method": "open_tender",
            "grade_policy": "preferred",
            "scale_unit": "人",
            "outputs-0-name": "讲座",
            "outputs-0-target": "12",
            "outputs-0-unit": "场",
            "outputs-1-name": "",  # a blank row is ignored
            "outputs-1-target": "",
            "outputs-1-unit": "",
        },
    )
    p = Proposal.objects.get(title="社区心理健康讲座")
    assert resp.status_code == 302 and resp["Location"] == f"/projects/proposals/{p.pk}/"
    assert p.outputs == [{"name": "讲座", "target": "12", "unit": "场"}]
    resp = client.post(f"/projects/proposals/{p.pk}/submit/", follow=True)
    assert "已申报" in resp.content.decode()
    resp = client.post(
        "/projects/proposals/new/",
        {
            "unit": world.unit("310105-001").pk,
            "title": "x",
            "catalog_item": item.pk,
            "budget": "100.00",
            "fiscal": "99.00",
            "period_start": f"{next_year}-03-01",
            "period_end": f"{next_year}-12-31",
            "purchase_mode": "outsourcing",
            "procurement_method": "open_tender",
            "grade_policy": "preferred",
            "scale_unit": "人",
        },
    )
    assert "资金来源合计" in resp.content.decode()


def test_project_page_leads_on_to_tender_contract_and_evaluation(world, client):
    """Issue 9: a resident following "what became of what I asked for" reaches the
    procurement, the award notice, the signed contract and its evaluations from the
    project page; a draft procurement is not shown."""
    from django.conf import settings

    from tests.contracts.factories import signed_contract
    from tests.procurement.factories import draft_tender

    contract = signed_contract(world)
    tender = contract.tender
    html = client.get(f"/projects/proposals/{tender.proposal_id}/").content.decode()
    assert 'data-testid="project-progress"' in html
    for href in (
        f"/procurement/tenders/{tender.pk}/",
        f"/procurement/tenders/{tender.pk}/notice/",
        f"/contracts/{contract.pk}/",
        f"/evaluations/contracts/{contract.pk}/",
        f"/api/v1/ocds/records/{settings.OCDS_OCID_PREFIX}-{tender.proposal_id}",
    ):
        assert f'href="{href}"' in html, href
    draft = draft_tender(world)
    html = client.get(f"/projects/proposals/{draft.proposal_id}/").content.decode()
    assert 'data-testid="project-progress"' not in html
    assert f"/procurement/tenders/{draft.pk}/" not in html
