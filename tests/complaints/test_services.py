"""Complaints (投诉): the filing window, the bureau's deadlines, suspension, decisions and
their effects, withdrawal, the holds on the procurement and the transition table — at the
exact boundaries, on a fixed clock, across weekends, holidays and a make-up working day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from caidan.audit.models import AuditEvent
from caidan.common.calendar import end_of_day
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.tick import run_tick
from caidan.complaints import services as s
from caidan.complaints.inputs import (
    ComplaintDecisionInput,
    ComplaintInput,
    ComplaintRejectInput,
    ComplaintSuspendInput,
)
from caidan.complaints.models import TRANSITIONS, Complaint, ComplaintAction, ComplaintStatus
from caidan.procurement.holds import Step, holds_on

from .conftest import ANSWERED, calendar, complain, local, scene

pytestmark = pytest.mark.django_db
D = dt.date

# Mon–Wed 15–17 March are holidays, Saturday 20 March is a make-up working day.
HOLIDAYS = [D(2027, 3, 15), D(2027, 3, 16), D(2027, 3, 17)]
MAKEUP = [D(2027, 3, 20)]


def tick(now):
    return run_tick(now=now, only=["complaints.deadlines"])[0].changed


# --- who and when may complain --------------------------------------------------------------

# Answered Tue 2 March: 15 working days are 3–5, 8–12, 18, 19, Sat 20, 22–25 → Thu 25 March.
AFTER_ANSWER = [
    (local(2027, 3, 2, 10), True),  # at the answer
    (local(2027, 3, 24, 10), True),  # the day before the last day
    (local(2027, 3, 25, 23, 59, 59), True),  # the last day, to its end
    (local(2027, 3, 26, 0, 0, 1), False),  # the day after
]


def test_window_after_the_answer_counts_15_working_days(world):
    calendar(HOLIDAYS, MAKEUP)
    sc = scene(world)
    assert s.file_window(sc.challenge) == (ANSWERED, end_of_day(D(2027, 3, 25)))
    for now, ok in AFTER_ANSWER:
        if ok:
            c = complain(sc, now=now)
            assert c.status == "filed" and c.filed_at == now
            s.complaint_withdraw(complaint=c, actor=sc.loser, now=now)
        else:
            with pytest.raises(Conflict) as exc:
                complain(sc, now=now)
            assert exc.value.code == "window_closed"
            assert "政府采购法 §55" in exc.value.message and "2027-03-25" in exc.value.message


# Not answered: due at the end of the 7th working day after Mon 1 March, with Fri 5 March a
# holiday → Thu 11 March; the complaint window then runs 15 working days → Thu 1 April.
OVERDUE_ANSWER = [
    (local(2027, 3, 10, 10), "not_yet"),  # the day before the answer is due
    (local(2027, 3, 11, 23, 59, 59), "not_yet"),  # the day it is due, to its end
    (local(2027, 3, 12, 0, 0, 1), None),  # the day after: overdue, may complain
    (local(2027, 3, 31, 10), None),
    (local(2027, 4, 1, 23, 59, 59), None),  # last day of the window
    (local(2027, 4, 2, 0, 0, 1), "window_closed"),
]


def test_window_when_the_answer_is_overdue(world):
    calendar([D(2027, 3, 5)])
    sc = scene(world, answer_at=None)
    assert sc.challenge.answer_due == end_of_day(D(2027, 3, 11))
    for now, refused in OVERDUE_ANSWER:
        if refused is None:
            c = complain(sc, now=now)
            s.complaint_withdraw(complaint=c, actor=sc.loser, now=now)
        else:
            with pytest.raises(Conflict) as exc:
                complain(sc, now=now)
            assert exc.value.code == refused, now


def test_only_the_challenger_complains_about_what_it_challenged(world):
    calendar()
    sc = scene(world)
    now = local(2027, 3, 3)
    for who in (sc.other, sc.winner, world.actor("purchaser"), world.actor("admin")):
        with pytest.raises(PermissionDenied):
            complain(sc, now=now, actor=who)
    with pytest.raises(ValidationError) as exc:
        complain(sc, now=now, matters="  ")
    assert exc.value.field == "matters"
    c = complain(sc, now=now)
    with pytest.raises(Conflict) as exc:  # one pending complaint per challenge
        complain(sc, now=now)
    assert exc.value.code == "duplicate"
    assert list(c.challenges.all()) == [sc.challenge]
    assert c.organization == sc.challenge.organization and c.award == sc.award


def test_a_withdrawn_challenge_cannot_be_complained_about(world):
    from caidan.procurement.services import challenge_withdraw

    calendar()
    sc = scene(world, answer_at=None)
    challenge_withdraw(challenge=sc.challenge, actor=sc.loser)
    with pytest.raises(Conflict) as exc:
        complain(sc, now=local(2027, 3, 20))
    assert exc.value.code == "challenge_withdrawn"


# --- the bureau's deadlines and the tick ------------------------------------------------------


def test_accept_within_5_working_days_then_flagged_once(world, admin):
    calendar(HOLIDAYS, MAKEUP)
    sc = scene(world)
    # Filed Thu 11 March: 12, 18, 19, Sat 20, 22 → Mon 22 March.
    c = complain(sc, now=local(2027, 3, 11))
    assert c.accept_due == end_of_day(D(2027, 3, 22))
    assert tick(local(2027, 3, 21, 12)) == 0  # the day before
    assert tick(end_of_day(D(2027, 3, 22))) == 0  # the last instant of the last day
    assert tick(local(2027, 3, 23, 0, 0, 1)) == 1  # the day after
    assert tick(local(2027, 3, 23, 0, 5)) == 0  # once
    c.refresh_from_db()
    assert c.accept_overdue_flagged_at == local(2027, 3, 23, 0, 0, 1)
    assert AuditEvent.objects.filter(kind="complaint.overdue", target_id=str(c.pk)).count() == 1


def test_decide_within_30_working_days_of_acceptance_then_flagged(world, admin):
    calendar(HOLIDAYS, MAKEUP)
    sc = scene(world)
    c = complain(sc, now=local(2027, 3, 11))
    c = s.complaint_accept(complaint=c, actor=admin, now=local(2027, 3, 12, 10))
    # 18, 19, Sat 20, 22–26, 29–2, 5–9, 12–16, 19–23, 26, 27 → Tue 27 April.
    assert c.decide_due == end_of_day(D(2027, 4, 27))
    assert tick(local(2027, 4, 26, 12)) == 0
    assert tick(end_of_day(D(2027, 4, 27))) == 0
    assert tick(local(2027, 4, 28, 0, 0, 1)) == 1
    assert tick(local(2027, 4, 29)) == 0
    c.refresh_from_db()
    assert c.decide_overdue_flagged_at is not None and c.accept_overdue_flagged_at is None


def test_reject_needs_reasons(world, admin):
    calendar()
    sc = scene(world)
    c = complain(sc, now=local(2027, 3, 3))
    with pytest.raises(ValidationError) as exc:
        s.complaint_reject(
            complaint=c,
            actor=admin,
            now=local(2027, 3, 4),
            data=ComplaintRejectInput.parse(reason=""),
        )
    assert exc.value.field == "reason"
    with pytest.raises(PermissionDenied):
        s.complaint_reject(
            complaint=c, actor=world.actor("purchaser"), data=ComplaintRejectInput.parse(reason="x")
        )
    c = s.complaint_reject(
        complaint=c,
        actor=admin,
        now=local(2027, 3, 4),
        data=ComplaintRejectInput.parse(reason="投诉事项未经质疑（94号令 §21）。"),
    )
    assert c.status == "rejected" and c.published_at is None
    # rejected: no longer pending, the contract step is free of it
    assert holds_on(sc.tender, Step.CONTRACT, now=local(2027, 3, 5)) == []


# --- suspension --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "ok"),
    [
        (D(2027, 4, 10), True),  # 12 March – 10 April: 30 days, both counted
        (D(2027, 4, 11), False),  # 31 days
    ],
)
def test_suspension_at_most_30_days(world, admin, until, ok):
    calendar()
    sc = scene(world)
    c = s.complaint_accept(
        complaint=complain(sc, now=local(2027, 3, 11)), actor=admin, now=local(2027, 3, 11, 15)
    )
    now = local(2027, 3, 12, 10)
    if not ok:
        with pytest.raises(ValidationError) as exc:
            s.complaint_suspend(
                complaint=c,
                actor=admin,
                now=now,
                data=ComplaintSuspendInput.parse(until=until, reason="核查资质"),
            )
        assert exc.value.field == "until" and "31 日" in exc.value.message
        assert "政府采购法 §57" in exc.value.message
        return
    c = s.complaint_suspend(
        complaint=c,
        actor=admin,
        now=now,
        data=ComplaintSuspendInput.parse(until=until, reason="核查资质"),
    )
    assert c.suspension_start == now and c.suspension_end == end_of_day(until)


def test_suspension_holds_award_and_contract_until_it_ends(world, admin):
    calendar()
    sc = scene(world)
    c = complain(sc, now=local(2027, 3, 11))
    s.complaint_accept(complaint=c, actor=admin, now=local(2027, 3, 11, 15))
    now = local(2027, 3, 12, 10)
    with pytest.raises(ValidationError):  # never backdated
        s.complaint_suspend(
            complaint=c,
            actor=admin,
            now=now,
            data=ComplaintSuspendInput.parse(
                until=D(2027, 3, 20), start=D(2027, 3, 11), reason="x"
            ),
        )
    c = s.complaint_suspend(
        complaint=c,
        actor=admin,
        now=now,
        data=ComplaintSuspendInput.parse(until=D(2027, 3, 20), reason="核查"),
    )
    t = sc.tender
    assert holds_on(t, Step.AWARD, now=local(2027, 3, 12, 9)) == []  # before it started
    assert len(holds_on(t, Step.AWARD, now=now)) == 1
    assert len(holds_on(t, Step.AWARD, now=end_of_day(D(2027, 3, 20)))) == 1  # its last instant
    assert holds_on(t, Step.AWARD, now=local(2027, 3, 21, 0, 0, 1)) == []  # ended by itself
    # the pending complaint alone still holds the contract (and the suspension with it)
    assert len(holds_on(t, Step.CONTRACT, now=local(2027, 3, 15))) == 2
    assert len(holds_on(t, Step.CONTRACT, now=local(2027, 3, 22))) == 1
    # the tick records the end once
    assert tick(end_of_day(D(2027, 3, 20))) == 0
    assert tick(local(2027, 3, 21, 0, 0, 1)) == 1
    assert tick(local(2027, 3, 21, 0, 1)) == 0
    with pytest.raises(Conflict) as exc:  # one suspension per complaint (30 days in all)
        s.complaint_suspend(
            complaint=c,
            actor=admin,
            now=local(2027, 3, 22),
            data=ComplaintSuspendInput.parse(until=D(2027, 3, 25), reason="x"),
        )
    assert exc.value.code == "already_suspended"


def test_suspension_lifted_early(world, admin):
    calendar()
    sc = scene(world)
    c = complain(sc, now=local(2027, 3, 11))
    with pytest.raises(Conflict) as exc:
        s.complaint_lift_suspension(complaint=c, actor=admin, now=local(2027, 3, 12))
    assert exc.value.code == "not_suspended"
    s.complaint_suspend(
        complaint=c,
        actor=admin,
        now=local(2027, 3, 12),
        data=ComplaintSuspendInput.parse(until=D(2027, 4, 1), reason="核查"),
    )
    c = s.complaint_lift_suspension(complaint=c, actor=admin, now=local(2027, 3, 15, 10))
    assert holds_on(sc.tender, Step.AWARD, now=local(2027, 3, 15, 9)) != []
    assert holds_on(sc.tender, Step.AWARD, now=local(2027, 3, 15, 10)) == []
    tick(local(2027, 4, 2))  # lifted: nothing to record at the old end
    assert not AuditEvent.objects.filter(kind="complaint.suspension_ended").exists()


def test_contract_blocked_while_pending(world, admin):
    from caidan.procurement.services import contract_blockers

    calendar()
    sc = scene(world)
    after_window = sc.award.challenge_deadline + dt.timedelta(days=1)
    assert contract_blockers(sc.tender, now=after_window) == []
    c = complain(sc, now=local(2027, 3, 11))
    assert any("投诉" in r for r in contract_blockers(sc.tender, now=after_window))
    s.complaint_accept(complaint=c, actor=admin, now=local(2027, 3, 12))
    assert any("投诉" in r for r in contract_blockers(sc.tender, now=after_window))
    s.complaint_decide(
        complaint=c,
        actor=admin,
        now=local(2027, 3, 19),
        data=ComplaintDecisionInput.parse(outcome="dismissed", reasoning="缺乏事实依据。"),
    )
    assert contract_blockers(sc.tender, now=after_window) == []


# --- decisions and their effects --------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "award_status", "tender_status"),
    [
        ("dismissed", "confirmed", "awarded"),
        ("upheld_no_effect", "confirmed", "awarded"),
        ("upheld_reaward", "revoked", "evaluated"),
        ("upheld_retender", "revoked", "failed"),
    ],
)
def test_decision_effects(world, admin, outcome, award_status, tender_status):
    from caidan.procurement.services import recommended

    calendar()
    sc = scene(world)
    c = complain(sc, now=local(2027, 3, 11))
    s.complaint_suspend(
        complaint=c,
        actor=admin,
        now=local(2027, 3, 11, 12),
        data=ComplaintSuspendInput.parse(until=D(2027, 4, 1), reason="核查"),
    )
    s.complaint_accept(complaint=c, actor=admin, now=local(2027, 3, 12))
    now = local(2027, 3, 19)
    c = s.complaint_decide(
        complaint=c,
        actor=admin,
        now=now,
        data=ComplaintDecisionInput.parse(outcome=outcome, reasoning="经调查核实。"),
    )
    assert c.status == "decided" and c.published_at == now and c.decided_at == now
    with pytest.raises(Conflict) as exc:  # decided: review or litigation now (§58)
        complain(sc, now=local(2027, 3, 22))
    assert exc.value.code == "already_decided"
    assert c.suspension_lifted_at == now  # the suspension ends with the decision
    sc.award.refresh_from_db()
    sc.tender.refresh_from_db()
    assert sc.award.status == award_status
    assert sc.tender.status == tender_status
    if outcome == "upheld_reaward":
        assert [b.rank for b in recommended(sc.tender)] == [2]
        assert "投诉处理决定" in sc.award.end_reason
    assert holds_on(sc.tender, Step.AWARD, now=now) == []


def test_decision_needs_an_outcome_reasons_and_acceptance(world, admin):
    calendar()
    sc = scene(world)
    c = complain(sc, now=local(2027, 3, 11))
    with pytest.raises(Conflict) as exc:  # not accepted yet
        s.complaint_decide(
            complaint=c,
            actor=admin,
            data=ComplaintDecisionInput.parse(outcome="dismissed", reasoning="x"),
        )
    assert exc.value.code == "bad_transition"
    s.complaint_accept(complaint=c, actor=admin, now=local(2027, 3, 12))
    with pytest.raises(ValidationError) as exc:
        s.complaint_decide(
            complaint=c,
            actor=admin,
            data=ComplaintDecisionInput.parse(outcome="maybe", reasoning="x"),
        )
    assert exc.value.field == "outcome"
    with pytest.raises(ValidationError) as exc:
        s.complaint_decide(
            complaint=c,
            actor=admin,
            data=ComplaintDecisionInput.parse(outcome="dismissed", reasoning=" "),
        )
    assert exc.value.field == "reasoning"
    with pytest.raises(ValidationError) as exc:  # no contract was signed
        s.complaint_decide(
            complaint=c,
            actor=admin,
            data=ComplaintDecisionInput.parse(outcome="upheld_contract_signed", reasoning="x"),
        )
    assert exc.value.field == "outcome"


def test_withdrawal_by_the_complainant_only(world, admin):
    calendar()
    sc = scene(world)
    c = complain(sc, now=local(2027, 3, 11))
    with pytest.raises(PermissionDenied):
        s.complaint_withdraw(complaint=c, actor=sc.other)
    with pytest.raises(PermissionDenied):
        s.complaint_withdraw(complaint=c, actor=admin)
    c = s.complaint_withdraw(complaint=c, actor=sc.loser, now=local(2027, 3, 12))
    assert c.status == "withdrawn" and c.withdrawn_at == local(2027, 3, 12)


# --- the transition table ---------------------------------------------------------------------


def _act(action, c, *, admin, loser, now):
    if action == ComplaintAction.ACCEPT:
        return s.complaint_accept(complaint=c, actor=admin, now=now)
    if action == ComplaintAction.REJECT:
        return s.complaint_reject(
            complaint=c,
            actor=admin,
            now=now,
            data=ComplaintRejectInput.parse(reason="不符合受理条件"),
        )
    if action == ComplaintAction.SUSPEND:
        return s.complaint_suspend(
            complaint=c,
            actor=admin,
            now=now,
            data=ComplaintSuspendInput.parse(until=D(2027, 3, 20), reason="核查"),
        )
    if action == ComplaintAction.LIFT:
        return s.complaint_lift_suspension(complaint=c, actor=admin, now=now)
    if action == ComplaintAction.DECIDE:
        return s.complaint_decide(
            complaint=c,
            actor=admin,
            now=now,
            data=ComplaintDecisionInput.parse(outcome="dismissed", reasoning="缺乏事实依据"),
        )
    return s.complaint_withdraw(complaint=c, actor=loser, now=now)


class _Rollback(Exception):
    pass


def test_every_action_from_every_status(world, admin):
    calendar()
    sc = scene(world)
    c = complain(sc, now=local(2027, 3, 11))
    now = local(2027, 3, 12, 10)
    for status in ComplaintStatus.values:
        for action in ComplaintAction.values:
            allowed = status in TRANSITIONS[action][0]
            try:
                with transaction.atomic():
                    fields = {
                        "status": status,  # with what the database requires of it
                        "rejection_reason": "不符合受理条件",
                        "outcome": "dismissed",
                        "reasoning": "缺乏事实依据",
                        "decided_at": now,
                    }
                    if action == ComplaintAction.LIFT:  # something to lift
                        fields |= {
                            "suspension_start": local(2027, 3, 12, 9),
                            "suspension_end": end_of_day(D(2027, 3, 20)),
                        }
                    Complaint.objects.filter(pk=c.pk).update(**fields)
                    c.refresh_from_db()
                    before = AuditEvent.objects.count()
                    if allowed:
                        after = _act(action, c, admin=admin, loser=sc.loser, now=now)
                        target = TRANSITIONS[action][1] or status
                        assert after.status == target, (status, action)
                        ev = AuditEvent.objects.filter(kind="complaint.transition").latest("seq")
                        assert ev.old == {"status": status}, (status, action)
                        assert ev.new["status"] == target and ev.new["action"] == action
                    else:
                        with pytest.raises(Conflict) as exc:
                            _act(action, c, admin=admin, loser=sc.loser, now=now)
                        assert exc.value.code == "bad_transition", (status, action)
                        assert AuditEvent.objects.count() == before
                    raise _Rollback
            except _Rollback:
                pass


def test_notices_at_each_step_and_the_desk_puts_the_late_first(world, admin):
    from caidan.complaints.selectors import inbox, visible_to
    from caidan.notifications.models import Notification

    calendar()
    sc = scene(world, both=True)
    c = complain(sc, now=local(2027, 3, 3))
    mine = Notification.objects.filter(recipient=sc.loser.user)
    officers = Notification.objects.filter(recipient=world.user("purchaser"))
    bureau = Notification.objects.filter(recipient=world.user("admin"))
    assert mine.filter(kind="complaint.filed").exists()
    assert officers.filter(kind="complaint.filed").exists()
    assert bureau.filter(kind="complaint.filed").exists()
    s.complaint_accept(complaint=c, actor=admin, now=local(2027, 3, 4))
    s.complaint_suspend(
        complaint=c,
        actor=admin,
        now=local(2027, 3, 4),
        data=ComplaintSuspendInput.parse(until=D(2027, 3, 10), reason="核查"),
    )
    s.complaint_decide(
        complaint=c,
        actor=admin,
        now=local(2027, 3, 5),
        data=ComplaintDecisionInput.parse(outcome="dismissed", reasoning="缺乏事实依据"),
    )
    for kind in ("complaint.accepted", "complaint.suspended", "complaint.decided"):
        assert mine.filter(kind=kind).exists(), kind
        assert officers.filter(kind=kind).exists(), kind
    # the desk: a late one first, then by due date, the closed last
    late = s.complaint_file(
        actor=sc.other,
        now=local(2027, 3, 10),
        data=ComplaintInput.parse(
            challenges=[sc.challenge2], matters="评分有误", request="重新评审"
        ),
    )
    assert late.accept_due == end_of_day(D(2027, 3, 17))
    rows = inbox(actor=admin, now=local(2027, 3, 18))
    assert [r.pk for r in rows][:2] == [late.pk, c.pk]
    assert rows[0].is_overdue(local(2027, 3, 18))
    # the purchaser of another street sees neither (until published)
    others = visible_to(world.actor("purchaser2"))
    assert list(others.filter(pk=late.pk)) == []
    assert list(others.filter(pk=c.pk)) == [c]  # published decision
