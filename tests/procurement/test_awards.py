"""Award, notice, challenge window, suspension, decline → next-ranked, and the step to the
contract (DOMAIN.md §4.1)."""

import datetime as dt

import pytest
from django.utils import timezone

from caidan.common.calendar import add_working_days, end_of_day
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.tick import run_tick
from caidan.notifications.models import Notification
from caidan.procurement.models import Award, Bid, Tender
from caidan.procurement.services import (
    award_confirm,
    award_decline,
    challenge_answer,
    challenge_file,
    challenge_withdraw,
    contract_blockers,
    recommended,
)

from .factories import make_bidder, make_bidders, opened_tender

pytestmark = pytest.mark.django_db


def lowest_price(world, prices=("800000.00", "900000.00", "1000000.00"), bidders=None):
    """A tender ranked at opening by price (no experts)."""
    t = opened_tender(world, prices=prices, evaluation_method="lowest_price", bidders=bidders)
    assert t.status == "evaluated", t.failed_reason
    return t


def bidder_of(bid):
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership

    m = Membership.objects.filter(organization=bid.organization).first()
    return Actor(user=m.user, membership=m)


def conclude(now):
    return run_tick(now=now, only=["procurement.conclude_awards"])[0].changed


def test_lowest_price_ranking_and_award_notice(world):
    t = lowest_price(world)
    ranked = list(Bid.objects.filter(tender=t).order_by("rank"))
    assert [str(b.price) for b in ranked] == ["800000.00", "900000.00", "1000000.00"]
    assert [b.rank for b in ranked] == [1, 2, 3]
    assert [b.pk for b in recommended(t)] == [ranked[0].pk]
    award = award_confirm(tender=t, actor=world.actor("purchaser"))
    t.refresh_from_db()
    assert t.status == "awarded"
    assert award.bid == ranked[0] and award.amount == ranked[0].price
    # Published at once, within the 2 working days of 实施条例 §43.
    assert award.notice_published_at <= award.notice_due
    assert award.notice_due == end_of_day(add_working_days(award.decided_at, 2))
    # Notice period of 1 working day, then 7 working days for challenges.
    assert award.notice_period_ends == end_of_day(add_working_days(award.decided_at, 1))
    assert award.challenge_deadline == end_of_day(add_working_days(award.notice_period_ends, 7))
    winners = Notification.objects.filter(kind="tender.awarded")
    assert winners.count() == 3  # every bidder's account is told


def test_award_dates_skip_holidays(world):
    from caidan.jurisdiction.services import calendar_day_set

    today = timezone.localdate()
    for i in range(1, 4):
        calendar_day_set(
            date=today + dt.timedelta(days=i),
            kind="holiday",
            name="假期",
            actor=world.actor("admin"),
        )
    t = lowest_price(world)
    award = award_confirm(tender=t, actor=world.actor("purchaser"))
    assert timezone.localtime(award.notice_due).date() >= today + dt.timedelta(days=5)


def test_only_the_purchaser_confirms_and_only_the_first_ranked(world):
    t = lowest_price(world)
    second = Bid.objects.get(tender=t, rank=2)
    with pytest.raises(PermissionDenied):
        award_confirm(tender=t, actor=world.actor("purchaser2"))
    with pytest.raises(ValidationError) as exc:
        award_confirm(tender=t, actor=world.actor("purchaser"), bid=second)
    assert exc.value.field == "bid"
    assert not Award.objects.filter(tender=t).exists()


def test_tied_first_place_needs_a_choice_and_a_reason(world):
    t = lowest_price(world, prices=("800000.00", "800000.00", "900000.00"))
    tied = list(Bid.objects.filter(tender=t, rank=1))
    assert len(tied) == 2
    assert Bid.objects.get(tender=t, price="900000.00").rank == 3  # 1, 1, 3
    with pytest.raises(ValidationError) as exc:
        award_confirm(tender=t, actor=world.actor("purchaser"))
    assert exc.value.field == "bid"
    with pytest.raises(ValidationError) as exc:
        award_confirm(tender=t, actor=world.actor("purchaser"), bid=tied[1])
    assert exc.value.field == "note"
    award = award_confirm(tender=t, actor=world.actor("purchaser"), bid=tied[1], note="抽签确定")
    assert award.bid == tied[1]


