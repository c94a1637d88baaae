"""The procurement pages of the expert pool: the admin manages it, edits and deactivates an
expert; the list is paginated and its query count bounded."""

from __future__ import annotations

import pytest

from caidan.accounts.models import Membership
from caidan.procurement.models import Expert, ExpertTie

from . import factories
from .view_helpers import _html

pytestmark = pytest.mark.django_db


# --- the expert pool --------------------------------------------------------------------------


def test_admin_manages_the_expert_pool(world, login):
    c = login("admin")
    response = c.get("/procurement/experts/")
    assert response.status_code == 200
    bad = c.post("/procurement/experts/", {"name": "", "specialties": []})
    assert bad.status_code == 200 and set(bad.context["form"].errors) >= {"name", "specialties"}
    response = c.post(
        "/procurement/experts/",
        {"name": "杨评审", "specialties": ["elderly"], "title": "教授", "employer_name": "某大学"},
    )
    expert = Expert.objects.get(name="杨评审")
    assert response.status_code == 302 and response.url == f"/procurement/experts/{expert.pk}/"
    assert "杨评审" in _html(c.get("/procurement/experts/?q=杨"))
    assert "杨评审" not in _html(c.get("/procurement/experts/?q=不存在"))

    org = Membership.objects.get(user__username="provider").organization
    url = f"/procurement/experts/{expert.pk}/"
    response = c.post(
        url,
        {
            "organization": org.pk,
            "kind": "employee",
            "started_on": "2024-05-01",
            "ended_on": "2023-01-01",
        },
    )
    assert response.status_code == 200 and "早于起始日期" in _html(response)
    response = c.post(url, {"organization": org.pk, "kind": "employee", "started_on": "2023-01-01"})
    assert response.status_code == 302
    tie = ExpertTie.objects.get(expert=expert)
    assert tie.organization == org and tie.kind == "employee"
    assert org.name in _html(c.get(url))

    assert login("purchaser").get("/procurement/experts/").status_code == 403
    assert login("expert").get(url).status_code == 403


def test_expert_pool_is_paginated(world, login):
    factories.make_expert_pool(world, n=25)
    c = login("admin")
    page = c.get("/procurement/experts/").context["page"]
    assert len(page.items) == 20 and page.next_cursor
    assert c.get(f"/procurement/experts/?cursor={page.next_cursor}").status_code == 200


def test_admin_edits_and_deactivates_an_expert(world, login, client):
    from caidan.audit.models import AuditEvent

    expert = factories.make_expert_pool(world, n=1)[0]
    url = f"/procurement/experts/{expert.pk}/"
    c = login("admin")
    html = _html(c.get(url))
    assert 'data-testid="expert-edit"' in html and f'value="{expert.name}"' in html
    assert 'data-testid="deactivate"' in html and "确定出库" in html

    response = c.post(f"{url}edit/", {"name": "", "specialties": []})
    assert response.status_code == 200
    assert set(response.context["edit_form"].errors) >= {"name", "specialties"}
    response = c.post(f"{url}edit/", {"name": "改名", "specialties": ["cooking"]})
    assert response.context["edit_form"].errors["specialties"]
    expert.refresh_from_db()
    assert expert.name != "改名"

    unit = world.unit("310105-002")
    response = c.post(
        f"{url}edit/",
        {
            "name": "杨教授",
            "title": "教授",
            "specialties": ["elderly", "disability"],
            "employer_name": "某社会工作学院",
            "employer_unit": str(unit.pk),
        },
    )
    assert response.status_code == 302 and response.url == url
    expert.refresh_from_db()
    assert (expert.name, expert.title, expert.employer_name) == ("杨教授", "教授", "某社会工作学院")
    assert expert.specialties == ["disability", "elderly"] and expert.employer_unit == unit
    event = AuditEvent.objects.filter(kind="expert.updated").latest("seq")
    assert event.new["name"] == "杨教授" and event.new["employer_unit"] == unit.pk
    html = _html(c.get(url))
    assert "杨教授" in html and unit.name in html

    for user in ("purchaser", "expert", "auditor"):
        other = login(user)
        assert (
            other.post(f"{url}edit/", {"name": "x", "specialties": ["elderly"]}).status_code == 403
        )
        assert other.post(f"{url}deactivate/").status_code == 403
    c = login("admin")
    assert c.post("/procurement/experts/999999/edit/", {"name": "x"}).status_code == 404
    assert c.get(f"{url}deactivate/").status_code == 405  # a POST with the confirmation
    expert.refresh_from_db()
    assert expert.name == "杨教授" and expert.is_active

    response = c.post(f"{url}deactivate/", follow=True)
    assert response.status_code == 200 and "已出库" in _html(response)
    expert.refresh_from_db()
    assert expert.is_active is False
    html = _html(c.get(url))
    assert 'data-testid="deactivate"' not in html and "不再被随机抽取" in html
    again = _html(c.post(f"{url}deactivate/", follow=True))
    assert "已不在库" in again
    client.logout()
    assert client.post(f"{url}deactivate/").status_code == 302


# --- query counts ---------------------------------------------------------------------------


def test_expert_pool_list_has_a_bounded_query_count(world, login, django_assert_max_num_queries):
    # Session, user, role, the page of experts (with login and unit), the units for the entry
    # form, the role switch and the inbox: 7 however many experts are on the page.
    factories.make_expert_pool(world, n=2)
    c = login("admin")
    with django_assert_max_num_queries(7):
        assert c.get("/procurement/experts/").status_code == 200
    factories.make_expert_pool(world, n=25)
    with django_assert_max_num_queries(7):
        response = c.get("/procurement/experts/")
    html = _html(response)
    assert len(response.context["page"].items) == 20
    assert html.count('href="/procurement/experts/') >= 20 and "pool-expert-" in html
    with django_assert_max_num_queries(7):
        assert c.get("/procurement/experts/?q=专家").status_code == 200
