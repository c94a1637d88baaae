"""The workbench (issue 19): each to-do kind appears when a step waits, carries the due date
the service enforces, is overdue from the day after, and disappears when the step is done
through the service; the whole list costs one query per kind whatever the number of
records; the calendar and the personal iCal feed show the same deadlines, a revoked or
unknown feed answers 404, and another person's deadlines are absent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caidan.accounts.workbench import calendar_for, is_overdue, kinds_for, todo_for


def _item(actor, kind, today=None):
    return next((i for i in todo_for(actor, today) if i.kind == kind), None)


def _local(value):
    return timezone.localtime(value).date()


def _flags(actor, kind, due):
    """The item's overdue flag the day before, of and after its due date."""
    return [_item(actor, kind, due + dt.timedelta(days=d)).overdue for d in (-1, 0, 1)]


def test_overdue_is_from_the_day_after():
    day = dt.date(2027, 3, 1)
    assert not is_overdue(day, day - dt.timedelta(days=1))
    assert not is_overdue(day, day)
    assert is_overdue(day, day + dt.timedelta(days=1))
    assert not is_overdue(None, day)


# --- contracts ------------------------------------------------------------------------------


def test_contract_to_draft_then_to_sign_by_each_party(world):
    from caidan.contracts.inputs import ContractTermsInput
    from caidan.contracts.services import contract_create, contract_sign
    from caidan.contracts.services.contracts import SIGN_WITHIN_DAYS
    from tests.contracts.factories import award_for

    purchaser, provider = world.actor("purchaser"), world.actor("provider")
    award = award_for(world)
    draft = _item(purchaser, "contracts:draft")
    # (award_for may leave an earlier award of its own, still in its challenge window)
    entry = next(e for e in draft.entries if e.url == f"/contracts/new/{award.pk}/")
    assert entry.due == _local(award.decided_at + dt.timedelta(days=SIGN_WITHIN_DAYS))
    before = draft.count

    contract = contract_create(award=award, actor=purchaser, data=ContractTermsInput.parse())
    after = _item(purchaser, "contracts:draft")  # the step is done
    assert (after.count if after else 0) == before - 1
    assert after is None or all(e.url != entry.url for e in after.entries)
    due = _local(contract.sign_due)  # the deadline contract_sign's reminders enforce
    for actor in (purchaser, provider):
        item = _item(actor, "contracts:sign")
        assert item.count == 1 and item.due == due
        assert item.url == f"/contracts/{contract.pk}/sign/"
        assert _flags(actor, "contracts:sign", due) == [False, False, True]
    assert _item(world.actor("hub"), "contracts:sign") is None  # not a party

    contract_sign(contract=contract, actor=purchaser)
    assert _item(purchaser, "contracts:sign") is None
    assert _item(provider, "contracts:sign").count == 1  # still waiting for the provider
    contract_sign(contract=contract, actor=provider)
    assert _item(provider, "contracts:sign") is None


def test_reports_and_instalments(world):
    from caidan.contracts.services.reminders import PAY_WITHIN_DAYS
    from tests.contracts.factories import signed_contract
    from tests.contracts.helpers import accept, pay

    purchaser, provider = world.actor("purchaser"), world.actor("provider")
    contract = signed_contract(world)
    reports = list(contract.reports.all())
    owed = _item(provider, "contracts:report_submit")
    assert owed.count == len(reports)
    assert owed.due == min(r.due_on for r in reports)
    by_url = {e.url: e.due for e in owed.entries}
    midterm = contract.reports.get(kind="midterm")
    assert by_url[f"/contracts/{contract.pk}/reports/{midterm.pk}/"] == midterm.due_on
    assert _flags(provider, "contracts:report_submit", owed.due) == [False, False, True]
    assert _item(purchaser, "contracts:report_submit") is None  # the provider's step

    # The first instalment's gate (the signature) is open: the purchaser pays it within
    # PAY_WITHIN_DAYS, the rule the reminders tick enforces.
    inst = contract.instalments.get(sequence=1)
    pay_item = _item(purchaser, "contracts:pay")
    assert pay_item.count == 1
    assert pay_item.due == _local(inst.gate_opened_at + dt.timedelta(days=PAY_WITHIN_DAYS))
    assert _flags(purchaser, "contracts:pay", pay_item.due) == [False, False, True]
    pay(world, contract, 1)
    assert _item(purchaser, "contracts:pay") is None

    accept(world, contract, "midterm")  # submitted, then accepted: both steps done
    owed = _item(provider, "contracts:report_submit")
    assert owed.count == len(reports) - 1
    assert all(e.url != f"/contracts/{contract.pk}/reports/{midterm.pk}/" for e in owed.entries)
    assert _item(purchaser, "contracts:report_review") is None


