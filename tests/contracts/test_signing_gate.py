"""One rule for the step to the contract (DOMAIN §4.7; 政府采购法 §52–53, 实施条例 §53–54):
nothing is drafted or signed before the challenge window has closed and every challenge is
answered, and the winner must still be eligible. Drafting, signing and the tick use the same
rule (``procurement.services.award_blockers``); it is tested here at the window's exact
boundary on a fixed clock, with a holiday and a make-up working day (调休) inside the window.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.common.calendar import end_of_day
from caidan.common.errors import Conflict
from caidan.common.models import CalendarDay
from caidan.common.tick import run_tick
from caidan.contracts.services import contract_create, contract_renew, contract_sign
from caidan.contracts.services import signing_blockers as contract_signing_blockers
from caidan.jurisdiction.services import calendar_day_remove, calendar_day_set
from caidan.procurement.models import Tender
from caidan.procurement.services import (
    award_blockers,
    award_confirm,
    candidate_disqualify,
    challenge_answer,
    challenge_file,
    recommended,
)

from .factories import demo_provider

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def quiet_monday(after: dt.date) -> dt.date:
    """The first Monday after ``after`` with no holiday or make-up day in the next 4 weeks, so
    the test's own calendar rows are the only ones in the window."""
    day = after + dt.timedelta(days=1)
    while True:
        while day.weekday() != 0:
            day += dt.timedelta(days=1)
        span = (day, day + dt.timedelta(days=28))
        if not CalendarDay.objects.filter(date__range=span).exists():
            return day
        day += dt.timedelta(days=7)


@pytest.fixture
def window(world):
    """An award confirmed on Monday D at 10:00, with Thursday D+3 and Friday D+4 holidays and
    Saturday D+5 a make-up working day. The notice period (1 working day) ends on Tuesday
    D+1; the 7 working days of the challenge window are D+2 (Wed), D+5 (Sat, 调休), D+7 (Mon),
    D+8, D+9, D+10 and D+11 (Fri): the window closes at the end of Friday D+11."""
    admin = world.actor("admin")
    tender = _evaluated_tender(world)
    d = quiet_monday(timezone.localtime(tender.opened_at).date())
    calendar_day_set(date=d + dt.timedelta(days=3), kind="holiday", name="测试假日", actor=admin)
    calendar_day_set(date=d + dt.timedelta(days=4), kind="holiday", name="测试假日", actor=admin)
    calendar_day_set(date=d + dt.timedelta(days=5), kind="workday", name="测试调休", actor=admin)
    award = award_confirm(tender=tender, actor=world.actor("purchaser"), now=at(d))
    last_day = d + dt.timedelta(days=11)
    assert award.challenge_deadline == end_of_day(last_day)
    return award, d, last_day


def _evaluated_tender(world) -> Tender:
    """A lowest-price tender, opened and ranked, with the demo provider first."""
    from tests.procurement.factories import make_bidders, opened_tender

    bidders = [demo_provider(world), *make_bidders(world, 2)]
    t = opened_tender(
        world,
        prices=("800000.00", "900000.00", "950000.00"),
        evaluation_method="lowest_price",
        bidders=bidders,
    )
    assert t.status == "evaluated", t.failed_reason
    return t


# (label, moment relative to the last day of the window, may the contract be drafted?)
BOUNDARY = [
    ("the day before the last day", lambda last: at(last - dt.timedelta(days=1), 16), False),
    ("the last day, in office hours", lambda last: at(last, 9), False),
    ("the last instant of the last day", lambda last: end_of_day(last), False),
    ("one microsecond later", lambda last: end_of_day(last) + dt.timedelta(microseconds=1), True),
    ("the day after, a Saturday", lambda last: at(last + dt.timedelta(days=1), 10), True),
]


@pytest.mark.parametrize(("label", "moment", "allowed"), BOUNDARY, ids=[b[0] for b in BOUNDARY])
def test_drafting_waits_for_the_end_of_the_window(world, window, label, moment, allowed):
    award, _, last_day = window
    now = moment(last_day)
    blockers = award_blockers(award, now=now)
    assert (blockers == []) is allowed, blockers
    if allowed:
        contract = contract_create(award=award, actor=world.actor("purchaser"), now=now)
        assert contract.status == "draft"
    else:
        assert any("质疑期" in b and "政府采购法 §52" in b for b in blockers)
        with pytest.raises(Conflict) as exc:
            contract_create(award=award, actor=world.actor("purchaser"), now=now)
        assert exc.value.code == "signing_blocked"
        assert exc.value.detail["reasons"] == blockers


@pytest.mark.parametrize(("label", "moment", "allowed"), BOUNDARY, ids=[b[0] for b in BOUNDARY])
def test_the_tick_concludes_on_the_same_rule(world, window, label, moment, allowed):
    award, _, last_day = window
    now = moment(last_day)
    changed = run_tick(now=now, only=["procurement.conclude_awards"])[0].changed
    award.tender.refresh_from_db()
    assert (award.tender.status == "concluded") is allowed
    assert changed == (1 if allowed else 0)


def test_a_working_day_later_without_the_make_up_day_the_window_is_longer(world):
    """The make-up Saturday counts: without it the window ends on the following Monday."""
    admin = world.actor("admin")
    tender = _evaluated_tender(world)
    d = quiet_monday(timezone.localtime(tender.opened_at).date())
    calendar_day_set(date=d + dt.timedelta(days=3), kind="holiday", name="测试假日", actor=admin)
    calendar_day_set(date=d + dt.timedelta(days=4), kind="holiday", name="测试假日", actor=admin)
    award = award_confirm(tender=tender, actor=world.actor("purchaser"), now=at(d))
    assert award.challenge_deadline == end_of_day(d + dt.timedelta(days=14))
    calendar_day_remove(date=d + dt.timedelta(days=3), actor=admin)


