"""Output schemas the procurement endpoints share. Each reads its object's attributes — a
model, or ``AsSeen(model, …)`` where what the JSON holds depends on the reader (the
documents, challenges and next steps a reader sees on a tender); ``resolve_<field>`` gives
the computed ones (labels, money as strings)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from ninja import Schema

from caidan.common.schemas import AsSeen, money_str
from caidan.documents.api import AttachmentOut, attachment_out

from .. import selectors
from ..affordances import tender_affordances
from ..models import BidStatus, Method, Phase, Tender, TenderStatus, tender_phase
from ..services.lots import cap_sentence, lot_cap, lots_summary
from ..services.tenders import tender_documents


class OrgRef(Schema):
    id: int
    name: str


def _phase(t):
    """``t``'s phase (``Tender.phase_at``) at the detail's ``server_time``, else now — read
    once per tender, so ``bidding_open``, ``phase`` and ``phase_label`` agree at one moment."""
    phase = getattr(t, "_phase_out", None)
    if phase is None:
        phase = t._phase_out = t.phase_at(getattr(t, "server_time", None) or timezone.now())
    return phase


class TenderOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    status_label: str
    # Derived from status and deadline (``models.tender_phase``, the tender page's rule): bids
    # are accepted (on a tender in lots: on its lots); the phase is the status except
    # "bids_closed" for a published tender past its deadline, until it is opened.
    bidding_open: bool
    phase: str
    phase_label: str
    method: str
    method_label: str
    unit_id: int
    unit_name: str
    budget: str
    bid_security: str
    published_at: dt.datetime | None
    deadline: dt.datetime | None
    opened_at: dt.datetime | None
    url: str

    @staticmethod
    def resolve_status_label(t) -> str:
        return t.get_status_display()

    @staticmethod
    def resolve_bidding_open(t) -> bool:
        return _phase(t).bidding_open

    @staticmethod
    def resolve_phase(t) -> str:
        return _phase(t).phase

    @staticmethod
    def resolve_phase_label(t) -> str:
        return _phase(t).label

    @staticmethod
    def resolve_method_label(t) -> str:
        return t.get_method_display()

    @staticmethod
    def resolve_unit_name(t) -> str:
        return t.unit.name

    @staticmethod
    def resolve_budget(t) -> str:
        return str(t.budget)

    @staticmethod
    def resolve_bid_security(t) -> str:
        return str(t.bid_security)

    @staticmethod
    def resolve_url(t) -> str:
        return f"/procurement/tenders/{t.pk}/"


def tender_rows_out(rows: list[dict]) -> list[dict]:
    """``TenderOut`` for ``selectors.tender_rows`` (``.values()`` rows): the dicts ninja would
    make of the models, without a model or a validation per row (docs/architecture.md,
    "Fast lists")."""
    statuses = {value: str(label) for value, label in TenderStatus.choices}
    methods = {value: str(label) for value, label in Method.choices}
    now = timezone.now()
    out = []
    for r in rows:
        phase = tender_phase(
            status=r["status"], deadline=r["deadline"], has_lots=r["has_lots"], now=now
        )
        out.append(_row_out(r, statuses, methods, phase))
    return out


def _row_out(r: dict, statuses: dict, methods: dict, phase: Phase) -> dict:
    return {
        "id": r["id"],
        "reference": r["reference"],
        "title": r["title"],
        "status": r["status"],
        "status_label": statuses.get(r["status"], r["status"]),
        "bidding_open": phase.bidding_open,
        "phase": phase.phase,
        "phase_label": phase.label,
        "method": r["method"],
        "method_label": methods.get(r["method"], r["method"]),
        "unit_id": r["unit_id"],
        "unit_name": r["unit__name"],
        "budget": str(r["budget"]),
        "bid_security": str(r["bid_security"]),
        "published_at": r["published_at"],
        "deadline": r["deadline"],
        "opened_at": r["opened_at"],
        "url": f"/procurement/tenders/{r['id']}/",
    }


# One scoring factor of the tender's ``factors`` (a dict: any value read as text).
class FactorOut(Schema):
    id: str
    name: str
    max: str
    guidance: str = ""
    auto: str = ""  # "track_record": computed from the bidders' public track records, not scored

    @staticmethod
    def resolve_auto(f) -> str:
        return str(f.get("auto", "") or "")

    @staticmethod
    def resolve_id(f) -> str:
        return str(f.get("id", ""))

    @staticmethod
    def resolve_name(f) -> str:
        return str(f.get("name", ""))

    @staticmethod
    def resolve_max(f) -> str:
        return str(f.get("max", ""))

    @staticmethod
    def resolve_guidance(f) -> str:
        return str(f.get("guidance", ""))


# Read from the tender.
class ScoringSheetOut(Schema):
    evaluation_method: str
    evaluation_method_label: str
    aggregate: str
    price_points: str
    factors: list[FactorOut]
    committee_size: int
    reserve_count: int
    draw_commitment: str = ""  # SHA-256 of the expert draw's seed, fixed at publication

    @staticmethod
    def resolve_evaluation_method_label(t) -> str:
        return t.get_evaluation_method_display()

    @staticmethod
    def resolve_price_points(t) -> str:
        return str(t.price_points)

    @staticmethod
    def resolve_factors(t) -> list:
        return list(t.factors or [])


# Read from the tender.
class QualificationOut(Schema):
    grade_policy: str
    required_fields: list[str]
    require_experience: bool
    abnormal_excludes: bool | None
    designer_organization: OrgRef | None

    @staticmethod
    def resolve_required_fields(t) -> list[str]:
        return list(t.required_fields or [])


class AmendmentOut(Schema):
    """One 澄清修改公告. On a tender in lots and on its lots the list holds the lots'
    amendments too (``selectors.amendments_of``): ``tender_id`` is the tender or lot amended,
    ``lot_number`` names the lot (null for the tender itself)."""

    id: int
    tender_id: int
    lot_number: int | None = None
    summary: str
    affects_bids: bool
    old_deadline: dt.datetime
    new_deadline: dt.datetime
    created_at: dt.datetime

    @staticmethod
    def resolve_lot_number(a) -> int | None:
        # read by the selector with the list; the service's amendment holds its tender
        if hasattr(a, "lot_number"):
            return a.lot_number
        return a.tender.lot_number


class ClarificationPublicOut(Schema):
    id: int
    question: str
    answer: str
    answered_at: dt.datetime | None


# One opened bid (the opening record).
class OpeningRowOut(Schema):
    bid_id: int
    organization_id: int
    organization_name: str
    price: str | None
    valid: bool
    invalid_reasons: list[str]
    receipt: str
    submitted_at: dt.datetime
    price_score: str | None
    total: str | None
    rank: int | None

    @staticmethod
    def resolve_bid_id(b) -> int:
        return b.pk

    @staticmethod
    def resolve_organization_name(b) -> str:
        return b.organization.name

    @staticmethod
    def resolve_price(b) -> str | None:
        return money_str(b.price)

    @staticmethod
    def resolve_valid(b) -> bool:
        return b.status == BidStatus.VALID

    @staticmethod
    def resolve_invalid_reasons(b) -> list[str]:
        return list(b.invalid_reasons or [])

    @staticmethod
    def resolve_price_score(b) -> str | None:
        return money_str(b.price_score)

    @staticmethod
    def resolve_total(b) -> str | None:
        return money_str(b.total)


class CapSkippedOut(Schema):
    bid: int
    organization: int
    name: str
    rank: int
    lots: list[int]


class LotOut(Schema):
    id: int
    lot_number: int
    title: str
    budget: str
    status: str
    status_label: str
    bidding_open: bool  # as ``TenderOut``: the lot's own deadline and status
    phase: str
    phase_label: str
    winner: str
    amount: str | None
    url: str

    @staticmethod
    def resolve_bidding_open(row) -> bool:
        return row["phase"].bidding_open

    @staticmethod
    def resolve_phase(row) -> str:
        return row["phase"].phase

    @staticmethod
    def resolve_phase_label(row) -> str:
        return row["phase"].label

    @staticmethod
    def resolve_budget(row) -> str:
        return str(row["budget"])

    @staticmethod
    def resolve_amount(row) -> str | None:
        return money_str(row["amount"])

    @staticmethod
    def resolve_url(row) -> str:
        return f"/procurement/tenders/{row['id']}/"


class AwardOut(Schema):
    id: int
    tender_id: int
    bid_id: int
    organization_id: int
    organization_name: str
    amount: str
    status: str
    status_label: str
    decided_at: dt.datetime
    notice_published_at: dt.datetime | None
    notice_period_ends: dt.datetime
    challenge_deadline: dt.datetime
    note: str
    ended_at: dt.datetime | None
    end_reason: str
    # a lot of a tender with a cap: the higher-ranked bidders passed over, and why
    cap_skipped: list[CapSkippedOut] = []

    @staticmethod
    def resolve_organization_id(a) -> int:
        return a.bid.organization_id

    @staticmethod
    def resolve_organization_name(a) -> str:
        return a.bid.organization.name

    @staticmethod
    def resolve_amount(a) -> str:
        return str(a.amount)

    @staticmethod
    def resolve_status_label(a) -> str:
        return a.get_status_display()


# A published panel row: the expert's name and title, the row's status label.
class ExpertNameOut(Schema):
    name: str
    title: str
    status: str

    @staticmethod
    def resolve_name(m) -> str:
        return m.expert.name

    @staticmethod
    def resolve_title(m) -> str:
        return m.expert.title

    @staticmethod
    def resolve_status(m) -> str:
        return m.get_status_display()


# Read from ``selectors.award_notice`` (with the evaluation data's URL).
class AwardNoticeOut(Schema):
    award: AwardOut | None
    ended_awards: list[AwardOut]
    ranking: list[OpeningRowOut]
    experts: list[ExpertNameOut]
    evaluation_url: str


class ChallengeOut(Schema):
    id: int
    tender_id: int
    award_id: int
    organization_id: int
    organization_name: str
    grounds: str
    may_change_result: bool
    status: str
    status_label: str
    filed_at: dt.datetime
    answer_due: dt.datetime
    answer: str
    upheld: bool | None
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_organization_name(c) -> str:
        return c.organization.name

    @staticmethod
    def resolve_status_label(c) -> str:
        return c.get_status_display()


class TenderAffordancesOut(Schema):
    """What the reader may do next on the tender (``affordances.TenderAffordances``): who
    the reader is to it, then one flag per step; the challenges the reader may answer or
    withdraw by id; why the reader's organization may not bid."""

    managing: bool
    overseeing: bool
    bidder: bool
    on_panel: bool
    edit: bool
    publish: bool
    add_document: bool
    amend: bool
    answer_questions: bool
    cancel: bool
    # the purchaser: bidding has closed, so amend, add_document and cancel are shut
    deadline_passed: bool
    fail: bool
    retender: bool
    view_panel: bool
    draw_panel: bool
    manage_panel: bool
    confirm_award: bool
    answer_challenges: list[int]
    needs_method_approval: bool
    approve_method: bool
    accepting_bids: bool
    bid_problems: list[str]
    submit_bid: bool
    withdraw_bid: bool
    ask_question: bool
    request_recusal: bool
    decline_award: bool
    challenge: bool
    withdraw_challenges: list[int]
    scoring_open: bool
    review: bool


