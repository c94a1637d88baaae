"""The workbench (工作台): what the signed-in role must do, computed from the state of the
records, and the dated events of its calendar.

A *to-do kind* is one kind of waiting step ("签订合同", "对审定议程表决"): the roles it is for
and ``fn(actor, today) -> list[Entry]``, one indexed query over the records waiting for this
actor. The due date of an entry comes from the same stored field or rule the service enforces
(``Contract.sign_due``, ``Report.due_on``, ``Challenge.answer_due``…), so the list and the
service cannot disagree; an entry disappears when its step is done because it is computed from
state, not when it is read.

An *event source* gives the calendar's other dates (bid openings, challenge windows ending,
hearings, review sessions): ``fn(actor, start, end) -> list[Entry]``.

accounts is low in the layers: the apps above register their kinds and sources from their
``AppConfig.ready`` (``contracts/todo.py`` and so on), naming nothing here but these
dataclasses; accounts imports none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone


@dataclass(frozen=True)
class Entry:
    """One record waiting for a step (or one dated event): what the kind's function returns."""

    label: str  # the record: "江苏路街道社区睦邻点运营服务 · 中期报告"
    url: str  # the exact page where the step is done
    due: dt.date | None = None  # the last day the step may be done (None: no legal deadline)
    at: dt.datetime | None = None  # the moment, when the deadline is a time of day
    key: str = ""  # a stable id for the iCal UID ("contract:12")


@dataclass(frozen=True)
class TodoKind:
    key: str
    title: str  # what to DO, in Chinese: "签订合同"
    roles: frozenset[str]
    fn: Callable[..., Iterable[Entry]]  # fn(actor, today)
    deadline: str = ""  # the deadline's name for the calendar: "合同签订期限"


@dataclass(frozen=True)
class EventSource:
    key: str
    title: str  # "开标"
    roles: frozenset[str]
    fn: Callable[..., Iterable[Entry]]  # fn(actor, start, end): dates in [start, end]


@dataclass
class TodoItem:
    """One kind of waiting step for this actor: the records, their count and the most urgent
    due date."""

    kind: str
    title: str
    entries: list[Entry]
    today: dt.date
    deadline: str = ""

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def due(self) -> dt.date | None:
        dates = [e.due for e in self.entries if e.due is not None]
        return min(dates) if dates else None

    @property
    def overdue(self) -> bool:
        return is_overdue(self.due, self.today)

    @property
    def overdue_count(self) -> int:
        return sum(1 for e in self.entries if is_overdue(e.due, self.today))

    @property
    def url(self) -> str:
        return self.entries[0].url if self.entries else ""

    def urgency(self) -> tuple:
        due = self.due
        return (not self.overdue, due is None, due or dt.date.max, self.title)


@dataclass(frozen=True)
class CalendarEntry:
    day: dt.date
    title: str  # "合同签订期限" / "开标"
    label: str
    url: str
    at: dt.datetime | None = None
    overdue: bool = False
    todo: bool = False  # a step waiting for me (else an event)
    uid: str = field(default="")


KINDS: list[TodoKind] = []
SOURCES: list[EventSource] = []


def register_kind(kind: TodoKind) -> None:
    if any(k.key == kind.key for k in KINDS):
        return
    KINDS.append(kind)


def register_source(source: EventSource) -> None:
    if any(s.key == source.key for s in SOURCES):
        return
    SOURCES.append(source)


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    """Overdue from the day after the due date: on the due day itself the step is in time."""
    return due is not None and today > due


def local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value is not None else None


def entries(
    rows: Iterable[dict],
    url_name: str,
    *,
    key: str,
    label: str = "title",
    url_arg: str = "pk",
    moment: str | None = None,
) -> list[Entry]:
    """The entries of ``.values()`` rows: ``row[label]``, the page ``url_name`` of
    ``row[url_arg]``, keyed ``<key>-<pk>``; with ``moment`` (a date-time column) the
    deadline, its day and its time."""
    return [
        Entry(
            label=r[label],
            url=reverse(url_name, args=[r[url_arg]]),
            due=local_day(r[moment]) if moment else None,
            at=r[moment] if moment else None,
            key=f"{key}-{r['pk']}",
        )
        for r in rows
    ]


def kinds_for(actor) -> list[TodoKind]:
    role = getattr(actor, "role", "")
    return [k for k in KINDS if role in k.roles]


def todo_for(actor, today: dt.date | None = None) -> list[TodoItem]:
    """What is waiting for ``actor`` in its active role, most urgent first: overdue, then by
    due date (the ones without a deadline last). One query per kind."""
    today = today or timezone.localdate()
    items = []
    for kind in kinds_for(actor):
        entries = sorted(
            kind.fn(actor, today),
            key=lambda e: (e.due is None, e.due or dt.date.max, e.label),
        )
        if entries:
            items.append(
                TodoItem(kind.key, str(kind.title), entries, today, str(kind.deadline or ""))
            )
    return sorted(items, key=TodoItem.urgency)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def calendar_for(
    actor, start: dt.date, end: dt.date, today: dt.date | None = None
) -> list[CalendarEntry]:
    """The actor's dated deadlines (the to-do list's entries with a due date) and events
    between ``start`` and ``end`` inclusive, by day."""
    today = today or timezone.localdate()
    out: list[CalendarEntry] = []
    for item in todo_for(actor, today):
        for e in item.entries:
            if e.due is not None and start <= e.due <= end:
                out.append(
                    CalendarEntry(
                        day=e.due,
                        title=item.deadline or item.title,
                        label=e.label,
                        url=e.url,
                        at=e.at,
                        overdue=is_overdue(e.due, today),
                        todo=True,
                        uid=f"todo-{item.kind}-{e.key or e.url}",
                    )
                )
    role = getattr(actor, "role", "")
    for source in SOURCES:
        if role not in source.roles:
            continue
        for e in source.fn(actor, start, end):
            if e.due is not None and start <= e.due <= end:
                out.append(
                    CalendarEntry(
                        day=e.due,
                        title=str(source.title),
                        label=e.label,
                        url=e.url,
                        at=e.at,
                        uid=f"event-{source.key}-{e.key or e.url}",
                    )
                )
    return sorted(
        out,
        key=lambda c: (
            c.day,
            c.at is None,
            c.at or dt.datetime.min.replace(tzinfo=dt.UTC),
            c.title,
            c.label,
        ),
    )
