"""The procurement API over HTTP (``/api/v1/procurement``): the expert pool — listing,
creating, updating and deactivating experts — with its refusals."""

from __future__ import annotations

import pytest

from caidan.accounts.models import Role
from caidan.procurement.models import Expert

from .api_helpers import call, error, expert_pool, get, post

pytestmark = pytest.mark.django_db


# --- the expert pool -------------------------------------------------------------------------------


def test_expert_pool(world, client, token_for):
    from caidan.accounts.services import membership_grant, user_create

    admin = token_for("admin")
    expert_pool(world, 3)
    login = user_create(
        username="new-expert",
        password="x",
        display_name="李专家",
        actor=world.system,
        validate_password=False,
    )
    membership_grant(user=login, role=Role.EXPERT, actor=world.system)
    error(get(client, "/experts", token_for("purchaser")), 403, "permission_denied")
    error(get(client, "/experts"), 401)
    error(
        post(client, "/experts", {"name": "x", "specialties": ["elderly"]}, token_for("expert")),
        403,
    )
    error(
        post(client, "/experts", {"name": "李专家", "specialties": ["cooking"]}, admin),
        400,
        field="specialties",
    )
    error(
        post(
            client,
            "/experts",
            {"name": "李专家", "specialties": ["elderly"], "user_id": world.user("resident").pk},
            admin,
        ),
        400,
        field="user_id",
    )
    error(
        post(
            client,
            "/experts",
            {"name": "李专家", "specialties": ["elderly"], "employer_unit_id": 999999},
            admin,
        ),
        400,
        field="employer_unit_id",
    )
    resp = post(
        client,
        "/experts",
        {
            "name": "李专家",
            "specialties": ["elderly", "disability"],
            "title": "教授",
            "employer_unit_id": world.unit("310105-002").pk,
            "user_id": login.pk,
        },
        admin,
    )
    assert resp.status_code == 201, resp.content
    expert = resp.json()
    assert expert["specialties"] == ["disability", "elderly"] and expert["ties"] == []
    assert expert["user_id"] == login.pk

    org = world.actor("provider").organization
    ties = f"/experts/{expert['id']}/ties"
    error(
        post(client, ties, {"organization_id": org.pk, "kind": "friend"}, admin), 400, field="kind"
    )
    error(
        post(client, ties, {"organization_id": 999999, "kind": "employee"}, admin),
        400,
        field="organization_id",
    )
    error(
        post(
            client,
            ties,
            {
                "organization_id": org.pk,
                "kind": "employee",
                "started_on": "2024-01-01",
                "ended_on": "2023-01-01",
            },
            admin,
        ),
        400,
        field="ended_on",
    )
    error(
        post(client, ties, {"organization_id": org.pk, "kind": "employee"}, token_for("purchaser")),
        403,
    )
    error(
        post(
            client, "/experts/999999/ties", {"organization_id": org.pk, "kind": "employee"}, admin
        ),
        404,
    )
    resp = post(
        client,
        ties,
        {"organization_id": org.pk, "kind": "employee", "started_on": "2022-03-01"},
        admin,
    )
    assert resp.status_code == 201 and resp.json()["organization"]["name"] == org.name

    ids, cursor = [], ""
    while True:
        page = get(client, f"/experts?limit=2&cursor={cursor}", admin).json()
        assert len(page["items"]) <= 2
        ids += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert ids == list(Expert.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) >= 4
    found = get(client, "/experts?q=李专家", admin).json()["items"]
    assert [e["id"] for e in found] == [expert["id"]]
    assert found[0]["ties"][0]["kind"] == "employee"


# --- expert pool maintenance -----------------------------------------------------------------------


def test_expert_update_and_deactivate(world, client, token_for):
    from caidan.audit.models import AuditEvent

    admin = token_for("admin")
    expert = expert_pool(world, 1)[0]
    url = f"/experts/{expert.pk}"

    error(call(client, "PATCH", url, {"title": "教授"}), 401)
    error(call(client, "PATCH", url, {"title": "教授"}, token_for("purchaser")), 403)
    error(call(client, "PATCH", url, {"title": "教授"}, token_for("expert")), 403)
    error(call(client, "PATCH", "/experts/999999", {"title": "教授"}, admin), 404)
    error(call(client, "PATCH", url, {"specialties": ["cooking"]}, admin), 400, field="specialties")
    error(call(client, "PATCH", url, {"specialties": []}, admin), 400, field="specialties")
    error(call(client, "PATCH", url, {"name": None}, admin), 400, field="name")
    error(call(client, "PATCH", url, {"name": "  "}, admin), 400, field="name")
    error(
        call(client, "PATCH", url, {"employer_unit_id": 999999}, admin),
        400,
        field="employer_unit_id",
    )
    error(
        call(client, "PATCH", url, {"user_id": world.user("resident").pk}, admin),
        400,
        field="user_id",
    )
    expert.refresh_from_db()
    assert expert.title == "高级社工师" and expert.specialties == ["elderly"]

    unit = world.unit("310105-002")
    resp = call(
        client,
        "PATCH",
        url,
        {
            "title": "教授",
            "specialties": ["elderly", "disability"],
            "employer_name": "某社会工作学院",
            "employer_unit_id": unit.pk,
        },
        admin,
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["title"] == "教授" and body["specialties"] == ["disability", "elderly"]
    assert body["employer_unit_id"] == unit.pk and body["employer_name"] == "某社会工作学院"
    assert body["name"] == expert.name  # omitted: unchanged
    event = AuditEvent.objects.filter(kind="expert.updated").latest("seq")
    assert event.old == {
        "title": "高级社工师",
        "specialties": ["elderly"],
        "employer_name": "",
        "employer_unit": None,
    }
    resp = call(client, "PATCH", url, {"employer_unit_id": None}, admin)
    assert resp.status_code == 200 and resp.json()["employer_unit_id"] is None

    deactivate = f"/experts/{expert.pk}/deactivate"
    error(post(client, deactivate), 401)
    error(post(client, deactivate, headers=token_for("purchaser")), 403)
    error(post(client, deactivate, headers=token_for("auditor")), 403)
    error(post(client, "/experts/999999/deactivate", headers=admin), 404)
    resp = post(client, deactivate, headers=admin)
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    expert.refresh_from_db()
    assert expert.is_active is False
    error(post(client, deactivate, headers=admin), 409, "already_inactive")
    inactive = get(client, "/experts?active=false", admin).json()["items"]
    assert expert.pk in [e["id"] for e in inactive]
    active = get(client, "/experts?active=true&limit=100", admin).json()["items"]
    assert expert.pk not in [e["id"] for e in active]
    resp = call(client, "PATCH", url, {"is_active": True}, admin)  # back in the pool
    assert resp.status_code == 200 and resp.json()["is_active"] is True