# Read from ``tender_seen``: the announcement and the tender's public record as the
# reader may see it.
class TenderDetailOut(TenderOut):
    proposal_id: int
    description: str
    scoring_sheet: ScoringSheetOut
    qualification: QualificationOut
    invited_organization: OrgRef | None
    justification: str
    posts: int
    post_requirements: str
    post_price_cap: str | None
    failed_reason: str
    cancelled_reason: str
    # When the ranking was computed: the moment whose track records a ``track_record`` factor read.
    evaluated_at: dt.datetime | None
    previous_id: int | None
    method_change_reason: str
    method_change_approved_at: dt.datetime | None
    amendments: list[AmendmentOut]
    documents: list[AttachmentOut]
    clarifications: list[ClarificationPublicOut]
    opening: list[OpeningRowOut] | None
    award_notice: AwardNoticeOut | None
    challenges: list[ChallengeOut]
    server_time: dt.datetime
    affordances: TenderAffordancesOut
    # Lots (分包): a tender in lots lists them and states the cap; a lot names its tender.
    has_lots: bool
    max_lots_per_provider: int | None
    lot_rule: str
    lots: list[LotOut]
    parent_id: int | None
    lot_number: int | None

    @staticmethod
    def resolve_scoring_sheet(t):
        return t

    @staticmethod
    def resolve_qualification(t):
        return t

    @staticmethod
    def resolve_post_price_cap(t) -> str | None:
        return money_str(t.post_price_cap)