def test_report_to_review_appears_on_submission(world):
    from caidan.contracts.inputs import ReportInput
    from caidan.contracts.services import report_review, report_submit
    from tests.contracts.factories import signed_contract

    purchaser = world.actor("purchaser")
    contract = signed_contract(world)
    report = contract.reports.get(kind="midterm")
    assert _item(purchaser, "contracts:report_review") is None
    report_submit(
        report=report,
        actor=world.actor("provider"),
        data=ReportInput.parse(
            summary="服务开展顺利。",
            fund_lines=[{"line": "人员费", "budget": "400000.00", "spent": "210000.00"}],
        ),
    )
    item = _item(purchaser, "contracts:report_review")
    assert item.count == 1 and item.due is None  # no legal deadline for the review
    assert item.url == f"/contracts/{contract.pk}/reports/{report.pk}/"
    report_review(report=report, accept=True, actor=purchaser)
    assert _item(purchaser, "contracts:report_review") is None


# --- procurement ----------------------------------------------------------------------------


def test_question_to_answer_before_the_bid_deadline(world):
    from caidan.procurement.services import clarification_answer, clarification_ask
    from tests.procurement.factories import make_bidders, published_tender

    purchaser = world.actor("purchaser")
    tender = published_tender(world)
    bidder = make_bidders(world, 1)[0]
    question = clarification_ask(
        tender=tender, organization=bidder.org, question="服务人数如何计算？", actor=bidder.actor
    )
    item = _item(purchaser, "procurement:answer")
    assert item.count == 1 and item.due == _local(tender.deadline)
    assert item.url == f"/procurement/tenders/{tender.pk}/questions/"
    assert _flags(purchaser, "procurement:answer", item.due) == [False, False, True]
    clarification_answer(clarification=question, answer="按实际服务人次计算。", actor=purchaser)
    assert _item(purchaser, "procurement:answer") is None


def test_expert_seat_waits_until_the_sheet_is_submitted(world):
    from caidan.procurement.inputs import SheetVerdictsInput
    from caidan.procurement.selectors_experts import panel_for
    from caidan.procurement.services import panel_declare, panel_draw
    from caidan.procurement.services.evaluation import scorable_bids, scores_submit, verdicts_save
    from tests.procurement.factories import expert_actor, make_expert_pool, opened_tender

    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, tender.committee_size + tender.reserve_count)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    member = next(m for m in panel_for(tender) if m.status == "drawn")
    actor = expert_actor(member.expert)
    item = _item(actor, "procurement:score")
    assert item.count == 1 and item.url == f"/procurement/tenders/{tender.pk}/review/"
    panel_declare(member=member, no_conflict=True, actor=actor)
    assert _item(actor, "procurement:score").count == 1  # declared, not scored yet
    verdicts = {str(b.pk): {"pass": True} for b in scorable_bids(tender)}
    verdicts_save(member=member, data=SheetVerdictsInput.parse(verdicts=verdicts), actor=actor)
    scores_submit(member=member, actor=actor)
    assert _item(actor, "procurement:score") is None


