"""Reading the audit log: browsing with filters, and verifying the chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from caidan.common.pagination import Page, keyset_paginate
from caidan.common.roles import Role

from .chain import GENESIS, event_hash
from .models import AuditChainHead, AuditEvent

# --- withheld identities -------------------------------------------------------------------------


@dataclass(frozen=True)
class Withholding:
    """Events whose actor must stay unknown *for now*, registered by the app whose rule it
    is (e.g. procurement: who asked, obtained documents or bid, until the tender is opened —
    招标投标法 §22). ``hidden()`` is a ``Q`` over ``AuditEvent`` evaluated at read time, so
    the identity reappears by itself once the rule stops applying. The stored events are
    never changed (the hash chain stays intact); only what is shown is."""

    name: str
    hidden: Callable[[], Q]
    label: str  # shown instead of the actor
    payload_keys: frozenset[str]  # keys of ``old`` / ``new`` withheld (naming the party)


_WITHHOLDINGS: dict[str, Withholding] = {}


def register_withholding(withholding: Withholding) -> None:
    _WITHHOLDINGS[withholding.name] = withholding


def withheld_q() -> Q | None:
    """Events whose actor is withheld right now (None when no rule is registered)."""
    out = None
    for w in _WITHHOLDINGS.values():
        out = w.hidden() if out is None else out | w.hidden()
    return out


def _strip(payload, keys: frozenset[str]):
    if isinstance(payload, dict):
        return {k: ("（不公开）" if k in keys else v) for k, v in payload.items()}
    return payload


def audit_withhold(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events as they may be shown: for those a registered rule withholds now, the
    actor (name, role, account), the payload keys naming the party, the note and the hash
    (which could be tested against candidate names) are replaced; the next event's
    ``prev_hash`` (the same hash) too. The objects are display copies — never saved."""
    events = list(events)
    if not events or not _WITHHOLDINGS:
        return events
    seqs = {e.seq for e in events} | {e.seq - 1 for e in events}
    by_rule: dict[int, Withholding] = {}
    for w in _WITHHOLDINGS.values():
        for seq in AuditEvent.objects.filter(w.hidden(), seq__in=seqs).values_list(
            "seq", flat=True
        ):
            by_rule.setdefault(seq, w)
    if not by_rule:
        return events
    out = []
    for e in events:
        w = by_rule.get(e.seq)
        if w is not None or (e.seq - 1) in by_rule:
            e = AuditEvent(**{f.attname: getattr(e, f.attname) for f in AuditEvent._meta.fields})
            e._state.adding = False
        if w is not None:
            e.actor_id = None
            e.actor_label = str(w.label)
            e.actor_role = ""
            e.old = _strip(e.old, w.payload_keys)
            e.new = _strip(e.new, w.payload_keys)
            e.note = "（不公开）" if e.note else ""
            e.ip = ""
            e.hash = ""
        if (e.seq - 1) in by_rule:
            e.prev_hash = ""
        out.append(e)
    return out


def audit_actor_ids(query: str, *, limit: int = 50) -> list[int]:
    """The people a typed name or user name points at (the audit page's 操作人 picker):
    the user name exactly, or part of the display name; at most ``limit`` of them."""
    from django.contrib.auth import get_user_model

    query = (query or "").strip()
    if not query:
        return []
    User = get_user_model()
    condition = Q(username=query)
    names = {f.name for f in User._meta.get_fields()}
    for name in ("display_name", "first_name", "last_name"):
        if name in names:
            condition |= Q(**{f"{name}__icontains": query})
    return list(User.objects.filter(condition).order_by("pk").values_list("pk", flat=True)[:limit])


