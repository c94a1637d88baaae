"""API: the project library, review sessions, budget ceilings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from caidan.accounts.models import Unit, User
from caidan.common.errors import field_error
from caidan.common.fast_lists import json_page
from caidan.common.schemas import ERRORS, PageOut, patch_changes

from . import selectors, services
from .inputs import ProposalInput
from .models import AgendaItem, Proposal

router = Router(tags=["projects 项目库与审定"])


class FundingIO(Schema):
    source: str
    amount: str


class IndicatorIO(Schema):
    name: str
    target: str
    unit: str = ""


class ProposalOut(Schema):
    id: int
    title: str
    year: int
    status: str
    status_label: str
    unit_id: int
    unit_name: str
    catalog_item_id: int
    catalog_item: str
    catalog_version: str
    budget: Decimal
    period_start: dt.date
    period_end: dt.date
    purchase_mode: str
    procurement_method: str
    proposing_organization_id: int | None
    url: str


def proposal_out(p: Proposal) -> dict:
    return {
        "id": p.pk,
        "title": p.title,
        "year": p.year,
        "status": p.status,
        "status_label": p.get_status_display(),
        "unit_id": p.unit_id,
        "unit_name": p.unit.name,
        "catalog_item_id": p.catalog_item_id,
        "catalog_item": str(p.catalog_item),
        "catalog_version": p.catalog_item.version.name,
        "budget": p.budget,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "purchase_mode": p.purchase_mode,
        "procurement_method": p.procurement_method,
        "proposing_organization_id": p.proposing_organization_id,
        "url": f"/projects/proposals/{p.pk}/",
    }


def proposal_rows_out(rows: list[dict]) -> list[dict]:
    """``proposal_out`` for ``.values()`` rows (``selectors.PROPOSAL_ROW_FIELDS``): the same
    dicts, without a model per row (docs/architecture.md, "Fast lists")."""
    statuses = {value: str(label) for value, label in Proposal.Status.choices}
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "year": r["year"],
            "status": r["status"],
            "status_label": statuses.get(r["status"], r["status"]),
            "unit_id": r["unit_id"],
            "unit_name": r["unit__name"],
            "catalog_item_id": r["catalog_item_id"],
            "catalog_item": f"{r['catalog_item__code']} {r['catalog_item__name']}",
            "catalog_version": r["catalog_item__version__name"],
            "budget": r["budget"],
            "period_start": r["period_start"],
            "period_end": r["period_end"],
            "purchase_mode": r["purchase_mode"],
            "procurement_method": r["procurement_method"],
            "proposing_organization_id": r["proposing_organization_id"],
            "url": f"/projects/proposals/{r['id']}/",
        }
        for r in rows
    ]


class ProposalDetailOut(ProposalOut):
    description: str
    service_targets: str
    target_groups: list[str]
    scale: int
    scale_unit: str
    outputs: list[IndicatorIO]
    outcomes: list[IndicatorIO]
    funding: list[FundingIO]
    stability_justification: str
    grade_policy: str
    required_fields: list[str]
    require_experience: bool
    need_ids: list[int]
    menu_item_ids: list[int]
    decision_reason: str
    decision_reference: str


def detail_out(p: Proposal) -> dict:
    return {
        **proposal_out(p),
        "description": p.description,
        "service_targets": p.service_targets,
        "target_groups": p.target_groups,
        "scale": p.scale,
        "scale_unit": p.scale_unit,
        "outputs": p.outputs,
        "outcomes": p.outcomes,
        "funding": [{"source": f.source, "amount": str(f.amount)} for f in p.funding.all()],
        "stability_justification": p.stability_justification,
        "grade_policy": p.grade_policy,
        "required_fields": p.required_fields,
        "require_experience": p.require_experience,
        "need_ids": [n.pk for n in p.needs.all() if n.status == "visible"],
        "menu_item_ids": [m.pk for m in p.menu_items.all()],
        "decision_reason": p.decision_reason,
        "decision_reference": p.decision_reference,
    }


class ProposalIn(Schema):
    title: str
    unit_id: int
    catalog_item_id: int
    budget: str
    funding: list[FundingIO]
    period_start: dt.date
    period_end: dt.date
    purchase_mode: str
    procurement_method: str
    year: int | None = None
    description: str = ""
    service_targets: str = ""
    target_groups: list[str] = []
    scale: int = 0
    scale_unit: str = "人"
    outputs: list[IndicatorIO] = []
    outcomes: list[IndicatorIO] = []
    stability_justification: str = ""
    grade_policy: str = "preferred"
    required_fields: list[str] = []
    require_experience: bool = False
    need_ids: list[int] = []
    menu_item_ids: list[int] = []
    as_organization: bool = False


def _resolve(payload: dict[str, Any]) -> dict[str, Any]:
    from caidan.catalog.models import CatalogItem
    from caidan.needs.models import MenuItem, Need

    data = dict(payload)
    if "catalog_item_id" in data:
        item = (
            CatalogItem.objects.select_related("version")
            .filter(pk=data.pop("catalog_item_id"))
            .first()
        )
        if item is None:
            raise field_error("catalog_item", _("找不到该目录条目。"))
        data["catalog_item"] = item
    if "need_ids" in data:
        ids = data.pop("need_ids")
        data["needs"] = list(Need.objects.filter(pk__in=ids))
        if len(data["needs"]) != len(set(ids)):
            raise field_error("needs", _("有需求不存在。"))
    if "menu_item_ids" in data:
        ids = data.pop("menu_item_ids")
        data["menu_items"] = list(MenuItem.objects.select_related("menu").filter(pk__in=ids))
        if len(data["menu_items"]) != len(set(ids)):
            raise field_error("menu_items", _("有菜单项不存在。"))
    return data


@router.get(
    "/plan",
    response={200: PageOut[ProposalOut], **ERRORS},
    auth=None,
    summary="年度立项项目（公开）",
)
def plan(
    request,
    year: int | None = None,
    unit_id: int | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: int = 20,
):
    page = selectors.annual_plan_rows(
        year=year, unit_id=unit_id, search=q, cursor=cursor, limit=limit
    )
    return json_page(page, proposal_rows_out(page.items))


@router.get("/plan/totals", response={200: list[dict]}, auth=None, summary="各年度立项数与资金")
def plan_totals(request):
    return [
        {
            "year": r["year"],
            "count": r["count"],
            "total": str(r["total"]),
            "total_wan": str(r["total_wan"]),
        }
        for r in selectors.annual_totals()
    ]


@router.get("/proposals", response={200: PageOut[ProposalOut], **ERRORS}, summary="项目申报列表")
def list_proposals(
    request,
    status: str = "",
    year: int | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: int = 20,
):
    page = selectors.proposal_rows_for(
        actor=request.auth, status=status, year=year, search=q, cursor=cursor, limit=limit
    )
    return json_page(page, proposal_rows_out(page.items))


@router.post("/proposals", response={201: ProposalDetailOut, **ERRORS}, summary="起草项目申报")
def create_proposal(request, payload: ProposalIn):
    data = _resolve(payload.dict())
    unit = Unit.objects.filter(pk=data.pop("unit_id")).first()
    if unit is None:
        raise field_error("unit_id", _("找不到该单位。"))
    as_org = data.pop("as_organization")
    org = request.auth.organization if as_org else None
    if as_org and org is None:
        raise field_error("as_organization", _("当前角色不属于任何社会组织。"))
    p = services.proposal_create(
        actor=request.auth, unit=unit, proposing_organization=org, data=ProposalInput.parse(data)
    )
    return Status(201, detail_out(selectors.proposal_get_for(actor=request.auth, proposal_id=p.pk)))


@router.get(
    "/proposals/{proposal_id}",
    response={200: ProposalDetailOut, **ERRORS},
    auth=None,
    summary="项目详情（已立项项目公开）",
)
def get_proposal(request, proposal_id: int):
    from caidan.accounts.api_auth import optional_actor

    return detail_out(
        selectors.proposal_get_for(actor=optional_actor(request), proposal_id=proposal_id)
    )


class ProposalPatch(Schema):
    """Any subset of a proposal's fields; what is omitted stays as it is."""

    title: str | None = None
    catalog_item_id: int | None = None
    budget: str | None = None
    funding: list[FundingIO] | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    purchase_mode: str | None = None
    procurement_method: str | None = None
    year: int | None = None
    description: str | None = None
    service_targets: str | None = None
    target_groups: list[str] | None = None
    scale: int | None = None
    scale_unit: str | None = None
    outputs: list[IndicatorIO] | None = None
    outcomes: list[IndicatorIO] | None = None
    stability_justification: str | None = None
    grade_policy: str | None = None
    required_fields: list[str] | None = None
    require_experience: bool | None = None
    need_ids: list[int] | None = None
    menu_item_ids: list[int] | None = None


