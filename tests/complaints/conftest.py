"""Complaints test data, through the services, on a fixed clock (``time_machine``).

The procurement's own services (challenge filing and answering) read the clock, so the
scene is played at fixed moments in March 2027; the calendar of that spring is cleared and
the holidays each test needs are created by the test itself (the shared holiday calendar is
being extended by others)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from caidan.complaints.inputs import ComplaintInput
from tests.procurement.conftest import own_expert_pool  # noqa: F401 - the pool the tests build


def local(y, m, d, h=10, minute=0, s=0, us=0):
    return timezone.make_aware(dt.datetime(y, m, d, h, minute, s, us))


T0 = local(2027, 3, 1, 9)  # Monday: award and challenge
ANSWERED = local(2027, 3, 2, 10)  # Tuesday: the purchaser answers (dismissing)


def calendar(holidays=(), workdays=()):
    """Clear spring 2027 and set exactly these holidays and make-up working days."""
    from caidan.common.models import CalendarDay

    CalendarDay.objects.filter(date__range=(dt.date(2027, 2, 1), dt.date(2027, 6, 30))).delete()
    for d in holidays:
        CalendarDay.objects.create(date=d, kind="holiday", name="测试假日")
    for d in workdays:
        CalendarDay.objects.create(date=d, kind="workday", name="测试调休")


@dataclass
class Scene:
    tender: object
    award: object
    challenge: object
    loser: object  # the challenging bidder (rank 2)
    other: object  # a bidder that did not challenge (rank 3) unless ``both``
    challenge2: object  # the third-ranked bidder's challenge (with ``both``)
    winner: object


def _actor_of(org):
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership

    m = Membership.objects.filter(organization=org).first()
    return Actor(user=m.user, membership=m)


def scene(world, *, at=T0, answer_at=ANSWERED, upheld=False, both=False):
    """A tender scored by five experts and awarded at T0, challenged by the second-ranked
    bidder at T0 and (unless ``answer_at`` is None) answered — dismissed — at ``answer_at``.
    ``at=None``: all of it now, on the real clock (for the pages and the API)."""
    import contextlib

    from caidan.procurement.models import Bid
    from caidan.procurement.services import award_confirm, challenge_answer, challenge_file
    from tests.procurement.factories import opened_tender
    from tests.procurement.test_evaluation_services import (
        bids_by_price,
        score,
        seat,
        standard_rows,
    )

    clock = time_machine.travel(at, tick=False) if at else contextlib.nullcontext()
    with clock as tm:
        t = opened_tender(world)
        bids = bids_by_price(t)
        for i, m in enumerate(seat(world, t)):
            score(m, bids, standard_rows(i))
        t.refresh_from_db()
        assert t.status == "evaluated", t.failed_reason
        award = award_confirm(tender=t, actor=world.actor("purchaser"))
        second = Bid.objects.get(tender=t, rank=2)
        third = Bid.objects.get(tender=t, rank=3)
        loser = _actor_of(second.organization)
        ch = challenge_file(
            award=award,
            organization=second.organization,
            grounds="中标供应商的社工资质不符合采购文件要求。",
            actor=loser,
        )
        other = _actor_of(third.organization)
        ch2 = (
            challenge_file(
                award=award, organization=third.organization, grounds="评分有误。", actor=other
            )
            if both
            else None
        )
        if answer_at is not None:
            if tm is not None:
                tm.move_to(answer_at)
            if ch2 is not None:
                ch2 = challenge_answer(
                    challenge=ch2, answer="评分无误。", upheld=False, actor=world.actor("purchaser")
                )
            ch = challenge_answer(
                challenge=ch,
                answer="经核查，中标供应商资质符合要求，质疑不成立。",
                upheld=upheld,
                actor=world.actor("purchaser"),
            )
    t.refresh_from_db()
    return Scene(
        tender=t,
        award=award,
        challenge=ch,
        loser=loser,
        other=other,
        challenge2=ch2,
        winner=_actor_of(award.bid.organization),
    )


def complain(sc, *, now, actor=None, **kw):
    from caidan.complaints.services import complaint_file

    return complaint_file(
        actor=actor or sc.loser,
        now=now,
        data=ComplaintInput.parse(
            challenges=[sc.challenge],
            matters=kw.get("matters", "采购人的答复未核实中标供应商社工的资格证书。"),
            request=kw.get("request", "请求认定中标结果无效。"),
        ),
    )


@pytest.fixture
def admin(world):
    return world.actor("admin")