def audit_actor_choices(*, limit: int = 300) -> list[tuple[str, str]]:
    """(user name, "display name（user name）") of the public officers who work on the
    platform (administrators, registration authority, purchasers, committee members,
    evaluators, auditors), for the picker's suggestions. Providers, hubs and experts are
    not suggested: a list of their accounts on a tender's history would tell who bid, or
    who sits on a panel, before the law allows (招标投标法 §22, 87号令; DOMAIN §4.7; the
    events themselves are withheld by ``audit_withhold``); residents are many. Anyone is still
    found by typing a user name."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    names = {f.name for f in User._meta.get_fields()}
    qs = User.objects.filter(is_active=True)
    if "memberships" in names:
        secret = [Role.PROVIDER, Role.HUB, Role.EXPERT, Role.RESIDENT]
        officers = [r for r in Role.values if r not in secret]
        qs = (
            qs.filter(memberships__role__in=officers)
            .exclude(memberships__role__in=secret)
            .distinct()
        )
    out = []
    for user in qs.order_by("username")[:limit]:
        full = user.get_full_name()
        out.append((user.get_username(), f"{full}（{user.get_username()}）" if full else ""))
    return out


def audit_events_filtered(
    *,
    kind: str | None = None,
    actor: str | None = None,
    actor_query: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet:
    """The events matching the filters, newest first (not yet withheld: pass what is shown
    through ``audit_withhold``). ``actor`` is a user name; ``actor_query`` a name or user
    name as typed in the picker."""
    qs: QuerySet = AuditEvent.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if actor or actor_query:
        if actor:
            qs = qs.filter(actor__username=actor)
        if actor_query:
            qs = qs.filter(actor_id__in=audit_actor_ids(actor_query))
        hidden = withheld_q()
        if hidden is not None:  # filtering by a person must not reveal withheld events
            qs = qs.exclude(hidden)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-seq")


def audit_event_list(
    *,
    kind: str | None = None,
    actor: str | None = None,
    actor_query: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    qs = audit_events_filtered(
        kind=kind,
        actor=actor,
        actor_query=actor_query,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
    )
    page = keyset_paginate(qs, ordering=("-seq",), cursor=cursor, limit=limit)
    page.items = audit_withhold(page.items)
    return page


def audit_event_batches(qs: QuerySet, *, limit: int, batch: int = 500):
    """The first ``limit`` events of ``qs`` in batches, each withheld as shown (the Excel
    export: one query per batch, never the whole log in memory)."""
    last_seq = None
    left = limit
    while left > 0:
        page = qs if last_seq is None else qs.filter(seq__lt=last_seq)
        events = list(page.order_by("-seq")[: min(batch, left)])
        if not events:
            return
        yield audit_withhold(events)
        last_seq = events[-1].seq
        left -= len(events)


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def _fields(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "actor_role": event.actor_role,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "old": event.old,
        "new": event.new,
        "note": event.note,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
        "hash_alg": event.hash_alg,
    }


def audit_chain_verify(
    *,
    chunk_size: int = 2000,
    after: tuple[int, str] | None = None,
    upto: tuple[int, str] | None = None,
) -> ChainReport:
    """Walk the chain in order. The first event whose number, link or hash does not hold
    is reported; a missing tail is caught by comparing with the chain head.

    ``after=(seq, hash)`` starts after a known event (e.g. the previous anchor) instead of
    at the genesis; ``upto=(seq, hash)`` stops at that event and compares with it instead
    of the chain head (used while the head is locked for anchoring)."""
    expected_seq, prev_hash = (after[0] + 1, after[1]) if after else (1, GENESIS)
    checked = 0
    last = None
    events = AuditEvent.objects.filter(seq__gte=expected_seq).order_by("seq")
    if upto is not None:
        events = events.filter(seq__lte=upto[0])
    for event in events.iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                event.seq,
                event.pk,
                f"事件序号不连续：期望 #{expected_seq}，实为 #{event.seq}（有事件被删除或重排）",
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                event.seq,
                event.pk,
                f"事件 #{event.seq} 记录的前一哈希与事件 #{event.seq - 1} 不符（链被重排或篡改）",
            )
        if event_hash(_fields(event)) != event.hash:
            return ChainReport(
                False,
                checked,
                event.seq,
                event.pk,
                f"事件 #{event.seq} 的内容与其哈希不符（记录被修改）",
            )
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
        last = event
    if upto is not None:
        head_seq, head_hash = upto
    else:
        head = AuditChainHead.objects.filter(pk=1).first()
        head_seq = head.seq if head else 0
        head_hash = head.hash if head else GENESIS
    last_seq = last.seq if last else expected_seq - 1
    if head_seq != last_seq or head_hash != prev_hash:
        return ChainReport(
            False,
            checked,
            last_seq + 1,
            None,
            f"链头记录最后事件为 #{head_seq}，表中最后事件为 #{last_seq}（末尾事件被删除）",
        )
    return ChainReport(True, checked)