@router.patch(
    "/proposals/{proposal_id}", response={200: ProposalDetailOut, **ERRORS}, summary="修改项目申报"
)
def update_proposal(request, proposal_id: int, payload: ProposalPatch):
    p = selectors.proposal_get_for(actor=request.auth, proposal_id=proposal_id)
    changes = _resolve(patch_changes(payload, nullable=("year",)))
    services.proposal_update(proposal=p, changes=changes, actor=request.auth)
    return detail_out(selectors.proposal_get_for(actor=request.auth, proposal_id=proposal_id))


@router.post(
    "/proposals/{proposal_id}/submit", response={200: ProposalOut, **ERRORS}, summary="申报"
)
def submit_proposal(request, proposal_id: int):
    p = selectors.proposal_get_for(actor=request.auth, proposal_id=proposal_id)
    return proposal_out(services.proposal_submit(proposal=p, actor=request.auth))


class ReasonIn(Schema):
    reason: str = ""


@router.post(
    "/proposals/{proposal_id}/withdraw", response={200: ProposalOut, **ERRORS}, summary="撤回"
)
def withdraw_proposal(request, proposal_id: int, payload: ReasonIn):
    p = selectors.proposal_get_for(actor=request.auth, proposal_id=proposal_id)
    return proposal_out(
        services.proposal_withdraw(proposal=p, reason=payload.reason, actor=request.auth)
    )


