"""The OCDS record of one contracting process as a page people read (/open/ocds/<ocid>/):
the parties, the budget, the tender, the bids, the awards, the contracts with their
payments, milestones and evaluation results, the documents and the history of releases,
in Chinese (or English), amounts as ¥, dates as dates; the JSON one click away
(/api/v1/ocds/records/<ocid>). The page is built from the same record as the API, so
the two never disagree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from caidan.common.i18n import clause_separator, join_list
from caidan.common.money import format_yuan

from . import ocds

# OCDS codelists, in words (https://standard.open-contracting.org/1.1/en/schema/codelists/).
CODES: dict[str, Any] = {
    # party roles
    "buyer": _("购买主体"),
    "procuringEntity": _("采购人"),
    "supplier": _("中标供应商"),
    "tenderer": _("投标人"),
    "payer": _("付款方"),
    "payee": _("收款方"),
    "reviewBody": _("复议机构"),
    "funder": _("资金提供方"),
    # tender / award / contract / milestone / bid statuses
    "planning": _("计划中"),
    "planned": _("已计划"),
    "active": _("有效"),
    "cancelled": _("已取消"),
    "unsuccessful": _("未成功"),
    "complete": _("已完成"),
    "withdrawn": _("已撤回"),
    "pending": _("待定"),
    "terminated": _("已终止"),
    "scheduled": _("待完成"),
    "met": _("已完成"),
    "notMet": _("未完成"),
    "valid": _("有效"),
    "invalid": _("无效"),
    "disqualified": _("无效"),
    # release tags
    "tender": _("采购公告"),
    "tenderUpdate": _("采购公告更正"),
    "tenderAmendment": _("采购公告修改"),
    "tenderCancellation": _("采购终止"),
    "award": _("中标结果"),
    "awardUpdate": _("中标结果更新"),
    "awardCancellation": _("中标结果撤销"),
    "contract": _("合同签订"),
    "contractUpdate": _("合同更新"),
    "contractAmendment": _("合同变更"),
    "implementation": _("合同履行"),
    "implementationUpdate": _("合同履行更新"),
    "contractTermination": _("合同终止"),
    "compiled": _("汇总"),
    # methods, criteria, milestone types
    "open": _("公开"),
    "selective": _("邀请"),
    "limited": _("有限"),
    "direct": _("直接"),
    "priceOnly": _("仅价格"),
    "costOnly": _("仅成本"),
    "qualityOnly": _("仅质量"),
    "ratedCriteria": _("综合评分"),
    "reporting": _("报告"),
    "delivery": _("交付"),
    "financing": _("资金"),
    "assessment": _("评估"),
}


def code(value: str | None) -> str:
    if not value:
        return "—"
    return str(CODES.get(value, value))


def _date(value: str | None, *, with_time: bool = False) -> str:
    if not value:
        return "—"
    when = parse_datetime(value)
    if when is None:
        return value
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    return f"{when:%Y-%m-%d %H:%M}" if with_time else f"{when:%Y-%m-%d}"


def _money(value: dict | None) -> str:
    if not value or value.get("amount") is None:
        return "—"
    amount = format_yuan(Decimal(str(value["amount"])))
    currency = value.get("currency") or "CNY"
    return amount if currency == "CNY" else f"{value['amount']} {currency}"


def _period(period: dict | None) -> str:
    if not period:
        return "—"
    return f"{_date(period.get('startDate'))} — {_date(period.get('endDate'))}"


def _names(orgs: list[dict] | None) -> str:
    return join_list(o.get("name") or o.get("id", "") for o in orgs or []) or "—"


def _observation(o: dict) -> str:
    """One observation of a metric: 综合得分 88.0分 / Total score 88.0 points."""
    text = _("%(notes)s %(measure)s%(unit)s") % {
        "notes": o.get("notes") or "",
        "measure": o.get("measure"),
        "unit": (o.get("unit") or {}).get("name") or "",
    }
    return text.strip()


def _documents(block: dict | None) -> list[dict]:
    return [
        {
            "title": d.get("title") or d.get("id"),
            "type": d.get("documentType") or "",
            "url": d.get("url") or "",
            "date": _date(d.get("datePublished")),
        }
        for d in (block or {}).get("documents") or []
    ]


def record_get(ocid: str) -> dict:
    """The record of an approved process by its ocid; 404 for any other ocid."""
    prefix = f"{settings.OCDS_OCID_PREFIX}-"
    pk = ocid[len(prefix) :] if ocid.startswith(prefix) else ""
    if not pk.isdigit() or len(pk) > 18:
        raise Http404
    proposal = ocds.approved_proposals().filter(pk=int(pk)).first()
    if proposal is None:
        raise Http404
    return ocds.record_for(proposal)


def record_view(record: dict) -> dict[str, Any]:
    """The compiled release in words (the page's context)."""
    c = record["compiledRelease"]
    tender = c.get("tender") or {}
    planning = (c.get("planning") or {}).get("budget") or {}
    bids = c.get("bids") or {}
    view: dict[str, Any] = {
        "ocid": record["ocid"],
        "title": tender.get("title") or planning.get("project") or record["ocid"],
        "buyer": (c.get("buyer") or {}).get("name") or "—",
        "parties": [
            {
                "name": p.get("name") or p.get("id"),
                "id": p.get("id", ""),
                "roles": join_list(code(r) for r in p.get("roles") or []),
            }
            for p in c.get("parties") or []
        ],
        "budget": _money(planning.get("amount")) if planning else "—",
        "tender": None,
        "bids": [
            {
                "tenderers": _names(b.get("tenderers")),
                "value": _money(b.get("value")),
                "status": code(b.get("status")),
                "date": _date(b.get("date"), with_time=True),
            }
            for b in bids.get("details") or []
        ],
        "bid_count": next(
            (s.get("value") for s in bids.get("statistics") or [] if s.get("measure") == "bids"),
            None,
        ),
        "awards": [
            {
                "id": a.get("id"),
                "title": a.get("title") or "",
                "suppliers": _names(a.get("suppliers")),
                "value": _money(a.get("value")),
                "date": _date(a.get("date"), with_time=True),
                "status": code(a.get("status")),
                "documents": _documents(a),
            }
            for a in c.get("awards") or []
        ],
        "contracts": [],
        "releases": [
            {
                "date": _date(r.get("date"), with_time=True),
                "tags": join_list(code(t) for t in r.get("tag") or []),
                "id": r.get("id", ""),
            }
            for r in sorted(record.get("releases") or [], key=lambda r: r.get("date") or "")
        ],
    }
    if tender:
        view["tender"] = {
            "facts": [
                (_("项目编号"), tender.get("id") or "—"),
                (_("项目名称"), tender.get("title") or "—"),
                (_("状态"), code(tender.get("status"))),
                (
                    _("采购方式"),
                    tender.get("procurementMethodDetails") or code(tender.get("procurementMethod")),
                ),
                (
                    _("评审方法"),
                    tender.get("awardCriteriaDetails") or code(tender.get("awardCriteria")),
                ),
                (_("采购预算"), _money(tender.get("value"))),
                (_("投标期间"), _period(tender.get("tenderPeriod"))),
                (_("采购人"), (tender.get("procuringEntity") or {}).get("name") or "—"),
            ],
            "documents": _documents(tender),
        }
    for k in c.get("contracts") or []:
        impl = k.get("implementation") or {}
        view["contracts"].append(
            {
                "id": k.get("id"),
                "title": k.get("title") or k.get("id"),
                "facts": [
                    (_("合同编号"), k.get("id") or "—"),
                    (_("合同金额"), _money(k.get("value"))),
                    (_("服务期限"), _period(k.get("period"))),
                    (_("签订日期"), _date(k.get("dateSigned"))),
                    (_("状态"), code(k.get("status"))),
                ],
                "transactions": [
                    {
                        "date": _date(t.get("date")),
                        "value": _money(t.get("value")),
                        "payer": (t.get("payer") or {}).get("name") or "—",
                        "payee": (t.get("payee") or {}).get("name") or "—",
                    }
                    for t in impl.get("transactions") or []
                ],
                "milestones": [
                    {
                        "title": m.get("title") or m.get("id"),
                        "type": code(m.get("type")),
                        "due": _date(m.get("dueDate")),
                        "status": code(m.get("status")),
                    }
                    for m in impl.get("milestones") or []
                ],
                "metrics": [
                    {
                        "title": m.get("title") or m.get("id"),
                        "observations": clause_separator().join(
                            _observation(o) for o in m.get("observations") or []
                        ),
                    }
                    for m in impl.get("metrics") or []
                ],
                "documents": _documents(k),
            }
        )
    return view


def ocds_record_page(request, ocid: str):
    record = record_get(ocid)
    context = record_view(record)
    context["json_url"] = f"/api/v1/ocds/records/{record['ocid']}"
    return render(request, "disclosure/ocds_record.html", context)