def test_winner_declines_then_next_ranked_is_offered(world):
    t = lowest_price(world)
    first = award_confirm(tender=t, actor=world.actor("purchaser"))
    with pytest.raises(PermissionDenied):
        award_decline(award=first, reason="不签", actor=world.actor("provider"))
    award_decline(award=first, reason="人员无法到位", actor=bidder_of(first.bid))
    t.refresh_from_db()
    assert t.status == "evaluated"
    nxt = recommended(t)
    assert [b.rank for b in nxt] == [2]
    assert Notification.objects.filter(kind="tender.next_ranked").exists()
    second = award_confirm(tender=t, actor=world.actor("purchaser"))
    assert second.bid.rank == 2
    award_decline(award=second, reason="放弃", actor=bidder_of(second.bid))
    third = award_confirm(tender=t, actor=world.actor("purchaser"))
    award_decline(award=third, reason="放弃", actor=bidder_of(third.bid))
    t.refresh_from_db()
    assert t.status == "failed" and "无其他排名供应商" in t.failed_reason


def test_challenge_by_a_bidder_within_the_window_suspends_the_contract(world):
    bidders = make_bidders(world, 3)
    t = lowest_price(world, bidders=bidders)
    award = award_confirm(tender=t, actor=world.actor("purchaser"))
    loser = bidders[2]
    outsider = make_bidder(world)
    with pytest.raises(ValidationError) as exc:
        challenge_file(award=award, organization=outsider.org, grounds="不服", actor=outsider.actor)
    assert exc.value.field == "organization"
    c = challenge_file(
        award=award, organization=loser.org, grounds="中标人资质不符", actor=loser.actor
    )
    assert c.answer_due == end_of_day(add_working_days(c.filed_at, 7))
    after_window = award.challenge_deadline + dt.timedelta(seconds=1)
    assert any("尚未答复" in r for r in contract_blockers(t, now=after_window))
    assert conclude(after_window) == 0
    challenge_answer(
        challenge=c,
        answer="经核查，中标人资质符合要求。",
        upheld=False,
        actor=world.actor("purchaser"),
    )
    assert contract_blockers(t, now=after_window) == []
    assert conclude(after_window) == 1
    assert conclude(after_window) == 0  # idempotent
    t.refresh_from_db()
    assert t.status == "concluded" and t.concluded_at == after_window


def test_window_still_open_blocks_the_contract(world):
    t = lowest_price(world)
    award = award_confirm(tender=t, actor=world.actor("purchaser"))
    assert any("质疑期" in r for r in contract_blockers(t))
    assert conclude(award.challenge_deadline - dt.timedelta(seconds=1)) == 0


def test_challenge_after_the_window_is_refused(world):
    bidders = make_bidders(world, 3)
    t = lowest_price(world, bidders=bidders)
    award = award_confirm(tender=t, actor=world.actor("purchaser"))
    with pytest.raises(Conflict) as exc:
        challenge_file(
            award=award,
            organization=bidders[1].org,
            grounds="迟到",
            actor=bidders[1].actor,
            now=award.challenge_deadline + dt.timedelta(microseconds=1),
        )
    assert exc.value.code == "window_closed"
    # The last instant of the window's last day still belongs to it.
    c = challenge_file(
        award=award,
        organization=bidders[1].org,
        grounds="最后一刻",
        actor=bidders[1].actor,
        now=award.challenge_deadline,
    )
    assert c.filed_at == award.challenge_deadline


def test_upheld_challenge_revokes_the_award(world):
    bidders = make_bidders(world, 3)
    t = lowest_price(world, bidders=bidders)
    award = award_confirm(tender=t, actor=world.actor("purchaser"))
    c = challenge_file(
        award=award,
        organization=bidders[1].org,
        grounds="第一名报价低于成本",
        actor=bidders[1].actor,
    )
    with pytest.raises(PermissionDenied):
        challenge_answer(challenge=c, answer="x", upheld=True, actor=world.actor("purchaser2"))
    challenge_answer(
        challenge=c,
        answer="质疑成立，第一名不满足实质性要求。",
        upheld=True,
        actor=world.actor("purchaser"),
    )
    award.refresh_from_db()
    t.refresh_from_db()
    assert award.status == "revoked" and t.status == "evaluated"
    assert recommended(t)[0].rank == 2


def test_withdrawn_challenge_no_longer_suspends(world):
    bidders = make_bidders(world, 3)
    t = lowest_price(world, bidders=bidders)
    award = award_confirm(tender=t, actor=world.actor("purchaser"))
    c = challenge_file(
        award=award, organization=bidders[2].org, grounds="异议", actor=bidders[2].actor
    )
    challenge_withdraw(challenge=c, actor=bidders[2].actor)
    assert contract_blockers(t, now=award.challenge_deadline + dt.timedelta(seconds=1)) == []


def test_no_award_before_evaluation(world):
    t = opened_tender(world)  # comprehensive scoring: waiting for the experts
    assert t.status == "evaluating"
    with pytest.raises(Conflict) as exc:
        award_confirm(tender=t, actor=world.actor("purchaser"))
    assert exc.value.code == "not_evaluated"
    assert Tender.objects.get(pk=t.pk).status == "evaluating"
