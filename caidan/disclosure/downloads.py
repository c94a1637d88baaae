"""Open data downloads (DOMAIN.md §5): every public list as CSV and Excel (the OCDS bulk
files are ``bulk``).

``DATASETS`` is the registry: a name → its title, the queryset of exactly what the public
list shows (the app's own public selector, or its model's ``objects.public()`` with the
list's filters, never a broader one) and its columns as (header, accessor). Only public
fields are exported: no person (contact, legal representative, phone, e-mail, ID number), no
draft, no bid of an unopened tender.

Each dataset's queryset is one query (``select_related`` / annotations); the organization
list prefetches its service fields once per chunk of ``CHUNK`` rows. Rows are read with
``.iterator``, a chunk at a time: the CSV is streamed row by row, the Excel workbook is
written row by row to a temporary file that is then sent from disk, so neither holds the
table in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.common.search import text_match

CHUNK = 2000
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
CSV_BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# --- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy Chinese string
    accessor: str | Callable[[Any], Any]  # dotted attribute path, or a function of the row

    def value(self, obj: Any) -> Any:
        if callable(self.accessor):
            return self.accessor(obj)
        value = obj
        for part in self.accessor.split("."):
            if value is None:
                return None
            value = getattr(value, part)
        return value


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any
    list_url: str  # the URL name of the public list page
    query: Callable[[Mapping[str, str]], QuerySet]  # request.GET → the filtered queryset
    columns: tuple[Column, ...]
    filters: tuple[str, ...] = ()  # the query parameters the list (and download) accept

    def queryset(self, params: Mapping[str, str] | None = None) -> QuerySet:
        return self.query(params or {})

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def rows(self, params: Mapping[str, str] | None = None) -> Iterator[list[Any]]:
        for obj in self.queryset(params).iterator(chunk_size=CHUNK):
            yield [c.value(obj) for c in self.columns]


def _display(field: str) -> Callable[[Any], str]:
    """The label of a choices field (``get_<field>_display``)."""
    return lambda obj: getattr(obj, f"get_{field}_display")()


def _yes(value: Any) -> str:
    return str(_("是")) if value else str(_("否"))


def _form_data(form_class, params: Mapping[str, str], **kwargs) -> dict:
    """The filters as the list page reads them: an invalid form means no filter."""
    form = form_class(params or None, **kwargs)
    return form.cleaned_data if form.is_valid() else {}


# catalog: the catalog in force, all of it or the search results -------------------------------


def _catalog(params):
    from caidan.catalog import selectors
    from caidan.catalog.models import CatalogItem

    version = selectors.catalog_current()
    if version is None:
        return CatalogItem.objects.none()
    q = (params.get("q") or "").strip()[: selectors.MAX_QUERY_LENGTH]
    qs = selectors.catalog_item_queryset(version=version, q=q)
    return qs.select_related("version", "parent").order_by("code", "id")


# organizations: the public registry search ---------------------------------------------------


def _organizations(params):
    from caidan.orgs import forms, selectors

    data = _form_data(forms.SearchForm, params)
    qs = selectors.organization_search(
        search=data.get("q") or "",
        field=data.get("field") or "",
        min_grade=int(data["min_grade"]) if data.get("min_grade") else None,
        credit=data.get("credit") or "",
    )
    return qs.order_by("id")


def _org_fields(org) -> str:
    return "、".join(r.get_field_display() for r in org.field_rows.all())


def _org_credit(org) -> str:
    flags = []
    if org.on_serious:
        flags.append(str(_("严重违法失信名单")))
    if org.on_abnormal:
        flags.append(str(_("活动异常名录")))
    return "、".join(flags)


def _grade(level) -> str:
    return f"{level}A" if level else ""


# the recommended directory -------------------------------------------------------------------


def _directory(params):
    from caidan.orgs.models import DirectoryEntry, ServiceField

    qs = DirectoryEntry.objects.select_related("organization")
    field = params.get("field") or ""
    if field in ServiceField.values:
        qs = qs.filter(field=field)
    return qs.order_by("field", "-grade_level", "-id")


# approved projects (the annual plan) -----------------------------------------------------------


def _projects(params):
    from caidan.projects import selectors

    year = params.get("year") or ""
    qs = selectors.annual_plan_search(
        year=int(year) if year.isdigit() else None, search=params.get("q") or ""
    )
    return qs.order_by("-id")


# tenders and award notices ---------------------------------------------------------------------


def _tenders(params):
    from caidan.procurement import forms, selectors

    data = _form_data(forms.TenderListFilter, params)
    qs = selectors.tender_search_public(
        status=data.get("status", ""), method=data.get("method", ""), search=data.get("q", "")
    )
    return qs.order_by("-id")


def _awards(params):
    """The award notices in force (中标结果公告): public, confirmed."""
    from caidan.procurement import forms
    from caidan.procurement.models import Award, Method, TenderStatus

    data = _form_data(forms.TenderListFilter, params)
    qs = (
        Award.objects.public()
        .in_force()
        .select_related("tender", "tender__unit", "bid__organization")
    )
    if data.get("method") in Method.values:
        qs = qs.filter(tender__method=data["method"])
    if data.get("status") in (TenderStatus.AWARDED, TenderStatus.CONCLUDED):
        qs = qs.filter(tender__status=data["status"])
    elif data.get("status"):
        qs = qs.none()
    search = (data.get("q") or "").strip()
    if search:
        qs = qs.filter(text_match(search, "tender__title") | Q(tender__reference=search.upper()))
    # Only public columns are read: never the bid's sealed content, nonce or opened content.
    return qs.defer("bid__sealed", "bid__nonce", "bid__content").order_by("-id")


# contracts ------------------------------------------------------------------------------------


def _contracts(params):
    from caidan.accounts.actor import Actor
    from caidan.contracts import forms, selectors

    data = _form_data(forms.ContractListFilter, params, party=False)
    # What the public sees, whoever downloads.
    qs = selectors.contract_search_for(
        actor=Actor.anonymous(), status=data.get("status") or "", search=data.get("q") or ""
    )
    return qs.order_by("-id")


# published evaluations ----------------------------------------------------------------------


def _evaluations(params):
    from caidan.evaluations import forms, selectors

    data = _form_data(forms.ResultFilter, params)
    qs = selectors.published_evaluation_search(
        stage=data.get("stage") or "", grade=data.get("grade") or "", search=data.get("q") or ""
    )
    return qs.order_by("-published_at", "-id")


C = Column
DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "catalog",
            _("购买服务目录（现行版本）"),
            "catalog:index",
            _catalog,
            (
                C(_("编码"), "code"),
                C(_("名称"), "name"),
                C(_("层级"), _display("level")),
                C(_("上级编码"), "parent.code"),
                C(_("类别"), _display("category")),
                C(_("指导价（元）"), "guidance_price"),
                C(_("计价单位"), "price_unit"),
                C(_("优先向社会组织购买"), lambda i: _yes(i.bought_first)),
                C(_("说明"), "description"),
                C(_("目录版本"), "version.name"),
            ),
            ("q",),
        ),
        Dataset(
            "organizations",
            _("社会组织名录"),
            "orgs:list",
            _organizations,
            (
                C(_("名称"), "name"),
                C(_("统一社会信用代码"), "uscc"),
                C(_("组织形式"), _display("legal_form")),
                C(_("服务领域"), _org_fields),
                C(_("评估等级"), lambda o: _grade(o.current_grade)),
                C(_("信用状态"), _org_credit),
                C(_("枢纽型社会组织"), lambda o: _yes(o.is_hub)),
                C(_("第三方评估机构"), lambda o: _yes(o.is_evaluator)),
            ),
            ("q", "field", "min_grade", "credit"),
        ),
        Dataset(
            "directory",
            _("承接政府购买服务社会组织推荐目录"),
            "orgs:directory",
            _directory,
            (
                C(_("服务领域"), _display("field")),
                C(_("名称"), "organization.name"),
                C(_("统一社会信用代码"), "organization.uscc"),
                C(_("评估等级"), lambda e: _grade(e.grade_level)),
                C(_("列入日期"), "listed_since"),
            ),
            ("field",),
        ),
        Dataset(
            "projects",
            _("年度立项项目"),
            "projects:plan",
            _projects,
            (
                C(_("项目名称"), "title"),
                C(_("年度"), "year"),
                C(_("购买主体"), "unit.name"),
                C(_("目录编码"), "catalog_item.code"),
                C(_("目录条目"), "catalog_item.name"),
                C(_("预算（元）"), "budget"),
                C(_("购买方式"), _display("purchase_mode")),
                C(_("拟采用采购方式"), _display("procurement_method")),
                C(_("服务期开始"), "period_start"),
                C(_("服务期结束"), "period_end"),
                C(_("审定时间"), "decided_at"),
            ),
            ("year", "q"),
        ),
        Dataset(
            "tenders",
            _("采购公告"),
            "procurement:list",
            _tenders,
            (
                C(_("项目编号"), "reference"),
                C(_("采购项目名称"), "title"),
                C(_("采购人"), "unit.name"),
                C(_("采购方式"), _display("method")),
                C(_("采购预算（元）"), "budget"),
                C(_("公告时间"), "published_at"),
                C(_("投标截止（北京时间）"), "deadline"),
                C(_("开标时间"), "opened_at"),
                C(_("状态"), _display("status")),
            ),
            ("status", "method", "q"),
        ),
        Dataset(
            "awards",
            _("中标结果公告"),
            "procurement:list",
            _awards,
            (
                C(_("项目编号"), "tender.reference"),
                C(_("采购项目名称"), "tender.title"),
                C(_("采购人"), "tender.unit.name"),
                C(_("采购方式"), lambda a: a.tender.get_method_display()),
                C(_("采购预算（元）"), "tender.budget"),
                C(_("中标供应商"), "bid.organization.name"),
                C(_("统一社会信用代码"), "bid.organization.uscc"),
                C(_("中标金额（元）"), "amount"),
                C(_("确定时间"), "decided_at"),
                C(_("公告时间"), "notice_published_at"),
            ),
            ("status", "method", "q"),
        ),
        Dataset(
            "contracts",
            _("政府购买服务合同"),
            "contracts:list",
            _contracts,
            (
                C(_("合同编号"), "reference"),
                C(_("合同名称"), "title"),
                C(_("购买主体"), "unit.name"),
                C(_("承接主体"), "organization.name"),
                C(_("统一社会信用代码"), "organization.uscc"),
                C(_("合同金额（元）"), "amount"),
                C(_("服务期开始"), "period_start"),
                C(_("服务期结束"), "period_end"),
                C(_("生效时间"), "signed_at"),
                C(_("状态"), _display("status")),
            ),
            ("status", "q"),
        ),
        Dataset(
            "evaluations",
            _("绩效评价结果"),
            "evaluations:list",
            _evaluations,
            (
                C(_("合同编号"), "contract.reference"),
                C(_("项目"), "contract.title"),
                C(_("阶段"), _display("stage")),
                C(_("承接主体"), "contract.organization.name"),
                C(_("购买主体"), "contract.unit.name"),
                C(_("综合得分"), "total"),
                C(_("等级"), _display("grade")),
                C(_("公布时间"), "published_at"),
            ),
            ("stage", "grade", "q"),
        ),
    )
}


def dataset(name: str) -> Dataset | None:
    return DATASETS.get(name)


# --- writing CSV and Excel ------------------------------------------------------------------


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell: times in Beijing time (naive, Excel has no zones),
    money as Decimal, text that a spreadsheet would run as a formula made inert."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, str | Decimal | int | float | dt.date):
        if isinstance(value, str) and value.startswith(FORMULA_START):
            return "'" + value
        return value
    return str(value)


def csv_text(value: Any) -> str:
    value = cell(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(ds: Dataset, params: Mapping[str, str] | None = None) -> Iterator[bytes]:
    """The dataset as UTF-8 CSV with a BOM (so Excel reads the Chinese), row by row."""
    writer = csv.writer(_Echo())
    yield (CSV_BOM + writer.writerow(ds.headers())).encode("utf-8")
    for row in ds.rows(params):
        yield writer.writerow([csv_text(v) for v in row]).encode("utf-8")


def xlsx_file(ds: Dataset, params: Mapping[str, str] | None = None) -> IO[bytes]:
    """The dataset as an Excel workbook in an anonymous temporary file, rewound: openpyxl's
    write-only mode writes the rows as they come, and the caller sends the file from disk."""
    from caidan.common.xlsx import save_workbook

    rows = ([cell(v) for v in row] for row in ds.rows(params))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - returned open; the response closes it
    try:
        save_workbook(out, str(ds.title), ds.headers(), islice(rows, XLSX_MAX_ROWS))
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def download_filename(ds: Dataset, ext: str) -> str:
    return f"caidan-{ds.name}-{timezone.localdate():%Y%m%d}.{ext}"
