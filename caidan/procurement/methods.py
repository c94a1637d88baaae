"""Procurement methods as configurations of the one tender lifecycle.

Like Prozorro's per-tender configuration flags, each method says only *how* the shared
lifecycle behaves — who may bid, the minimum period and its unit, the minimum number of
valid bids, whether experts score, which price-weight and committee rules apply — and the
services read these flags instead of branching on the method's name. Adding a method is
adding an entry here (see ``docs/procurement.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from caidan.jurisdiction.selectors import setting_value

from .models import Method
from .scoring import LARGE_BUDGET


@dataclass(frozen=True)
class MethodConfig:
    method: str
    label: str
    # Who may bid: anyone eligible (open), or only the invited organization.
    invited_only: bool
    invitee_must_be_hub: bool
    justification_required: bool  # published with the announcement, before any award
    # Minimum time from announcement to deadline: setting key (calendar days) or a fixed
    # number of working days (single source publicity, 实施条例 §38).
    period_setting: str | None
    period_working_days: int
    # Minimum valid bids (setting key) or a fixed number.
    min_bids_setting: str | None
    min_bids_fixed: int
    experts_score: bool  # with comprehensive scoring; lowest price never needs scores
    committee_rule: str | None  # "open_tender" | "consultation" for scoring.committee_size_ok
    price_weight_method: str  # "open_tender" | "consultation" for scoring.validate_price_weight
    posts: bool  # bids are per-post prices × number of posts
    # Whether the lowest-price method (最低评标价法) may be chosen; competitive consultation
    # must use comprehensive scoring (财库〔2014〕214号 §23).
    lowest_price_allowed: bool = True

    def min_valid_bids(self) -> int:
        if self.min_bids_setting:
            return int(setting_value(self.min_bids_setting))
        return self.min_bids_fixed

    def min_period_days(self) -> int:
        return int(setting_value(self.period_setting)) if self.period_setting else 0


CONFIGS: dict[str, MethodConfig] = {
    Method.OPEN_TENDER: MethodConfig(
        method=Method.OPEN_TENDER,
        label="公开招标",
        invited_only=False,
        invitee_must_be_hub=False,
        justification_required=False,
        period_setting="bidding_period_days",
        period_working_days=0,
        min_bids_setting="min_valid_bids",
        min_bids_fixed=3,
        experts_score=True,
        committee_rule="open_tender",
        price_weight_method="open_tender",
        posts=False,
    ),
    Method.CONSULTATION: MethodConfig(
        method=Method.CONSULTATION,
        label="竞争性磋商",
        invited_only=False,
        invitee_must_be_hub=False,
        justification_required=False,
        period_setting="consultation_period_days",
        period_working_days=0,
        min_bids_setting="min_valid_bids_consultation",
        min_bids_fixed=2,
        experts_score=True,
        committee_rule="consultation",
        price_weight_method="consultation",
        posts=False,
        lowest_price_allowed=False,
    ),
    Method.SINGLE_SOURCE: MethodConfig(
        method=Method.SINGLE_SOURCE,
        label="单一来源",
        invited_only=True,
        invitee_must_be_hub=False,
        justification_required=True,
        period_setting=None,
        period_working_days=5,  # 实施条例 §38: publicity of at least 5 working days
        min_bids_setting=None,
        min_bids_fixed=1,
        experts_score=False,
        committee_rule=None,
        price_weight_method="open_tender",
        posts=False,
    ),
    Method.AGREEMENT: MethodConfig(
        method=Method.AGREEMENT,
        label="协议购买",
        invited_only=True,
        invitee_must_be_hub=True,
        justification_required=True,
        period_setting=None,
        period_working_days=0,
        min_bids_setting=None,
        min_bids_fixed=1,
        experts_score=False,
        committee_rule=None,
        price_weight_method="open_tender",
        posts=False,
    ),
    Method.POST_PURCHASE: MethodConfig(
        method=Method.POST_PURCHASE,
        label="岗位购买",
        invited_only=False,
        invitee_must_be_hub=False,
        justification_required=False,
        period_setting="bidding_period_days",
        period_working_days=0,
        min_bids_setting="min_valid_bids",
        min_bids_fixed=3,
        experts_score=True,
        committee_rule="open_tender",
        price_weight_method="open_tender",
        posts=True,
    ),
}


def config_for(method: str) -> MethodConfig:
    return CONFIGS[method]


def default_committee_size(method: str, budget: Decimal) -> int:
    """The smallest lawful committee (87号令 §47; consultation rules)."""
    rule = config_for(method).committee_rule
    if rule is None:
        return 0
    if rule == "consultation":
        return 3
    return 7 if budget >= LARGE_BUDGET else 5


def experts_needed(tender) -> bool:
    """Experts score only with comprehensive scoring under a competitive method."""
    return config_for(tender.method).experts_score and tender.evaluation_method == "comprehensive"


def committee_needed(tender) -> bool:
    """Every competitive method has an evaluation committee (87号令 §45–47; 财库〔2014〕
    214号): with comprehensive scoring it scores; with the lowest-price method it still
    reviews qualification and compliance (资格性和符合性审查) before the price ranking."""
    return config_for(tender.method).committee_rule is not None


def compliance_only(tender) -> bool:
    """The committee reviews pass/fail only (lowest-price method), it does not score."""
    return committee_needed(tender) and not experts_needed(tender)


def evaluation_methods_for(method: str) -> list[str]:
    """The evaluation methods a tender of ``method`` may use (what the form offers)."""
    from .models import EvaluationMethod

    if config_for(method).lowest_price_allowed:
        return list(EvaluationMethod.values)
    return [EvaluationMethod.COMPREHENSIVE]
