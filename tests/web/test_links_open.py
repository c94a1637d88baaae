"""Links people can open (issue 20): a page shows a link only when the person may open it.

After ``seed_demo --midyear``, every demo role (and an expert seated on a panel) opens its
main pages — the dashboard, its calendar, its navigation and the pages of its waiting
steps, the same pages the layout and English tests visit — and every internal link on
them, one level down, must answer something other than 403 for that person: a link that
leads to "you may not open this page" is a link the page should not have shown. Bounded:
the links of the main pages only (not the links of the linked pages), each visited once.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.core.management import call_command

from caidan.demo.data import ACCOUNTS
from tests.browser.test_responsive import SHARED_VIEWERS, _details, _own_pages, _shared_pages

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)')
NAV = re.compile(r"<nav\b.*?</nav>", re.S)
# Not pages to open: leaving, switching language, files and the API.
SKIP = ("/logout", "/i18n/", "/static/", "/media/", "/api/", "/admin/")


def links(html: str) -> list[str]:
    """The internal links of a page (query kept, fragment dropped), in order, once each."""
    seen: dict[str, None] = {}
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&")
        if not any(part in href for part in SKIP):
            seen.setdefault(href, None)
    return list(seen)


def _nav_links(html: str) -> list[str]:
    match = NAV.search(html)
    return HREF.findall(match.group(0)) if match else []


def test_links_are_found_once_without_fragments():
    html = (
        '<a href="/a/">a</a><a href="/a/#x">again</a><a href="/b/?q=1&amp;p=2">b</a>'
        '<a href="https://example.org/">out</a><a href="/logout/">out</a>'
    )
    assert links(html) == ["/a/", "/b/?q=1&p=2"]


def test_every_link_on_a_roles_main_pages_opens_for_that_role(client, world, login):
    call_command("seed_demo", "--midyear", verbosity=0)
    d = _details()
    public_nav = _nav_links(client.get("/").content.decode())
    shared = _shared_pages(public_nav, d)
    forbidden: dict[str, set[str]] = defaultdict(set)
    visited = 0
    for username in [a.username for a in ACCOUNTS] + [d["seated_expert"]]:
        client.cookies.clear()
        c = login(username)
        nav = _nav_links(c.get("/dashboard/").content.decode())
        pages = _own_pages(username, nav, public_nav, d)
        if username in SHARED_VIEWERS:
            pages += [p for p in shared if p not in pages]
        found: dict[str, str] = {}
        for page in pages:
            response = c.get(page, follow=True)
            assert response.status_code != 403, f"{username}: main page {page} is 403"
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for href in links(response.content.decode()):
                found.setdefault(href, page)
        for href, where in found.items():
            visited += 1
            if c.get(href).status_code == 403:
                forbidden[f"{username}: {href}"].add(where)
    assert visited > 200  # the walk reached the pages, not only the dashboards
    report = [
        f"{link}  ← on {', '.join(sorted(where))}" for link, where in sorted(forbidden.items())
    ]
    assert not report, f"{len(report)} link(s) answer 403 for the person shown them:\n" + "\n".join(
        report
    )


def test_the_audit_log_links_a_draft_only_for_those_who_may_open_it(world):
    """A draft proposal is its drafter's alone: the log names it for the admin and the
    auditor without a link; once submitted, the link is back."""
    import datetime as dt

    from caidan.audit.describe import describe
    from caidan.audit.models import AuditEvent
    from caidan.catalog.models import CatalogItem
    from caidan.projects.inputs import ProposalInput
    from caidan.projects.services import proposal_create, proposal_submit

    item = CatalogItem.objects.filter(level=3, version__status="published").order_by("id").first()
    year = dt.date.today().year + 1
    p = proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        proposing_organization=None,
        data=ProposalInput.parse(
            title="独居老人探访服务",
            catalog_item=item,
            budget="1000.00",
            funding=[{"source": "fiscal", "amount": "1000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            outputs=[{"name": "上门探访", "target": "12", "unit": "人次"}],
        ),
    )
    events = AuditEvent.objects.filter(target_type="projects.proposal", target_id=str(p.pk))
    url = f"/projects/proposals/{p.pk}/"
    for who in ("admin", "auditor"):
        assert [v.url for v in describe(events, actor=world.actor(who))] == [None], who
    assert [v.url for v in describe(events, actor=world.actor("purchaser"))] == [url]
    assert [v.url for v in describe(events)] == [url]  # no reader (the Excel export)
    proposal_submit(proposal=p, actor=world.actor("purchaser"))
    assert [v.url for v in describe(events, actor=world.actor("admin"))] == [url]


def test_a_purchasers_calendar_links_its_proposal_not_the_committees_session(world):
    """The review meeting of a purchaser's proposal is on its calendar, linked to the
    proposal (the session's page is the committee's); a member's entry opens the session."""
    import datetime as dt

    from django.utils import timezone

    from caidan.projects.services import (
        proposal_submit,
        review_session_add_proposal,
        review_session_create,
    )
    from caidan.projects.todo import sessions
    from tests.accounts.test_workbench import _draft_proposal

    proposal = _draft_proposal(world)
    proposal_submit(proposal=proposal, actor=world.actor("purchaser"))
    session = review_session_create(
        title="审定会议（日历测试）",
        unit=world.unit("310105"),
        meeting_at=timezone.now() + dt.timedelta(days=2),
        members=[world.user("committee")],
        actor=world.actor("admin"),
    )
    review_session_add_proposal(session=session, proposal=proposal, actor=world.actor("admin"))
    today = timezone.localdate()
    week = (today, today + dt.timedelta(days=7))
    ours = f"session-{session.pk}-"
    mine = [e for e in sessions(world.actor("purchaser"), *week) if e.key.startswith(ours)]
    assert [e.url for e in mine] == [f"/projects/proposals/{proposal.pk}/"]
    assert mine[0].label == f"{session.title} · {proposal.title}"
    members = sessions(world.actor("committee"), *week)
    assert f"/projects/sessions/{session.pk}/" in [e.url for e in members]


def test_the_audit_log_links_an_account_only_for_account_managers(world):
    from caidan.audit.describe import describe
    from caidan.audit.models import AuditEvent

    event = AuditEvent.objects.filter(target_type="accounts.user").order_by("id").first()
    url = f"/accounts/users/{event.target_id}/"
    assert [v.url for v in describe([event], actor=world.actor("admin"))] == [url]
    assert [v.url for v in describe([event], actor=world.actor("auditor"))] == [None]
