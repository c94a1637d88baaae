"""Reads for contracts: lists by role (keyset-paginated), a contract with its plan,
reports and history, what is late (for both parties' dashboards)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import can
from caidan.audit.models import AuditEvent
from caidan.common.errors import NotFound, field_error
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import searched, text_match
from caidan.orgs.search import organization_name_match

from . import permissions  # noqa: F401 - registers the rules
from .models import Contract, ContractStatus, Instalment, Report, ReportStatus
from .naming import contract_title


def _base() -> QuerySet[Contract]:
    return Contract.objects.select_related("unit", "organization", "tender")


def contract_list_for(
    *,
    actor,
    status: str = "",
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """A purchaser: its units' contracts; a provider: its own; admin / auditors: all;
    everyone else: the public (signed) ones."""
    qs = contract_search_for(actor=actor, status=status, search=search)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def contract_search_for(*, actor, status: str = "", search: str = "") -> QuerySet[Contract]:
    """The contracts ``actor`` may list, filtered as the list filters them (unordered,
    unpaginated: the list pages it, the public download streams it)."""
    if actor.has_role(Role.PURCHASER):
        qs = _base().filter(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB):
        qs = _base().filter(organization=actor.organization) | _base().public()
    elif actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR):
        qs = _base()
    else:
        qs = _base().public()
    if status:
        if status not in ContractStatus.values:
            raise field_error("status", _("状态“%(status)s”无效。") % {"status": status})
        qs = qs.filter(status=status)
    search = (search or "").strip()
    if search:
        qs = searched(
            qs,
            text_match(search, "title")
            | Q(reference=search.upper())
            | organization_name_match(search),
        )
    return qs


#: The columns the list shows (``ContractOut``): the contract's own, and its unit's,
#: organization's and tender's through joins.
CONTRACT_ROW_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "unit_id",
    "unit__name",
    "organization_id",
    "organization__name",
    "organization__uscc",
    "tender_id",
    "tender__reference",
    "tender__title",
    "amount",
    "period_start",
    "period_end",
    "year_index",
    "sign_due",
    "signed_at",
    "published_at",
)


def contract_rows_for(
    *,
    actor,
    status: str = "",
    search: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """``contract_list_for`` as ``.values()`` rows of ``CONTRACT_ROW_FIELDS``: one query, no
    model instances (docs/architecture.md, "Fast lists")."""
    qs = contract_search_for(actor=actor, status=status, search=search)
    rows = qs.select_related(None).values(*CONTRACT_ROW_FIELDS)
    return keyset_paginate(rows, ordering=("-id",), cursor=cursor, limit=limit)


def contract_get_for(*, actor, contract_id: Any) -> Contract:
    """A contract ``actor`` may know of: a signed one for anyone, a draft for its parties,
    the platform admin and auditors (404 for everyone else)."""
    try:
        contract = _base().get(pk=int(contract_id))
    except (Contract.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("合同不存在。")) from None
    if not can(actor, Perm.CONTRACTS_VIEW, contract) and not contract.is_public:
        raise NotFound(_("合同不存在。"))
    return contract


def contract_for_award(award) -> Contract | None:
    return Contract.objects.filter(award=award, year_index=1).exclude(status="cancelled").first()


def instalments_of(contract: Contract) -> list[Instalment]:
    return list(contract.instalments.select_related("payment").order_by("sequence"))


def parts_of(contract: Contract) -> list:
    """A hub bundle's contract: which member group delivers which part, with its amount
    (issue 21); empty for any other contract."""
    return list(contract.parts.select_related("organization").order_by("position"))


def reports_of(contract: Contract) -> list[Report]:
    return list(contract.reports.order_by("due_on", "id"))


def report_get(*, contract: Contract, pk: Any) -> Report:
    try:
        return contract.reports.get(pk=int(pk))
    except (Report.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("报告不存在。")) from None


def contract_history(contract: Contract, *, actor) -> list[AuditEvent]:
    """Who did what: for the two parties, the platform admin and auditors."""
    from .permissions import party_to

    if not (party_to(actor, contract) or can(actor, Perm.CONTRACTS_OVERSEE)):
        return []
    return list(
        AuditEvent.objects.filter(
            target_type="contracts.contract", target_id=str(contract.pk)
        ).order_by("seq")[:500]
    )


def overdue_for(actor) -> dict[str, list]:
    """Late items for a party's dashboard: unsigned past 30 days, reports past due,
    instalments whose gate opened and that are unpaid."""
    today = timezone.localdate()
    if actor.has_role(Role.PURCHASER):
        scope = Q(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB):
        scope = Q(organization=actor.organization)
    else:
        return {"unsigned": [], "reports": [], "instalments": []}
    contracts = Contract.objects.filter(scope)
    return {
        "unsigned": list(
            contracts.filter(status=ContractStatus.DRAFT, sign_due__lt=timezone.now())[:50]
        ),
        "reports": list(
            Report.objects.filter(
                contract__in=contracts.filter(status=ContractStatus.ACTIVE),
                status__in=[ReportStatus.DUE, ReportStatus.RETURNED],
                due_on__lt=today,
            ).select_related("contract")[:50]
        ),
        "instalments": list(
            Instalment.objects.filter(
                contract__in=contracts.filter(status=ContractStatus.ACTIVE),
                gate_opened_at__isnull=False,
                payment__isnull=True,
            ).select_related("contract")[:50]
        ),
    }


# --- for the web pages --------------------------------------------------------------------------


def awards_without_contract(actor) -> QuerySet:
    """Confirmed awards of the purchaser's units (tender awarded or concluded) that have no
    live first-year contract yet: what “签订合同” starts from."""
    from caidan.procurement.models import Award

    if not actor.has_role(Role.PURCHASER) or actor.unit is None:
        return Award.objects.none()
    live = Contract.objects.filter(year_index=1).exclude(status=ContractStatus.CANCELLED)
    return (
        Award.objects.filter(
            status="confirmed",
            tender__status__in=("awarded", "concluded"),
            tender__unit__path__startswith=actor.unit.path,
        )
        .exclude(pk__in=live.values("award_id"))
        .select_related("tender", "tender__unit", "tender__proposal", "bid__organization")
        .order_by("-id")
    )


def contract_draft_terms(award) -> dict[str, Any]:
    """The terms a new contract starts from (the same defaults ``contract_create`` uses),
    to prefill the drafting form."""
    from caidan.jurisdiction.selectors import setting_value

    from .services.terms import DEFAULT_TERMS

    tender = award.tender
    proposal = tender.proposal
    split = setting_value("payment_split")
    return {
        "title": contract_title(tender.title),
        "service_content": tender.description or proposal.description or proposal.title,
        "period_start": proposal.period_start,
        "period_end": proposal.period_end,
        "quantity": "；".join(
            f"{o['name']} {o['target']}{o.get('unit', '')}" for o in proposal.outputs
        ),
        "quality_standards": "按照采购文件、投标文件和国家及本市相关服务标准执行。",
        "amount": award.amount,
        "settlement_method": DEFAULT_TERMS["settlement_method"],
        "acceptance_criteria": DEFAULT_TERMS["acceptance_criteria"],
        "rights_obligations": DEFAULT_TERMS["rights_obligations"],
        "breach_liability": DEFAULT_TERMS["breach_liability"],
        "performance_security": 0,
        "payment_split": [split["first"], split["second"], split["final"]],
        "renewal_intent": False,
        "renewal_years": 1,
    }


def sees_full_contract(actor, contract: Contract) -> bool:
    """The parties, the platform admin and auditors see the full contract (signatories,
    reports, history); everyone else the published version."""
    from .permissions import party_to

    return party_to(actor, contract) or can(actor, Perm.CONTRACTS_OVERSEE)


def report_documents_for(report: Report, *, actor):
    """A report's attachments, for the two parties and overseers (the purchaser reviews
    the provider's financial statements)."""
    from caidan.documents.models import Document

    from .services.reports import DOCUMENT_TARGET

    if not sees_full_contract(actor, report.contract):
        return Document.objects.none()
    return Document.objects.filter(target_type=DOCUMENT_TARGET, target_id=str(report.pk)).order_by(
        "id"
    )


