"""Expert scoring (评标, DOMAIN.md §3.4, §4.1): each committee member's private sheet —
scores under the comprehensive method, a compliance review under the lowest-price method —
its submission and its correction (87号令 §64). The committee's last submission evaluates the
tender (``ranking.evaluation_compute``).

Scores are exact: integers, ``Decimal`` or numeric strings with at most 2 decimals (floats
are refused), stored as strings with 2 decimals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.procurement.codes import Code

from .. import scoring
from ..inputs import ScoreCorrectionInput, SheetScoresInput, SheetVerdictsInput
from ..methods import compliance_only
from ..models import (
    Bid,
    MemberStatus,
    PanelMember,
    ScoreCorrection,
    ScoreSheet,
    Tender,
    TenderStatus,
)
from ..selectors_experts import panel_complete
from ._shared import _locked_member, _require_self, scoring_open
from .lifecycle import lock
from .ranking import evaluation_compute, scorable_bids

# --- scores -----------------------------------------------------------------------------------


def _factors(tender: Tender) -> dict[str, dict[str, Any]]:
    """The factors experts score (automatic ones are computed, not scored)."""
    return {str(f["id"]): f for f in tender.factors or [] if not f.get("auto")}


def _in_range(points: Decimal, *, field: str, where: str, maximum: Any) -> Decimal:
    """One factor's points within ``0..maximum``."""
    top = Decimal(str(maximum))
    if not 0 <= points <= top:
        raise field_error(
            field,
            gettext_lazy("%(where)s的评分 %(fmt)s 超出评分标准规定的范围（0–%(fmt_2)s 分）。")
            % {"where": where, "fmt": scoring._fmt(points), "fmt_2": scoring._fmt(top)},
        )
    return points


def _where(bid: Bid, factor: dict[str, Any]) -> str:
    return f"对投标人“{bid.organization.name}”的评审因素“{factor.get('name') or factor['id']}”"


def _check_scores(tender: Tender, data: SheetScoresInput) -> dict[str, dict[str, str]]:
    """The scores as the sheet stores them: only the bids the committee scores and the
    factors the experts score, each within its range."""
    bids = {str(b.pk): b for b in scorable_bids(tender)}
    factors = _factors(tender)
    clean: dict[str, dict[str, str]] = {}
    for bid_id, by_factor in data.scores.items():
        bid = bids.get(bid_id)
        if bid is None:
            raise field_error(
                "scores",
                gettext_lazy(
                    "投标编号 %(bid_id)s 不是本项目需要评分的有效投标（或已超过采购预算）。"
                )
                % {"bid_id": bid_id},
            )
        row = {}
        for factor_id, points in by_factor.items():
            field = f"scores.{bid_id}.{factor_id}"
            factor = factors.get(factor_id)
            if factor is None:
                raise field_error(
                    field,
                    gettext_lazy("评分表中没有评审因素“%(factor_id)s”。")
                    % {"factor_id": factor_id},
                )
            where = _where(bid, factor)
            row[factor_id] = str(_in_range(points, field=field, where=where, maximum=factor["max"]))
        clean[bid_id] = row
    return clean


def _check_verdicts(tender: Tender, data: SheetVerdictsInput) -> dict[str, dict[str, Any]]:
    """The member's qualification and compliance review (资格性和符合性审查, 87号令 §50) of
    the bids the committee reviews; a fail needs a reason."""
    bids = {str(b.pk): b for b in scorable_bids(tender)}
    clean: dict[str, dict[str, Any]] = {}
    for bid_id, verdict in data.verdicts.items():
        bid = bids.get(bid_id)
        if bid is None:
            raise field_error(
                "verdicts",
                gettext_lazy(
                    "投标编号 %(bid_id)s 不是本项目需要审查的有效投标（或已超过采购预算）。"
                )
                % {"bid_id": bid_id},
            )
        if not verdict.passed and not verdict.reason:
            raise field_error(
                f"verdicts.{bid_id}.reason",
                gettext_lazy(
                    "认定投标人“%(name)s”资格性或符合性审查不通过的，须写明理由（87号令 §50）。"
                )
                % {"name": bid.organization.name},
            )
        clean[bid_id] = verdict.as_json()
    return clean


