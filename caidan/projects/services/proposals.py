"""Proposals (项目申报): drafting, validation, submission, withdrawal, hub packaging.

One transition service per step; each checks ``TRANSITIONS``, locks the row, audits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from caidan.accounts.actor import user_of
from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.errors import Conflict, ValidationError, field_error
from caidan.common.money import to_money
from caidan.common.periods import max_period_end
from caidan.orgs.models import ServiceField

from .. import permissions  # noqa: F401 - registers the rules
from ..lifecycles import proposal_lifecycle
from ..models import (
    EDITABLE,
    FundingSource,
    GradePolicy,
    ProcurementMethod,
    Proposal,
    ProposalAction,
    ProposalFunding,
    PurchaseMode,
)

TARGET_GROUPS = [
    "困难家庭",
    "精神障碍者",
    "残疾人",
    "刑释人员",
    "困难独居老人",
    "特殊儿童",
    "老年人",
    "青少年",
    "其他",
]
MAX_YEARS = 3  # DOMAIN.md §4.3: ≤ 1 year, ≤ 3 years for stable, continuously funded services


def clean_funding(budget: Decimal, funding: list[dict]) -> list[tuple[str, Decimal]]:
    """Funding sources must be known, positive, each once, and add up to the budget to
    the fen."""
    if not funding:
        raise field_error(
            "funding", "请填写资金来源（财政预算、福彩公益金、社会配套资金、专项资金）。"
        )
    rows: list[tuple[str, Decimal]] = []
    seen = set()
    for i, row in enumerate(funding):
        source = row.get("source")
        if source not in FundingSource.values:
            raise field_error(f"funding.{i}.source", f"资金来源“{source}”无效。")
        if source in seen:
            raise field_error(
                f"funding.{i}.source", f"资金来源“{FundingSource(source).label}”重复。"
            )
        seen.add(source)
        amount = to_money(row.get("amount"), field=f"funding.{i}.amount")
        if amount <= 0:
            raise field_error(f"funding.{i}.amount", "每项资金来源的金额必须大于 0。")
        rows.append((source, amount))
    total = sum((a for _, a in rows), Decimal("0.00"))
    if total != budget:
        raise ValidationError(
            f"资金来源合计 {total} 元与项目预算 {budget} 元不一致（须精确到分）。",
            code="funding_mismatch",
            detail={"field": "funding", "total": str(total), "budget": str(budget)},
        )
    return rows


def clean_period(start: dt.date, end: dt.date, justification: str) -> None:
    if start is None:
        raise field_error("period_start", "请填写服务期开始日期。")
    if end is None:
        raise field_error("period_end", "请填写服务期结束日期。")
    if end <= start:
        raise field_error("period_end", "服务期结束日期必须晚于开始日期。")
    one_year = max_period_end(start, 1)  # the day before the anniversary (common/periods)
    if end <= one_year:
        return
    three_years = max_period_end(start, MAX_YEARS)
    if end > three_years:
        raise field_error(
            "period_end",
            f"服务期不得超过 3 年（至 {three_years}），财政部令第102号。",
            code="period_too_long",
        )
    if not (justification or "").strip():
        raise field_error(
            "stability_justification",
            f"服务期超过 1 年（至 {one_year}）须说明需求稳定、持续资助的理由；一般合同期为一年。",
            code="period_needs_justification",
        )


def _clean_indicators(field: str, rows) -> list[dict]:
    out = []
    for i, row in enumerate(rows or []):
        name = str(row.get("name", "")).strip()
        if not name:
            raise field_error(f"{field}.{i}.name", "指标名称不能为空。")
        try:
            target = Decimal(str(row.get("target")))
        except Exception:  # noqa: BLE001 - any parse failure is the same user error
            raise field_error(f"{field}.{i}.target", f"指标“{name}”的目标值须为数字。") from None
        if target <= 0:
            raise field_error(f"{field}.{i}.target", f"指标“{name}”的目标值须大于 0。")
        out.append({"name": name, "target": str(target), "unit": str(row.get("unit", "")).strip()})
    return out


def _clean(data: dict[str, Any], *, unit) -> dict[str, Any]:
    """Validate a proposal's fields; raise naming the field and the rule."""
    out = dict(data)
    title = (data.get("title") or "").strip()
    if not title:
        raise field_error("title", "请填写项目名称。")
    if len(title) > 200:
        raise field_error("title", "项目名称不能超过 200 个字符。")
    out["title"] = title
    item = data.get("catalog_item")
    if item is None:
        raise field_error("catalog_item", "请选择购买服务目录中的条目。")
    if item.level != 3:
        raise field_error("catalog_item", "项目须对应目录的三级条目。")
    if item.version.status != "published":
        raise field_error("catalog_item", "所选条目不属于已发布的目录版本。")
    budget = to_money(data.get("budget"), field="budget")
    if budget <= 0:
        raise field_error("budget", "项目预算必须大于 0。")
    out["budget"] = budget
    out["funding"] = clean_funding(budget, data.get("funding") or [])
    clean_period(
        data.get("period_start"), data.get("period_end"), data.get("stability_justification", "")
    )
    year = int(data.get("year") or data["period_start"].year)
    if year != data["period_start"].year:
        raise field_error("year", "预算年度应与服务期开始的年份一致。")
    out["year"] = year
    if data.get("purchase_mode") not in PurchaseMode.values:
        raise field_error(
            "purchase_mode", "请选择购买方式（项目外包、岗位购买、公益创投、专项资助）。"
        )
    if data.get("procurement_method") not in ProcurementMethod.values:
        raise field_error("procurement_method", "请选择拟采用的采购方式。")
    if (data["purchase_mode"] == PurchaseMode.POST) != (
        data["procurement_method"] == ProcurementMethod.POST_PURCHASE
    ):
        raise field_error("procurement_method", "岗位购买方式须采用“岗位购买”采购方式，反之亦然。")
    if data.get("grade_policy", "preferred") not in GradePolicy.values:
        raise field_error("grade_policy", "承接主体等级要求无效。")
    bad_fields = [f for f in data.get("required_fields") or [] if f not in ServiceField.values]
    if bad_fields:
        raise field_error("required_fields", f"服务领域无效：{'、'.join(bad_fields)}。")
    bad_groups = [g for g in data.get("target_groups") or [] if g not in TARGET_GROUPS]
    if bad_groups:
        raise field_error("target_groups", f"服务对象类别无效：{'、'.join(bad_groups)}。")
    try:
        scale = int(data.get("scale") or 0)
    except (TypeError, ValueError):
        raise field_error("scale", "服务规模须为非负整数。") from None
    if scale < 0:
        raise field_error("scale", "服务规模须为非负整数。")
    out["scale"] = scale
    out["outputs"] = _clean_indicators("outputs", data.get("outputs"))
    out["outcomes"] = _clean_indicators("outcomes", data.get("outcomes"))
    for need in data.get("needs") or []:
        if need.status != "visible":
            raise field_error("needs", f"需求 #{need.pk} 已被隐藏，不能作为项目依据。")
        if need.unit_id != unit.pk:
            raise field_error("needs", f"需求 #{need.pk} 不属于{unit.name}。")
    for menu_item in data.get("menu_items") or []:
        if menu_item.menu.unit_id != unit.pk:
            raise field_error("menu_items", f"菜单项 #{menu_item.pk} 不属于{unit.name}的菜单。")
    return out