class PackageIn(Schema):
    proposal_ids: list[int]
    title: str


@router.post("/packages", response={201: ProposalOut, **ERRORS}, summary="枢纽组织打包申报")
def package(request, payload: PackageIn):
    parts = [
        selectors.proposal_get_for(actor=request.auth, proposal_id=i) for i in payload.proposal_ids
    ]
    hub = request.auth.organization
    if hub is None:
        raise field_error("hub", _("当前角色不属于任何社会组织。"))
    p = services.proposal_package(parts=parts, hub=hub, title=payload.title, actor=request.auth)
    return Status(
        201, proposal_out(selectors.proposal_get_for(actor=request.auth, proposal_id=p.pk))
    )


# --- hub bundles (issue 21) ----------------------------------------------------------------------


class HubMemberOut(Schema):
    id: int
    name: str
    uscc: str
    open_proposals: int
    url: str


class BundlePartIn(Schema):
    proposal_id: int
    amount: str = ""  # blank: what the member asked for


class BundleIn(Schema):
    title: str
    parts: list[BundlePartIn]
    submit: bool = False


class BundlePartOut(Schema):
    proposal_id: int
    title: str
    organization_id: int | None
    organization_name: str
    amount: Decimal


class BundleOut(ProposalOut):
    parts: list[BundlePartOut]


def bundle_out(p: Proposal) -> dict:
    return {
        **proposal_out(p),
        "parts": [
            {
                "proposal_id": part.pk,
                "title": part.title,
                "organization_id": part.proposing_organization_id,
                "organization_name": part.proposing_organization.name
                if part.proposing_organization
                else "",
                "amount": part.budget,
            }
            for part in p.packaged_parts.all()
        ],
    }


@router.get("/hub/members", response={200: list[HubMemberOut], **ERRORS}, summary="枢纽的成员组织")
def hub_members(request):
    hub = selectors.hub_of(request.auth)
    return [
        {
            "id": m.pk,
            "name": m.name,
            "uscc": m.uscc,
            "open_proposals": m.open_proposals,
            "url": f"/orgs/{m.pk}/",
        }
        for m in selectors.hub_members(hub)
    ]


@router.get(
    "/hub/proposals", response={200: list[ProposalOut], **ERRORS}, summary="成员组织可打包的申报"
)
def hub_proposals(request):
    hub = selectors.hub_of(request.auth)
    qs = selectors.hub_member_proposals(hub).select_related("catalog_item__version")
    return [proposal_out(p) for p in qs[:200]]


@router.post(
    "/bundles", response={201: BundleOut, **ERRORS}, summary="枢纽组织打包申报（各成员部分及金额）"
)
def bundle_create(request, payload: BundleIn):
    from .services.bundles import proposal_bundle

    hub = selectors.hub_of(request.auth)
    p = proposal_bundle(
        hub=hub,
        title=payload.title,
        rows=[{"part": str(r.proposal_id), "amount": r.amount} for r in payload.parts],
        submit=payload.submit,
        actor=request.auth,
    )
    return Status(201, bundle_out(selectors.proposal_get_for(actor=request.auth, proposal_id=p.pk)))


@router.get(
    "/bundles/{proposal_id}", response={200: BundleOut, **ERRORS}, summary="打包项目及成员部分"
)
def bundle_get(request, proposal_id: int):
    return bundle_out(selectors.proposal_get_for(actor=request.auth, proposal_id=proposal_id))


class SessionIn(Schema):
    title: str
    unit_id: int
    meeting_at: dt.datetime
    member_ids: list[int]


class SessionOut(Schema):
    id: int
    title: str
    status: str
    meeting_at: dt.datetime
    quorum: str
    majority_percent: int
    member_ids: list[int]


