"""The evaluation of a tender (评标, DOMAIN.md §3.4, §4.1): its input, the committee's
compliance verdicts and the computed ranking.

The database is only the source of the input: ``evaluation_json`` builds exactly the JSON
that ``python -m caidan.procurement.score_check`` reads, ``evaluation_input`` parses it with
``scoring.parse_input``, and ``evaluation_compute`` runs the pure engine
(``scoring.evaluate``) and stores input and output together in ``tender.result``. Anyone
holding the published result can therefore recompute the ranking.

The experts' sheets that feed it are in ``evaluation``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.accounts.permissions import can, require
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict
from caidan.common.money import format_yuan
from caidan.common.perms import Perm
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import notify
from caidan.procurement.codes import Code

from .. import scoring
from ..lifecycles import BidAction, bid_lifecycle, tender_lifecycle
from ..methods import committee_needed, compliance_only, experts_needed
from ..models import (
    Bid,
    BidStatus,
    MemberStatus,
    ScoreSheet,
    Tender,
    TenderAction,
    TenderStatus,
)
from ..selectors_experts import panel_complete
from ..tasks import award_task
from ._shared import _officers
from .lifecycle import fail, lock

# --- the input --------------------------------------------------------------------------------


def _over_budget_reason(price: Decimal, budget: Decimal) -> str:
    """The engine's own reason for a bid over the budget (so a recomputation recognises the
    bids an earlier computation marked invalid for that reason alone)."""
    result = scoring.evaluate(
        scoring.EvaluationInput(
            method=scoring.LOWEST_PRICE,
            price_points=Decimal(0),
            budget=budget,
            aggregate=scoring.MEAN,
            factors=[],
            bids=[scoring.Bid("bid", price)],
            scores={},
            min_valid_bids=1,
        )
    )
    return result.invalid[0][1] if result.invalid else ""


def _evaluated_bids(tender: Tender) -> list[Bid]:
    """The opened bids that take part in the evaluation: valid ones, and those invalid only
    because an earlier computation found them over the budget. Bids invalid for any other
    reason (e.g. not eligible at opening) are left out."""
    out = []
    bids = (
        Bid.objects.filter(
            tender=tender, status__in=[BidStatus.VALID, BidStatus.INVALID], price__isnull=False
        )
        .select_related("organization")
        .order_by("id")
    )
    for bid in bids:
        if bid.status == BidStatus.VALID:
            out.append(bid)
        elif bid.price > tender.budget and bid.invalid_reasons:
            reason = _over_budget_reason(bid.price, tender.budget)
            if all(r == reason for r in bid.invalid_reasons):
                out.append(bid)
    return out


COMMITTEE_FAIL = "评审委员会资格性和符合性审查不通过"


def _committee_failed_only(bid: Bid) -> bool:
    """Invalid only because the committee failed it (so a recomputation may restore it)."""
    return bool(bid.invalid_reasons) and all(
        str(r).startswith(COMMITTEE_FAIL) for r in bid.invalid_reasons
    )


def scorable_bids(tender: Tender) -> list[Bid]:
    """The bids the committee scores or reviews: valid and within the budget (also those
    an earlier computation failed on the committee's compliance review alone)."""
    return [
        b
        for b in Bid.objects.filter(
            tender=tender, status__in=[BidStatus.VALID, BidStatus.INVALID], price__isnull=False
        )
        .select_related("organization")
        .order_by("id")
        if b.price <= tender.budget and (b.status == BidStatus.VALID or _committee_failed_only(b))
    ]


def _keys(labels: list[tuple[Any, str, str]]) -> dict[Any, str]:
    """``(object, name, disambiguator)`` → a unique key: the name, or ``name（disambiguator）``
    for names that occur more than once."""
    counts = Counter(name for _, name, _ in labels)
    return {
        obj: (name if counts[name] == 1 else f"{name}（{extra}）") for obj, name, extra in labels
    }


def _sheets(tender: Tender) -> list[ScoreSheet]:
    return list(
        ScoreSheet.objects.filter(
            tender=tender,
            member__status=MemberStatus.ACTIVE,
            submitted_at__isnull=False,
            voided=False,
        )
        .select_related("member", "member__expert")
        .order_by("member__position")
    )


def _build(tender: Tender) -> tuple[dict[str, Any], dict[str, Bid]]:
    bids = _evaluated_bids(tender)
    bidder_key = _keys([(b.pk, b.organization.name, b.organization.uscc) for b in bids])
    scored = experts_needed(tender)
    data: dict[str, Any] = {
        "method": scoring.COMPREHENSIVE if scored else scoring.LOWEST_PRICE,
        "budget": str(tender.budget),
        "bids": [{"bidder": bidder_key[b.pk], "price": str(b.price)} for b in bids],
        "min_valid_bids": int(tender.config.min_valid_bids()),
        "decimals": int(setting_value("score_decimals")),
    }
    if scored:
        sheets = _sheets(tender)
        expert_key = _keys(
            [(s.pk, s.member.expert.name, f"专家编号 {s.member.expert_id}") for s in sheets]
        )
        scores: dict[str, dict[str, dict[str, Any]]] = {}
        auto = auto_factor_points(tender, bids)
        for sheet in sheets:
            scores[expert_key[sheet.pk]] = {
                bidder_key[b.pk]: {**sheet.scores[str(b.pk)], **auto.get(b.pk, {})}
                for b in bids
                if str(b.pk) in (sheet.scores or {})
            }
        data.update(
            price_points=str(tender.price_points),
            aggregate=tender.aggregate,
            factors=[{"id": f["id"], "max": f["max"]} for f in tender.factors or []],
            scores=scores,
        )
    return data, {bidder_key[b.pk]: b for b in bids}


def evaluation_json(tender: Tender) -> dict[str, Any]:
    """The tender's evaluation input in the ``score_check`` JSON format: bidders by
    organization name (with the credit code where two names clash), experts by name (with
    their pool number where names clash), only submitted, non-voided sheets of active
    members. Tenders without experts are evaluated by ``lowest_price``."""
    return _build(tender)[0]


def evaluation_input(tender: Tender) -> scoring.EvaluationInput:
    return scoring.parse_input(evaluation_json(tender))


AUTO_FACTORS = {"track_record": "按履约记录自动计分"}


def auto_factor_points(tender: Tender, bids) -> dict[int, dict[str, str]]:
    """Points of automatic factors per bid. ``track_record``: max × the bidder's mean final
    evaluation total ÷ 100 (its public track record, DOMAIN.md §3.6), 0 without a record;
    the same for every expert, so the aggregate is unaffected."""
    from decimal import ROUND_HALF_UP
    from decimal import Decimal as D

    from ..track_records import mean_totals

    factors = [f for f in tender.factors or [] if f.get("auto") == "track_record"]
    if not factors:
        return {}
    means = mean_totals(b.organization_id for b in bids)
    out: dict[int, dict[str, str]] = {}
    for b in bids:
        mean = D(means.get(b.organization_id) or 0)
        out[b.pk] = {
            str(f["id"]): str(
                (D(str(f["max"])) * mean / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)
            )
            for f in factors
        }
    return out


# --- the committee's compliance review ------------------------------------------------------


def committee_verdicts(tender: Tender) -> dict[int, list[str]]:
    """The bids the committee fails, with the reasons: by majority of the submitted sheets
    (87号令 §57: 少数服从多数), ``{bid id: [reasons]}``."""
    sheets = _sheets(tender)
    out: dict[int, list[str]] = {}
    for bid in scorable_bids(tender):
        rows = [s.verdicts.get(str(bid.pk)) or {} for s in sheets]
        fails = [r for r in rows if r.get("pass") is False]
        if sheets and len(fails) * 2 > len(sheets):
            reasons = list(dict.fromkeys(r.get("reason", "") for r in fails if r.get("reason")))
            out[bid.pk] = reasons
    return out


def _apply_verdicts(tender: Tender, *, actor: Actor) -> None:
    """Lowest-price method, committee complete: fail the bids the committee failed (with
    its reasons) and restore any an earlier computation failed that now pass."""
    failed = committee_verdicts(tender)
    for bid in scorable_bids(tender):
        bid.tender = tender
        if bid.pk in failed:
            votes = f"（{len(_sheets(tender))} 名评审专家中多数认定）"
            reasons = [f"{COMMITTEE_FAIL}{votes}：{'；'.join(failed[bid.pk]) or '未说明'}"]
            if bid.status == BidStatus.INVALID:
                bid.invalid_reasons = reasons
                bid.save(update_fields=["invalid_reasons"])
            else:
                bid_lifecycle.apply(
                    bid,
                    BidAction.DISQUALIFY,
                    actor=actor,
                    update_fields=[],
                    invalid_reasons=reasons,
                    audit_new={"reasons": reasons},
                )
        elif _committee_failed_only(bid):
            bid_lifecycle.apply(
                bid, BidAction.RESTORE, actor=actor, update_fields=[], invalid_reasons=[]
            )


# --- evaluation -------------------------------------------------------------------------------


def _require_evaluator(actor: Actor, tender: Tender) -> None:
    if getattr(actor, "via", "") == "system":
        return
    if can(actor, Perm.PROCUREMENT_MANAGE, tender) or can(actor, Perm.PROCUREMENT_SCORE, tender):
        return
    require(actor, Perm.PROCUREMENT_MANAGE, tender)


def evaluation_compute(*, tender: Tender, actor: Actor) -> Tender:
    """Evaluate the tender now and store the result (``tender.result = {"input", "output",
    "computed_at"}``, the bids' price score, total and rank; bids over the budget become
    invalid). A failed result fails the tender (废标); an ok one ranks it (evaluated).

    With a committee, every member must have submitted — except that a tender the bids
    alone already fail (too few valid bids, all over budget) fails at once, without scores.
    Under the lowest-price method the committee's compliance review comes first: the bids
    it fails (by majority) are excluded with its reasons, the rest ranked by price. Tenders
    without a committee (single source, agreement) are ranked by price at opening.
    """
    with transaction.atomic():
        tender = lock(tender)
        _require_evaluator(actor, tender)
        if tender.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(
                gettext_lazy("采购项目处于“%(get_status_display)s”状态，不能进行评审计算。")
                % {"get_status_display": tender.get_status_display()},
                code=Common.BAD_TRANSITION,
            )
        complete = committee_needed(tender) and panel_complete(tender)
        if complete and compliance_only(tender):
            # The ranking by price comes only after the committee's review (87号令 §50).
            _apply_verdicts(tender, actor=actor)
        data, bids = _build(tender)
        inp = scoring.parse_input(data)
        if committee_needed(tender) and not complete:
            # The validity rules do not depend on the method: if they fail the tender,
            # they do so before any score is needed.
            result = scoring.evaluate(dataclasses.replace(inp, method=scoring.LOWEST_PRICE))
            if result.ok:
                submitted = len(_sheets(tender))
                raise Conflict(
                    gettext_lazy(
                        "评审尚未完成：评审委员会 %(committee_size)s 人，已提交有效评分 %(submitted)s 人。"
                    )
                    % {"committee_size": tender.committee_size, "submitted": submitted},
                    code=Code.PANEL_INCOMPLETE,
                )
        else:
            result = scoring.evaluate(inp)
        now = timezone.now()
        tender.result = {
            "input": data,
            "output": scoring.result_to_json(result),
            "computed_at": now.isoformat(),
        }
        ranked = {row.bidder: row for row in result.ranking}
        invalid = dict(result.invalid)
        for key, bid in bids.items():
            row = ranked.get(key)
            bid.price_score = row.price_score if row else None
            bid.total = row.total if row else None
            bid.rank = row.rank if row else None
            score_fields = ["price_score", "total", "rank"]
            if key in invalid and invalid[key] not in bid.invalid_reasons:
                bid.invalid_reasons = [*bid.invalid_reasons, invalid[key]]
                score_fields.append("invalid_reasons")
            if key in invalid and bid.status != BidStatus.INVALID:
                bid.tender = tender
                bid_lifecycle.apply(
                    bid,
                    BidAction.DISQUALIFY,
                    actor=actor,
                    update_fields=score_fields,
                    audit_new={"reasons": [invalid[key]]},
                )
            else:
                bid.save(update_fields=score_fields)
        if not result.ok:
            fail(tender, reason=result.reason or "评审未形成有效结果。", actor=actor)
            return tender
        tender_lifecycle.apply(
            tender, TenderAction.RANK, actor=actor, evaluated_at=now, result=tender.result
        )
        first = [row for row in result.ranking if row.rank == 1]
        leaders = "、".join(f"“{row.bidder}”（{format_yuan(row.price)}）" for row in first)
        notify(
            recipients=_officers(tender),
            kind="tender.evaluated",
            title=f"请确定中标人：{tender.title}",
            body=(
                f"{tender.reference}“{tender.title}”已形成评审结果，排名第一：{leaders}。"
                f"请在法定期限内确定中标人并公告。"
            ),
            url=f"/procurement/tenders/{tender.pk}/",
            task=award_task(tender),
        )
    return tender
