"""A need left unmet for a year is flagged once to its unit's purchasers (issue 21): the
tick job ``stats.unmet_needs``, at the boundary (a second before / at the year), answered
needs and hidden needs left out, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from caidan.common.tick import run_tick
from caidan.needs import services as needs_services
from caidan.needs.inputs import NeedInput, NeedModerationInput
from caidan.notifications.models import Notification
from caidan.stats.gaps import UNMET_AFTER
from caidan.stats.models import UnmetNeedFlag
from caidan.stats.unmet import unmet_needs_flag

pytestmark = pytest.mark.django_db


def _need(resident, unit, text="希望社区提供就业指导和心理支持服务。"):
    return needs_services.need_submit(
        actor=resident(),
        data=NeedInput.parse(
            unit=unit, community="愚园路居委会", target_group="ex_offender", text=text
        ),
    )


def _approve(world, need):
    from tests.procurement.factories import approved_proposal

    return approved_proposal(world, budget="100000.00", needs=[need])


def test_flagged_once_a_year_after_unless_answered_or_hidden(world, resident, jiangsu, xinhua):
    stated = timezone.now() - dt.timedelta(days=2)
    with time_machine.travel(stated, tick=False):
        unmet = _need(resident, jiangsu)
        answered = _need(resident, jiangsu)
        hidden = _need(resident, jiangsu)
        elsewhere = _need(resident, xinhua)
    _approve(world, answered)
    needs_services.need_hide(
        need=hidden, actor=world.actor("admin"), data=NeedModerationInput.parse(reason="重复")
    )
    mine = [unmet, answered, hidden, elsewhere]
    year = unmet.created_at + UNMET_AFTER

    # everything older (the demo's needs) is flagged first, so the counts below are ours
    unmet_needs_flag(now=year - dt.timedelta(seconds=1))
    assert not UnmetNeedFlag.objects.filter(need__in=mine).exists()  # a second short

    purchasers = world.user("purchaser")
    inbox = Notification.objects.filter(recipient=purchasers, kind="need.unmet")
    before = inbox.count()
    assert unmet_needs_flag(now=year) == 2  # at the year: 江苏路's unmet one and 新华路's
    flagged = set(UnmetNeedFlag.objects.filter(need__in=mine).values_list("need", flat=True))
    assert flagged == {unmet.pk, elsewhere.pk}
    assert UnmetNeedFlag.objects.get(need=unmet).unit_id == jiangsu.pk
    # 江苏路's purchaser is told once, of one need, with a link to the unit's gap table
    told = list(inbox.order_by("-id")[: inbox.count() - before])
    assert len(told) == 1
    assert told[0].title.startswith("1 条居民需求")
    assert f"unit={jiangsu.pk}" in told[0].url and "/stats/gaps/" in told[0].url

    # idempotent: the next tick (a day later) flags nothing and tells nobody
    assert unmet_needs_flag(now=year + dt.timedelta(days=1)) == 0
    assert inbox.count() == before + 1


def test_the_job_runs_from_the_tick_in_the_night_hour(world, resident, jiangsu):
    from caidan.stats.unmet import RUN_AT_HOUR

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    night = dt.datetime.combine(tomorrow, dt.time(RUN_AT_HOUR, 5), tzinfo=tz)
    with time_machine.travel(night - UNMET_AFTER - dt.timedelta(days=1), tick=False):
        need = _need(resident, jiangsu)
    # outside the hour the job does nothing
    day = night.replace(hour=(RUN_AT_HOUR + 12) % 24)
    [result] = run_tick(now=day, only=["stats.unmet_needs"])
    assert (result.error, result.changed) == ("", 0)
    assert not UnmetNeedFlag.objects.filter(need=need).exists()
    [result] = run_tick(now=night, only=["stats.unmet_needs"])
    assert result.error == "" and result.changed >= 1
    assert UnmetNeedFlag.objects.filter(need=need).exists()
    assert run_tick(now=night + dt.timedelta(minutes=1), only=["stats.unmet_needs"])[0].changed == 0