def test_every_challenge_blocks_until_answered_also_one_that_may_not_change_the_result(
    world, window
):
    award, d, last_day = window
    loser = award.tender.bids.exclude(pk=award.bid_id).select_related("organization").first()
    from tests.procurement.test_awards import bidder_of

    challenger = bidder_of(loser)
    # Filed at the last instant of the window: still in time.
    c = challenge_file(
        award=award,
        organization=loser.organization,
        grounds="评审程序有误",
        actor=challenger,
        may_change_result=False,
        now=end_of_day(last_day),
    )
    later = at(last_day + dt.timedelta(days=3))
    blockers = award_blockers(award, now=later)
    assert (
        len(blockers) == 1 and "尚未答复" in blockers[0] and loser.organization.name in blockers[0]
    )
    with pytest.raises(Conflict):
        contract_create(award=award, actor=world.actor("purchaser"), now=later)
    assert run_tick(now=later, only=["procurement.conclude_awards"])[0].changed == 0
    challenge_answer(
        challenge=c, answer="程序合法。", upheld=False, actor=world.actor("purchaser"), now=later
    )
    assert award_blockers(award, now=later) == []
    contract = contract_create(award=award, actor=world.actor("purchaser"), now=later)
    assert contract_signing_blockers(contract, now=later) == []


def test_signing_refuses_a_winner_that_became_ineligible_and_both_parties_see_why(
    world, window, client, login
):
    from caidan.orgs.services.credit import judgment_defaulter_set

    award, _, last_day = window
    after = at(last_day + dt.timedelta(days=3))
    contract = contract_create(award=award, actor=world.actor("purchaser"), now=after)
    contract_sign(contract=contract, actor=world.actor("purchaser"), now=after)
    judgment_defaulter_set(
        organization=award.bid.organization,
        listed_on=timezone.localdate(),
        actor=world.actor("registrar"),
    )
    later = after + dt.timedelta(minutes=1)
    blockers = contract_signing_blockers(contract, now=later)
    assert blockers and all("已不符合承接条件" in b for b in blockers)
    with pytest.raises(Conflict) as exc:
        contract_sign(contract=contract, actor=world.actor("provider"), now=later)
    assert exc.value.code == "signing_blocked"
    contract.refresh_from_db()
    assert contract.status == "draft" and contract.provider_signed_at is None
    for username in ("purchaser", "provider"):
        page = login(username).get(f"/contracts/{contract.pk}/").content.decode()
        assert "失信被执行人" in page, username


def test_award_refused_for_a_winner_that_became_ineligible_then_next_ranked(world):
    from caidan.notifications.models import Notification
    from caidan.orgs.services.credit import judgment_defaulter_set

    tender = _evaluated_tender(world)
    first = recommended(tender)[0]
    judgment_defaulter_set(
        organization=first.organization,
        listed_on=timezone.localdate(),
        actor=world.actor("registrar"),
    )
    with pytest.raises(Conflict) as exc:
        award_confirm(tender=tender, actor=world.actor("purchaser"))
    assert exc.value.code == "winner_ineligible"
    assert "失信被执行人" in str(exc.value.detail["reasons"])
    tender.refresh_from_db()
    assert tender.status == "evaluated" and not tender.awards.exists()
    # A bidder still eligible cannot be disqualified this way.
    second = recommended(tender)[0]
    candidate_disqualify(tender=tender, bid=first, actor=world.actor("purchaser"))
    nxt = recommended(tender)
    assert nxt and nxt[0].pk != first.pk
    with pytest.raises(Conflict) as exc:
        candidate_disqualify(tender=tender, bid=nxt[0], actor=world.actor("purchaser"))
    assert exc.value.code == "still_eligible"
    assert second.pk == first.pk
    told = Notification.objects.filter(kind="tender.candidate_disqualified").first()
    assert told is not None and "失信被执行人" in told.body
    award = award_confirm(tender=tender, actor=world.actor("purchaser"))
    assert award.bid_id == nxt[0].pk


def test_renewal_refused_for_a_provider_barred_since(world):
    from caidan.orgs.services.credit import provider_bar_create

    from .factories import signed_contract

    contract = signed_contract(world, renewal_intent=True, renewal_years=2)
    provider_bar_create(
        organization=contract.organization,
        reason="违约",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=365),
        actor=world.actor("registrar"),
    )
    with pytest.raises(Conflict) as exc:
        contract_renew(contract=contract, actor=world.actor("purchaser"))
    assert exc.value.code == "ineligible" and "负面清单" in exc.value.message
    assert not contract.renewals.exists()


def test_the_purchaser_is_told_before_typing_the_terms(world, window, login):
    """The list of awards waiting for a contract and the drafting form say why not yet, and
    the form cannot be saved (warn before the wall)."""
    award, _, last_day = window
    client = login("purchaser")
    listing = client.get("/contracts/new/").content.decode()
    assert f"{last_day:%Y-%m-%d} 23:59" in listing
    assert f"/contracts/new/{award.pk}/" not in listing
    form = client.get(f"/contracts/new/{award.pk}/")
    html = form.content.decode()
    assert "暂不能起草合同" in html and "政府采购法 §52" in html
    resp = client.post(f"/contracts/new/{award.pk}/", {"title": "x"})
    assert resp.status_code == 200
    assert not award.contracts.exists()