def _missing_verdicts(tender: Tender, verdicts: dict[str, Any]) -> list[str]:
    return [
        f"投标人“{b.organization.name}”" for b in scorable_bids(tender) if str(b.pk) not in verdicts
    ]


def verdicts_save(*, member: PanelMember, data: SheetVerdictsInput, actor: Actor) -> ScoreSheet:
    """Save the member's draft compliance review (lowest-price method): pass or fail, with
    a reason for a fail, for each valid bid within the budget. Private to the member."""
    with transaction.atomic():
        member, tender = _own_sheet_context(member, actor)
        if not compliance_only(tender):
            raise Conflict(
                gettext_lazy("本项目采用综合评分法，请填写评分表。"), code=Code.SCORED_TENDER
            )
        clean = _check_verdicts(tender, data)
        sheet, _ = ScoreSheet.objects.select_for_update().get_or_create(
            member=member, defaults={"tender": tender}
        )
        if sheet.voided:
            raise Conflict(gettext_lazy("该审查意见已作废，不能修改。"), code=Code.VOIDED)
        if sheet.submitted_at is not None:
            raise Conflict(
                gettext_lazy("审查意见已提交，不能再修改。"), code=Common.ALREADY_SUBMITTED
            )
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


def _own_sheet_context(member: PanelMember, actor: Actor) -> tuple[PanelMember, Tender]:
    member = _locked_member(member)
    _require_self(member, actor)
    tender = lock(member.tender)
    member.tender = tender
    if not scoring_open(tender):
        raise Conflict(
            gettext_lazy("采购项目处于“%(get_status_display)s”状态，不能评分。")
            % {"get_status_display": tender.get_status_display()},
            code=Common.BAD_TRANSITION,
        )
    if member.status != MemberStatus.ACTIVE:
        if member.status == MemberStatus.DRAWN:
            raise Conflict(
                gettext_lazy("请先声明与投标人不存在利害关系，再进行评分（财库〔2016〕198号）。"),
                code=Code.NOT_DECLARED,
            )
        raise Conflict(
            gettext_lazy("您在本项目的状态为“%(get_status_display)s”，不能评分。")
            % {"get_status_display": member.get_status_display()},
            code=Code.BAD_MEMBER_STATUS,
        )
    return member, tender


def scores_save(*, member: PanelMember, data: SheetScoresInput, actor: Actor) -> ScoreSheet:
    """Save the expert's draft sheet (replacing the previous draft): ``{bid id: {factor id:
    points}}`` for the valid bids within the budget, each within the factor's range. A
    draft may be incomplete; it stays private to the expert."""
    with transaction.atomic():
        member, tender = _own_sheet_context(member, actor)
        if compliance_only(tender):
            raise Conflict(
                gettext_lazy(
                    "本项目采用最低评标价法：评审委员会只进行资格性和符合性审查，不评分。"
                ),
                code=Code.COMPLIANCE_ONLY,
            )
        clean = _check_scores(tender, data)
        sheet, _ = ScoreSheet.objects.select_for_update().get_or_create(
            member=member, defaults={"tender": tender}
        )
        if sheet.voided:
            raise Conflict(gettext_lazy("该评分表已作废，不能修改。"), code=Code.VOIDED)
        if sheet.submitted_at is not None:
            raise Conflict(
                gettext_lazy(
                    "评分已提交，不能再修改；如确有错误，仅可按 87号令 §64 规定的情形更正。"
                ),
                code=Common.ALREADY_SUBMITTED,
            )
        sheet.scores = clean
        sheet.save(update_fields=["scores"])
    return sheet


