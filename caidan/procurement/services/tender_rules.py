"""The rules of a tender's documents and timeline (DOMAIN.md §4.1): the scoring sheet, the
committee, the method's requirements, and the period from announcement to deadline.

The method-specific behaviour comes from ``methods.config_for`` flags, never from
``if method == …`` branches.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone

from caidan.common.calendar import WorkingCalendar, deadline_after_working_days, local_date
from caidan.common.errors import field_error
from caidan.common.money import cap_amount, within_cap
from caidan.jurisdiction.selectors import setting_value
from caidan.orgs.models import ServiceField

from .. import scoring
from ..methods import committee_needed, config_for, experts_needed
from ..models import Aggregate, EvaluationMethod, Tender

FACTOR_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def default_committee_size(method: str, budget: Decimal) -> int:
    """The smallest lawful committee (87号令 §47; consultation rules)."""
    rule = config_for(method).committee_rule
    if rule is None:
        return 0
    if rule == "consultation":
        return 3
    return 7 if budget >= scoring.LARGE_BUDGET else 5


# --- validation ---------------------------------------------------------------------------------


def _clean_factors(factors: Any) -> list[dict]:
    if not isinstance(factors, list) or not factors:
        raise field_error("factors", "综合评分法须设置至少一项评分因素（服务方案、团队等）。")
    rows, seen = [], set()
    for i, f in enumerate(factors):
        if not isinstance(f, dict):
            raise field_error(f"factors.{i}", "评分因素格式不正确。")
        fid = str(f.get("id", "")).strip()
        name = str(f.get("name", "")).strip()
        if not FACTOR_ID.match(fid):
            raise field_error(
                f"factors.{i}.id", "评分因素编号须为小写英文字母开头的字母、数字或下划线。"
            )
        if fid in seen:
            raise field_error(f"factors.{i}.id", f"评分因素编号“{fid}”重复。")
        seen.add(fid)
        if not name:
            raise field_error(f"factors.{i}.name", "请填写评分因素名称。")
        try:
            maximum = Decimal(str(f.get("max", "")).strip())
        except ArithmeticError:
            raise field_error(f"factors.{i}.max", "评分因素分值须为数字。") from None
        if (
            isinstance(f.get("max"), float)
            or not maximum.is_finite()
            or not 0 < maximum <= scoring.SHEET_TOTAL
        ):
            raise field_error(
                f"factors.{i}.max", "评分因素分值须为大于 0、不超过 100 的数（不能是浮点数）。"
            )
        if maximum != maximum.quantize(Decimal("0.01")):
            raise field_error(f"factors.{i}.max", "评分因素分值最多保留两位小数。")
        auto = f.get("auto") or ""
        if auto and auto != "track_record":
            raise field_error(f"factors.{i}.auto", "自动计分因素只支持 track_record（履约记录）。")
        row = {
            "id": fid,
            "name": name,
            "max": int(maximum) if maximum == int(maximum) else str(maximum),
            "guidance": str(f.get("guidance", "")).strip(),
        }
        if auto:
            row["auto"] = auto
        rows.append(row)
    if all(r.get("auto") for r in rows):
        raise field_error("factors", "至少需要一项由专家评分的因素。")
    return rows


def validate_tender(t: Tender) -> None:
    """Every documents rule of DOMAIN.md §4.1 except the timeline (checked at publication)."""
    cfg = config_for(t.method)
    if not (t.title or "").strip():
        raise field_error("title", "请填写采购项目名称。")
    if t.budget is None or t.budget <= 0:
        raise field_error("budget", "采购预算必须大于 0。")
    if t.budget > t.proposal.budget:
        raise field_error(
            "budget",
            f"采购预算 {t.budget} 元超过立项预算 {t.proposal.budget} 元（预算为最高限价）。",
        )
    cap_percent = setting_value("bid_security_max_percent")
    if t.bid_security < 0:
        raise field_error("bid_security", "投标保证金不能为负数。")
    if not within_cap(t.bid_security, t.budget, cap_percent):  # exact: never rounds up
        raise field_error(
            "bid_security",
            f"投标保证金 {t.bid_security} 元超过采购预算的 {cap_percent}%"
            f"（至多 {cap_amount(t.budget, cap_percent)} 元，实施条例 §33）。",
        )
    if t.grade_policy not in ("none", "preferred", "required"):
        raise field_error("grade_policy", "等级要求只能是：不要求、3A 及以上优先、须 3A 及以上。")
    for f in t.required_fields:
        if f not in ServiceField.values:
            raise field_error("required_fields", f"服务领域“{f}”无效。")
    if t.evaluation_method not in EvaluationMethod.values:
        raise field_error("evaluation_method", "评标方法只能是综合评分法或最低评标价法。")
    if t.aggregate not in Aggregate.values:
        raise field_error("aggregate", "专家评分汇总方式只能是算术平均或去掉最高最低分后平均。")
    if t.designer_organization_id and t.designer_organization_id == t.invited_organization_id:
        raise field_error(
            "invited_organization", "为本项目提供设计的单位不得参与本项目采购（实施条例 §18）。"
        )
    if not cfg.lowest_price_allowed and t.evaluation_method == EvaluationMethod.LOWEST_PRICE:
        raise field_error(
            "evaluation_method",
            f"{cfg.label}须采用综合评分法，不能采用最低评标价法（财库〔2014〕214号 §23）。",
        )
    if committee_needed(t):
        # Every competitive method has a lawful committee, also under the lowest-price
        # method, where it reviews qualification and compliance (87号令 §45–47).
        ok, why = scoring.committee_size_ok(
            int(t.committee_size), budget=t.budget, method=cfg.committee_rule
        )
        if not ok:
            raise field_error("committee_size", why)
        if t.reserve_count < 1:
            raise field_error("reserve_count", "至少抽取 1 名备选专家，以便回避时递补。")
    else:
        t.committee_size = 0
    if experts_needed(t):
        t.factors = _clean_factors(t.factors)
        scoring.validate_price_weight(
            t.price_points,
            method=cfg.price_weight_method,
            min_services=setting_value("services_min_price_weight"),
        )
        total = Decimal(t.price_points) + sum(Decimal(str(f["max"])) for f in t.factors)
        if total != scoring.SHEET_TOTAL:
            raise field_error(
                "factors",
                f"价格分与各评分因素分值之和须为 100 分，当前为 {total.normalize():f} 分。",
            )
    if cfg.invited_only:
        if t.invited_organization_id is None:
            raise field_error(
                "invited_organization", f"{cfg.label}须指定拟定的承接主体（社会组织）。"
            )
        if cfg.invitee_must_be_hub and not t.invited_organization.is_hub:
            raise field_error(
                "invited_organization",
                f"协议购买只适用于枢纽型社会组织，“{t.invited_organization.name}”不是枢纽型社会组织。",
            )
    elif t.invited_organization_id is not None:
        raise field_error(
            "invited_organization", f"{cfg.label}面向所有合格供应商，不能指定承接主体。"
        )
    if cfg.justification_required and len((t.justification or "").strip()) < 10:
        raise field_error(
            "justification",
            f"{cfg.label}须说明采用该方式的理由（将在公告中公开，不少于 10 个字）。",
        )
    if cfg.posts:
        if t.posts < 1:
            raise field_error("posts", "岗位购买须填写岗位数（至少 1 个）。")
        if not (t.post_requirements or "").strip():
            raise field_error(
                "post_requirements", "岗位购买须填写岗位要求（资格、职责、工作时间）。"
            )
        if t.post_price_cap is not None:
            if t.post_price_cap <= 0:
                raise field_error("post_price_cap", "每岗位最高单价必须大于 0。")
            if t.post_price_cap * t.posts > t.budget:
                raise field_error(
                    "post_price_cap",
                    f"每岗位最高单价 {t.post_price_cap} 元 × {t.posts} 个岗位超过采购预算 {t.budget} 元。",
                )
    elif t.posts:
        raise field_error("posts", f"{cfg.label}不设岗位数。")


def validate_deadline(
    t: Tender, *, now: dt.datetime, field: str = "deadline", period: bool = True
) -> None:
    """The timeline of §4.1: ≥ 20 calendar days from announcement to deadline (consultation
    ≥ 10; single source ≥ 5 working days of publicity), and the deadline (= bid opening)
    falls on a working day of the calendar."""
    cfg = config_for(t.method)
    if t.deadline is None:
        raise field_error(field, "请设定投标截止（开标）时间。")
    if t.deadline <= now:
        raise field_error(field, "投标截止时间必须晚于当前时间。")
    if not WorkingCalendar().is_working_day(t.deadline):
        raise field_error(
            field,
            f"投标截止（开标）日 {local_date(t.deadline)} 是节假日或休息日，须安排在工作日。",
        )
    if not period:  # an amendment: the period ran from the announcement
        return
    days = cfg.min_period_days()
    if days and t.deadline < now + dt.timedelta(days=days):
        raise field_error(
            field,
            f"{cfg.label}自公告发布至投标截止不得少于 {days} 日（政府采购法 §35），"
            f"最早可设为 {timezone.localtime(now + dt.timedelta(days=days)):%Y-%m-%d %H:%M}。",
        )
    if cfg.period_working_days:
        earliest = deadline_after_working_days(now, cfg.period_working_days)
        if t.deadline < earliest:
            raise field_error(
                field,
                f"{cfg.label}公示期不得少于 {cfg.period_working_days} 个工作日（实施条例 §38），"
                f"截止时间最早为 {timezone.localtime(earliest):%Y-%m-%d %H:%M}。",
            )