# --- projects and enquiries -----------------------------------------------------------------


def test_vote_waits_for_each_member_until_cast(world):
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership, Role
    from caidan.projects.services import (
        proposal_submit,
        review_session_add_proposal,
        review_session_create,
        review_session_open,
        vote_cast,
    )

    committee = world.actor("committee")
    membership = Membership.objects.get(user=committee.user, role=Role.COMMITTEE_MEMBER)
    member = Actor(user=committee.user, membership=membership)
    proposal = _draft_proposal(world)
    proposal_submit(proposal=proposal, actor=world.actor("purchaser"))
    meeting = timezone.now() + dt.timedelta(days=2)
    session = review_session_create(
        title="审定会议（工作台测试）",
        unit=world.unit("310105"),
        meeting_at=meeting,
        members=[committee.user],
        actor=world.actor("admin"),
    )
    review_session_add_proposal(session=session, proposal=proposal, actor=world.actor("admin"))
    assert _item(member, "projects:vote") is None  # not open for votes yet
    scheduled = _item(world.actor("admin"), "projects:schedule")  # on the agenda: done
    assert scheduled is None or f"/projects/proposals/{proposal.pk}/" not in [
        e.url for e in scheduled.entries
    ]
    review_session_open(session=session, actor=world.actor("admin"))
    item = _item(member, "projects:vote")
    assert item.count == 1 and item.due == _local(meeting)
    assert item.url == f"/projects/sessions/{session.pk}/"
    agenda = session.agenda.get()
    vote_cast(item=agenda, choice="yes", actor=member)
    assert _item(member, "projects:vote") is None