def document_out(d) -> dict:
    return attachment_out(d, url=reverse("documents:download", kwargs={"document_id": d.pk}))


def tender_seen(actor, tender: Tender) -> AsSeen:
    """``tender`` as ``actor`` sees it, for ``TenderDetailOut``."""
    notice = selectors.award_notice(tender)
    if notice is not None:
        notice = {
            **notice,
            "evaluation_url": f"/api/v1/procurement/tenders/{tender.pk}/evaluation.json",
        }
    now = timezone.now()
    lots = lots_summary(tender, now=now) if tender.has_lots else []
    return AsSeen(
        tender,
        amendments=selectors.amendments_of(tender),
        documents=[document_out(d) for d in tender_documents(tender, actor=actor)],
        clarifications=selectors.clarifications_public(tender),
        opening=selectors.opening_record(tender) if tender.opened_at is not None else None,
        award_notice=notice,
        challenges=selectors.challenges_for(tender, actor),
        server_time=now,
        affordances=tender_affordances(actor, tender, now=now),
        lots=lots,
        lot_rule=cap_sentence(tender.max_lots_per_provider if tender.has_lots else lot_cap(tender)),
    )


def tender_detail(actor, tender_id: int) -> AsSeen:
    """The tender (read again, after a change) as ``actor`` sees it."""
    return tender_seen(actor, selectors.tender_get_for(actor=actor, tender_id=tender_id))


# One panel row.
class MemberOut(Schema):
    id: int
    tender_id: int
    expert_id: int
    expert_name: str
    position: int
    status: str
    status_label: str
    declared_at: dt.datetime | None
    recusal_reason: str
    replaced_by_id: int | None

    @staticmethod
    def resolve_expert_name(m) -> str:
        return m.expert.name

    @staticmethod
    def resolve_status_label(m) -> str:
        return m.get_status_display()
