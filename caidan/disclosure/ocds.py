"""Open Contracting Data Standard 1.1.5 export (DOMAIN.md §3.7, §5).

One contracting process per approved project: ``ocid = f"{OCDS_OCID_PREFIX}-{proposal.pk}"``.
Each public event of the process is one release; releases carry *cumulative* snapshots of
their arrays (parties, amendments, transactions, milestones, metrics), so merging them gives
the same compiled release whether arrays are merged by identifier or replaced.

Redaction: only public facts are read. A bid's price and status are read only once
``tender.opened_at`` is set; sealed content, nonces, people (names, phones, ID numbers),
experts and organizations' contact data are never read.

Extensions used: bids (``bids.statistics`` / ``bids.details``, ``award.relatedBid``) and
metrics (``contract.implementation.metrics`` for published evaluations); the lots extension
is declared with them (the offline copies in ``OCDS_SCHEMA_DIR``) but no lots are published.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

VERSION = "1.1"
SCHEMA_VERSION = "1__1__5"
RELEASE_SCHEMA_URL = (
    f"https://standard.open-contracting.org/schema/{SCHEMA_VERSION}/release-schema.json"
)
PUBLISHER = {"name": "Caidan 菜单"}
LICENSE = "https://creativecommons.org/publicdomain/zero/1.0/"
EXTENSION_DIRS = (
    "ocds_bid_extension-v1.1.5",
    "ocds_lots_extension-v1.1.5",
    "ocds_metrics_extension-v1.1",
)
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/v1.1/extension.json",
]
CURRENCY = "CNY"
SHANGHAI = ZoneInfo("Asia/Shanghai")

PROCUREMENT_METHOD = {
    "open_tender": "open",
    "consultation": "selective",
    "single_source": "limited",
    "agreement": "limited",
    "post_purchase": "open",
}
AWARD_STATUS = {"confirmed": "active", "declined": "unsuccessful", "revoked": "cancelled"}


# --- schema ----------------------------------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    """JSON Merge Patch (RFC 7386): ``patch`` applied to a copy of ``target``."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def schema_dir() -> Path:
    return Path(settings.OCDS_SCHEMA_DIR)


def schema_available() -> bool:
    return (schema_dir() / "1.1.5" / "release-schema.json").is_file()


@lru_cache(maxsize=4)
def _release_schema(root: str) -> dict:
    base = Path(root)
    schema = json.loads((base / "1.1.5" / "release-schema.json").read_text("utf-8"))
    for name in EXTENSION_DIRS:
        patch = base / "extensions" / name / "release-schema.json"
        schema = merge_patch(schema, json.loads(patch.read_text("utf-8")))
    return schema


def release_schema() -> dict:
    """The OCDS 1.1.5 release schema with the three extensions merged in (a copy)."""
    return copy.deepcopy(_release_schema(str(schema_dir())))


def package_schema(kind: str) -> dict:
    """``kind`` is "release" or "record"."""
    path = schema_dir() / "1.1.5" / f"{kind}-package-schema.json"
    return json.loads(path.read_text("utf-8"))


