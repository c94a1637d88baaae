"""Whether a tender still takes bids, as the API says it (``bidding_open``, ``phase``,
``phase_label`` on the list and the detail) and the page says it (the status tag): one rule,
``models.tender_phase``. A published tender keeps its status until the tick opens it, so
between its deadline and the opening only the phase tells that bidding has closed.

The boundary is the bid service's: a bid one second before the deadline is accepted, a bid at
the deadline itself is late (``services.bids.accepting_bids``: ``now < deadline``)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from caidan.common.errors import Conflict
from caidan.procurement.models import BIDS_CLOSED, tender_phase

from .api_helpers import get
from .factories import make_bidders, open_now, published_tender, submit_bids
from .lots_helpers import lots_of, lotted_draft, publish
from .view_helpers import _html

pytestmark = pytest.mark.django_db

OPEN_LABEL = "公告中（接受投标）"
CLOSED_LABEL = "投标已截止，等待开标"
LOTS_CLOSED_LABEL = "投标已截止，各分包分别开标、评审"


def _listed(client, tender) -> dict:
    items = get(client, "/tenders?limit=100").json()["items"]
    return next(item for item in items if item["id"] == tender.pk)


def _seen(client, tender) -> tuple[dict, dict, str]:
    """The tender in the public list, its detail and the page's status tag."""
    detail = get(client, f"/tenders/{tender.pk}").json()
    page = _html(client.get(f"/procurement/tenders/{tender.pk}/"))
    tag = page.split('data-testid="tender-status">')[1].split("<")[0]
    return _listed(client, tender), detail, tag


def _phase(row: dict) -> tuple:
    return row["status"], row["bidding_open"], row["phase"], row["phase_label"]


def _bid(world, tender, bidder):
    """One bid on ``tender`` at the (travelled) server clock: accepted or refused."""
    try:
        submit_bids(world, tender, ["300000.00"], bidders=[bidder])
    except Conflict as exc:
        return exc.code
    return "accepted"


@pytest.mark.parametrize("kind", ["single", "lot"])
def test_bidding_closes_at_the_deadline_for_the_api_the_page_and_the_bid(world, client, kind):
    """One second before the deadline bids are accepted and everyone says so; at the
    deadline itself and after it, the bid is refused and the list, the detail and the page
    all say bidding has closed, while the status stays "published" until the opening."""
    if kind == "single":
        tender = published_tender(world)
    else:
        tender = lots_of(publish(world, lotted_draft(world)))[0]
    (bidder,) = make_bidders(world, 1)
    deadline = tender.deadline
    opened = ("published", True, "published", OPEN_LABEL)
    closed = ("published", False, BIDS_CLOSED, CLOSED_LABEL)
    for moment, expected, bid in [
        (deadline - dt.timedelta(seconds=1), opened, "accepted"),
        (deadline, closed, "deadline_passed"),
        (deadline + dt.timedelta(hours=1), closed, "deadline_passed"),
    ]:
        with time_machine.travel(moment, tick=False):
            listed, detail, tag = _seen(client, tender)
            assert _phase(listed) == expected, moment
            assert _phase(detail) == expected, moment
            assert tag == expected[3]
            assert _bid(world, tender, bidder) == bid, moment
    # the tick opens it: the status changes, and the phase is the status again
    tender = open_now(tender)
    with time_machine.travel(deadline + dt.timedelta(hours=2), tick=False):
        listed, detail, tag = _seen(client, tender)
    assert _phase(listed) == _phase(detail)
    assert detail["status"] != "published" and detail["phase"] == detail["status"]
    assert (
        detail["bidding_open"] is False and tag == detail["status_label"] == detail["phase_label"]
    )


