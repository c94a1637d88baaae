"""Each service that completes a step marks the reminders of that step done (issue 19,
item 2): the officer's "请…" message is done when the step is done, by anyone, not when it
is read. Data through the services."""

from caidan.common.money import format_yuan
from caidan.notifications.models import Notification
from caidan.notifications.selectors import unread_count
from caidan.notifications.services import due_day


def _open(task, user=None):
    rows = Notification.objects.filter(task=task, done_at__isnull=True)
    return rows.filter(recipient=user) if user is not None else rows


def _done(task):
    rows = Notification.objects.filter(task=task)
    return rows.exists() and not rows.filter(done_at__isnull=True).exists()


def test_contract_signing_payment_and_report_review(world):
    from caidan.contracts.inputs import ReportInput
    from caidan.contracts.services import contract_sign, report_review, report_submit
    from tests.contracts.factories import draft_contract
    from tests.contracts.helpers import pay

    c = draft_contract(world)
    sign = f"contract_sign:contract:{c.pk}:provider"
    (asked,) = _open(sign, world.user("provider"))
    assert asked.title == f"请签订合同：{c.title}，截止 {due_day(c.sign_due)}"
    contract_sign(contract=c, actor=world.actor("purchaser"))
    assert _open(sign).exists()  # the purchaser's signature is not the provider's
    before = unread_count(user=world.user("provider"))
    contract_sign(contract=c, actor=world.actor("provider"))
    assert _done(sign)
    assert unread_count(user=world.user("provider")) <= before  # done drops out (+ news)

    first = c.instalments.get(sequence=1)
    payment = f"instalment_pay:instalment:{first.pk}"
    (ask_pay,) = _open(payment, world.user("purchaser"))
    assert ask_pay.title.startswith(f"请支付{c.title}第 1 期 {format_yuan(first.amount)}，截止 ")
    assert not Notification.objects.filter(task=payment, recipient=world.user("provider"))
    pay(world, c, 1)
    assert _done(payment)

    r = c.reports.order_by("due_on").first()
    report_submit(
        report=r, actor=world.actor("provider"), data=ReportInput.parse(summary="进展顺利")
    )
    review = f"report_review:report:{r.pk}"
    assert _open(review, world.user("purchaser")).first().title.startswith("请审核")
    report_review(report=r, accept=False, comment="请补充服务记录", actor=world.actor("purchaser"))
    assert _done(review)
    again = f"report_submit:report:{r.pk}"
    assert _open(again, world.user("provider")).exists()
    report_submit(report=r, actor=world.actor("provider"), data=ReportInput.parse(summary="已补充"))
    assert _done(again) and _open(review).exists()


def test_cancelling_a_draft_resolves_the_signing_request(world):
    from caidan.contracts.services import contract_cancel
    from tests.contracts.factories import draft_contract

    c = draft_contract(world)
    contract_cancel(contract=c, reason="中标人放弃", actor=world.actor("purchaser"))
    assert _done(f"contract_sign:contract:{c.pk}:provider")


def test_challenge_answered(world):
    from caidan.accounts.actor import Actor
    from caidan.procurement.models import Bid
    from caidan.procurement.services import challenge_answer, challenge_file
    from tests.contracts.factories import award_for

    award = award_for(world)
    loser = Bid.objects.filter(tender=award.tender, rank=2).select_related("organization").get()
    member = loser.organization.memberships.first()
    challenge = challenge_file(
        award=award,
        organization=loser.organization,
        grounds="价格异常",
        actor=Actor(user=member.user, membership=member),
        now=award.challenge_deadline,
    )
    task = f"challenge_answer:challenge:{challenge.pk}"
    asked = _open(task, world.user("purchaser")).get()
    assert asked.title.startswith(f"请答复质疑，截止 {due_day(challenge.answer_due)}")
    challenge_answer(
        challenge=challenge, answer="报价合理。", upheld=False, actor=world.actor("purchaser")
    )
    assert _done(task)


def test_question_answered_or_moot_at_opening(world):
    from caidan.procurement.services import clarification_answer, clarification_ask
    from tests.procurement.factories import make_bidders, open_now, published_tender

    tender = published_tender(world)
    bidder = make_bidders(world, 1)[0]
    asked = [
        clarification_ask(tender=tender, organization=bidder.org, question=q, actor=bidder.actor)
        for q in ("服务时间？", "人员要求？")
    ]
    first, second = (f"clarification_answer:clarification:{c.pk}" for c in asked)
    assert (
        _open(first, world.user("purchaser"))
        .get()
        .title.startswith(f"请答复供应商提问，截止 {due_day(tender.deadline)}")
    )
    clarification_answer(clarification=asked[0], answer="工作日。", actor=world.actor("purchaser"))
    assert _done(first) and _open(second).exists()
    open_now(tender)  # the deadline passed: the question can no longer be answered
    assert _done(second)


def test_enquiry_answered(world):
    from caidan.enquiries.inputs import EnquiryAnswerInput
    from caidan.enquiries.services import enquiry_answer, enquiry_assign
    from tests.enquiries.conftest import ask

    e = ask(world)
    task = f"enquiry_answer:enquiry:{e.pk}"
    asked = _open(task, world.user("purchaser")).get()
    assert asked.title.startswith(f"请答复{e.get_kind_display()}，截止 {due_day(e.due_on)}")
    officer = world.actor("purchaser")
    enquiry_assign(enquiry=e, handler=officer.user, actor=officer)
    enquiry_answer(enquiry=e, actor=officer, data=EnquiryAnswerInput.parse(answer="每周二。"))
    assert _done(task)


def test_complaint_accepted(world):
    from caidan.complaints.services import complaint_accept
    from tests.contracts.factories import complained_draft

    _, complaint, _ = complained_draft(world)
    task = f"complaint_accept:complaint:{complaint.pk}"
    (asked,) = _open(task, world.user("admin"))
    assert asked.title.startswith(f"请决定是否受理投诉，截止 {due_day(complaint.accept_due)}")
    complaint_accept(complaint=complaint, actor=world.actor("admin"))
    assert _done(task)


def test_reminders_take_the_imperative(world):
    """What a person must do reads as an instruction, not only as news (the demo's own
    reminders included)."""
    imperative = list(Notification.objects.exclude(task="").values_list("title", flat=True))
    assert imperative
    assert [t for t in imperative if "请" not in t] == []


def test_invited_provider_asked_to_respond_until_it_does(world):
    from tests.procurement.factories import make_bidder, published_tender, submit_bids

    bidder = make_bidder(world)
    tender = published_tender(
        world,
        method="single_source",
        invited_organization=bidder.org,
        justification="该服务只能由唯一具备专业资质的机构提供，且需保持服务连续性。",
    )
    task = f"bid_submit:tender:{tender.pk}"
    asked = _open(task, bidder.user).get()
    assert asked.title.startswith(f"请递交响应文件，截止 {due_day(tender.deadline)}：")
    submit_bids(world, tender, ["900000.00"], bidders=[bidder])
    assert _done(task)