def validation_errors(package: dict, kind: str) -> list[str]:
    """Validate a release or record package offline; the package schema's reference to the
    release schema resolves to the local, extended copy. Needs ``jsonschema`` (dev extra)."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    registry = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release_schema(), default_specification=DRAFT4)
    )
    validator = jsonschema.Draft4Validator(
        package_schema(kind),
        registry=registry,
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )
    return [
        f"{'/'.join(str(p) for p in err.absolute_path)}: {err.message}"
        for err in sorted(validator.iter_errors(package), key=lambda e: list(e.absolute_path))
    ]


# --- small helpers --------------------------------------------------------------------------


def ocid_for(proposal) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{proposal.pk}"


def _when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):  # a calendar day: its start in Shanghai
        return dt.datetime.combine(value, dt.time(0, 0), tzinfo=SHANGHAI).isoformat()
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _value(amount: Decimal | None) -> dict | None:
    if amount is None:
        return None
    return {"amount": float(amount), "currency": CURRENCY}


def _clean(obj: Any) -> Any:
    """Drop None and empty strings/lists/dicts (OCDS prefers omitted fields)."""
    if isinstance(obj, dict):
        out = {k: _clean(v) for k, v in obj.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def unit_party_id(unit) -> str:
    return f"CN-UNIT-{unit.code}"


def org_party_id(org) -> str:
    return f"CN-USCC-{org.uscc}"


# --- building releases ------------------------------------------------------------------------


@dataclass
class _Event:
    date: dt.datetime
    order: int
    key: str
    tag: list[str]
    body: dict
    roles: dict[str, set[str]] = field(default_factory=dict)


class _Builder:
    def __init__(self, proposal):
        self.proposal = proposal
        self.ocid = ocid_for(proposal)
        self.events: list[_Event] = []
        self.parties: dict[str, dict] = {}
        self.buyer = self.unit_ref(proposal.unit)

    # parties
    def unit_ref(self, unit) -> dict:
        pid = unit_party_id(unit)
        self.parties.setdefault(pid, {"id": pid, "name": unit.name})
        return {"id": pid, "name": unit.name}

    def org_ref(self, org) -> dict:
        pid = org_party_id(org)
        self.parties.setdefault(
            pid,
            {
                "id": pid,
                "name": org.name,
                "identifier": {"scheme": "CN-USCC", "id": org.uscc, "legalName": org.name},
            },
        )
        return {"id": pid, "name": org.name}

    def add(self, date, key, tag, body, roles=None) -> None:
        date = date or timezone.now()
        self.events.append(_Event(date, len(self.events), key, tag, body, roles or {}))

    def releases(self) -> list[dict]:
        buyer_id = self.buyer["id"]
        known: dict[str, set[str]] = {buyer_id: {"buyer"}}
        out = []
        for n, ev in enumerate(sorted(self.events, key=lambda e: (e.date, e.order)), start=1):
            for pid, roles in ev.roles.items():
                known.setdefault(pid, set()).update(roles)
            parties = [
                {**self.parties[pid], "roles": sorted(roles)} for pid, roles in known.items()
            ]
            release = {
                "ocid": self.ocid,
                "id": f"{self.ocid}-{ev.key}-{n}",
                "date": _when(ev.date),
                "tag": ev.tag,
                "initiationType": "tender",
                "language": "zh",
                "parties": parties,
                "buyer": self.buyer,
                **ev.body,
            }
            out.append(_clean(release))
        return out


def _planning(b: _Builder) -> None:
    p = b.proposal
    rationale = p.decision_reason or p.service_targets
    b.add(
        p.decided_at or p.created_at,
        "planning",
        ["planning"],
        {
            "planning": {
                "rationale": rationale,
                "budget": {
                    "id": str(p.pk),
                    "description": p.description,
                    "amount": _value(p.budget),
                    "project": p.title,
                    "projectID": str(p.pk),
                },
            }
        },
    )


def _tender_core(tender, *, status: str, end=None) -> dict:
    from caidan.procurement.models import EvaluationMethod, Method

    comprehensive = tender.evaluation_method == EvaluationMethod.COMPREHENSIVE
    return {
        "id": tender.reference,
        "title": tender.title,
        "description": tender.description,
        "status": status,
        "value": _value(tender.budget),
        "procurementMethod": PROCUREMENT_METHOD.get(tender.method, "open"),
        "procurementMethodDetails": Method(tender.method).label,
        "procurementMethodRationale": tender.justification,
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria" if comprehensive else "priceOnly",
        "awardCriteriaDetails": EvaluationMethod(tender.evaluation_method).label,
        "tenderPeriod": {"startDate": _when(tender.published_at), "endDate": _when(end)},
    }


def _tender(b: _Builder, tender) -> None:
    from caidan.procurement.models import BidStatus, TenderStatus

    key = f"tender-{tender.pk}"
    entity = b.unit_ref(tender.unit)
    amendments = tender.ocds_amendments
    first_end = amendments[0].old_deadline if amendments else tender.deadline
    core = _tender_core(tender, status="active", end=first_end)
    core["procuringEntity"] = entity
    documents = _tender_documents(tender)
    core["documents"] = [d for when, d in documents if when <= tender.published_at]
    roles = {entity["id"]: {"procuringEntity"}}
    b.add(tender.published_at, key, ["tender"], {"tender": core}, roles)

    listed = []
    for amendment in amendments:
        listed.append(
            {
                "id": str(amendment.pk),
                "date": _when(amendment.created_at),
                "description": amendment.summary,
                "rationale": (
                    f"投标截止时间由 {_when(amendment.old_deadline)} 调整为 "
                    f"{_when(amendment.new_deadline)}"
                    if amendment.new_deadline != amendment.old_deadline
                    else ""
                ),
            }
        )
        b.add(
            amendment.created_at,
            key,
            ["tenderAmendment"],
            {
                "tender": {
                    "id": tender.reference,
                    "status": "active",
                    "tenderPeriod": {"endDate": _when(amendment.new_deadline)},
                    "amendments": list(listed),
                    "documents": [d for when, d in documents if when <= amendment.created_at],
                }
            },
        )

    if tender.opened_at:  # bids exist publicly only from the opening
        # Never the sealed content or nonce: only the opened, public columns.
        opened = tender.ocds_opened_bids
        roles = {}
        details = []
        for bid in opened:
            ref = b.org_ref(bid.organization)
            roles[ref["id"]] = {"tenderer"}
            details.append(
                {
                    "id": str(bid.pk),
                    "date": _when(bid.submitted_at),
                    "status": "valid" if bid.status == BidStatus.VALID else "disqualified",
                    "tenderers": [ref],
                    "value": _value(bid.price),
                }
            )
        valid = sum(1 for bid in opened if bid.status == BidStatus.VALID)
        b.add(
            tender.evaluated_at or tender.opened_at,
            key,
            ["tenderUpdate"],
            {
                "tender": {"id": tender.reference, "status": "active"},
                "bids": {
                    "statistics": [
                        {"id": "bids", "measure": "bids", "value": len(opened)},
                        {"id": "validBids", "measure": "validBids", "value": valid},
                    ],
                    "details": details,
                },
            },
            roles,
        )

    if tender.status in (TenderStatus.FAILED, TenderStatus.CANCELLED):
        failed = tender.status == TenderStatus.FAILED
        reason = tender.failed_reason if failed else tender.cancelled_reason
        # No own timestamp: the last known moment of the tender (never before its opening).
        moments = (tender.published_at, tender.opened_at, tender.evaluated_at, tender.updated_at)
        b.add(
            max(m for m in moments if m),
            key,
            ["tenderUpdate"],
            {
                "tender": {
                    "id": tender.reference,
                    "status": "unsuccessful" if failed else "cancelled",
                    "statusDetails": f"{TenderStatus(tender.status).label}：{reason}".rstrip("："),
                }
            },
        )

    for award in tender.ocds_awards:
        _award(b, tender, award)
    for complaint in getattr(tender, "ocds_complaints", ()):
        _complaint(b, tender, complaint)


def _tender_documents(tender) -> list[tuple[dt.datetime, dict]]:
    """The tender's public documents (招标文件 etc.), with their upload time."""
    from django.urls import reverse

    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    docs = tender.ocds_documents
    return [
        (
            doc.uploaded_at,
            {
                "id": f"document-{doc.pk}",
                "documentType": "biddingDocuments",
                "title": doc.original_name,
                "description": doc.description,
                "url": site + reverse("documents:download", args=[doc.pk]),
                "datePublished": _when(doc.uploaded_at),
                "format": doc.content_type,
                "language": "zh",
            },
        )
        for doc in docs
    ]


