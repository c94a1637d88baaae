"""The legal edges of issue 15 (DOMAIN §4.7), each at its boundary:

11. who asked or bid stays secret until opening, from everyone (招标投标法 §22).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from caidan.common.errors import Conflict
from caidan.notifications.models import Notification
from caidan.procurement.services import clarification_ask

from .api_helpers import API
from .factories import make_bidders, open_now, published_tender, submit_bids

pytestmark = pytest.mark.django_db

AUDIT_API = "/api/v1/audit"


# --- 11. who has bid stays secret until opening ---------------------------------------------------


@pytest.fixture
def sealed(world):
    """A published tender (fixed clock) with a question and two sealed bids."""
    tender = published_tender(world)
    bidders = make_bidders(world, 2)
    clarification_ask(
        tender=tender,
        organization=bidders[0].org,
        question="服务对象名单何时提供？",
        actor=bidders[0].actor,
        now=tender.published_at + dt.timedelta(days=1),
    )
    submit_bids(world, tender, ["800000.00", "900000.00"], bidders=bidders)
    return tender, bidders


def _audit_texts(client, tender, headers):
    events = client.get(
        f"{AUDIT_API}/events?target_type=procurement.tender&target_id={tender.pk}&limit=100",
        **headers,
    )
    assert events.status_code == 200, events.content
    return events.json()["items"], events.content.decode()


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_audit_log_withholds_bidders_until_opening(world, client, token_for, sealed, role):
    tender, bidders = sealed
    names = [b.org.name for b in bidders] + [b.user.get_full_name() for b in bidders]
    items, text = _audit_texts(client, tender, token_for(role))
    bid_events = [e for e in items if e["kind"] in ("bid.submitted", "clarification.asked")]
    assert len(bid_events) == 3
    assert all(e["actor"] == "供应商（开标前不公开）" and e["hash"] == "" for e in bid_events)
    assert all(
        e["new"]["organization"] == "（不公开）" for e in bid_events if "organization" in e["new"]
    )
    assert not any(n in text for n in names)
    # filtering by a bidder's account does not reveal its events either
    by_actor = client.get(
        f"{AUDIT_API}/events?actor={bidders[0].user.username}", **token_for(role)
    ).json()["items"]
    assert by_actor == []
    # the web audit page
    client.force_login(world.user("admin" if role == "admin" else "auditor"))
    html = client.get(f"/audit/?target_type=procurement.tender&target_id={tender.pk}")
    assert html.status_code == 200
    page = html.content.decode()
    assert "供应商（开标前不公开）" in page and not any(n in page for n in names)
    # after opening everything is shown again
    open_now(tender)
    items, text = _audit_texts(client, tender, token_for(role))
    submitted = [e for e in items if e["kind"] == "bid.submitted"]
    assert {e["actor"] for e in submitted} == {b.user.get_full_name() for b in bidders}
    assert {e["new"]["organization"] for e in submitted} == {b.org.pk for b in bidders}
    assert all(e["hash"] for e in items)
    assert client.get(
        f"{AUDIT_API}/events?actor={bidders[0].user.username}", **token_for(role)
    ).json()["items"]


def test_the_purchaser_learns_nobody_before_opening(world, client, token_for, login, sealed):
    tender, bidders = sealed
    names = [b.org.name for b in bidders] + [b.user.get_full_name() for b in bidders]
    headers = token_for("purchaser")
    # API: questions without the asker, history without bids (their number leaks too)
    questions = client.get(f"{API}/tenders/{tender.pk}/clarifications", **headers).json()
    assert questions[0]["asked_by"] is None
    history = client.get(f"{API}/tenders/{tender.pk}/history", **headers).json()
    assert not any(e["kind"].startswith("bid.") for e in history)
    asked = next(e for e in history if e["kind"] == "clarification.asked")
    assert asked["actor_label"] == "供应商（开标前不公开）"
    text = json.dumps([questions, history], ensure_ascii=False)
    assert not any(n in text for n in names)
    # the notification of the question names nobody
    notes = Notification.objects.filter(kind="tender.question")
    assert notes.exists()
    assert not any(n in note.body + note.title for note in notes for n in names)
    # pages
    c = login("purchaser")
    for url in (
        f"/procurement/tenders/{tender.pk}/",
        f"/procurement/tenders/{tender.pk}/questions/",
    ):
        html = c.get(url).content.decode()
        assert not any(n in html for n in names), url
        assert "递交密封投标" not in html
    # after opening the purchaser sees who asked and bid
    open_now(tender)
    questions = client.get(f"{API}/tenders/{tender.pk}/clarifications", **headers).json()
    assert questions[0]["asked_by"]["name"] == bidders[0].org.name
    history = client.get(f"{API}/tenders/{tender.pk}/history", **headers).json()
    assert sum(e["kind"] == "bid.submitted" for e in history) == 2


def test_another_provider_and_the_asker(world, client, token_for, login, sealed):
    tender, bidders = sealed
    other = make_bidders(world, 1)[0]
    client.force_login(other.user)
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert bidders[0].org.name not in html and "服务对象名单何时提供" not in html
    assert (
        client.get(f"{API}/tenders/{tender.pk}/history", **token_for("provider")).status_code == 403
    )
    # the asker still sees its own question
    client.force_login(bidders[0].user)
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert "服务对象名单何时提供" in html and 'data-testid="my-questions"' in html


def test_recusal_request_notification_names_nobody_before_opening(world, sealed):
    from caidan.procurement.services import recusal_request

    tender, bidders = sealed
    recusal_request(
        tender=tender,
        organization=bidders[1].org,
        reason="某专家曾在另一投标人处任职",
        actor=bidders[1].actor,
    )
    note = Notification.objects.get(kind="panel.recusal_requested")
    assert bidders[1].org.name not in note.body and "开标前不公开" in note.body


def test_question_time_follows_the_given_clock(world):
    tender = published_tender(world)
    bidder = make_bidders(world, 1)[0]
    at = tender.deadline - dt.timedelta(seconds=1)
    c = clarification_ask(
        tender=tender, organization=bidder.org, question="最后一秒", actor=bidder.actor, now=at
    )
    c.refresh_from_db()
    assert c.asked_at == at
    with pytest.raises(Conflict):
        clarification_ask(
            tender=tender,
            organization=bidder.org,
            question="截止时",
            actor=bidder.actor,
            now=tender.deadline,
        )
