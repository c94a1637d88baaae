"""Procurement (招投标): tenders, sealed bids, the expert pool and panels, scores, awards and
challenges (DOMAIN.md §3.4, §4.1, §4.2, §4.4).

Every procurement method is a configuration of the one tender lifecycle (``tenders``;
``methods.py``), not a copy of it. Each aggregate has its module; every model and enum is
importable from here, which is also how Django finds the models.
"""

from .awards import Award, AwardQuerySet, AwardStatus, Challenge, ChallengeStatus
from .bids import BID_OPENED_STATUSES, Bid, BidQuerySet, BidStatus
from .experts import (
    CorrectionReason,
    Expert,
    ExpertDraw,
    ExpertTie,
    MemberStatus,
    PanelMember,
    ScoreCorrection,
    ScoreSheet,
    TieKind,
)
from .tenders import (
    BIDS_CLOSED,
    PUBLIC_STATUSES,
    TRANSITIONS,
    Aggregate,
    Amendment,
    Clarification,
    EvaluationMethod,
    Method,
    Phase,
    T,
    Tender,
    TenderAction,
    TenderQuerySet,
    TenderStatus,
    lot_label,
    tender_phase,
)

__all__ = [
    "BIDS_CLOSED",
    "BID_OPENED_STATUSES",
    "PUBLIC_STATUSES",
    "TRANSITIONS",
    "Aggregate",
    "Amendment",
    "Award",
    "AwardQuerySet",
    "AwardStatus",
    "Bid",
    "BidQuerySet",
    "BidStatus",
    "Challenge",
    "ChallengeStatus",
    "Clarification",
    "CorrectionReason",
    "EvaluationMethod",
    "Expert",
    "ExpertDraw",
    "ExpertTie",
    "MemberStatus",
    "Method",
    "PanelMember",
    "Phase",
    "ScoreCorrection",
    "ScoreSheet",
    "T",
    "Tender",
    "TenderAction",
    "TenderQuerySet",
    "TenderStatus",
    "TieKind",
    "lot_label",
    "tender_phase",
]