def _complaint(b: _Builder, tender, complaint) -> None:
    """A published complaint decision (投诉处理决定, 94号令 §35): the finance bureau as the
    ``reviewBody``, the decision as a ``complaints`` tender document, and the complaints so
    far in an additional ``complaints`` array (id, status, dates, outcome)."""
    from django.urls import reverse

    site = (getattr(settings, "SITE_URL", "") or "").rstrip("/")
    body = b.unit_ref(complaint.bureau)
    label = complaint.get_outcome_display()
    listed = [c for c in tender.ocds_complaints if c.published_at <= complaint.published_at]
    b.add(
        complaint.published_at,
        f"complaint-{complaint.pk}",
        ["tenderUpdate"],
        {
            "tender": {
                "id": tender.reference,
                "documents": [
                    {
                        "id": f"complaint-decision-{complaint.pk}",
                        "documentType": "complaints",
                        "title": f"投诉处理决定：{label}",
                        "description": complaint.reasoning,
                        "url": site + reverse("complaints:detail", args=[complaint.pk]),
                        "datePublished": _when(complaint.published_at),
                        "format": "text/html",
                        "language": "zh",
                    }
                ],
            },
            "complaints": [
                {
                    "id": str(c.pk),
                    "status": c.status,
                    "complainant": b.org_ref(c.organization),
                    "reviewBody": b.unit_ref(c.bureau),
                    "dateSubmitted": _when(c.filed_at),
                    "dateAccepted": _when(c.handled_at),
                    "dateDecided": _when(c.decided_at),
                    "suspensionPeriod": {
                        "startDate": _when(c.suspension_start),
                        "endDate": _when(c.suspension_lifted_at or c.suspension_end),
                    }
                    if c.suspension_start
                    else None,
                    "outcome": c.outcome,
                    "outcomeDetails": c.get_outcome_display(),
                    "rationale": c.reasoning,
                }
                for c in listed
            ],
        },
        {body["id"]: {"reviewBody"}},
    )