def test_a_tender_in_lots_takes_bids_on_its_lots_until_the_deadline(world, client):
    """The tender in lots: open until its deadline (its lots take the bids, so its own
    ``affordances.accepting_bids`` stays false), then closed for good — it is never opened
    itself; each lot in its ``lots`` says the same as the lot's own detail."""
    parent = publish(world, lotted_draft(world))
    before = parent.deadline - dt.timedelta(seconds=1)
    with time_machine.travel(before, tick=False):
        listed, detail, tag = _seen(client, parent)
    assert _phase(listed) == _phase(detail) == ("published", True, "published", OPEN_LABEL)
    assert detail["affordances"]["accepting_bids"] is False
    assert [(lot["bidding_open"], lot["phase"]) for lot in detail["lots"]] == [
        (True, "published")
    ] * 2
    with time_machine.travel(parent.deadline, tick=False):
        listed, detail, tag = _seen(client, parent)
        page = _html(client.get(f"/procurement/tenders/{parent.pk}/"))
    closed = ("published", False, BIDS_CLOSED, LOTS_CLOSED_LABEL)
    assert _phase(listed) == _phase(detail) == closed and tag == LOTS_CLOSED_LABEL
    assert {(lot["bidding_open"], lot["phase_label"]) for lot in detail["lots"]} == {
        (False, CLOSED_LABEL)
    }
    lots = page.split('data-testid="lots"')[1]
    assert lots.count(CLOSED_LABEL) == 2 and OPEN_LABEL not in lots  # each lot's row

    one = open_now(lots_of(parent)[0])  # one lot opened (too few bids: it fails), not the other
    with time_machine.travel(parent.deadline + dt.timedelta(hours=1), tick=False):
        detail = get(client, f"/tenders/{parent.pk}").json()
    assert _phase(detail) == closed
    rows = {lot["id"]: lot for lot in detail["lots"]}
    assert rows[one.pk]["phase"] == one.status != "published"
    assert [lot["phase"] for lot in rows.values() if lot["id"] != one.pk] == [BIDS_CLOSED]


def test_the_phase_label_in_english(world, client):
    tender = published_tender(world)
    parent = publish(world, lotted_draft(world))
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    with time_machine.travel(tender.deadline - dt.timedelta(seconds=1), tick=False):
        assert get(client, f"/tenders/{tender.pk}", en).json()["phase_label"] == "Open for bids"
    with time_machine.travel(max(tender.deadline, parent.deadline), tick=False):
        items = get(client, "/tenders?limit=100", en).json()["items"]
        labels = {item["id"]: item["phase_label"] for item in items}
        detail = get(client, f"/tenders/{tender.pk}", en).json()
    assert labels[tender.pk] == detail["phase_label"] == "Bidding has closed; awaiting the opening"
    assert labels[parent.pk] == "Bidding closed: each lot is opened and evaluated on its own"


def test_the_rule_at_its_edges():
    """The function itself: no deadline is never open; a status other than published is
    its own phase."""
    now = timezone.now()
    assert tender_phase(status="published", deadline=None, has_lots=False, now=now)[:2] == (
        False,
        BIDS_CLOSED,
    )
    assert tender_phase(status="draft", deadline=now, has_lots=False, now=now)[:2] == (
        False,
        "draft",
    )
    assert (
        tender_phase(status="published", deadline=now, has_lots=False, now=now).bidding_open
        is False
    )
    later = now + dt.timedelta(microseconds=1)
    assert tender_phase(status="published", deadline=later, has_lots=True, now=now).bidding_open


def _try(action) -> str:
    try:
        action()
    except Conflict as exc:
        assert "截止" in str(exc.message)  # each says why: bidding has closed
        return str(exc.code)
    return "done"


