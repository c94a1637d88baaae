"""The mid-year demo's history, written in the order it happened.

Each stage is a generator that yields the moment of its next step, then takes the step when
resumed. ``run_in_order`` always resumes the stage whose next step is earliest, with the
clock set to that moment, so that every record, notice and audit event carries the time of
its event, and the audit log's times rise with its sequence numbers like a log written as
things happened (a tender published three weeks before its opening, an award two days ago,
a contract signed after its challenge window closed, reports before their evaluations).

The clock stands in for ``django.utils.timezone.now`` while the demo is seeded (the
services and the audit log read the time from it); each reading is a microsecond after the
previous one, so the steps of one moment keep their order. No moment is after the real
time the seeding started: nothing in the demo happens in the future.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from caidan.common.calendar import WorkingCalendar

Stage = Generator[dt.datetime, None, None]
TICK = dt.timedelta(microseconds=1)


class DemoClock:
    def __init__(self, real_now: dt.datetime):
        self.real_now = real_now
        self._at = real_now
        self._last: dt.datetime | None = None

    def set(self, moment: dt.datetime) -> None:
        self._at = min(moment, self.real_now)

    def now(self) -> dt.datetime:
        value = self._at if self._last is None else max(self._at, self._last + TICK)
        self._last = value
        return value


@contextmanager
def demo_clock(real_now: dt.datetime | None = None) -> Iterator[DemoClock]:
    """``timezone.now`` reads the demo clock inside the block."""
    clock = DemoClock(real_now or timezone.now())
    with mock.patch.object(timezone, "now", clock.now):
        yield clock


def run_in_order(clock: DemoClock, stages: list[Stage]) -> None:
    """Run the stages' steps interleaved in time order (ties in the order given)."""
    heap: list[tuple[dt.datetime, int, Stage]] = []

    def advance(order: int, stage: Stage, floor: dt.datetime | None) -> None:
        try:
            moment = next(stage)
        except StopIteration:
            return
        if floor is not None and moment < floor:  # a stage never steps back in time
            moment = floor
        heapq.heappush(heap, (moment, order, stage))

    for order, stage in enumerate(stages):
        advance(order, stage, None)
    while heap:
        moment, order, stage = heapq.heappop(heap)
        clock.set(moment)
        advance(order, stage, moment)


# --- dates -------------------------------------------------------------------------------


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def working_on_or_before(day: dt.date) -> dt.date:
    calendar = WorkingCalendar()
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def working_on_or_after(day: dt.date) -> dt.date:
    calendar = WorkingCalendar()
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def working_days_back(day: dt.date, n: int) -> dt.date:
    """The working day ``n`` working days before ``day``."""
    calendar = WorkingCalendar()
    while n > 0:
        day -= dt.timedelta(days=1)
        n -= calendar.is_working_day(day)
    return day


def working_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``hour:minute`` on ``day``, or on the next working day."""
    return at(working_on_or_after(day), hour, minute)


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()