def _award(b: _Builder, tender, award) -> None:
    from caidan.procurement.models import AwardStatus, TenderStatus

    supplier = b.org_ref(award.bid.organization)
    key = f"award-{award.pk}"
    base = {
        "id": str(award.pk),
        "title": tender.title,
        "date": _when(award.decided_at),
        "value": _value(award.amount),
        "suppliers": [supplier],
        "relatedBid": str(award.bid_id),
    }
    body: dict = {"awards": [{**base, "status": "active"}]}
    if award.status == AwardStatus.CONFIRMED and tender.status in (
        TenderStatus.AWARDED,
        TenderStatus.CONCLUDED,
    ):
        body["tender"] = {"id": tender.reference, "status": "complete"}
    b.add(award.decided_at, key, ["award"], body, {supplier["id"]: {"supplier"}})
    if award.status != AwardStatus.CONFIRMED:
        ended = {**base, "status": AWARD_STATUS[award.status]}
        ended["description"] = f"{AwardStatus(award.status).label}：{award.end_reason}".rstrip("：")
        b.add(award.ended_at or award.decided_at, key, ["awardUpdate"], {"awards": [ended]})


def _contract(b: _Builder, contract) -> None:
    from caidan.contracts.models import ContractStatus, ReportStatus

    key = f"contract-{contract.pk}"
    payer = b.unit_ref(contract.unit)
    payee = b.org_ref(contract.organization)
    core = {
        "id": contract.reference,
        "awardID": str(contract.award_id),
        "title": contract.title,
        "description": contract.service_content,
        "value": _value(contract.amount),
        "period": {
            "startDate": _when(contract.period_start),
            "endDate": _when(contract.period_end),
        },
        "dateSigned": _when(contract.signed_at),
    }
    b.add(
        contract.signed_at,
        key,
        ["contract"],
        {"contracts": [{**core, "status": "active"}]},
        {payer["id"]: {"payer"}, payee["id"]: {"payee", "supplier"}},
    )

    payments = contract.ocds_payments
    reports = contract.ocds_reports
    evaluations = contract.ocds_evaluations
    moments = sorted(
        {i.payment.recorded_at for i in payments}
        | {r.reviewed_at for r in reports if r.status == ReportStatus.ACCEPTED and r.reviewed_at}
        | {e.published_at for e in evaluations if e.published_at}
    )
    status = "terminated" if contract.status != ContractStatus.ACTIVE else "active"
    for moment in moments:
        implementation = {
            "transactions": [
                {
                    "id": f"payment-{i.payment.pk}",
                    "date": _when(i.payment.paid_on),
                    "value": _value(i.payment.amount),
                    "payer": payer,
                    "payee": payee,
                }
                for i in payments
                if i.payment.recorded_at <= moment
            ],
            "milestones": [_milestone(r, moment) for r in reports],
            "metrics": [_metric(e) for e in evaluations if e.published_at <= moment],
        }
        current = "active" if not contract.ended_at or moment < contract.ended_at else status
        b.add(
            moment,
            key,
            ["implementation"],
            {
                "contracts": [
                    {
                        "id": contract.reference,
                        "awardID": str(contract.award_id),
                        "status": current,
                        "implementation": implementation,
                    }
                ]
            },
        )

    if contract.status != ContractStatus.ACTIVE:
        b.add(
            contract.ended_at or contract.signed_at,
            key,
            ["contractTermination"],
            {
                "contracts": [
                    {
                        **core,
                        "status": "terminated",
                        "statusDetails": ContractStatus(contract.status).label,
                    }
                ]
            },
        )


