"""The personal iCal feed: a revocable secret URL per membership (role) that a phone
calendar subscribes to, answering the workbench calendar's deadlines and events
(``workbench.calendar_for``) as ``text/calendar``, built with the ``icalendar`` library.

The secret is shown once; only its SHA-256 hash is stored (``CalendarFeed.key_hash``, unique,
so a feed is found by one indexed lookup). Creating and revoking are audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import Conflict, NotAuthenticated, NotFound

from .models import CalendarFeed
from .workbench import calendar_for

FEED_PREFIX = "cal_"
# The feed covers the last month and the next twelve: what a phone calendar shows ahead.
DAYS_BEFORE = 31
DAYS_AFTER = 366


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def calendar_feed_of(*, actor: Actor) -> CalendarFeed | None:
    """The live feed of the actor's active role, if any."""
    if not actor.is_authenticated or actor.membership is None:
        return None
    return CalendarFeed.objects.filter(membership=actor.membership, revoked_at__isnull=True).first()


def calendar_feed_create(
    *, actor: Actor, now: dt.datetime | None = None
) -> tuple[CalendarFeed, str]:
    """A new secret URL for the actor's active role; a live one is revoked first (one live
    feed per role). Returns the feed and its secret (shown once, never stored)."""
    if not actor.is_authenticated or actor.membership is None:
        raise NotAuthenticated(_("请先登录并选择角色。"))
    now = now or timezone.now()
    raw = FEED_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        old = (
            CalendarFeed.objects.select_for_update()
            .filter(membership=actor.membership, revoked_at__isnull=True)
            .first()
        )
        if old is not None:
            _revoke(old, actor=actor, now=now)
        feed = CalendarFeed.objects.create(membership=actor.membership, key_hash=_hash(raw))
        audit_record(
            kind=EventKind.CALENDAR_FEED_CREATED,
            actor=actor,
            target=feed,
            new={"membership": actor.membership.pk},
        )
    return feed, raw


def _revoke(feed: CalendarFeed, *, actor: Actor, now: dt.datetime) -> None:
    feed.revoked_at = now
    feed.save(update_fields=["revoked_at"])
    audit_record(kind=EventKind.CALENDAR_FEED_REVOKED, actor=actor, target=feed)


def calendar_feed_revoke(
    *, actor: Actor, feed_id: int, now: dt.datetime | None = None
) -> CalendarFeed:
    """Revoke one of the actor's own feeds: its URL answers 404 from now on."""
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    with transaction.atomic():
        feed = (
            CalendarFeed.objects.select_for_update()
            .filter(pk=feed_id, membership__user=actor.user)
            .first()
        )
        if feed is None:
            raise NotFound(_("找不到该日历订阅地址。"))
        if feed.revoked_at is not None:
            raise Conflict(_("该日历订阅地址已被撤销。"))
        _revoke(feed, actor=actor, now=now or timezone.now())
    return feed


def calendar_feed_actor(raw: str) -> Actor | None:
    """The actor (person in the feed's role) of a live feed secret, or None for an unknown,
    revoked or malformed one, or a person or role no longer active."""
    if not raw or not raw.startswith(FEED_PREFIX) or len(raw) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related(
            "membership__user", "membership__unit", "membership__organization"
        )
        .filter(key_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        return None
    membership = feed.membership
    if not membership.is_active or not membership.user.is_active:
        return None
    return Actor(user=membership.user, membership=membership, via="feed")


def calendar_ical(actor: Actor, *, today: dt.date | None = None, host: str = "caidan") -> bytes:
    """The actor's deadlines and events as an iCalendar document: one VEVENT per entry, an
    all-day event on its due day (with the time in the description when it has one)."""
    from icalendar import Calendar, Event

    today = today or timezone.localdate()
    entries = calendar_for(
        actor, today - dt.timedelta(days=DAYS_BEFORE), today + dt.timedelta(days=DAYS_AFTER), today
    )
    cal = Calendar()
    cal.add("prodid", "-//Caidan//workbench//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"菜单 · {actor.membership.get_role_display()}")
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    stamp = timezone.now()
    for c in entries:
        ev = Event()
        ev.add("uid", f"{c.uid}@{host}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", c.day)
        ev.add("dtend", c.day + dt.timedelta(days=1))
        ev.add("summary", f"{c.title}：{c.label}")
        desc = c.title
        if c.at is not None:
            desc += f" {timezone.localtime(c.at):%Y-%m-%d %H:%M}"
        ev.add("description", desc)
        ev.add("url", f"https://{host}{c.url}")
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    return cal.to_ical()
