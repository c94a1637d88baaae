"""The demo's dates agree with each other and with its history (issue 20): over the seeded
demo, plain and mid-year, every process runs forward in time — proposal approved, tender
drafted, published at least 20 days before its deadline, bids before it, opened after it,
evaluated, awarded, contract drafted after the challenge window, signed, paid, reports
submitted and reviewed, evaluations published, the instalment after its evaluation —
nothing happens in the future, notices carry the time of their event, the audit events of
every record are in time order and the mid-year history is written in time order. And the
demo's budget ceilings leave room for the waiting proposal and the open review session."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

SAME_MOMENT = dt.timedelta(seconds=1)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _event_at(kind: str, target, *, after: dt.datetime | None = None):
    from caidan.audit.models import AuditEvent

    events = AuditEvent.objects.filter(
        kind=kind, target_type=target._meta.label_lower, target_id=str(target.pk)
    ).order_by("seq")
    return [e.at for e in events if after is None or e.at >= after - SAME_MOMENT]


def date_problems(now: dt.datetime) -> list[str]:
    """Every disagreement found, as a readable line (an empty list: all dates agree)."""
    from caidan.audit.kinds import EventKind
    from caidan.audit.models import AuditEvent
    from caidan.contracts.models import Contract
    from caidan.evaluations.models import Evaluation
    from caidan.procurement.models import Award, Tender
    from caidan.projects.models import AgendaItem

    problems: list[str] = []

    def order(label: str, *moments) -> None:
        """``moments`` (name, value) pairs must not decrease; ``None`` values are skipped."""
        known = [(n, m) for n, m in moments if m is not None]
        for (n1, m1), (n2, m2) in zip(known, known[1:], strict=False):
            if m1 > m2:
                problems.append(f"{label}: {n1} {m1} after {n2} {m2}")

    def dated_with(label: str, moment, events) -> None:
        if moment is not None and not any(abs(at - moment) <= SAME_MOMENT for at in events):
            problems.append(f"{label}: no audit event at {moment} (events at {events})")

    for t in Tender.objects.filter(published_at__isnull=False).select_related("proposal"):
        label = f"tender {t.pk} {t.title}"
        decided = (
            AgendaItem.objects.filter(proposal=t.proposal, decided_at__isnull=False)
            .order_by("decided_at")
            .values_list("decided_at", flat=True)
            .first()
        )
        order(
            label,
            ("approved", decided),
            ("drafted", t.created_at),
            ("published", t.published_at),
            ("published + 20 days", t.published_at + dt.timedelta(days=20)),
            ("deadline", t.deadline),
            ("opened", t.opened_at),
            ("evaluated", t.evaluated_at),
        )
        if t.has_lots:
            # a tender in lots is never opened itself: its lots are (each a published child
            # tender, checked by this loop like any other tender)
            if t.opened_at is not None:
                problems.append(f"{label}: in lots, but opened itself at {t.opened_at}")
            if not t.lots.filter(published_at__isnull=False).exists():
                problems.append(f"{label}: in lots, but no lot published")
        elif t.opened_at is None and t.deadline <= now:
            problems.append(f"{label}: deadline {t.deadline} passed, not opened")
        order(label, ("opened", t.opened_at), ("evaluated", t.evaluated_at), ("now", now))
        if t.opened_at is not None and t.opened_at <= t.deadline:
            problems.append(f"{label}: opened {t.opened_at} not after deadline {t.deadline}")
        for bid_at in t.bids.values_list("submitted_at", flat=True):
            order(label, ("published", t.published_at), ("bid", bid_at), ("deadline", t.deadline))
        dated_with(label + " published", t.published_at, _event_at(EventKind.TENDER_TRANSITION, t))

    for a in Award.objects.select_related("tender"):
        label = f"award {a.pk} of {a.tender.title}"
        order(
            label,
            ("opened", a.tender.opened_at),
            ("evaluated", a.tender.evaluated_at),
            ("decided", a.decided_at),
            ("notice published", a.notice_published_at),
            ("now", now),
        )
        order(label, ("decided", a.decided_at), ("challenge deadline", a.challenge_deadline))
        dated_with(label, a.notice_published_at, _event_at(EventKind.AWARD_CONFIRMED, a.tender))

    contracts = Contract.objects.select_related("award", "tender")
    for c in contracts.prefetch_related("instalments__payment", "reports", "evaluations"):
        label = f"contract {c.pk} {c.title}"
        order(
            label,
            ("awarded", c.award.decided_at if c.award_id else None),
            ("challenge window closed", c.award.challenge_deadline if c.award_id else None),
            ("drafted", c.created_at),
            ("purchaser signed", c.purchaser_signed_at),
            ("in force", c.signed_at),
            ("published", c.published_at),
            ("now", now),
        )
        order(label, ("provider signed", c.provider_signed_at), ("in force", c.signed_at))
        if c.signed_at is None and c.status == "draft":  # waiting, not past the 30 days to sign
            order(label, ("now", now), ("sign due", c.sign_due))
        if c.signed_at is not None:
            order(label, ("signed", c.signed_at), ("service starts", _start_of(c.period_start)))
            dated_with(label + " signed", c.signed_at, _event_at(EventKind.CONTRACT_SIGNED, c))
        for i in c.instalments.all():
            payment = getattr(i, "payment", None)
            if payment is not None:
                order(
                    f"{label} instalment {i.sequence}",
                    ("in force", c.signed_at),
                    ("gate opened", i.gate_opened_at),
                    ("paid", _start_of(payment.paid_on) + dt.timedelta(days=1)),
                )
                order(
                    f"{label} instalment {i.sequence}",
                    ("paid", payment.paid_on),
                    ("today", timezone.localdate(now)),
                )
        for r in c.reports.all():
            order(
                f"{label} {r.kind} report due {r.due_on}",
                ("in force", c.signed_at),
                ("submitted", r.submitted_at),
                ("reviewed", r.reviewed_at),
                ("now", now),
            )
        reports = {r.kind: r for r in c.reports.all() if r.kind in ("midterm", "final")}
        for e in c.evaluations.all():
            elabel = f"{label} {e.stage} evaluation"
            report = reports.get("midterm" if e.stage == "mid" else "final")
            order(
                elabel,
                ("in force", c.signed_at),
                ("scheduled", e.created_at),
                ("published", e.published_at),
                ("now", now),
            )
            if e.published_at is not None and report is not None:
                order(
                    elabel, ("report accepted", report.reviewed_at), ("published", e.published_at)
                )
                dated_with(elabel, e.published_at, _event_at(EventKind.EVALUATION_PUBLISHED, c))
                gate = "midterm" if e.stage == "mid" else "final"
                for i in c.instalments.all():
                    if i.gate == gate and getattr(i, "payment", None) is not None:
                        order(
                            f"{elabel}, instalment {i.sequence}",
                            ("published", e.published_at),
                            ("paid", _start_of(i.payment.paid_on) + dt.timedelta(days=1)),
                        )

    assert not Evaluation.objects.filter(published_at__gt=now).exists()
    future = AuditEvent.objects.filter(at__gt=now).values_list("seq", "kind", "at")[:5]
    problems += [f"audit event #{seq} {kind} in the future: {at}" for seq, kind, at in future]
    # every record's own history in time order
    last: dict[tuple[str, str], tuple[int, dt.datetime]] = {}
    rows = AuditEvent.objects.exclude(target_id="").order_by("seq")
    for seq, ttype, tid, at in rows.values_list("seq", "target_type", "target_id", "at"):
        previous = last.get((ttype, tid))
        if previous is not None and previous[1] > at:
            problems.append(f"{ttype} {tid}: event #{seq} at {at} before #{previous[0]}")
        last[(ttype, tid)] = (seq, at)
    return problems


def _midyear_batch_in_order(since_seq: int) -> list[str]:
    """The mid-year history is written in time order: its events' times rise with their
    sequence numbers."""
    from caidan.audit.models import AuditEvent

    rows = list(
        AuditEvent.objects.filter(seq__gt=since_seq).order_by("seq").values_list("seq", "at")
    )
    assert len(rows) > 100
    return [
        f"#{s2} at {a2} before #{s1} at {a1}"
        for (s1, a1), (s2, a2) in zip(rows, rows[1:], strict=False)
        if a2 < a1
    ]


def test_the_plain_demo_dates_agree(world):
    assert date_problems(timezone.now()) == []


@pytest.fixture
def midyear(world):
    from caidan.audit.models import AuditEvent
    from caidan.demo.midyear import seed_midyear

    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    result = seed_midyear()
    assert result.created
    return before


def test_the_midyear_demo_dates_agree_with_each_other_and_the_history(midyear):
    from caidan.demo.midyear import TITLES
    from caidan.procurement.models import Tender

    now = timezone.now()
    assert date_problems(now) == []
    assert _midyear_batch_in_order(midyear) == []
    # the stages stand where docs/demo.md says, relative to today
    today = timezone.localdate(now)
    awarded = Tender.objects.get(title=TITLES["awarded"])
    assert awarded.deadline < now and awarded.opened_at < now
    assert timezone.localdate(awarded.awards.get().notice_published_at) < today
    evaluating = Tender.objects.get(title=TITLES["evaluating"])
    assert evaluating.opened_at < now  # not "opened" minutes into the future
    bidding = Tender.objects.get(title=TITLES["bidding"])
    assert bidding.published_at <= now < bidding.deadline


def test_the_dates_check_catches_a_contract_signed_before_its_award(midyear):
    """The check itself fails on a disagreement (it is not vacuous)."""
    from caidan.contracts.models import Contract

    c = Contract.objects.filter(signed_at__isnull=False).order_by("id").first()
    Contract.objects.filter(pk=c.pk).update(signed_at=c.award.decided_at - dt.timedelta(days=1))
    assert any(f"contract {c.pk}" in p for p in date_problems(timezone.now()))


def test_the_ceilings_leave_room_for_the_waiting_proposal_and_the_open_session(midyear):
    from caidan.demo.midyear import TITLES
    from caidan.projects.models import Proposal
    from caidan.projects.services import agenda_item_decide, proposal_submit, vote_cast
    from caidan.projects.services.ceilings import ceiling_room

    draft = Proposal.objects.get(title=TITLES["draft"])
    review = Proposal.objects.get(title=TITLES["review"])
    assert draft.year == review.year
    room = ceiling_room(unit=draft.unit, year=draft.year)
    assert room.remaining >= draft.budget + review.budget > Decimal(0)

    # and so the visitor can do both: submit the draft, and the committee approve the other
    from caidan.accounts.models import Role
    from caidan.demo.midyear.helpers import actor_for

    purchaser = actor_for("purchaser", Role.PURCHASER)
    assert proposal_submit(proposal=draft, actor=purchaser).status == "submitted"
    item = review.agenda_items.get()
    vote_cast(item=item, choice="yes", actor=actor_for("committee", Role.COMMITTEE_MEMBER))
    agenda_item_decide(
        item=item, reason="同意立项。", actor=actor_for("admin", Role.PLATFORM_ADMIN)
    )
    review.refresh_from_db()
    assert review.status == "approved"


def test_seeded_on_a_monday_morning_the_dates_still_agree(world):
    """Yesterday was a Sunday and the working day is not under way: the stages that happened
    'yesterday' or 'on the last working day' land on Friday, nothing in the future."""
    import time_machine

    from caidan.audit.models import AuditEvent
    from caidan.demo.midyear import seed_midyear

    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    moment = timezone.make_aware(dt.datetime.combine(monday, dt.time(8, 30)))
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with time_machine.travel(moment, tick=True):
        assert seed_midyear().created
        now = timezone.now()
        # the base demo's tenders may have passed their deadline by then (no tick ran)
        problems = [p for p in date_problems(now) if "not opened" not in p]
        assert problems == []
        assert _midyear_batch_in_order(before) == []


@pytest.mark.parametrize("clock", [dt.time(0, 5), dt.time(23, 55)], ids=["0005", "2355"])
def test_seeded_around_midnight_every_stage_loads_and_the_dates_agree(world, clock):
    """Just after midnight 'half an hour ago' is yesterday: the survey must open on the day it
    was created, or the paper slips typed in twenty minutes ago are refused and nothing loads
    (CI failed so at 00:05 Shanghai time). Just before midnight nothing may spill into tomorrow."""
    import time_machine

    from caidan.audit.models import AuditEvent
    from caidan.demo.midyear import seed_midyear
    from caidan.evaluations.models import Survey

    tuesday = timezone.localdate() + dt.timedelta(days=8 - timezone.localdate().weekday())
    moment = timezone.make_aware(dt.datetime.combine(tuesday, clock))
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with time_machine.travel(moment, tick=True):
        result = seed_midyear()
        assert result.created
        assert "assisted" in result.stages
        survey = Survey.objects.get(slug=result.survey_url.rstrip("/").rsplit("/", 1)[-1])
        assert survey.opens_on <= timezone.localdate() <= survey.closes_on
        assert survey.responses.count() == 3  # the paper slips
        problems = [p for p in date_problems(timezone.now()) if "not opened" not in p]
        assert problems == []
        assert _midyear_batch_in_order(before) == []