def _milestone(report, moment) -> dict:
    from caidan.contracts.models import ReportKind, ReportStatus

    met = (
        report.status == ReportStatus.ACCEPTED
        and report.reviewed_at is not None
        and report.reviewed_at <= moment
    )
    return {
        "id": f"report-{report.pk}",
        "title": f"{ReportKind(report.kind).label}（第 {report.sequence} 次）",
        "type": "reporting",
        "dueDate": _when(report.due_on),
        "status": "met" if met else "scheduled",
        "dateMet": _when(report.reviewed_at) if met else None,
    }


def _metric(evaluation) -> dict:
    from caidan.evaluations.models import Grade, Stage

    observations = []
    if evaluation.total is not None:
        observations.append(
            {
                "id": f"evaluation-{evaluation.pk}-total",
                "measure": float(evaluation.total),
                "unit": {"name": "分"},
                "notes": "综合得分",
            }
        )
    if evaluation.grade:
        observations.append(
            {
                "id": f"evaluation-{evaluation.pk}-grade",
                "measure": Grade(evaluation.grade).label,
                "notes": "等级",
            }
        )
    return {
        "id": f"evaluation-{evaluation.pk}",
        "title": Stage(evaluation.stage).label,
        "description": "绩效评价结果",
        "observations": observations,
    }


def approved_proposals():
    from caidan.projects.models import Proposal, ProposalStatus

    return Proposal.objects.filter(status=ProposalStatus.APPROVED).select_related("unit")


def prefetch(proposals: list) -> list:
    """Load everything ``releases_for`` reads for these proposals in a fixed number of queries
    (about ten, whatever their number): each list of processes costs the same per page."""
    from django.db.models import Prefetch, prefetch_related_objects

    from caidan.complaints.models import Complaint
    from caidan.contracts.models import PUBLIC_STATUSES as CONTRACT_PUBLIC
    from caidan.contracts.models import Contract, Instalment, Report
    from caidan.documents.models import Document
    from caidan.evaluations.models import Evaluation, EvaluationStatus
    from caidan.procurement.models import PUBLIC_STATUSES as TENDER_PUBLIC
    from caidan.procurement.models import Amendment, Award, Bid, BidStatus, Tender
    from caidan.procurement.services.tenders import DOCUMENT_TARGET

    for p in proposals:  # always read afresh: a proposal object may be reused after changes
        p.__dict__.pop("ocds_tenders", None)
        p.__dict__.pop("ocds_contracts", None)
    prefetch_related_objects(
        proposals,
        "unit",
        Prefetch(
            "tenders",
            queryset=Tender.objects.filter(status__in=TENDER_PUBLIC, published_at__isnull=False)
            .select_related("unit")
            .order_by("id"),
            to_attr="ocds_tenders",
        ),
        Prefetch(
            "ocds_tenders__amendments",
            queryset=Amendment.objects.order_by("created_at", "id"),
            to_attr="ocds_amendments",
        ),
        Prefetch(
            # bids exist publicly only from the opening; never the sealed content or nonce:
            # only the opened, public columns.
            "ocds_tenders__bids",
            queryset=Bid.objects.select_related("organization")
            .filter(status__in=[BidStatus.VALID, BidStatus.INVALID], opened_at__isnull=False)
            .only("id", "status", "submitted_at", "price", "organization", "tender", "opened_at")
            .order_by("id"),
            to_attr="ocds_opened_bids",
        ),
        Prefetch(
            "ocds_tenders__awards",
            queryset=Award.objects.select_related("bid__organization").order_by("id"),
            to_attr="ocds_awards",
        ),
        Prefetch(
            "ocds_tenders__complaints",
            queryset=Complaint.objects.filter(published_at__isnull=False)
            .select_related("bureau", "organization")
            .order_by("published_at", "id"),
            to_attr="ocds_complaints",
        ),
        Prefetch(
            "contracts",
            queryset=Contract.objects.filter(status__in=CONTRACT_PUBLIC)
            .select_related("unit", "organization")
            .order_by("id"),
            to_attr="ocds_contracts",
        ),
        Prefetch(
            "ocds_contracts__instalments",
            queryset=Instalment.objects.filter(payment__isnull=False)
            .select_related("payment")
            .order_by("sequence"),
            to_attr="ocds_payments",
        ),
        Prefetch(
            "ocds_contracts__reports",
            queryset=Report.objects.order_by("due_on", "id"),
            to_attr="ocds_reports",
        ),
        Prefetch(
            "ocds_contracts__evaluations",
            queryset=Evaluation.objects.filter(status=EvaluationStatus.PUBLISHED).order_by(
                "published_at"
            ),
            to_attr="ocds_evaluations",
        ),
    )
    tenders = {str(t.pk): t for p in proposals for t in p.ocds_tenders}
    for tender in tenders.values():
        tender.ocds_documents = []
    if tenders:
        docs = Document.objects.filter(
            target_type=DOCUMENT_TARGET, target_id__in=list(tenders), is_public=True
        ).order_by("id")
        for doc in docs:
            tenders[doc.target_id].ocds_documents.append(doc)
    return proposals


