"""One Chinese query across the public records (全站搜索, ``/open/search/?q=``).

Each record type is searched with ``icontains`` on its title or name (Chinese has no word
boundaries, so a substring is what people expect), at most ``PER_TYPE`` hits, newest first,
with one query per type (the catalog adds one to find the current version). Only what is
public is searched, each type through its model's one rule (``<Model>.objects.public()``):
published notices (withdrawn ones too, marked), the current published catalog, the registry
of organizations, approved projects, published tenders, the award notices in force, signed
contracts, published evaluation results. Rows are read with ``values()``, so no personal
field ever leaves the database.

Every function returns plain dicts: ``type``, ``label`` (the type's name), ``title``,
``date``, ``url`` and optionally ``note``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Notice, NoticeStatus
from .selectors import clean_query

PER_TYPE = 10


def _hit(kind: str, label: Any, title: str, date: Any, url: str, note: str = "") -> dict:
    return {"type": kind, "label": label, "title": title, "date": date, "url": url, "note": note}


def search_notices(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    rows = (
        Notice.objects.public()
        .filter(Q(title__icontains=q) | Q(document_number__icontains=q))
        .order_by("-published_at", "-id")
        .values("id", "title", "published_at", "status", "document_number")[:limit]
    )
    return [
        _hit(
            "notice",
            _("政策与公告"),
            r["title"],
            r["published_at"],
            reverse("disclosure:notice_detail", args=[r["id"]]),
            str(_("已撤回")) if r["status"] == NoticeStatus.WITHDRAWN else r["document_number"],
        )
        for r in rows
    ]


def search_catalog(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.catalog.selectors import catalog_current, catalog_item_queryset

    version = catalog_current()
    if version is None:
        return []
    rows = (
        catalog_item_queryset(version=version, q=q)
        .order_by("code", "id")
        .values("id", "code", "name")[:limit]
    )
    return [
        _hit(
            "catalog",
            _("购买服务目录"),
            f"{r['code']} {r['name']}",
            version.effective_date,
            reverse("catalog:item", args=[r["id"]]),
            version.name,
        )
        for r in rows
    ]


def search_organizations(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.orgs.models import Organization

    rows = (
        Organization.objects.public()
        .filter(name__icontains=q)
        .order_by("-id")
        .values("id", "name", "registration_date", "status")[:limit]
    )
    labels = dict(Organization.Status.choices)
    return [
        _hit(
            "organization",
            _("社会组织"),
            r["name"],
            r["registration_date"],
            reverse("orgs:detail", args=[r["id"]]),
            "" if r["status"] == Organization.Status.ACTIVE else str(labels[r["status"]]),
        )
        for r in rows
    ]


def search_projects(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.projects.models import Proposal

    rows = (
        Proposal.objects.public()
        .filter(title__icontains=q)
        .order_by("-id")
        .values("id", "title", "decided_at", "year")[:limit]
    )
    return [
        _hit(
            "project",
            _("立项项目"),
            r["title"],
            r["decided_at"],
            reverse("projects:proposal", args=[r["id"]]),
            str(r["year"]),
        )
        for r in rows
    ]


def search_tenders(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.procurement.models import Tender, TenderStatus

    rows = (
        Tender.objects.public()
        .filter(Q(title__icontains=q) | Q(reference__iexact=q))
        .order_by("-id")
        .values("id", "title", "published_at", "status")[:limit]
    )
    labels = dict(TenderStatus.choices)
    return [
        _hit(
            "tender",
            _("采购公告"),
            r["title"],
            r["published_at"],
            reverse("procurement:tender", args=[r["id"]]),
            str(labels.get(r["status"], "")),
        )
        for r in rows
    ]


def search_awards(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.procurement.models import Award

    rows = (
        Award.objects.public()
        .in_force()
        .filter(Q(tender__title__icontains=q) | Q(bid__organization__name__icontains=q))
        .order_by("-notice_published_at", "-id")
        .values("tender_id", "tender__title", "bid__organization__name", "notice_published_at")[
            :limit
        ]
    )
    return [
        _hit(
            "award",
            _("中标公告"),
            r["tender__title"],
            r["notice_published_at"],
            reverse("procurement:notice", args=[r["tender_id"]]),
            r["bid__organization__name"],
        )
        for r in rows
    ]


def search_contracts(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.contracts.models import Contract

    rows = (
        Contract.objects.public()
        .filter(Q(title__icontains=q) | Q(reference__iexact=q) | Q(organization__name__icontains=q))
        .order_by("-id")
        .values("id", "title", "signed_at", "organization__name")[:limit]
    )
    return [
        _hit(
            "contract",
            _("合同"),
            r["title"],
            r["signed_at"],
            reverse("contracts:detail", args=[r["id"]]),
            r["organization__name"],
        )
        for r in rows
    ]


def search_evaluations(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.evaluations.models import Evaluation, Grade, Stage

    rows = (
        Evaluation.objects.public()
        .filter(Q(contract__title__icontains=q) | Q(contract__organization__name__icontains=q))
        .order_by("-published_at", "-id")
        .values("id", "contract__title", "stage", "grade", "published_at")[:limit]
    )
    stages, grades = dict(Stage.choices), dict(Grade.choices)
    return [
        _hit(
            "evaluation",
            _("绩效评价结果"),
            f"{r['contract__title']}（{stages.get(r['stage'], r['stage'])}）",
            r["published_at"],
            reverse("evaluations:detail", args=[r["id"]]),
            str(grades.get(r["grade"], "")) if r["grade"] else "",
        )
        for r in rows
    ]


# type → (label, searcher, the type's own public list (view name), whether it takes ``q``)
SEARCHERS: list[tuple[str, Any, Callable[..., list[dict]], str, bool]] = [
    ("notice", _("政策与公告"), search_notices, "disclosure:notice_list", True),
    ("catalog", _("购买服务目录"), search_catalog, "catalog:index", True),
    ("organization", _("社会组织"), search_organizations, "orgs:list", True),
    ("project", _("立项项目"), search_projects, "projects:plan", True),
    ("tender", _("采购公告"), search_tenders, "procurement:list", True),
    ("award", _("中标公告"), search_awards, "procurement:list", False),
    ("contract", _("合同"), search_contracts, "contracts:list", True),
    ("evaluation", _("绩效评价结果"), search_evaluations, "evaluations:list", True),
]


def search_all(q: str, *, per_type: int = PER_TYPE) -> list[dict]:
    """Every record type, in a fixed order: ``type``, ``label``, ``hits``, ``more`` (the
    type's own list filtered by ``q``, when there may be more hits and the list takes ``q``,
    else the list itself). An empty query searches nothing."""
    q = clean_query(q)
    if not q:
        return []
    groups = []
    for kind, label, searcher, list_name, takes_q in SEARCHERS:
        hits = searcher(q, limit=per_type)
        more = reverse(list_name)
        if takes_q:
            more = f"{more}?{urlencode({'q': q})}"
        groups.append(
            {
                "type": kind,
                "label": label,
                "hits": hits,
                "full": len(hits) >= per_type,
                "more": more,
            }
        )
    return groups