def _negative_list(proposal_or_data) -> None:
    from caidan.catalog.services import negative_list_refuse

    get = (
        proposal_or_data.get
        if isinstance(proposal_or_data, dict)
        else (lambda k, d="": getattr(proposal_or_data, k, d))
    )
    for field in ("title", "description", "service_targets"):
        negative_list_refuse(text=get(field, "") or "", field=field)


FIELDS = (
    "title",
    "year",
    "catalog_item",
    "description",
    "service_targets",
    "target_groups",
    "scale",
    "scale_unit",
    "outputs",
    "outcomes",
    "budget",
    "period_start",
    "period_end",
    "stability_justification",
    "purchase_mode",
    "procurement_method",
    "grade_policy",
    "required_fields",
    "require_experience",
)


def _snapshot(p: Proposal) -> dict[str, Any]:
    data = {f: getattr(p, f) for f in FIELDS if f != "catalog_item"}
    data["catalog_item"] = p.catalog_item_id
    data["funding"] = {f.source: str(f.amount) for f in p.funding.all()}
    return data


def _save(proposal: Proposal, data: dict[str, Any]) -> None:
    for f in FIELDS:
        if f in data:
            setattr(proposal, f, data[f])
    proposal.save()
    proposal.funding.all().delete()
    ProposalFunding.objects.bulk_create(
        [ProposalFunding(proposal=proposal, source=s, amount=a) for s, a in data["funding"]]
    )
    if "needs" in data:
        proposal.needs.set(data["needs"] or [])
    if "menu_items" in data:
        proposal.menu_items.set(data["menu_items"] or [])