# --- reads for the API (by an instalment's or a report's own id) -----------------------------


def _visible_or_404(contract: Contract, actor, message: str) -> None:
    if not contract.is_public and not can(actor, Perm.CONTRACTS_VIEW, contract):
        raise NotFound(message)


def instalment_get(*, pk: Any, actor) -> Instalment:
    """An instalment with its contract (and payment, if any); 404 when its contract is a
    draft the actor may not see."""
    try:
        instalment = Instalment.objects.select_related(
            "contract__unit", "contract__organization", "contract__tender", "payment"
        ).get(pk=int(pk))
    except (Instalment.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(_("分期付款不存在。")) from None
    _visible_or_404(instalment.contract, actor, "分期付款不存在。")
    return instalment


def report_find(*, pk: Any, actor) -> Report:
    """A report with its contract; 404 when its contract is one the actor may not see."""
    try:
        report = Report.objects.select_related(
            "contract__unit", "contract__organization", "contract__tender"
        ).get(pk=int(pk))
    except (Report.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(_("报告不存在。")) from None
    _visible_or_404(report.contract, actor, "报告不存在。")
    return report


def report_documents(report: Report):
    """Every file attached to a report (for the two parties, the platform admin and
    auditors: the caller checks), oldest first."""
    from caidan.documents.models import Document

    from .services.reports import DOCUMENT_TARGET

    return Document.objects.filter(target_type=DOCUMENT_TARGET, target_id=str(report.pk)).order_by(
        "id"
    )


def amendments_of(contract: Contract) -> list:
    return list(contract.amendments.select_related("approved_by").order_by("version"))


def reports_pending_for(actor, *, limit: int = 50) -> list[Report]:
    """Reports waiting for this party: for a purchaser, submitted ones to review; for a
    provider, the ones it owes (due or returned), soonest first."""
    if actor.has_role(Role.PURCHASER):
        scope = Q(contract__unit__path__startswith=actor.unit.path)
        statuses = [ReportStatus.SUBMITTED]
    elif actor.has_role(Role.PROVIDER, Role.HUB):
        scope = Q(contract__organization=actor.organization)
        statuses = [ReportStatus.DUE, ReportStatus.RETURNED]
    else:
        return []
    return list(
        Report.objects.filter(scope, contract__status=ContractStatus.ACTIVE, status__in=statuses)
        .select_related("contract")
        .order_by("due_on", "id")[:limit]
    )


def contract_list_public(
    *,
    actor,
    status: str = "",
    search: str = "",
    mine: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """The public contract list: signed contracts for everyone, plus a party's own drafts
    (and cancelled ones); admin and auditors see all. ``mine``: only the actor's own
    (its units' for a purchaser, its organization's for a provider)."""
    if actor.has_role(Role.PURCHASER) and actor.unit is not None:
        own = Q(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None:
        own = Q(organization=actor.organization)
    else:
        own = None
    if own is not None:
        qs = _base().filter(own) if mine else _base().filter(own) | _base().public()
    elif actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR):
        qs = _base()
    else:
        qs = _base().public()
    if status:
        if status not in ContractStatus.values:
            raise field_error("status", _("状态“%(status)s”无效。") % {"status": status})
        qs = qs.filter(status=status)
    search = (search or "").strip()
    if search:
        qs = searched(
            qs,
            text_match(search, "title")
            | Q(reference=search.upper())
            | organization_name_match(search),
        )
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def overdue_count(actor) -> int:
    """Late items for a party's dashboard flag: unsigned past the 30 days, reports past
    their due date, instalments unpaid more than ``PAY_WITHIN_DAYS`` after their gate."""
    import datetime as dt

    from .services.reminders import PAY_WITHIN_DAYS

    if actor.has_role(Role.PURCHASER):
        contracts = Contract.objects.filter(unit__path__startswith=actor.unit.path)
    elif actor.has_role(Role.PROVIDER, Role.HUB):
        contracts = Contract.objects.filter(organization=actor.organization)
    else:
        return 0
    now = timezone.now()
    active = contracts.filter(status=ContractStatus.ACTIVE)
    return (
        contracts.filter(status=ContractStatus.DRAFT, sign_due__lt=now).count()
        + Report.objects.filter(
            contract__in=active,
            status__in=[ReportStatus.DUE, ReportStatus.RETURNED],
            due_on__lt=timezone.localdate(),
        ).count()
        + Instalment.objects.filter(
            contract__in=active,
            gate_opened_at__lt=now - dt.timedelta(days=PAY_WITHIN_DAYS),
            payment__isnull=True,
        ).count()
    )


# --- for the split API and pages: one read per question -----------------------------------------


def contract_find(*, contract_id: Any) -> Contract | None:
    """A contract by id, whoever asks (for a caller that checks access itself)."""
    try:
        return _base().filter(pk=int(contract_id)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def contract_renewal(contract: Contract) -> Contract | None:
    """Next year's contract, once drafted (a cancelled draft does not count)."""
    return contract.renewals.exclude(status=ContractStatus.CANCELLED).first()


def versions_of(contract: Contract) -> list:
    return list(contract.versions.order_by("version"))


def award_find(*, award_id: Any):
    """An award by id with its tender (a contract is drafted from it; the service checks who
    may)."""
    from caidan.procurement.models import Award

    try:
        return (
            Award.objects.select_related("tender", "tender__unit").filter(pk=int(award_id)).first()
        )
    except (TypeError, ValueError, OverflowError):
        return None


def award_without_contract_get_for(*, actor, award_id: Any):
    """One of ``awards_without_contract(actor)``; 404 when it is not one of them."""
    try:
        award = awards_without_contract(actor).filter(pk=int(award_id)).first()
    except (TypeError, ValueError, OverflowError):
        award = None
    if award is None:
        raise NotFound(_("该中标结果不存在、不属于本单位，或已有合同。"))
    return award


def report_document_find(*, report: Report, document_id: Any):
    """One of a report's attachments (the caller has checked that the reader may see them)."""
    try:
        return report_documents(report).filter(pk=int(document_id)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def instalment_of(contract: Contract, *, instalment_id: Any) -> Instalment:
    """One of ``contract``'s instalments (with its payment, if any)."""
    try:
        inst = contract.instalments.select_related("payment").filter(pk=int(instalment_id)).first()
    except (TypeError, ValueError, OverflowError):
        inst = None
    if inst is None:
        raise NotFound(_("该期付款不存在。"))
    return inst
