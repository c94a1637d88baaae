"""Shared by the procurement API tests (``test_api_*.py`` and others): requests to
``/api/v1/procurement`` and checks of their answers, token headers for a factory-made
person, an expert pool with logins."""

from __future__ import annotations

import uuid

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role
from caidan.procurement.inputs import ExpertInput

API = "/api/v1/procurement"


# --- helpers ------------------------------------------------------------------------------------


def bearer(user, role: str | None = None) -> dict[str, str]:
    """Token headers for a person made by the factories (what ``token_for`` does for the
    demo users)."""
    from caidan.accounts.services import api_token_create

    _, raw = api_token_create(actor=Actor(user=user), name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if role:
        membership = Membership.objects.get(user=user, role=role)
        headers["HTTP_X_CAIDAN_ROLE"] = str(membership.pk)
    return headers


def call(client, method: str, path: str, data=None, headers=None):
    fn = getattr(client, method.lower())
    kwargs = dict(headers or {})
    if method.upper() != "GET":
        kwargs.update(data=data if data is not None else {}, content_type="application/json")
    return fn(f"{API}{path}", **kwargs)


def post(client, path, data=None, headers=None):
    return call(client, "POST", path, data, headers)


def get(client, path, headers=None):
    return call(client, "GET", path, headers=headers)


def error(resp, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert resp.status_code == status, resp.content[:500]
    body = resp.json()
    assert set(body) == {"code", "message", "detail"} and body["message"]
    if code:
        assert body["code"] == code, body
    if field:
        assert body["detail"].get("field") == field, body
    return body


def expert_pool(world, n: int) -> list:
    """``n`` experts with logins (``factories.make_expert_pool`` names its users
    ``expert{k}``, which can collide with the demo's ``expert2``…``expert9``)."""
    from caidan.accounts.services import membership_grant, user_create
    from caidan.procurement.services.experts import expert_create

    experts = []
    for _ in range(n):
        k = uuid.uuid4().hex[:8]
        user = user_create(
            username=f"api-expert-{k}",
            password="x",
            display_name=f"专家{k}",
            actor=world.system,
            validate_password=False,
        )
        membership_grant(user=user, role=Role.EXPERT, actor=world.system)
        experts.append(
            expert_create(
                actor=world.actor("admin"),
                data=ExpertInput.parse(
                    name=f"评审专家{k}", specialties=["elderly"], title="高级社工师", user=user
                ),
            )
        )
    return experts
