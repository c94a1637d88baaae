"""Tenders (采购项目): drafting from an approved project, the scoring sheet, the timeline,
publication, amendments, clarifications, cancellation and re-tendering.

Every rule of DOMAIN.md §4.1 that concerns the documents and the timeline is checked here;
the method-specific behaviour comes from ``methods.config_for`` flags, never from
``if method == …`` branches.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users, unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.calendar import WorkingCalendar, deadline_after_working_days, local_date
from caidan.common.errors import Conflict, ValidationError, field_error
from caidan.common.money import cap_amount, to_money, within_cap
from caidan.jurisdiction.selectors import setting_value
from caidan.orgs.models import Organization, ServiceField

from .. import (
    permissions,  # noqa: F401 - registers the rules
    scoring,
    sealing,
)
from ..lifecycles import tender_lifecycle
from ..methods import committee_needed, config_for, experts_needed
from ..models import (
    Aggregate,
    Amendment,
    Clarification,
    EvaluationMethod,
    Method,
    Tender,
    TenderAction,
    TenderStatus,
)
from .lifecycle import lock

LIVE = (
    TenderStatus.DRAFT,
    TenderStatus.PUBLISHED,
    TenderStatus.EVALUATING,
    TenderStatus.EVALUATED,
    TenderStatus.AWARDED,
    TenderStatus.CONCLUDED,
)
FACTOR_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

EDITABLE_FIELDS = (
    "title",
    "method",
    "evaluation_method",
    "aggregate",
    "description",
    "budget",
    "bid_security",
    "grade_policy",
    "required_fields",
    "require_experience",
    "abnormal_excludes",
    "designer_organization",
    "price_points",
    "factors",
    "committee_size",
    "reserve_count",
    "invited_organization",
    "justification",
    "posts",
    "post_requirements",
    "post_price_cap",
    "deadline",
    "method_change_reason",
)

DEFAULT_FACTORS = [
    {"id": "plan", "name": "服务方案", "max": 40},
    {"id": "team", "name": "团队与资质", "max": 20},
    {"id": "experience", "name": "同类项目经验", "max": 10},
]


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


def _coerce(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for key in ("budget", "bid_security"):
        if key in out and out[key] is not None:
            out[key] = to_money(out[key], field=key)
    if "post_price_cap" in out:
        cap = out["post_price_cap"]
        out["post_price_cap"] = None if cap in ("", None) else to_money(cap, field="post_price_cap")
    if "price_points" in out:
        value = out["price_points"]
        if isinstance(value, float):
            raise field_error("price_points", "价格分须以整数或字符串给出，不能是浮点数。")
        try:
            out["price_points"] = Decimal(str(value).strip())
        except ArithmeticError:
            raise field_error("price_points", "价格分须为数字。") from None
    for key in ("committee_size", "reserve_count", "posts"):
        if key in out:
            try:
                out[key] = int(out[key] or 0)
            except (TypeError, ValueError):
                raise field_error(key, "须为整数。") from None
            if out[key] < 0:
                raise field_error(key, "不能为负数。")
    if "method" in out and out["method"] not in Method.values:
        raise field_error("method", f"采购方式“{out['method']}”无效。")
    for key in ("designer_organization", "invited_organization"):
        value = out.get(key)
        if value is not None and not isinstance(value, Organization):
            try:
                out[key] = Organization.objects.get(pk=int(value))
            except (ValueError, TypeError, Organization.DoesNotExist):
                raise field_error(key, "社会组织不存在。") from None
    if "required_fields" in out and not isinstance(out["required_fields"], list):
        raise field_error("required_fields", "服务领域须为列表。")
    unknown = set(out) - set(EDITABLE_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], "不能修改该字段。")
    return out


def _snapshot(t: Tender) -> dict[str, Any]:
    data = {}
    for f in EDITABLE_FIELDS:
        value = getattr(t, f)
        if isinstance(value, Organization):
            value = value.pk
        elif isinstance(value, Decimal | dt.datetime):
            value = str(value)
        data[f] = value
    return data


# --- drafting ------------------------------------------------------------------------------------


def tender_create(*, proposal, actor: Any, **data: Any) -> Tender:
    """Draft the procurement of an approved project. Defaults come from the project and
    the jurisdiction's settings; the method defaults to the one the project was approved
    with (another needs the platform admin's approval before publication)."""
    require(actor, "procurement.create", proposal)
    data = _coerce(data)
    with transaction.atomic():
        from caidan.projects.models import Proposal

        proposal = Proposal.objects.select_for_update().select_related("unit").get(pk=proposal.pk)
        if proposal.status != "approved":
            raise Conflict(
                f"项目“{proposal.title}”尚未立项（当前：{proposal.get_status_display()}），不能发起采购。",
                code="not_approved",
            )
        if proposal.tenders.filter(status__in=LIVE).exists():
            raise Conflict(
                "该项目已有进行中的采购，不能重复发起（废标或取消后可重新采购）。",
                code="tender_exists",
            )
        method = data.pop("method", proposal.procurement_method)
        budget = data.pop("budget", proposal.budget)
        evaluation_method = data.pop("evaluation_method", EvaluationMethod.COMPREHENSIVE)
        t = Tender(
            proposal=proposal,
            unit=proposal.unit,
            title=data.pop("title", proposal.title),
            reference=f"tmp-{timezone.now().timestamp()}-{proposal.pk}",
            method=method,
            evaluation_method=evaluation_method,
            aggregate=data.pop("aggregate", setting_value("score_aggregate")),
            description=data.pop("description", proposal.description),
            budget=budget,
            grade_policy=data.pop("grade_policy", proposal.grade_policy),
            required_fields=data.pop("required_fields", list(proposal.required_fields)),
            require_experience=data.pop("require_experience", proposal.require_experience),
            price_points=data.pop("price_points", Decimal(30)),
            factors=data.pop("factors", [dict(f) for f in DEFAULT_FACTORS]),
            committee_size=data.pop("committee_size", 0)
            or default_committee_size(method, Decimal(budget)),
            reserve_count=data.pop("reserve_count", 0) or setting_value("expert_reserves"),
            created_by=user_of(actor),
            **data,
        )
        if method != proposal.procurement_method and not (t.method_change_reason or "").strip():
            raise field_error(
                "method_change_reason",
                f"立项时确定的采购方式为“{proposal.get_procurement_method_display()}”，"
                "改用其他方式须说明理由并经财政部门批准。",
            )
        validate_tender(t)
        t.save()
        t.reference = f"CD-{proposal.year}-{t.pk:06d}"
        t.save(update_fields=["reference"])
        audit_record(kind=EventKind.TENDER_CREATED, actor=actor, target=t, new=_snapshot(t))
    return t


def tender_update(*, tender: Tender, changes: dict[str, Any], actor: Any) -> Tender:
    """Edit a draft. Published documents change only through ``tender_amend``."""
    require(actor, "procurement.manage", tender)
    changes = _coerce(changes)
    with transaction.atomic():
        t = lock(tender)
        if t.status != TenderStatus.DRAFT:
            raise Conflict("采购公告已发布，只能通过澄清修改公告变更采购文件。", code="not_draft")
        before = _snapshot(t)
        for key, value in changes.items():
            setattr(t, key, value)
        if "method" in changes and t.method != t.proposal.procurement_method:
            if not (t.method_change_reason or "").strip():
                raise field_error(
                    "method_change_reason", "改用立项时确定以外的采购方式须说明理由并经批准。"
                )
            t.method_change_approved_by = None
            t.method_change_approved_at = None
        if "method" in changes and "committee_size" not in changes:
            t.committee_size = default_committee_size(t.method, t.budget)
        validate_tender(t)
        t.save()
        after = _snapshot(t)
        changed = {k for k in after if before.get(k) != after.get(k)}
        if changed:
            audit_record(
                kind=EventKind.TENDER_UPDATED,
                actor=actor,
                target=t,
                old={k: before[k] for k in changed},
                new={k: after[k] for k in changed},
            )
    return t


def _method_change_needed(t: Tender) -> bool:
    baseline = t.previous.method if t.previous_id else t.proposal.procurement_method
    return t.method != baseline


def tender_approve_method_change(*, tender: Tender, actor: Any) -> Tender:
    """The finance bureau approves using a method other than the approved (or failed) one."""
    require(actor, "procurement.approve_method_change")
    with transaction.atomic():
        t = lock(tender)
        if t.status != TenderStatus.DRAFT:
            raise Conflict("只有草稿状态的采购项目需要批准变更采购方式。")
        if not _method_change_needed(t):
            raise Conflict("该采购项目未变更采购方式，无需批准。")
        t.method_change_approved_by = user_of(actor)
        t.method_change_approved_at = timezone.now()
        t.save(update_fields=["method_change_approved_by", "method_change_approved_at"])
        audit_record(
            kind=EventKind.TENDER_METHOD_CHANGE_APPROVED,
            actor=actor,
            target=t,
            new={"method": t.method, "reason": t.method_change_reason},
        )
    return t


def tender_publish(*, tender: Tender, actor: Any, now: dt.datetime | None = None) -> Tender:
    """Publish the announcement: everything is re-checked, the timeline against the
    calendar, and the tender's sealing key is created (wrapped by the deployment key)."""
    require(actor, "procurement.manage", tender)
    now = now or timezone.now()
    with transaction.atomic():
        t = lock(tender)
        validate_tender(t)
        if t.status == TenderStatus.DRAFT:
            validate_deadline(t, now=now)
        if _method_change_needed(t) and t.method_change_approved_by_id is None:
            raise Conflict(
                "变更采购方式尚未经财政部门（平台管理员）批准，不能发布。",
                code="method_change_unapproved",
            )
        t.wrapped_key, t.key_id = sealing.wrap_new_key(t.pk)
        # The expert draw's seed is fixed now, before any bid exists: only its commitment
        # is published (the seed itself with the award), so nobody can choose the panel.
        from .draw import new_draw_seed

        t.draw_seed, t.draw_commitment = new_draw_seed()
        tender_lifecycle.apply(
            t,
            TenderAction.PUBLISH,
            actor=actor,
            published_at=now,
            draw_commitment=t.draw_commitment,
        )
        from caidan.notifications.services import notify

        if t.invited_organization_id:
            invitees = organization_users([t.invited_organization_id])
            notify(
                recipients=invitees,
                kind="tender.invited",
                title=f"{t.get_method_display()}邀请：{t.title}",
                body=f"{t.unit.name}拟以{t.get_method_display()}方式向贵组织采购“{t.title}”，"
                f"请在 {timezone.localtime(t.deadline):%Y-%m-%d %H:%M} 前递交响应文件。",
                url=f"/procurement/tenders/{t.pk}/",
            )
    return t


def _push_deadline(now: dt.datetime, old: dt.datetime, days: int) -> dt.datetime:
    """The same clock time ``days`` calendar days from now, on a working day."""
    local_old = timezone.localtime(old)
    day = local_date(now + dt.timedelta(days=days))
    calendar = WorkingCalendar()
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    naive = dt.datetime.combine(day, local_old.timetz().replace(tzinfo=None))
    candidate = timezone.make_aware(naive, timezone.get_current_timezone())
    return max(candidate, old)


def tender_amend(
    *,
    tender: Tender,
    summary: str,
    affects_bids: bool = True,
    new_deadline: dt.datetime | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> Amendment:
    """Publish a clarification or change (实施条例 §31). One that affects bids and comes
    less than ``late_amendment_days`` (15) days before the deadline pushes the deadline to
    at least that many days after the amendment."""
    require(actor, "procurement.manage", tender)
    now = now or timezone.now()
    if not (summary or "").strip():
        raise field_error("summary", "请填写澄清或修改的内容。")
    with transaction.atomic():
        t = lock(tender)
        if t.status != TenderStatus.PUBLISHED:
            raise Conflict("只有公告中的采购项目可以发布澄清修改。", code="not_published")
        if now >= t.deadline:
            raise Conflict("投标已截止，不能再修改采购文件。", code="deadline_passed")
        old = t.deadline
        days = setting_value("late_amendment_days")
        minimum = now + dt.timedelta(days=days)
        deadline = new_deadline or old
        if deadline < old:
            raise field_error("new_deadline", "澄清修改不能提前投标截止时间。")
        if affects_bids and deadline < minimum:
            if new_deadline is not None:
                raise field_error(
                    "new_deadline",
                    f"影响投标文件编制的澄清修改距投标截止不足 {days} 日，截止时间须顺延至 "
                    f"{timezone.localtime(minimum):%Y-%m-%d %H:%M} 之后（实施条例 §31）。",
                )
            deadline = _push_deadline(now, old, days)
        if deadline != old:
            t.deadline = deadline
            validate_deadline(t, now=now, field="new_deadline", period=False)
            t.save(update_fields=["deadline"])
        amendment = Amendment.objects.create(
            tender=t,
            summary=summary.strip(),
            affects_bids=affects_bids,
            old_deadline=old,
            new_deadline=t.deadline,
            created_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.TENDER_AMENDED,
            actor=actor,
            target=t,
            old={"deadline": old.isoformat()},
            new={"deadline": t.deadline.isoformat(), "summary": amendment.summary},
        )
        _notify_prospective(t, f"澄清修改：{t.title}", amendment.summary)
    return amendment


def _notify_prospective(t: Tender, title: str, body: str) -> None:
    """Tell organizations that asked questions or submitted bids (their identity is not
    published)."""
    from caidan.notifications.services import notify

    orgs = set(t.clarifications.values_list("asked_by", flat=True)) | set(
        t.bids.values_list("organization", flat=True)
    )
    users = organization_users(orgs)
    notify(
        recipients=users,
        kind="tender.amended",
        title=title,
        body=body,
        url=f"/procurement/tenders/{t.pk}/",
    )


def tender_cancel(*, tender: Tender, reason: str, actor: Any) -> Tender:
    require(actor, "procurement.manage", tender)
    if not (reason or "").strip():
        raise field_error("reason", "请填写取消理由（将公开）。")
    with transaction.atomic():
        t = lock(tender)
        if t.status == TenderStatus.PUBLISHED and t.deadline and timezone.now() >= t.deadline:
            raise Conflict("投标已截止，等待开标，不能取消；可在开标后按规定废标。")
        tender_lifecycle.apply(
            t, TenderAction.CANCEL, actor=actor, note=reason, cancelled_reason=reason
        )
        if t.published_at:
            _notify_prospective(t, f"采购取消：{t.title}", reason)
    return t


def tender_fail_manual(*, tender: Tender, reason: str, actor: Any) -> Tender:
    """The purchaser declares the tender failed after evaluation (e.g. a challenge was
    upheld and the result cannot stand)."""
    from .lifecycle import fail

    require(actor, "procurement.manage", tender)
    if not (reason or "").strip():
        raise field_error("reason", "请填写废标理由（将公开）。")
    with transaction.atomic():
        t = lock(tender)
        if t.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(f"采购项目处于“{t.get_status_display()}”状态，不能废标。")
        fail(t, reason=reason.strip(), actor=actor)
    return t


def tender_retender(
    *, tender: Tender, actor: Any, method: str | None = None, reason: str = ""
) -> Tender:
    """After a failed tender: a new draft with the same documents, possibly by another
    method (which then needs approval before publication)."""
    require(actor, "procurement.manage", tender)
    with transaction.atomic():
        old = lock(tender)
        if old.status != TenderStatus.FAILED:
            raise Conflict("只有废标的采购项目可以重新采购。", code="not_failed")
        if Tender.objects.filter(previous=old).exclude(status=TenderStatus.CANCELLED).exists():
            raise Conflict("已就该废标项目发起重新采购。", code="tender_exists")
        method = method or old.method
        if method not in Method.values:
            raise field_error("method", f"采购方式“{method}”无效。")
        if method != old.method and not (reason or "").strip():
            raise field_error("reason", "变更采购方式须说明理由（如公开招标只有两家有效投标）。")
        copy = {f: getattr(old, f) for f in EDITABLE_FIELDS if f not in ("deadline", "method")}
        copy["method_change_reason"] = reason.strip() if method != old.method else ""
        new = Tender(
            proposal=old.proposal,
            unit=old.unit,
            reference=f"tmp-{timezone.now().timestamp()}-{old.pk}",
            previous=old,
            created_by=user_of(actor),
            **copy,
        )
        new.method = method
        new.committee_size = default_committee_size(method, new.budget)
        if not config_for(method).lowest_price_allowed:  # 财库〔2014〕214号 §23
            new.evaluation_method = EvaluationMethod.COMPREHENSIVE
        if not config_for(method).invited_only:
            new.invited_organization = None
        if not config_for(method).posts:
            new.posts = 0
        new.save()
        new.reference = f"{old.reference.split('-R')[0]}-R{Tender.objects.filter(proposal=old.proposal).count() - 1}"
        new.save(update_fields=["reference"])
        audit_record(
            kind=EventKind.TENDER_CREATED,
            actor=actor,
            target=new,
            new={**_snapshot(new), "previous": old.pk},
            note=reason,
        )
    return new


# --- documents ------------------------------------------------------------------------------------

DOCUMENT_TARGET = "procurement.tender"


def tender_document_add(*, tender: Tender, file: Any, description: str = "", actor: Any):
    """Attach a public document (招标文件, drawings, forms) to a tender. On a draft it is
    simply attached; once published it is an amendment (实施条例 §31): published with a
    notice, and a late one pushes the deadline like any other."""
    from caidan.documents.services import document_upload

    require(actor, "procurement.manage", tender)
    t = Tender.objects.get(pk=tender.pk)
    if t.status not in (TenderStatus.DRAFT, TenderStatus.PUBLISHED):
        raise Conflict("投标截止后不能再补充采购文件。", code="not_open")
    if t.status == TenderStatus.PUBLISHED and timezone.now() >= t.deadline:
        raise Conflict("投标已截止，不能再补充采购文件。", code="deadline_passed")
    with transaction.atomic():
        document = document_upload(
            file=file,
            actor=actor,
            description=description,
            is_public=True,
            target_type=DOCUMENT_TARGET,
            target_id=str(t.pk),
        )
        if t.status == TenderStatus.PUBLISHED:
            summary = f"发布补充采购文件“{document.original_name}”"
            if (description or "").strip():
                summary += f"：{description.strip()}"
            tender_amend(tender=t, summary=summary, affects_bids=True, actor=actor)
    return document


def tender_documents(tender: Tender, *, actor: Any):
    from caidan.documents.selectors import document_list_for_target

    return document_list_for_target(actor=actor, target_type=DOCUMENT_TARGET, target_id=tender.pk)


# --- clarifications ------------------------------------------------------------------------------


def clarification_ask(
    *,
    tender: Tender,
    organization,
    question: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> Clarification:
    """A prospective bidder asks a question before the deadline. Who asked stays secret
    from everyone, the purchaser included (招标投标法 §22): the notification and the
    purchaser's views show the question only."""
    require(actor, "procurement.bid", organization)
    now = now or timezone.now()
    if not (question or "").strip():
        raise field_error("question", "请填写问题。")
    if len(question) > 2000:
        raise field_error("question", "问题不超过 2000 字。")
    with transaction.atomic():
        t = lock(tender)
        if t.status != TenderStatus.PUBLISHED or now >= t.deadline:
            raise Conflict("只能在投标截止前就公告中的采购项目提问。")
        c = Clarification.objects.create(tender=t, question=question.strip(), asked_by=organization)
        Clarification.objects.filter(pk=c.pk).update(asked_at=now)
        audit_record(
            kind=EventKind.CLARIFICATION_ASKED, actor=actor, target=t, new={"clarification": c.pk}
        )
        from caidan.notifications.services import notify

        officers = unit_officers(t.unit)
        notify(
            recipients=officers,
            kind="tender.question",
            title=f"答疑提问：{t.title}",
            body=f"有供应商提问（提问人不公开）：{c.question[:200]}",
            url=f"/procurement/tenders/{t.pk}/",
        )
    return c


def clarification_answer(
    *,
    clarification: Clarification,
    answer: str,
    actor: Any,
    now: dt.datetime | None = None,
) -> Clarification:
    """Answers are published to everyone (the asker is not named)."""
    require(actor, "procurement.manage", clarification.tender)
    now = now or timezone.now()
    if not (answer or "").strip():
        raise field_error("answer", "请填写答复。")
    with transaction.atomic():
        c = Clarification.objects.select_for_update().get(pk=clarification.pk)
        if c.answered_at:
            raise Conflict("该问题已答复；如需更正请发布澄清修改公告。")
        if c.tender.status != TenderStatus.PUBLISHED:
            raise Conflict("投标已截止或采购已结束，不能再答复。")
        c.answer = answer.strip()
        c.answered_at = now
        c.answered_by = user_of(actor)
        c.save()
        audit_record(
            kind=EventKind.CLARIFICATION_ANSWERED,
            actor=actor,
            target=c.tender,
            new={"clarification": c.pk, "answer": c.answer},
        )
    return c


__all__ = [
    "DEFAULT_FACTORS",
    "ValidationError",
    "clarification_answer",
    "clarification_ask",
    "default_committee_size",
    "tender_amend",
    "tender_approve_method_change",
    "tender_cancel",
    "tender_create",
    "tender_document_add",
    "tender_fail_manual",
    "tender_publish",
    "tender_retender",
    "tender_update",
    "validate_deadline",
    "validate_tender",
]