def session_out(s) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "status": s.status,
        "meeting_at": s.meeting_at,
        "quorum": s.quorum,
        "majority_percent": s.majority_percent,
        "member_ids": [m.pk for m in s.members.all()],
    }


@router.post("/sessions", response={201: SessionOut, **ERRORS}, summary="创建审定会议")
def create_session(request, payload: SessionIn):
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise field_error("unit_id", _("找不到该单位。"))
    members = list(User.objects.filter(pk__in=payload.member_ids))
    s = services.review_session_create(
        title=payload.title,
        unit=unit,
        meeting_at=payload.meeting_at,
        members=members,
        actor=request.auth,
    )
    return Status(201, session_out(s))


class AgendaIn(Schema):
    proposal_id: int


@router.post("/sessions/{session_id}/agenda", response={201: dict, **ERRORS}, summary="列入议程")
def add_agenda(request, session_id: int, payload: AgendaIn):
    s = selectors.session_get_for(actor=request.auth, session_id=session_id)
    p = selectors.proposal_get_for(actor=request.auth, proposal_id=payload.proposal_id)
    item = services.review_session_add_proposal(session=s, proposal=p, actor=request.auth)
    return Status(201, {"item_id": item.pk, "recused": [r.member_id for r in item.recusals.all()]})


@router.post(
    "/sessions/{session_id}/open", response={200: SessionOut, **ERRORS}, summary="开始表决"
)
def open_session(request, session_id: int):
    s = selectors.session_get_for(actor=request.auth, session_id=session_id)
    return session_out(services.review_session_open(session=s, actor=request.auth))


@router.post(
    "/sessions/{session_id}/close", response={200: SessionOut, **ERRORS}, summary="结束会议"
)
def close_session(request, session_id: int):
    s = selectors.session_get_for(actor=request.auth, session_id=session_id)
    return session_out(services.review_session_close(session=s, actor=request.auth))


class VoteIn(Schema):
    choice: str
    comment: str = ""


@router.post("/agenda/{item_id}/vote", response={201: dict, **ERRORS}, summary="表决")
def vote(request, item_id: int, payload: VoteIn):
    item = selectors.agenda_item_get_for(actor=request.auth, item_id=item_id)
    v = services.vote_cast(
        item=item, choice=payload.choice, comment=payload.comment, actor=request.auth
    )
    return Status(201, {"vote_id": v.pk, "choice": v.choice})


@router.post("/agenda/{item_id}/recuse", response={201: dict, **ERRORS}, summary="声明回避")
def recuse(request, item_id: int, payload: ReasonIn):
    item = selectors.agenda_item_get_for(actor=request.auth, item_id=item_id)
    r = services.recusal_declare(item=item, reason=payload.reason, actor=request.auth)
    return Status(201, {"recusal_id": r.pk})


class DecideIn(Schema):
    if_not_approved: str = "reject"
    reason: str = ""


class DecisionOut(Schema):
    item_id: int
    decision: str
    yes: int
    no: int
    abstain: int
    eligible: int
    proposal: ProposalOut


@router.post(
    "/agenda/{item_id}/decide", response={200: DecisionOut, **ERRORS}, summary="作出审定决定"
)
def decide(request, item_id: int, payload: DecideIn):
    item = selectors.agenda_item_get_for(actor=request.auth, item_id=item_id)
    item = services.agenda_item_decide(
        item=item,
        if_not_approved=payload.if_not_approved,
        reason=payload.reason,
        actor=request.auth,
    )
    item = AgendaItem.objects.select_related("proposal").get(pk=item.pk)
    return {
        "item_id": item.pk,
        "decision": item.decision,
        "yes": item.yes,
        "no": item.no,
        "abstain": item.abstain,
        "eligible": item.eligible,
        "proposal": proposal_out(
            selectors.proposal_get_for(actor=request.auth, proposal_id=item.proposal_id)
        ),
    }


class CeilingIn(Schema):
    unit_id: int
    year: int
    amount: str


@router.put("/ceilings", response={200: dict, **ERRORS}, summary="设置预算控制数")
def set_ceiling(request, payload: CeilingIn):
    unit = Unit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise field_error("unit_id", _("找不到该单位。"))
    c = services.budget_ceiling_set(
        unit=unit, year=payload.year, amount=payload.amount, actor=request.auth
    )
    usage = selectors.budget_usage(unit=unit, year=c.year)
    return {
        "unit_id": unit.pk,
        "year": c.year,
        "ceiling": str(c.amount),
        "approved": str(usage["approved"]),
        "remaining": str(usage["remaining"]),
    }
