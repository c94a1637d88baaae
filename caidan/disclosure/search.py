"""One Chinese query across the public records (全站搜索, ``/open/search/?q=``).

Each record type is searched with ``caidan.common.search.text_match`` on its title, name or
text: a substring, as Chinese readers expect, served on PostgreSQL by a gram index on each
column (one- and two-character words included). At most ``PER_TYPE`` hits a type, newest
first, phrase matches before matches of every word; one or two indexed queries a type. Only
what is public is searched, each type through its model's one rule
(``<Model>.objects.public()``): published notices (withdrawn ones too, marked), the current
published catalog, the registry of organizations, approved projects, published tenders, the
award notices in force, signed contracts, published evaluation results, visible needs,
published menus and published answers. Rows are read with ``values()``, so no personal field
ever leaves the database.

Every function returns plain dicts: ``type``, ``label`` (the type's name), ``title``,
``date``, ``url`` and optionally ``note``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from caidan.common.search import (
    is_phrase_query,
    lookups_shared,
    probed_rows,
    related_match,
    searched,
    sort_rows,
    text_match,
)

from .models import Notice, NoticeStatus
from .selectors import clean_query

PER_TYPE = 10


def _hit(kind: str, label: Any, title: str, date: Any, url: str, note: str = "") -> dict:
    return {"type": kind, "label": label, "title": title, "date": date, "url": url, "note": note}


def _ranked(qs: QuerySet, q: str, fields: tuple, limit: int, exact: Q | None = None):
    """At most ``limit`` rows of ``qs`` (a ``values()`` query with ``id``, in its own order):
    first those holding ``q`` as a phrase (or matching ``exact``: a reference number), then,
    when ``q`` has several words and room is left, those holding every word. Each step is one
    query the gram indexes serve (see ``caidan.common.search``; a word the planner expects to
    be rare is first looked up on the index alone, ``searched``); no row comes twice.

    ``fields`` are the record's own columns, or ``(model, field, path)`` for text held by a
    related table: that table is searched on its own index first (``related_match``, every
    word, once for both steps), so that a type ordered by its own columns is not scanned
    joined to the table that holds the text."""
    own = [f for f in fields if isinstance(f, str)]
    related = [related_match(q, *f) for f in fields if not isinstance(f, str)]
    extra = [exact] if exact is not None else []

    def parts(phrase: bool) -> list[Q]:
        return ([text_match(q, *own, phrase=phrase)] if own else []) + related + extra

    rows = _matching(qs, parts(phrase=True), limit)
    if len(rows) < limit and is_phrase_query(q) and own:
        seen = [r["id"] for r in rows]
        rows += _matching(qs.exclude(pk__in=seen), parts(phrase=False), limit - len(rows))
    return rows


def _matching(qs: QuerySet, parts: list[Q], limit: int) -> list[dict]:
    """At most ``limit`` rows of ``qs`` matching any of ``parts``, in ``qs``'s order.

    Conditions on different tables joined by OR (a contract's own title, or the name of its
    organization, or the ids of the tenders whose title holds the word) can be served by no
    index: PostgreSQL scans and hashes both tables (evaluations for 助浴 at 1M: 360 ms). So
    each part is its own query, which its own index serves, and the rows are merged in the
    type's order; one query when the rows lack an order field. A part expected to be rare
    is one probe that reads its rows (``probed_rows``); a common one walks the type's
    order."""
    order = list(qs.query.order_by)
    fields = [f.lstrip("-") for f in order]
    if not set(fields) <= set(qs.query.values_select):
        return list(searched(qs, reduce(or_, parts))[:limit])
    found: dict[Any, dict] = {}
    for part in parts:
        rows = probed_rows(qs, part, limit=limit)
        for row in qs.filter(part)[:limit] if rows is None else rows:
            found.setdefault(row["id"], row)
    return sort_rows(list(found.values()), order)[:limit]


def search_notices(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    qs = (
        Notice.objects.public()
        .order_by("-published_at", "-id")
        .values("id", "title", "published_at", "status", "document_number")
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
        for r in _ranked(qs, q, ("title", "document_number"), limit)
    ]


def search_catalog(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.catalog.models import CatalogItem
    from caidan.catalog.selectors import catalog_current

    version = catalog_current()
    if version is None:
        return []
    qs = CatalogItem.objects.filter(version=version).order_by("code", "id")
    exact = Q(code__startswith=q) if q.isdigit() else None
    rows = _ranked(qs.values("id", "code", "name"), q, ("name", "description"), limit, exact)
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

    qs = (
        Organization.objects.public()
        .order_by("-id")
        .values("id", "name", "registration_date", "status")
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
        for r in _ranked(qs, q, ("name",), limit, Q(uscc=q.upper()))
    ]


def search_projects(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.projects.models import Proposal

    qs = Proposal.objects.public().order_by("-id").values("id", "title", "decided_at", "year")
    return [
        _hit(
            "project",
            _("立项项目"),
            r["title"],
            r["decided_at"],
            reverse("projects:proposal", args=[r["id"]]),
            str(r["year"]),
        )
        for r in _ranked(qs, q, ("title",), limit)
    ]


def search_tenders(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.procurement.models import Tender, TenderStatus

    qs = Tender.objects.public().order_by("-id").values("id", "title", "published_at", "status")
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
        for r in _ranked(qs, q, ("title",), limit, Q(reference=q.upper()))
    ]


def search_awards(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.orgs.search import organization_name_match
    from caidan.procurement.models import Award, Tender

    qs = (
        Award.objects.public()
        .in_force()
        .order_by("-notice_published_at", "-id")
        .values(
            "id", "tender_id", "tender__title", "bid__organization__name", "notice_published_at"
        )
    )
    fields = ((Tender, "title", "tender"),)
    rows = _ranked(qs, q, fields, limit, organization_name_match(q, "bid__organization"))
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
    from caidan.orgs.search import organization_name_match

    qs = (
        Contract.objects.public()
        .order_by("-id")
        .values("id", "title", "signed_at", "organization__name")
    )
    rows = _ranked(qs, q, ("title",), limit, Q(reference=q.upper()) | organization_name_match(q))
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
    from caidan.contracts.models import Contract
    from caidan.evaluations.models import Evaluation, Grade, Stage
    from caidan.orgs.search import organization_name_match

    qs = (
        Evaluation.objects.public()
        .order_by("-published_at", "-id")
        .values("id", "contract__title", "stage", "grade", "published_at")
    )
    fields = ((Contract, "title", "contract"),)
    rows = _ranked(qs, q, fields, limit, organization_name_match(q, "contract__organization"))
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


def search_needs(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.needs.models import Need

    qs = (
        Need.objects.public()
        .order_by("-id")
        .values("id", "text", "community", "unit__name", "created_at")
    )
    return [
        _hit(
            "need",
            _("居民需求"),
            Truncator(r["text"]).chars(60),
            r["created_at"],
            f"{reverse('needs:index')}?{urlencode({'q': q})}#need-{r['id']}",
            f"{r['unit__name']} {r['community']}",
        )
        for r in _ranked(qs, q, ("text", "community"), limit)
    ]


def search_menus(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.needs.models import Menu

    qs = (
        Menu.objects.public()
        .order_by("-id")
        .values("id", "title", "community", "unit__name", "published_at")
    )
    return [
        _hit(
            "menu",
            _("点菜菜单"),
            r["title"],
            r["published_at"],
            reverse("needs:menu_detail", args=[r["id"]]),
            f"{r['unit__name']} {r['community']}",
        )
        for r in _ranked(qs, q, ("title", "description"), limit)
    ]


def search_answers(q: str, *, limit: int = PER_TYPE) -> list[dict]:
    from caidan.enquiries.models import Enquiry

    qs = (
        Enquiry.objects.public()
        .order_by("-id")
        .values("id", "published_title", "unit__name", "answered_at")
    )
    fields = ("published_title", "published_body", "published_answer")
    return [
        _hit(
            "answer",
            _("公开答复"),
            r["published_title"],
            r["answered_at"],
            reverse("enquiries:public_detail", args=[r["id"]]),
            r["unit__name"],
        )
        for r in _ranked(qs, q, fields, limit)
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
    ("need", _("居民需求"), search_needs, "needs:index", True),
    ("menu", _("点菜菜单"), search_menus, "needs:menus", True),
    ("answer", _("公开答复"), search_answers, "enquiries:public", True),
]


def search_all(q: str, *, per_type: int = PER_TYPE) -> list[dict]:
    """Every record type, in a fixed order: ``type``, ``label``, ``hits``, ``more`` (the
    type's own list filtered by ``q``, when there may be more hits and the list takes ``q``,
    else the list itself). An empty query searches nothing."""
    q = clean_query(q)
    if not q:
        return []
    with lookups_shared():  # e.g. the organizations named: looked up once for three types
        return _search_all(q, per_type)


def _search_all(q: str, per_type: int) -> list[dict]:
    groups = []
    seen: set[str] = set()
    for kind, label, searcher, list_name, takes_q in SEARCHERS:
        hits = []
        for hit in searcher(q, limit=per_type):
            if hit["url"] not in seen:  # e.g. one tender's awards to several winners
                seen.add(hit["url"])
                hits.append(hit)
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