def each_process(queryset=None, *, batch: int = 500) -> Iterator:
    """Every approved proposal (or those of ``queryset``) by id, prefetched ``batch`` at a
    time: for exports of any size in constant memory and a constant number of queries per
    batch. Pass ``prefetched=True`` to ``releases_for``/``record_for`` for these."""
    qs = (approved_proposals() if queryset is None else queryset).order_by("id")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        prefetch(chunk)
        yield from chunk
        last = chunk[-1].pk


def releases_for(proposal, *, prefetched: bool = False) -> list[dict]:
    """The OCDS releases of one approved project, oldest first. ``prefetched``: the caller
    ran ``prefetch`` on a batch including it (``each_process`` does)."""
    if not prefetched:
        prefetch([proposal])
    b = _Builder(proposal)
    _planning(b)
    for tender in proposal.ocds_tenders:
        _tender(b, tender)
    for contract in proposal.ocds_contracts:
        _contract(b, contract)
    return b.releases()


@lru_cache(maxsize=1)
def _merger():
    """Built once per process: reading the schema's merge rules is the expensive part."""
    import ocdsmerge

    if schema_available():
        return ocdsmerge.Merger(schema=release_schema())
    return ocdsmerge.Merger(merge_rules={})


def compile_releases(releases: list[dict]) -> dict:
    return _merger().create_compiled_release(copy.deepcopy(releases))


def record_for(proposal, *, prefetched: bool = False, releases: list[dict] | None = None) -> dict:
    """The record of one process; ``releases``: its releases when the caller already built
    them (the bulk files write both)."""
    if releases is None:
        releases = releases_for(proposal, prefetched=prefetched)
    return {
        "ocid": ocid_for(proposal),
        "releases": releases,
        "compiledRelease": compile_releases(releases),
    }


def _package(uri: str, key: str, items: list[dict]) -> dict:
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": _when(timezone.now()),
        "publisher": PUBLISHER,
        "license": LICENSE,
        "extensions": list(EXTENSIONS),
        key: items,
    }


def release_package(releases: Iterable[dict], *, uri: str = "") -> dict:
    return _package(uri or _base_uri("releases"), "releases", list(releases))


def record_package(records: Iterable[dict], *, uri: str = "") -> dict:
    return _package(uri or _base_uri("records"), "records", list(records))


def _base_uri(kind: str) -> str:
    base = getattr(settings, "SITE_URL", "") or "https://caidan.invalid"
    return f"{base.rstrip('/')}/api/v1/ocds/{kind}"