def proposal_create(*, actor: Any, unit, proposing_organization=None, **data: Any) -> Proposal:
    """Draft a proposal for ``unit``: by the unit's purchaser, or by a provider / hub for
    the unit (venture philanthropy and grassroots proposals a hub may package)."""
    if proposing_organization is not None:
        require(actor, "projects.draft_as_organization", proposing_organization)
    else:
        require(actor, "projects.draft_for_unit", unit)
    unknown = set(data) - set(FIELDS) - {"funding", "needs", "menu_items"}
    if unknown:
        raise field_error(sorted(unknown)[0], f"未知字段：{'、'.join(sorted(unknown))}。")
    data.setdefault("year", data.get("period_start").year if data.get("period_start") else None)
    cleaned = _clean(data, unit=unit)
    _negative_list(cleaned)
    with transaction.atomic():
        proposal = Proposal(
            unit=unit, proposing_organization=proposing_organization, created_by=user_of(actor)
        )
        _save(proposal, cleaned)
        audit_record(
            kind=EventKind.PROPOSAL_CREATED, actor=actor, target=proposal, new=_snapshot(proposal)
        )
    return proposal


def proposal_update(*, proposal: Proposal, changes: dict[str, Any], actor: Any) -> Proposal:
    require(actor, "projects.edit", proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status not in EDITABLE:
            raise Conflict(
                f"项目处于“{proposal.get_status_display()}”状态，只有草稿或退回修改的项目可以修改。"
            )
        before = _snapshot(proposal)
        data = {**before, "catalog_item": proposal.catalog_item}
        data["funding"] = [{"source": s, "amount": a} for s, a in before["funding"].items()]
        unknown = set(changes) - set(FIELDS) - {"funding", "needs", "menu_items"}
        if unknown:
            raise field_error(sorted(unknown)[0], f"不能修改字段：{'、'.join(sorted(unknown))}。")
        data.update(changes)
        cleaned = _clean(data, unit=proposal.unit)
        _negative_list(cleaned)
        _save(proposal, cleaned)
        after = _snapshot(proposal)
        audit_record(
            kind=EventKind.PROPOSAL_UPDATED,
            actor=actor,
            target=proposal,
            old={k: before[k] for k in after if before.get(k) != after.get(k)},
            new={k: after[k] for k in after if before.get(k) != after.get(k)},
        )
    return proposal


def proposal_submit(*, proposal: Proposal, actor: Any) -> Proposal:
    """Submit to the project library: everything is re-checked, the negative list too."""
    require(actor, "projects.edit", proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        data = {f: getattr(proposal, f) for f in FIELDS}
        data["funding"] = [{"source": f.source, "amount": f.amount} for f in proposal.funding.all()]
        _clean(data, unit=proposal.unit)
        _negative_list(proposal)
        proposal_lifecycle.apply(
            proposal, ProposalAction.SUBMIT, actor=actor, submitted_at=timezone.now()
        )
        from caidan.accounts.models import User
        from caidan.notifications.services import notify

        reviewers = User.objects.filter(
            memberships__role__in=[Role.COMMITTEE_MEMBER, Role.PLATFORM_ADMIN],
            memberships__is_active=True,
            is_active=True,
        ).distinct()
        notify(
            recipients=reviewers,
            kind="proposal.submitted",
            title=f"新的项目申报：{proposal.title}",
            body=f"{proposal.unit.name}申报了“{proposal.title}”，预算 {proposal.budget} 元，待列入审定议程。",
            url=f"/projects/proposals/{proposal.pk}/",
        )
    return proposal


def proposal_withdraw(*, proposal: Proposal, reason: str = "", actor: Any) -> Proposal:
    require(actor, "projects.edit", proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        return proposal_lifecycle.apply(proposal, ProposalAction.WITHDRAW, actor=actor, note=reason)


def _hub_eligible(hub, cleaned: dict[str, Any], *, on: dt.date) -> None:
    from caidan.orgs.eligibility import Requirements, eligibility

    result = eligibility(
        hub,
        Requirements(
            grade_policy=cleaned.get("grade_policy"),
            fields=tuple(cleaned.get("required_fields") or ()),
            require_experience=bool(cleaned.get("require_experience")),
        ),
        on=on,
    )
    if not result.eligible:
        raise Conflict(
            f"枢纽组织“{hub.name}”不符合承接条件，不能打包申报：" + "；".join(result.reasons),
            code="ineligible",
            detail={"field": "hub", "reasons": result.reasons},
        )


def proposal_package(
    *,
    parts: list[Proposal],
    hub,
    title: str,
    actor: Any,
    now: dt.datetime | None = None,
    **overrides: Any,
) -> Proposal:
    """A hub organization packages several grassroots proposals (of its affiliates, for one
    unit and year) into one proposal it leads; the parts become "packaged". The hub leads
    and answers for the package, so it must itself be an eligible provider on the day
    (DOMAIN §4.2; 102号令), for the package's requirements."""
    require(actor, "projects.package", hub)
    now = now or timezone.now()
    if not hub.is_hub:
        raise field_error("hub", f"“{hub.name}”不是枢纽型社会组织。")
    if len(parts) < 2:
        raise field_error("parts", "打包至少需要两个项目申报。")
    affiliates = set(hub.affiliates.values_list("pk", flat=True)) | {hub.pk}
    units = {p.unit_id for p in parts}
    years = {p.year for p in parts}
    if len(units) != 1 or len(years) != 1:
        raise field_error("parts", "打包的项目须属于同一购买主体、同一预算年度。")
    for p in parts:
        if p.proposing_organization_id not in affiliates:
            raise field_error("parts", f"“{p.title}”不是本枢纽组织所联系的社会组织申报的。")
    with transaction.atomic():
        locked = list(Proposal.objects.select_for_update().filter(pk__in=[p.pk for p in parts]))
        funding: dict[str, Decimal] = {}
        for p in locked:
            for f in p.funding.all():
                funding[f.source] = funding.get(f.source, Decimal("0.00")) + f.amount
        first = locked[0]
        data = {
            "title": title,
            "catalog_item": first.catalog_item,
            "description": "\n".join(f"· {p.title}：{p.description}" for p in locked),
            "service_targets": "；".join(p.service_targets for p in locked if p.service_targets),
            "target_groups": sorted({g for p in locked for g in p.target_groups}),
            "scale": sum(p.scale for p in locked),
            "scale_unit": first.scale_unit,
            "outputs": [o for p in locked for o in p.outputs],
            "outcomes": [o for p in locked for o in p.outcomes],
            "budget": sum((p.budget for p in locked), Decimal("0.00")),
            "funding": [{"source": s, "amount": a} for s, a in funding.items()],
            "period_start": min(p.period_start for p in locked),
            "period_end": max(p.period_end for p in locked),
            "stability_justification": "",
            "purchase_mode": first.purchase_mode,
            "procurement_method": first.procurement_method,
            "grade_policy": first.grade_policy,
            "required_fields": sorted({f for p in locked for f in p.required_fields}),
            "require_experience": any(p.require_experience for p in locked),
            "year": first.year,
            "needs": [n for p in locked for n in p.needs.all()],
            "menu_items": [m for p in locked for m in p.menu_items.all()],
            **overrides,
        }
        unit = first.unit
        cleaned = _clean(data, unit=unit)
        _negative_list(cleaned)
        _hub_eligible(hub, cleaned, on=timezone.localdate(now))
        package = Proposal(
            unit=unit, proposing_organization=hub, lead_organization=hub, created_by=user_of(actor)
        )
        _save(package, cleaned)
        audit_record(
            kind=EventKind.PROPOSAL_CREATED,
            actor=actor,
            target=package,
            new={**_snapshot(package), "packaged_from": [p.pk for p in locked]},
        )
        for p in locked:
            proposal_lifecycle.apply(p, ProposalAction.PACKAGE, actor=actor, packaged_into=package)
    return package
