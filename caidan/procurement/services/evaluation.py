"""Expert scoring and the evaluation of a tender (评标, DOMAIN.md §3.4, §4.1).

The database is only the source of the input: ``evaluation_json`` builds exactly the JSON
that ``python -m caidan.procurement.score_check`` reads, ``evaluation_input`` parses it with
``scoring.parse_input``, and ``evaluation_compute`` runs the pure engine
(``scoring.evaluate``) and stores input and output together in ``tender.result``. Anyone
holding the published result can therefore recompute the ranking.

Scores are exact: integers, ``Decimal`` or numeric strings with at most 2 decimals (floats
are refused), stored as strings with 2 decimals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from caidan.accounts.permissions import can, require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.errors import Conflict, field_error
from caidan.common.money import format_yuan
from caidan.jurisdiction.selectors import setting_value
from caidan.notifications.services import notify

from .. import scoring
from ..lifecycles import BidAction, bid_lifecycle, tender_lifecycle
from ..methods import committee_needed, compliance_only, experts_needed
from ..models import (
    Bid,
    BidStatus,
    CorrectionReason,
    MemberStatus,
    PanelMember,
    ScoreCorrection,
    ScoreSheet,
    Tender,
    TenderAction,
    TenderStatus,
)
from ..selectors_experts import panel_complete
from ._shared import _locked_member, _officers, _require_self, _scoring_open
from .lifecycle import fail, lock

CENT = Decimal("0.01")
REASONS_TEXT = "；".join(f"{label}（{value}）" for value, label in CorrectionReason.choices)


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


# --- scores -----------------------------------------------------------------------------------


def _factors(tender: Tender) -> dict[str, dict[str, Any]]:
    """The factors experts score (automatic ones are computed, not scored)."""
    return {str(f["id"]): f for f in tender.factors or [] if not f.get("auto")}


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


def clean_score(value: Any, *, field: str, where: str, maximum: Any) -> Decimal:
    """One factor score: an int, ``Decimal`` or numeric string with ≤ 2 decimals, within
    ``0..maximum``."""
    if isinstance(value, bool) or value is None:
        raise field_error(field, f"{where}的评分必须是数字，收到 {value!r}。")
    if isinstance(value, float):
        raise field_error(
            field, f'{where}的评分不能是浮点数（{value!r}）：请以整数或字符串给出，如 "{value}"。'
        )
    if not isinstance(value, int | Decimal | str):
        raise field_error(field, f"{where}的评分必须是数字，收到 {value!r}。")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise field_error(field, f"{where}的评分不是有效的数字：{value!r}。") from None
    if not number.is_finite() or abs(number) >= 10**6:  # also keeps quantize in range
        raise field_error(field, f"{where}的评分不是有效的分数：{value!r}。")
    if number != number.quantize(CENT):
        raise field_error(field, f"{where}的评分最多保留 2 位小数，收到 {value}。")
    top = Decimal(str(maximum))
    if not 0 <= number <= top:
        raise field_error(
            field,
            f"{where}的评分 {scoring._fmt(number)} 超出评分标准规定的范围"
            f"（0–{scoring._fmt(top)} 分）。",
        )
    return number.quantize(CENT)


def _clean_scores(tender: Tender, scores: Any) -> dict[str, dict[str, str]]:
    if not isinstance(scores, dict):
        raise field_error("scores", "评分须按投标编号给出：{投标编号: {评审因素: 分数}}。")
    bids = {str(b.pk): b for b in scorable_bids(tender)}
    factors = _factors(tender)
    clean: dict[str, dict[str, str]] = {}
    for bid_id, by_factor in scores.items():
        bid = bids.get(str(bid_id))
        if bid is None:
            raise field_error(
                "scores", f"投标编号 {bid_id} 不是本项目需要评分的有效投标（或已超过采购预算）。"
            )
        if not isinstance(by_factor, dict):
            raise field_error(
                f"scores.{bid_id}", f"对投标人“{bid.organization.name}”的评分须按评审因素给出。"
            )
        row = {}
        for factor_id, value in by_factor.items():
            factor = factors.get(str(factor_id))
            if factor is None:
                raise field_error(
                    f"scores.{bid_id}.{factor_id}",
                    f"评分表中没有评审因素“{factor_id}”。",
                )
            where = (
                f"对投标人“{bid.organization.name}”的评审因素“{factor.get('name') or factor_id}”"
            )
            row[str(factor_id)] = str(
                clean_score(
                    value,
                    field=f"scores.{bid_id}.{factor_id}",
                    where=where,
                    maximum=factor["max"],
                )
            )
        clean[str(bid_id)] = row
    return clean


def _clean_verdicts(tender: Tender, verdicts: Any) -> dict[str, dict[str, Any]]:
    """``{bid id: {"pass": bool, "reason": str}}``: the member's qualification and
    compliance review (资格性和符合性审查, 87号令 §50) of each bid; a fail needs a reason."""
    if not isinstance(verdicts, dict):
        raise field_error(
            "verdicts", "审查意见须按投标编号给出：{投标编号: {pass: 是否通过, reason: 理由}}。"
        )
    bids = {str(b.pk): b for b in scorable_bids(tender)}
    clean: dict[str, dict[str, Any]] = {}
    for bid_id, row in verdicts.items():
        bid = bids.get(str(bid_id))
        if bid is None:
            raise field_error(
                "verdicts", f"投标编号 {bid_id} 不是本项目需要审查的有效投标（或已超过采购预算）。"
            )
        if not isinstance(row, dict) or not isinstance(row.get("pass"), bool):
            raise field_error(
                f"verdicts.{bid_id}",
                f"对投标人“{bid.organization.name}”须选择“通过”或“不通过”。",
            )
        reason = row.get("reason") or ""
        if not isinstance(reason, str) or len(reason) > 2000:
            raise field_error(f"verdicts.{bid_id}.reason", "理由须为不超过 2000 字的文本。")
        reason = reason.strip()
        if not row["pass"] and not reason:
            raise field_error(
                f"verdicts.{bid_id}.reason",
                f"认定投标人“{bid.organization.name}”资格性或符合性审查不通过的，须写明理由"
                f"（87号令 §50）。",
            )
        clean[str(bid_id)] = {"pass": row["pass"], "reason": reason}
    return clean


def _missing_verdicts(tender: Tender, verdicts: dict[str, Any]) -> list[str]:
    return [
        f"投标人“{b.organization.name}”" for b in scorable_bids(tender) if str(b.pk) not in verdicts
    ]


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


def _apply_verdicts(tender: Tender, *, actor: Any) -> None:
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


def verdicts_save(*, member: PanelMember, verdicts: dict[str, Any], actor: Any) -> ScoreSheet:
    """Save the member's draft compliance review (lowest-price method): pass or fail, with
    a reason for a fail, for each valid bid within the budget. Private to the member."""
    with transaction.atomic():
        member, tender = _own_sheet_context(member, actor)
        if not compliance_only(tender):
            raise Conflict("本项目采用综合评分法，请填写评分表。", code="scored_tender")
        clean = _clean_verdicts(tender, verdicts)
        sheet, _ = ScoreSheet.objects.select_for_update().get_or_create(
            member=member, defaults={"tender": tender}
        )
        if sheet.voided:
            raise Conflict("该审查意见已作废，不能修改。", code="voided")
        if sheet.submitted_at is not None:
            raise Conflict("审查意见已提交，不能再修改。", code="already_submitted")
        sheet.verdicts = clean
        sheet.save(update_fields=["verdicts"])
    return sheet


def _missing(tender: Tender, scores: dict[str, dict[str, str]]) -> list[str]:
    factors = _factors(tender)
    missing = []
    for bid in scorable_bids(tender):
        row = scores.get(str(bid.pk), {})
        for factor_id, factor in factors.items():
            if factor_id not in row:
                missing.append(
                    f"投标人“{bid.organization.name}”的“{factor.get('name') or factor_id}”"
                )
    return missing


def _own_sheet_context(member: PanelMember, actor: Any) -> tuple[PanelMember, Tender]:
    member = _locked_member(member)
    _require_self(member, actor)
    tender = lock(member.tender)
    member.tender = tender
    if not _scoring_open(tender):
        raise Conflict(
            f"采购项目处于“{tender.get_status_display()}”状态，不能评分。", code="bad_status"
        )
    if member.status != MemberStatus.ACTIVE:
        if member.status == MemberStatus.DRAWN:
            raise Conflict(
                "请先声明与投标人不存在利害关系，再进行评分（财库〔2016〕198号）。",
                code="not_declared",
            )
        raise Conflict(
            f"您在本项目的状态为“{member.get_status_display()}”，不能评分。",
            code="bad_member_status",
        )
    return member, tender


def scores_save(*, member: PanelMember, scores: dict[str, Any], actor: Any) -> ScoreSheet:
    """Save the expert's draft sheet (replacing the previous draft): ``{bid id: {factor id:
    points}}`` for the valid bids within the budget, each within the factor's range. A
    draft may be incomplete; it stays private to the expert."""
    with transaction.atomic():
        member, tender = _own_sheet_context(member, actor)
        if compliance_only(tender):
            raise Conflict(
                "本项目采用最低评标价法：评审委员会只进行资格性和符合性审查，不评分。",
                code="compliance_only",
            )
        clean = _clean_scores(tender, scores)
        sheet, _ = ScoreSheet.objects.select_for_update().get_or_create(
            member=member, defaults={"tender": tender}
        )
        if sheet.voided:
            raise Conflict("该评分表已作废，不能修改。", code="voided")
        if sheet.submitted_at is not None:
            raise Conflict(
                "评分已提交，不能再修改；如确有错误，仅可按 87号令 §64 规定的情形更正。",
                code="already_submitted",
            )
        sheet.scores = clean
        sheet.save(update_fields=["scores"])
    return sheet


def _digest(scores: dict[str, Any]) -> str:
    text = json.dumps(scores, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def scores_submit(*, member: PanelMember, actor: Any, now: dt.datetime | None = None) -> ScoreSheet:
    """Submit the expert's complete sheet (scores, or under the lowest-price method the
    compliance review). When the whole committee has submitted, the tender is evaluated
    (``evaluation_compute``)."""
    with transaction.atomic():
        member, tender = _own_sheet_context(member, actor)
        sheet = ScoreSheet.objects.select_for_update().filter(member=member).first()
        if sheet is None:
            raise field_error("scores", "尚未评分：请先为每个有效投标的每个评审因素打分。")
        if sheet.voided:
            raise Conflict("该评分表已作废，不能提交。", code="voided")
        if sheet.submitted_at is not None:
            raise Conflict("评分已提交。", code="already_submitted")
        if compliance_only(tender):
            clean = _clean_verdicts(tender, sheet.verdicts)
            missing = _missing_verdicts(tender, clean)
            what, field, todo = "审查意见不完整", "verdicts", "份投标未作结论"
            rule = "须对每个有效投标作出资格性和符合性审查结论后才能提交"
        else:
            clean = _clean_scores(tender, sheet.scores)
            missing = _missing(tender, clean)
            what, field, todo = "评分不完整", "scores", "项未打分"
            rule = "须对每个有效投标的每个评审因素评分后才能提交"
        if missing:
            shown = "、".join(missing[:3]) + ("等" if len(missing) > 3 else "")
            raise field_error(
                field,
                f"{what}：尚有 {len(missing)} {todo}（{shown}），{rule}。",
                code="incomplete",
            )
        if compliance_only(tender):
            sheet.verdicts = clean
        else:
            sheet.scores = clean
        sheet.submitted_at = now or timezone.now()
        sheet.save(update_fields=["scores", "verdicts", "submitted_at"])
        audit_record(
            kind=EventKind.SCORES_SUBMITTED,
            actor=actor,
            target=tender,
            new={"member": member.pk, "sheet": sheet.pk, f"{field}_sha256": _digest(clean)},
        )
        if panel_complete(tender):
            evaluation_compute(tender=tender, actor=actor)
    return sheet


def score_correct(
    *,
    member: PanelMember,
    bid: Bid,
    factor: str,
    new_value: Any,
    reason: str,
    note: str = "",
    actor: Any,
) -> ScoreCorrection:
    """Correct one submitted score, by the expert itself, only for a reason of 87号令 §64
    and before the award is decided. An evaluated tender is recomputed at once."""
    if reason not in CorrectionReason.values:
        raise field_error(
            "reason", f"已提交的评分仅在以下情形可以修改（87号令 §64）：{REASONS_TEXT}。"
        )
    note = (note or "").strip() if isinstance(note, str) else ""
    with transaction.atomic():
        member = _locked_member(member)
        _require_self(member, actor)
        tender = lock(member.tender)
        member.tender = tender
        if tender.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(
                f"采购项目处于“{tender.get_status_display()}”状态：中标结果确定后不能修改评分。",
                code="bad_status",
            )
        if compliance_only(tender):
            raise Conflict("本项目采用最低评标价法，没有评分可以更正。", code="compliance_only")
        sheet = ScoreSheet.objects.select_for_update().filter(member=member).first()
        if member.status != MemberStatus.ACTIVE or sheet is None or sheet.voided:
            raise Conflict("您没有可修改的有效评分表。", code="no_sheet")
        if sheet.submitted_at is None:
            raise Conflict("评分尚未提交：提交前可直接修改草稿。", code="not_submitted")
        if bid.tender_id != tender.pk or str(bid.pk) not in sheet.scores:
            raise field_error("bid", "该投标不在您的评分表中。")
        factors = _factors(tender)
        if factor not in factors:
            raise field_error("factor", f"评分表中没有评审因素“{factor}”。")
        spec = factors[factor]
        new = clean_score(
            new_value,
            field="new_value",
            where=f"对投标人“{bid.organization.name}”的评审因素“{spec.get('name') or factor}”",
            maximum=spec["max"],
        )
        old = Decimal(sheet.scores[str(bid.pk)][factor])
        if new == old:
            raise field_error("new_value", f"新评分与原评分相同（{old}），无需修改。")
        scores = {k: dict(v) for k, v in sheet.scores.items()}
        scores[str(bid.pk)][factor] = str(new)
        sheet.scores = scores
        sheet.save(update_fields=["scores"])
        correction = ScoreCorrection.objects.create(
            sheet=sheet,
            bid=bid,
            factor=factor,
            old_value=old,
            new_value=new,
            reason=reason,
            note=note,
        )
        audit_record(
            kind=EventKind.SCORE_CORRECTED,
            actor=actor,
            target=tender,
            old={"sheet": sheet.pk, "bid": bid.pk, "factor": factor, "value": str(old)},
            new={
                "sheet": sheet.pk,
                "bid": bid.pk,
                "factor": factor,
                "value": str(new),
                "reason": reason,
            },
            note=note,
        )
        if tender.status == TenderStatus.EVALUATED and panel_complete(tender):
            evaluation_compute(tender=tender, actor=actor)
    return correction


# --- evaluation -------------------------------------------------------------------------------


def _require_evaluator(actor: Any, tender: Tender) -> None:
    if getattr(actor, "via", "") == "system":
        return
    if can(actor, "procurement.manage", tender) or can(actor, "procurement.score", tender):
        return
    require(actor, "procurement.manage", tender)


def evaluation_compute(*, tender: Tender, actor: Any) -> Tender:
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
                f"采购项目处于“{tender.get_status_display()}”状态，不能进行评审计算。",
                code="bad_status",
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
                    f"评审尚未完成：评审委员会 {tender.committee_size} 人，"
                    f"已提交有效评分 {submitted} 人。",
                    code="panel_incomplete",
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
            title=f"评审完成：{tender.title}",
            body=(
                f"{tender.reference}“{tender.title}”已形成评审结果，排名第一：{leaders}。"
                f"请在法定期限内确定中标人并公告。"
            ),
            url=f"/procurement/tenders/{tender.pk}/",
        )
    return tender