@pytest.mark.parametrize("step", ["amend", "document", "cancel", "question"])
@pytest.mark.parametrize("kind", ["single", "lot"])
def test_every_step_that_needs_bidding_open_closes_at_the_deadline(world, kind, step):
    """The services that act only while bids are accepted — an amendment, a document added
    (an amendment too), cancelling a published tender, a bidder's question — ask the one
    rule: one second before the deadline they go ahead, at the deadline itself they are
    refused (as the bid is), and a lot's row in ``lots_summary`` says the same."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caidan.procurement.services import clarification_ask, tender_amend, tender_cancel
    from caidan.procurement.services.lots import lots_summary
    from caidan.procurement.services.tenders import tender_document_add

    purchaser = world.actor("purchaser")
    (bidder,) = make_bidders(world, 1)

    def fresh():
        if kind == "single":
            return published_tender(world), None
        parent = publish(world, lotted_draft(world))
        return lots_of(parent)[0], parent

    def act(tender, now):
        if step == "amend":
            return lambda: tender_amend(
                tender=tender, summary="更正联系电话", affects_bids=False, actor=purchaser, now=now
            )
        if step == "document":
            return lambda: tender_document_add(
                tender=tender,
                file=SimpleUploadedFile("补充说明.pdf", b"%PDF-1.4\n%x\n"),
                actor=purchaser,
                now=now,
            )
        if step == "cancel":
            return lambda: tender_cancel(tender=tender, reason="需求调整", actor=purchaser, now=now)
        return lambda: clarification_ask(
            tender=tender,
            organization=bidder.org,
            question="服务对象名单何时提供？",
            actor=bidder.actor,
            now=now,
        )

    refused = "conflict" if step == "question" else "deadline_passed"
    for offset, expected, accepting in [(-1, "done", True), (0, refused, False)]:
        tender, parent = fresh()
        moment = tender.deadline + dt.timedelta(seconds=offset)
        with time_machine.travel(moment, tick=False):
            if parent is not None:
                row = next(r for r in lots_summary(parent) if r["id"] == tender.pk)
                assert row["accepting"] is accepting
            assert _try(act(tender, moment)) == expected, (offset, step)


def _list_rows(client, headers=None) -> dict[str, str]:
    """The 政府采购 list's rows: reference → the status cell (the row's last cell)."""
    page = _html(client.get("/procurement/", **(headers or {})))
    table = page.split('data-testid="tender-table"')[1].split("</table>")[0]
    rows = {}
    for row in table.split("<tr>")[2:]:
        if "<code>" not in row:
            continue
        reference = row.split("<code>")[1].split("</code>")[0]
        rows[reference] = row.rsplit("<td>", 1)[1].split("</td>")[0].strip()
    return rows


def test_the_list_says_what_the_tender_page_says_at_the_deadline(world, client):
    """The 政府采购 list shows each row's phase, the tender page's status tag: one second
    before the deadline "公告中（接受投标）", at the deadline "投标已截止，等待开标" (a lot's
    row too; its tender in lots: "…各分包分别开标、评审") — never "接受投标" after the
    deadline. In English too. The phase is read from the row, so the list costs the same
    queries before and after the deadline."""
    tender = published_tender(world)
    parent = publish(world, lotted_draft(world))
    lot = lots_of(parent)[0]
    assert tender.deadline == parent.deadline == lot.deadline
    deadline = tender.deadline
    counts = []
    for moment, single, lotted in [
        (deadline - dt.timedelta(seconds=1), OPEN_LABEL, OPEN_LABEL),
        (deadline, CLOSED_LABEL, LOTS_CLOSED_LABEL),
    ]:
        with time_machine.travel(moment, tick=False):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                rows = _list_rows(client)
            counts.append(len(queries))
            for t, expected in [(tender, single), (lot, single), (parent, lotted)]:
                assert rows[t.reference] == expected, (moment, t.reference)
                tag = _html(client.get(f"/procurement/tenders/{t.pk}/"))
                assert tag.split('data-testid="tender-status">')[1].split("<")[0] == expected
    assert counts[0] == counts[1]  # the phase is read from the row: no query of its own
    with time_machine.travel(deadline, tick=False):
        en = _list_rows(client, {"HTTP_ACCEPT_LANGUAGE": "en"})
    assert en[tender.reference] == "Bidding has closed; awaiting the opening"
    assert en[parent.reference] == "Bidding closed: each lot is opened and evaluated on its own"
    with time_machine.travel(deadline - dt.timedelta(seconds=1), tick=False):
        assert _list_rows(client, {"HTTP_ACCEPT_LANGUAGE": "en"})[tender.reference] == (
            "Open for bids"
        )


# --- the purchaser's page: amend, add a document, cancel --------------------------------------

CLOSED_NOTE = "投标已截止，不能再发布澄清修改、补充采购文件或取消采购；开标后可按规定废标。"
LOTS_CLOSED_NOTE = (
    "投标已截止，不能再发布澄清修改、补充采购文件或取消采购；各分包开标后可分别按规定废标。"
)
PURCHASER_STEPS = ("amend", "add_document", "cancel")


def _fresh(world, kind):
    """A published single tender, a lot of a tender in lots, or the tender in lots."""
    if kind == "single":
        return published_tender(world)
    parent = publish(world, lotted_draft(world))
    return lots_of(parent)[0] if kind == "lot" else parent


def _purchaser_sees(world, client, tender) -> tuple[dict[str, bool], str, dict]:
    """What the purchaser's tender page offers (amend / add document / cancel), the note that
    says why they are gone ("" if none), and the API's affordances for the same reader."""
    from caidan.procurement.models import Tender

    from .api_helpers import bearer
    from .view_helpers import _as

    tender = Tender.objects.get(pk=tender.pk)
    page = _html(_as(client, world.user("purchaser")).get(f"/procurement/tenders/{tender.pk}/"))
    base = f"/procurement/tenders/{tender.pk}"
    offered = {
        "amend": f'href="{base}/amend/"' in page,
        "add_document": f'action="{base}/documents/"' in page,
        "cancel": f'href="{base}/cancel/"' in page,
    }
    note = ""
    if 'data-testid="deadline-passed">' in page:
        note = page.split('data-testid="deadline-passed">')[1].split("</p>")[0]
    aff = get(client, f"/tenders/{tender.pk}", bearer(world.user("purchaser"))).json()
    return offered, note, aff["affordances"]