def _draft_proposal(world):
    from caidan.catalog.models import CatalogItem
    from caidan.projects.inputs import ProposalInput
    from caidan.projects.services import proposal_create

    year = timezone.localdate().year + 1
    item = (
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("-version__effective_date", "code")
        .first()
    )
    return proposal_create(
        actor=world.actor("purchaser"),
        unit=world.unit("310105-001"),
        proposing_organization=None,
        data=ProposalInput.parse(
            title="工作台测试项目",
            catalog_item=item,
            budget="300000.00",
            funding=[{"source": "fiscal", "amount": "300000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
            outputs=[{"name": "上门探访", "target": "1200", "unit": "人次"}],
        ),
    )


def test_proposal_to_submit_disappears_when_submitted(world):
    from caidan.projects.services import proposal_submit

    purchaser = world.actor("purchaser")
    before = _item(purchaser, "projects:submit")
    n = before.count if before else 0
    proposal = _draft_proposal(world)
    item = _item(purchaser, "projects:submit")
    assert item.count == n + 1 and f"/projects/proposals/{proposal.pk}/" in [
        e.url for e in item.entries
    ]
    proposal_submit(proposal=proposal, actor=purchaser)
    after = _item(purchaser, "projects:submit")
    assert (after.count if after else 0) == n
    # now the platform admin, who sets the agenda, is to schedule it
    schedule = _item(world.actor("admin"), "projects:schedule")
    assert f"/projects/proposals/{proposal.pk}/" in [e.url for e in schedule.entries]


def test_enquiry_to_answer_with_its_legal_due_date(world):
    from caidan.enquiries.inputs import EnquiryAnswerInput
    from caidan.enquiries.services import enquiry_answer, enquiry_assign
    from tests.enquiries.conftest import ask

    purchaser = world.actor("purchaser")
    enquiry = ask(world)
    item = _item(purchaser, "enquiries:answer")
    entry = next(e for e in item.entries if e.url == f"/enquiries/{enquiry.pk}/")
    assert entry.due == enquiry.effective_due_on
    enquiry_assign(enquiry=enquiry, handler=purchaser.user, actor=purchaser)
    enquiry_answer(
        enquiry=enquiry, data=EnquiryAnswerInput.parse(answer="每周一至周五提供。"), actor=purchaser
    )
    item = _item(purchaser, "enquiries:answer")
    assert item is None or all(e.url != f"/enquiries/{enquiry.pk}/" for e in item.entries)


# --- the whole list: sorted, one query per kind ---------------------------------------------


def test_sorted_by_urgency(world):
    from caidan.accounts.workbench import Entry, TodoItem

    today = dt.date(2027, 3, 10)
    items = [
        TodoItem("a", "无期限", [Entry("x", "/x/")], today),
        TodoItem("b", "下周", [Entry("y", "/y/", due=dt.date(2027, 3, 17))], today),
        TodoItem("c", "逾期", [Entry("z", "/z/", due=dt.date(2027, 3, 9))], today),
        TodoItem("d", "明天", [Entry("w", "/w/", due=dt.date(2027, 3, 11))], today),
    ]
    assert [i.kind for i in sorted(items, key=TodoItem.urgency)] == ["c", "d", "b", "a"]


@pytest.mark.parametrize("username", ["purchaser", "provider"])
def test_query_count_is_one_per_kind_whatever_the_records(world, username):
    from tests.contracts.factories import draft_contract

    actor = world.actor(username)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            todo_for(actor)
        return len(ctx.captured_queries)

    draft_contract(world)
    one = queries()
    for _ in range(2):
        draft_contract(world)
    assert _item(actor, "contracts:sign").count == 3
    assert queries() == one <= len(kinds_for(actor))


# --- calendar, iCal feed, API ---------------------------------------------------------------


def test_calendar_and_feed_show_the_same_deadline_and_only_mine(world, client, login):
    from caidan.accounts.calendar_feed import calendar_feed_create, calendar_feed_revoke
    from caidan.audit.models import AuditEvent
    from tests.contracts.factories import draft_contract

    contract = draft_contract(world)
    due = _local(contract.sign_due)
    purchaser = world.actor("purchaser")
    entries = calendar_for(purchaser, due.replace(day=1), due + dt.timedelta(days=31))
    assert any(
        e.day == due and e.url == f"/contracts/{contract.pk}/sign/" and e.todo for e in entries
    )

    login("purchaser")
    page = client.get(f"/calendar/me/?month={due:%Y-%m}")
    assert page.status_code == 200
    assert f'href="/contracts/{contract.pk}/sign/"' in page.content.decode()
    assert client.get("/calendar/me/?month=nonsense").status_code == 200

    feed, secret = calendar_feed_create(actor=purchaser)
    assert feed.key_hash != secret and secret not in feed.key_hash
    assert AuditEvent.objects.filter(kind="calendar_feed.created").exists()
    client.logout()
    resp = client.get(f"/calendar/feed/{secret}.ics")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/calendar")
    body = resp.content.decode()
    assert f"DTSTART;VALUE=DATE:{due:%Y%m%d}" in body and contract.title in body

    from icalendar import Calendar

    events = Calendar.from_ical(resp.content).walk("VEVENT")
    assert any(ev.decoded("dtstart") == due for ev in events)

    # Another person's feed does not carry this contract (the hub is no party to it).
    _other, other_secret = calendar_feed_create(actor=world.actor("hub"))
    assert contract.title not in client.get(f"/calendar/feed/{other_secret}.ics").content.decode()

    assert client.get("/calendar/feed/cal_unknown.ics").status_code == 404
    calendar_feed_revoke(actor=purchaser, feed_id=feed.pk)
    assert AuditEvent.objects.filter(kind="calendar_feed.revoked").exists()
    assert client.get(f"/calendar/feed/{secret}.ics").status_code == 404


def test_feed_pages_create_and_revoke(world, client, login):
    from caidan.accounts.models import CalendarFeed

    login("provider")
    resp = client.post("/calendar/me/feed/", follow=True)
    assert resp.status_code == 200
    url = resp.context["feed_url"]
    assert url and "/calendar/feed/cal_" in url
    feed = CalendarFeed.objects.get(membership=world.membership("provider"))
    assert client.get(url).status_code == 200
    # a second address revokes the first
    client.post("/calendar/me/feed/")
    assert client.get(url).status_code == 404
    live = CalendarFeed.objects.get(membership=world.membership("provider"), revoked_at=None)
    assert live.pk != feed.pk
    client.post("/calendar/me/feed/revoke/", {"feed": live.pk})
    assert not CalendarFeed.objects.filter(revoked_at=None).exists()
    # someone else's feed cannot be revoked by id
    login("purchaser")
    resp = client.post("/calendar/me/feed/revoke/", {"feed": live.pk}, follow=True)
    assert resp.status_code == 200


def test_dashboard_and_api_list_the_same_items(world, client, login, token_for):
    from tests.contracts.factories import draft_contract

    contract = draft_contract(world)
    login("provider")
    page = client.get("/dashboard/").content.decode()
    assert "签订合同" in page and f"/contracts/{contract.pk}/sign/" in page
    assert "（数量和链接）" not in page
    data = client.get("/api/v1/me/todo", **token_for("provider")).json()
    sign = next(i for i in data if i["kind"] == "contracts:sign")
    assert sign["count"] == 1 and sign["due"] == _local(contract.sign_due).isoformat()
    assert sign["entries"][0]["url"] == f"/contracts/{contract.pk}/sign/"
    assert [i["kind"] for i in data] == [i.kind for i in todo_for(world.actor("provider"))]


def test_empty_state(world, client, login):
    login("auditor")
    page = client.get("/dashboard/").content.decode()
    assert "今天没有待办事项" in page


# --- the other kinds ------------------------------------------------------------------------


def test_project_to_tender_then_tender_to_publish(world):
    from caidan.procurement.inputs import TenderInput
    from caidan.procurement.services import tender_create, tender_publish, tender_update
    from tests.procurement.factories import approved_proposal, next_working_deadline, tender_data

    purchaser = world.actor("purchaser")
    proposal = approved_proposal(world)
    start = _item(purchaser, "procurement:start")
    url = f"/procurement/new/{proposal.pk}/"
    assert url in [e.url for e in start.entries] and start.due is None
    tender = tender_create(
        actor=purchaser, data=TenderInput.parse(proposal=proposal, **tender_data())
    )
    start = _item(purchaser, "procurement:start")
    assert start is None or url not in [e.url for e in start.entries]
    publish = _item(purchaser, "procurement:publish")
    assert f"/procurement/tenders/{tender.pk}/" in [e.url for e in publish.entries]
    deadline = next_working_deadline(timezone.now() + dt.timedelta(days=24))
    tender_update(tender=tender, changes={"deadline": deadline}, actor=purchaser)
    tender_publish(tender=tender, actor=purchaser)
    assert _item(purchaser, "procurement:publish") is None


def test_challenge_window_then_challenge_to_answer(world):
    from caidan.procurement.models import Bid
    from caidan.procurement.services import award_confirm, challenge_answer, challenge_file
    from tests.procurement.factories import opened_tender

    purchaser = world.actor("purchaser")
    tender = opened_tender(world, evaluation_method="lowest_price")
    assert _item(purchaser, "procurement:award").entries[0].url == (
        f"/procurement/tenders/{tender.pk}/award/"
    )
    award = award_confirm(tender=tender, actor=purchaser)
    assert _item(purchaser, "procurement:award") is None
    loser = Bid.objects.filter(tender=tender).exclude(pk=award.bid_id).first()
    member = loser.organization.memberships.first()
    from caidan.accounts.actor import Actor

    bidder = Actor(user=member.user, membership=member)
    window = _item(bidder, "procurement:challenge_window")
    assert window.count == 1 and window.due == _local(award.challenge_deadline)
    winner = award.bid.organization.memberships.first()
    assert _item(Actor(user=winner.user, membership=winner), "procurement:challenge_window") is None
    challenge = challenge_file(
        award=award, organization=loser.organization, grounds="评审有误", actor=bidder
    )
    assert _item(bidder, "procurement:challenge_window") is None  # challenged: done
    answer = _item(purchaser, "procurement:challenge_answer")
    assert answer.count == 1 and answer.due == _local(challenge.answer_due)
    assert _flags(purchaser, "procurement:challenge_answer", answer.due) == [False, False, True]
    challenge_answer(
        challenge=challenge, answer="经复核，评审无误。", upheld=False, actor=purchaser
    )
    assert _item(purchaser, "procurement:challenge_answer") is None


def test_evaluator_commissioned_scheduled_and_scored(world):
    from caidan.evaluations.inputs import PurchaserScoreInput
    from caidan.evaluations.services import (
        evaluation_purchaser_score,
        evaluation_schedule,
        evaluator_appoint,
    )
    from tests.contracts.factories import signed_contract

    purchaser, evaluator = world.actor("purchaser"), world.actor("evaluator")
    contract = signed_contract(world)
    commission = _item(purchaser, "evaluations:commission")
    assert f"/evaluations/contracts/{contract.pk}/" in [e.url for e in commission.entries]
    evaluator_appoint(contract=contract, organization=evaluator.organization, actor=purchaser)
    assert _item(purchaser, "evaluations:commission") is None
    evaluation = evaluation_schedule(contract=contract, stage="mid", actor=purchaser)
    score = _item(evaluator, "evaluations:score")
    assert score.count == 1 and score.due == evaluation.due_on
    assert score.url == f"/evaluations/{evaluation.pk}/score/"
    assert _flags(evaluator, "evaluations:score", evaluation.due_on) == [False, False, True]
    mine = _item(purchaser, "evaluations:purchaser_score")
    assert mine.count == 1 and mine.due == evaluation.due_on
    evaluation_purchaser_score(
        evaluation=evaluation, data=PurchaserScoreInput.parse(score="90"), actor=purchaser
    )
    assert _item(purchaser, "evaluations:purchaser_score") is None


def test_complaint_to_accept_then_to_decide(world):
    from caidan.complaints.services import complaint_accept
    from tests.contracts.factories import complained_draft

    bureau = world.actor("admin")
    _contract, complaint, _actor = complained_draft(world)
    accept = _item(bureau, "complaints:accept")
    assert accept.count == 1 and accept.due == _local(complaint.accept_due)
    assert _item(world.actor("purchaser"), "complaints:accept") is None
    complaint = complaint_accept(complaint=complaint, actor=bureau)
    assert _item(bureau, "complaints:accept") is None
    decide = _item(bureau, "complaints:decide")
    assert decide.count == 1 and decide.due == _local(complaint.decide_due)


def test_change_request_to_decide(world):
    from caidan.orgs.services.registry import change_request_decide, change_request_submit

    provider, registrar = world.actor("provider"), world.actor("registrar")
    request = change_request_submit(
        organization=provider.organization, changes={"address": "长宁区新址 1 号"}, actor=provider
    )
    assert _item(registrar, "orgs:change_request").count == 1
    change_request_decide(request=request, approve=True, actor=registrar)
    assert _item(registrar, "orgs:change_request") is None


def test_dashboard_and_api_queries_do_not_grow_with_the_records(world, client, login, token_for):
    from tests.contracts.factories import draft_contract

    headers = token_for("provider")
    login("provider")

    def count(path, **extra):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path, **extra).status_code == 200
        return len(ctx.captured_queries)

    draft_contract(world)
    count("/api/v1/me/todo", **headers)  # the token's first use writes last_used_at
    page, api = count("/dashboard/"), count("/api/v1/me/todo", **headers)
    for _ in range(2):
        draft_contract(world)
    assert count("/dashboard/") == page
    assert count("/api/v1/me/todo", **headers) == api
