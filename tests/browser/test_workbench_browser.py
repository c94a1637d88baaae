"""The workbench in a browser (issue 19, "Done when"): after ``seed_demo --midyear`` each demo
role of ``WHERE_TO_CLICK`` finds its waiting steps on the 工作台 with a count (and the due
date where the law sets one), at desktop size and at 390 × 844; the committee member, the
provider and the purchaser each follow a link and do the step, and the item and its
notification are gone; the same deadline is in the month calendar and in the iCal feed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# docs/walkthrough.md shows the purchaser's 工作台 and a phone calendar from here
# (generated, not committed, like the journey's screenshots).
SHOTS = Path(__file__).resolve().parents[2] / "var" / "e2e"

# WHERE_TO_CLICK (caidan/demo/midyear/plan.py) → the kinds its steps are on the 工作台, and
# those of them that carry a legal due date.
EXPECTED = {
    "purchaser": {
        "projects:submit": False,  # a drafted proposal to submit
        "procurement:start": False,  # the approved one to put out to tender
        "contracts:report_review": False,  # a progress report to review
        "contracts:sign": True,  # a contract to sign
        "enquiries:answer": True,  # a resident's suggestion waiting for an answer
    },
    "committee": {"projects:vote": True},  # an open review session waiting for the vote
    "provider": {
        "contracts:sign": True,  # a contract to sign
        "contracts:report_submit": True,  # a mid-term report due
        "procurement:challenge_window": True,  # a lost bid: the challenge window is open
    },
    "evaluator": {"evaluations:score": True},  # a mid-term evaluation to score
}
NOTHING_TO_DO = ["resident", "auditor"]  # an answer to read, a log to read: no step waits


def _items(page) -> dict[str, dict]:
    out = {}
    for li in page.locator("[data-testid=todo-item]").all():
        due = li.locator(".wb-head [data-testid=todo-due]")
        out[li.get_attribute("data-kind")] = {
            "count": li.locator("[data-testid=todo-count]").inner_text(),
            "due": due.get_attribute("data-due") if due.count() else None,
            "href": li.locator("[data-testid=todo-link]").get_attribute("href"),
        }
    return out


def _fits(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def _check_dashboard(page, base, username, expected):
    page.goto(base + "/dashboard/")
    items = _items(page)
    for kind, dated in expected.items():
        assert kind in items, (username, kind, sorted(items))
        assert items[kind]["count"].split()[0].isdigit(), items[kind]
        assert int(items[kind]["count"].split()[0]) >= 1
        if dated:
            assert items[kind]["due"], (username, kind)
    assert _fits(page), (username, "the 工作台 scrolls sideways")
    return items


def _calendar_and_feed(page, base, due: str, href: str) -> None:
    """The deadline is on its day in the month view, and in the iCal feed made there."""
    day = dt.date.fromisoformat(due)
    page.goto(f"{base}/calendar/me/?month={day:%Y-%m}")
    entry = page.locator(f"[data-testid=cal-entry][data-day='{due}'][href='{href}']")
    assert entry.count() >= 1, (due, href)
    assert entry.first.is_visible()
    assert _fits(page), "the calendar scrolls sideways"
    page.get_by_test_id("feed-create").click()
    url = page.get_by_test_id("feed-url").inner_text().strip()
    resp = page.context.request.get(url)
    assert resp.status == 200 and resp.headers["content-type"].startswith("text/calendar")
    assert f"DTSTART;VALUE=DATE:{day:%Y%m%d}" in resp.text()


def _open_tasks(username: str, task_prefix: str) -> int:
    from caidan.notifications.models import Notification

    return Notification.objects.filter(
        recipient__username=username, task__startswith=task_prefix, done_at__isnull=True
    ).count()


def test_each_role_finds_does_and_loses_its_waiting_steps(browser, live_server, world):
    from caidan.demo.midyear import waiting_experts

    call_command("seed_demo", "--midyear", verbosity=0)
    base = live_server.url
    expected = dict(EXPECTED)
    for expert in waiting_experts():
        expected[expert] = {"procurement:score": False}  # no legal deadline for the scoring

    for username, kinds in expected.items():
        for phone in (False, True):
            page = staff(browser, base, username, phone=phone)
            _check_dashboard(page, base, username, kinds)
            if username == "purchaser":
                SHOTS.mkdir(parents=True, exist_ok=True)
                size = "phone" if phone else "desktop"
                page.screenshot(path=str(SHOTS / f"workbench-{size}.png"), full_page=True)
            page.context.close()
    for username in NOTHING_TO_DO:
        page = staff(browser, base, username, phone=True)
        assert page.get_by_test_id("todo-empty").is_visible()
        page.context.close()

    # The committee member, on a phone: the vote is in the calendar and the feed, then cast.
    page = staff(browser, base, "committee", phone=True)
    vote = _check_dashboard(page, base, "committee", expected["committee"])["projects:vote"]
    _calendar_and_feed(page, base, vote["due"], vote["href"])
    page.goto(f"{base}/calendar/me/?month={vote['due'][:7]}")
    page.screenshot(path=str(SHOTS / "workbench-calendar-phone.png"), full_page=True)
    assert _open_tasks("committee", "review_vote:") >= 1
    page.goto(base + "/dashboard/")
    page.locator("[data-kind='projects:vote'] [data-testid=todo-link]").click()
    page.get_by_role("button", name="赞成").first.click()
    page.goto(base + "/dashboard/")
    assert "projects:vote" not in _items(page)
    assert _open_tasks("committee", "review_vote:") == 0
    page.context.close()

    # The provider, at a desk: the contract its 工作台 links (the most urgent: the demo leaves
    # more than one to sign, stage 7's and lot 1's of the tender in lots), then signed; that
    # contract's step and notification are gone, the others stay.
    from caidan.contracts.models import Contract

    page = staff(browser, base, "provider")
    sign = _check_dashboard(page, base, "provider", expected["provider"])["contracts:sign"]
    _calendar_and_feed(page, base, sign["due"], sign["href"])
    page.goto(f"{base}/calendar/me/?month={sign['due'][:7]}")
    page.screenshot(path=str(SHOTS / "workbench-calendar-desktop.png"), full_page=True)
    contract = Contract.objects.get(pk=int(sign["href"].rstrip("/").split("/")[-2]))
    assert sign["href"] == f"/contracts/{contract.pk}/sign/"
    waiting = int(sign["count"].split()[0])
    assert _open_tasks("provider", "contract_sign:") == waiting
    its_task = f"contract_sign:contract:{contract.pk}:provider"
    assert _open_tasks("provider", its_task) == 1
    page.goto(base + "/dashboard/")
    page.locator("[data-kind='contracts:sign'] [data-testid=todo-link]").click()
    page.get_by_role("button", name="确认签订").click()
    page.goto(base + "/dashboard/")
    contract.refresh_from_db()
    assert contract.provider_signed_at is not None
    after = _items(page).get("contracts:sign")
    if waiting == 1:
        assert after is None
    else:
        assert after is not None and after["href"] != sign["href"]
        assert int(after["count"].split()[0]) == waiting - 1
    assert _open_tasks("provider", its_task) == 0
    assert _open_tasks("provider", "contract_sign:") == waiting - 1
    page.context.close()

    # The purchaser, on a phone: the drafted proposal, submitted.
    page = staff(browser, base, "purchaser", phone=True)
    items = _check_dashboard(page, base, "purchaser", expected["purchaser"])
    before = int(items["projects:submit"]["count"].split()[0])
    page.locator("[data-kind='projects:submit'] [data-testid=todo-link]").click()
    page.get_by_role("button", name="申报", exact=True).click()
    page.goto(base + "/dashboard/")
    after = _items(page).get("projects:submit")
    assert after is None or int(after["count"].split()[0]) == before - 1
    page.context.close()
