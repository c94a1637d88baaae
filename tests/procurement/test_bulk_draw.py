"""Bulk expert draws (issue 19 §6: invite experts): several opened tenders' committees drawn
through ``panel_draw`` one by one, each audited; a tender drawn already or another unit's is
refused with its reason and stops nothing."""

from __future__ import annotations

import pytest

from caidan.audit.models import AuditEvent
from caidan.procurement.models import ExpertDraw
from caidan.procurement.services import panel_draw, panels_draw_bulk

from . import factories

pytestmark = pytest.mark.django_db


def test_mixed_batch_and_another_units_tender(world, django_assert_max_num_queries):
    factories.make_expert_pool(world, n=14)
    fresh = factories.opened_tender(world)
    drawn = factories.opened_tender(world)
    assert fresh.status == drawn.status == "evaluating"
    purchaser = world.actor("purchaser")
    panel_draw(tender=drawn, actor=purchaser)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    other = panels_draw_bulk(ids=[fresh.pk], actor=world.actor("purchaser2"))
    assert (other[0].ok, other[0].code, other[0].label) == (False, "not_found", f"#{fresh.pk}")
    assert not ExpertDraw.objects.filter(tender=fresh).exists()

    with django_assert_max_num_queries(150):
        outcomes = panels_draw_bulk(ids=[drawn.pk, fresh.pk, 99_999_999], actor=purchaser)
    assert [(o.id, o.ok) for o in outcomes] == [
        (drawn.pk, False),
        (fresh.pk, True),
        (99_999_999, False),
    ]
    assert outcomes[0].code == "already_drawn" and "已抽取" in outcomes[0].message
    assert ExpertDraw.objects.filter(tender=fresh).count() == 1
    assert ExpertDraw.objects.filter(tender=drawn).count() == 1  # nothing more for the refused
    new = AuditEvent.objects.filter(pk__gt=last)
    assert new.exists() and not new.filter(target_id=str(drawn.pk)).exists()


def test_bulk_draw_page_and_api(world, login, token_for):
    from django.test import Client

    factories.make_expert_pool(world, n=9)
    tender = factories.opened_tender(world)
    page = login("purchaser")
    listing = page.get("/procurement/?status=evaluating").content.decode()
    assert f'data-testid="pick-tender-{tender.pk}"' in listing
    confirm = page.post("/procurement/tenders/bulk/draw/", {"ids": [tender.pk]})
    assert confirm.status_code == 200 and tender.title in confirm.content.decode()
    assert not ExpertDraw.objects.filter(tender=tender).exists()
    done = page.post("/procurement/tenders/bulk/draw/", {"ids": [tender.pk], "confirm": "1"})
    assert [o.ok for o in done.context["outcomes"]] == [True]
    url = "/api/v1/procurement/bulk/draws"
    api = Client()
    again = api.post(
        url, {"tender_ids": [tender.pk]}, content_type="application/json", **token_for("purchaser")
    )
    assert again.status_code == 200 and again.json()["results"][0]["code"] == "already_drawn"
    assert (
        api.post(url, {"tender_ids": [tender.pk]}, content_type="application/json").status_code
        == 401
    )
    for user in ("provider", "expert", "admin"):
        resp = api.post(
            url, {"tender_ids": [tender.pk]}, content_type="application/json", **token_for(user)
        )
        assert resp.status_code == 403, user
    bad = api.post(
        url, {"tender_ids": ["x"]}, content_type="application/json", **token_for("purchaser")
    )
    assert bad.status_code == 400 and bad.json()["detail"]["field"] == "tender_ids"