def _digest(scores: dict[str, Any]) -> str:
    text = json.dumps(scores, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def scores_submit(
    *, member: PanelMember, actor: Actor, now: dt.datetime | None = None
) -> ScoreSheet:
    """Submit the expert's complete sheet (scores, or under the lowest-price method the
    compliance review). When the whole committee has submitted, the tender is evaluated
    (``evaluation_compute``)."""
    with transaction.atomic():
        member, tender = _own_sheet_context(member, actor)
        sheet = ScoreSheet.objects.select_for_update().filter(member=member).first()
        if sheet is None:
            raise field_error(
                "scores", gettext_lazy("尚未评分：请先为每个有效投标的每个评审因素打分。")
            )
        if sheet.voided:
            raise Conflict(gettext_lazy("该评分表已作废，不能提交。"), code=Code.VOIDED)
        if sheet.submitted_at is not None:
            raise Conflict(gettext_lazy("评分已提交。"), code=Common.ALREADY_SUBMITTED)
        if compliance_only(tender):
            clean = _check_verdicts(tender, SheetVerdictsInput.parse(verdicts=sheet.verdicts))
            missing = _missing_verdicts(tender, clean)
            what, field, todo = "审查意见不完整", "verdicts", "份投标未作结论"
            rule = "须对每个有效投标作出资格性和符合性审查结论后才能提交"
        else:
            clean = _check_scores(tender, SheetScoresInput.parse(scores=sheet.scores))
            missing = _missing(tender, clean)
            what, field, todo = "评分不完整", "scores", "项未打分"
            rule = "须对每个有效投标的每个评审因素评分后才能提交"
        if missing:
            shown = "、".join(missing[:3]) + ("等" if len(missing) > 3 else "")
            raise field_error(
                field,
                gettext_lazy("%(what)s：尚有 %(len)s %(todo)s（%(shown)s），%(rule)s。")
                % {"what": what, "len": len(missing), "todo": todo, "shown": shown, "rule": rule},
                code=Code.INCOMPLETE,
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
    *, member: PanelMember, data: ScoreCorrectionInput, actor: Actor
) -> ScoreCorrection:
    """Correct one submitted score, by the expert itself, only for a reason of 87号令 §64
    and before the award is decided. An evaluated tender is recomputed at once."""
    bid, factor = data.bid, data.factor
    with transaction.atomic():
        member = _locked_member(member)
        _require_self(member, actor)
        tender = lock(member.tender)
        member.tender = tender
        if tender.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(
                gettext_lazy(
                    "采购项目处于“%(get_status_display)s”状态：中标结果确定后不能修改评分。"
                )
                % {"get_status_display": tender.get_status_display()},
                code=Common.BAD_TRANSITION,
            )
        if compliance_only(tender):
            raise Conflict(
                gettext_lazy("本项目采用最低评标价法，没有评分可以更正。"),
                code=Code.COMPLIANCE_ONLY,
            )
        sheet = ScoreSheet.objects.select_for_update().filter(member=member).first()
        if member.status != MemberStatus.ACTIVE or sheet is None or sheet.voided:
            raise Conflict(gettext_lazy("您没有可修改的有效评分表。"), code=Code.NO_SHEET)
        if sheet.submitted_at is None:
            raise Conflict(
                gettext_lazy("评分尚未提交：提交前可直接修改草稿。"), code=Common.NOT_SUBMITTED
            )
        if bid.tender_id != tender.pk or str(bid.pk) not in sheet.scores:
            raise field_error("bid", gettext_lazy("该投标不在您的评分表中。"))
        factors = _factors(tender)
        if factor not in factors:
            raise field_error(
                "factor", gettext_lazy("评分表中没有评审因素“%(factor)s”。") % {"factor": factor}
            )
        spec = factors[factor]
        new = _in_range(
            data.new_value, field="new_value", where=_where(bid, spec), maximum=spec["max"]
        )
        old = Decimal(sheet.scores[str(bid.pk)][factor])
        if new == old:
            raise field_error(
                "new_value",
                gettext_lazy("新评分与原评分相同（%(old)s），无需修改。") % {"old": old},
            )
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
            reason=data.reason,
            note=data.note,
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
                "reason": data.reason,
            },
            note=data.note,
        )
        if tender.status == TenderStatus.EVALUATED and panel_complete(tender):
            evaluation_compute(tender=tender, actor=actor)
    return correction