@pytest.mark.parametrize("kind", ["single", "lot", "in_lots"])
def test_the_purchaser_page_offers_amend_document_and_cancel_until_the_deadline(
    world, client, kind
):
    """One second before the deadline the tender page offers 发布澄清修改, 上传并附加 and
    取消采购, the API's affordances say the same, and each of them works through the page; at
    the deadline itself the page offers none of them (their services refuse), says why, and
    the API agrees. A single tender, a lot, and the tender in lots."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caidan.procurement.models import Amendment, Tender

    note = LOTS_CLOSED_NOTE if kind == "in_lots" else CLOSED_NOTE
    tender = _fresh(world, kind)
    with time_machine.travel(tender.deadline - dt.timedelta(seconds=1), tick=False):
        offered, shown, aff = _purchaser_sees(world, client, tender)
        assert offered == dict.fromkeys(PURCHASER_STEPS, True) and shown == ""
        assert {s: aff[s] for s in PURCHASER_STEPS} == offered and not aff["deadline_passed"]
        base = f"/procurement/tenders/{tender.pk}"
        assert client.get(f"{base}/amend/").status_code == 200
        response = client.post(f"{base}/amend/", {"summary": "更正联系电话"})
        assert response.status_code == 302, _html(response)
        assert Amendment.objects.filter(tender=tender, summary="更正联系电话").exists()
        pdf = SimpleUploadedFile("补充说明.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
        client.post(f"{base}/documents/", {"file": pdf, "description": ""})
        assert Amendment.objects.filter(tender=tender, summary__contains="补充说明.pdf").exists()
        assert client.post(f"{base}/cancel/", {"reason": "需求调整"}).status_code == 302
        assert Tender.objects.get(pk=tender.pk).status == "cancelled"

    tender = _fresh(world, kind)
    with time_machine.travel(tender.deadline, tick=False):
        offered, shown, aff = _purchaser_sees(world, client, tender)
        assert offered == dict.fromkeys(PURCHASER_STEPS, False) and shown == note
        assert {s: aff[s] for s in PURCHASER_STEPS} == offered and aff["deadline_passed"]
        # the steps the page no longer offers are refused if tried all the same; the amend
        # form, opened by a kept link, sends the purchaser back to the tender page saying why
        base = f"/procurement/tenders/{tender.pk}"
        form = client.get(f"{base}/amend/", follow=True)
        assert form.redirect_chain == [(f"{base}/", 302)]
        assert "投标已截止或采购未在公告中，不能再发布澄清修改。" in _html(form)
        refused = _html(client.post(f"{base}/amend/", {"summary": "更正联系电话"}))
        assert "投标已截止，不能再修改采购文件。" in refused
        client.post(f"{base}/cancel/", {"reason": "需求调整"})
        assert not Amendment.objects.filter(tender=tender).exists()
        assert Tender.objects.get(pk=tender.pk).status == "published"
        en = _html(client.get(f"/procurement/tenders/{tender.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Bidding has closed: the tender can no longer be amended" in en


def test_a_reader_who_does_not_manage_the_tender_is_told_nothing(world, client):
    """The note is for the purchaser: the public and a bidder see the status tag only."""
    tender = published_tender(world)
    with time_machine.travel(tender.deadline, tick=False):
        page = _html(client.get(f"/procurement/tenders/{tender.pk}/"))
        aff = get(client, f"/tenders/{tender.pk}").json()["affordances"]
    assert 'data-testid="deadline-passed"' not in page and CLOSED_LABEL in page
    assert aff["deadline_passed"] is False


# --- the provider's 我的投标 -----------------------------------------------------------------


def _my_bids_rows(client) -> dict[str, str]:
    """我的投标: tender reference → its 采购状态 cell (the fifth)."""
    import re

    page = _html(client.get("/procurement/bids/"))
    table = page.split('data-testid="my-bids"')[1].split("</table>")[0]
    rows = {}
    for row in table.split("<tr>")[2:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        if len(cells) == 6:
            reference = cells[0].split('<small class="muted">')[1].split("</small>")[0]
            rows[reference] = cells[4].strip()
    return rows


def test_my_bids_says_what_the_tender_page_says_at_the_deadline(world, client):
    """The provider's 我的投标 shows each bid's tender by the tender page's tag: one second
    before the deadline 公告中（接受投标） with 撤回, at the deadline 投标已截止，等待开标 and no
    撤回 — never 接受投标 after the deadline (single tenders and a lot), in English too. The
    page costs the same queries for one bid as for three, before and at the deadline."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .view_helpers import _as

    (bidder,) = make_bidders(world, 1)
    first, second = published_tender(world), published_tender(world)
    lot = lots_of(publish(world, lotted_draft(world)))[0]
    deadline = first.deadline
    assert second.deadline == lot.deadline == deadline
    references = (first.reference, second.reference, lot.reference)

    def seen():
        _as(client, bidder.user)
        with CaptureQueriesContext(connection) as queries:
            rows = _my_bids_rows(client)
        return rows, len(queries)

    counts = []
    with time_machine.travel(deadline - dt.timedelta(seconds=1), tick=False):
        submit_bids(world, first, ["300000.00"], bidders=[bidder])
        rows, count = seen()
        assert rows == {first.reference: OPEN_LABEL}
        counts.append(count)
        for tender in (second, lot):
            submit_bids(world, tender, ["300000.00"], bidders=[bidder])
        rows, count = seen()
        assert rows == dict.fromkeys(references, OPEN_LABEL)
        counts.append(count)
        assert _html(client.get("/procurement/bids/")).count("/withdraw/") == 3
    with time_machine.travel(deadline, tick=False):
        rows, count = seen()
        assert rows == dict.fromkeys(references, CLOSED_LABEL)
        counts.append(count)
        page = _html(client.get("/procurement/bids/"))
        english = _html(client.get("/procurement/bids/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "/withdraw/" not in page and OPEN_LABEL not in page
    assert english.count("Bidding has closed; awaiting the opening") == 3
    assert "Open for bids" not in english
    assert counts[0] == counts[1] == counts[2], counts  # constant in the number of bids
