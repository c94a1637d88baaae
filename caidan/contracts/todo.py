"""The contracts' waiting steps on the workbench (``caidan.accounts.workbench``): contracts to
draft and to sign, reports to submit and to review, instalments to pay. Each is one query; the
due dates are the services' own: ``Contract.sign_due`` (award + 30 days, 政府采购法 §46),
``Report.due_on``, an instalment's gate + ``PAY_WITHIN_DAYS``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caidan.accounts.workbench import (
    Entry,
    EventSource,
    TodoKind,
    entries,
    local_day,
    register_kind,
    register_source,
)
from caidan.common.roles import Role

from .models import Contract, ContractStatus, Instalment, Report, ReportStatus

PARTIES = frozenset({Role.PURCHASER, Role.PROVIDER, Role.HUB})


def _scope(actor, prefix: str = "") -> Q | None:
    if actor.has_role(Role.PURCHASER) and actor.unit is not None:
        return Q(**{f"{prefix}unit__path__startswith": actor.unit.path})
    if actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None:
        return Q(**{f"{prefix}organization": actor.organization})
    return None


def contracts_to_draft(actor, today):
    from caidan.procurement.models import Award

    from .services.contracts import SIGN_WITHIN_DAYS

    if not actor.has_role(Role.PURCHASER) or actor.unit is None:
        return []
    live = Contract.objects.filter(year_index=1).exclude(status=ContractStatus.CANCELLED)
    rows = (
        Award.objects.filter(
            status="confirmed",
            tender__status__in=("awarded", "concluded"),
            tender__unit__path__startswith=actor.unit.path,
        )
        .exclude(pk__in=live.values("award_id"))
        .values("pk", "decided_at", "tender__title")
    )
    out = []
    for r in rows:
        at = r["decided_at"] + dt.timedelta(days=SIGN_WITHIN_DAYS)
        out.append(
            Entry(
                label=r["tender__title"],
                url=reverse("contracts:create", args=[r["pk"]]),
                due=local_day(at),
                at=at,
                key=f"award-{r['pk']}",
            )
        )
    return out


def contracts_to_sign(actor, today):
    scope = _scope(actor)
    if scope is None:
        return []
    side = "purchaser" if actor.has_role(Role.PURCHASER) else "provider"
    rows = Contract.objects.filter(
        scope, status=ContractStatus.DRAFT, **{f"{side}_signed_at__isnull": True}
    ).values("pk", "title", "sign_due")
    return entries(rows, "contracts:sign", key="contract", moment="sign_due")


def _reports(actor, statuses):
    scope = _scope(actor, "contract__")
    if scope is None:
        return []
    kinds = dict(Report._meta.get_field("kind").choices)
    rows = Report.objects.filter(
        scope, contract__status=ContractStatus.ACTIVE, status__in=statuses
    ).values("pk", "kind", "due_on", "contract_id", "contract__title")
    return [
        (
            r,
            f"{r['contract__title']} · {kinds.get(r['kind'], r['kind'])}",
            reverse("contracts:report", args=[r["contract_id"], r["pk"]]),
        )
        for r in rows
    ]


def reports_to_submit(actor, today):
    if not actor.has_role(Role.PROVIDER, Role.HUB):
        return []
    return [
        Entry(label=label, url=url, due=r["due_on"], key=f"report-{r['pk']}")
        for r, label, url in _reports(actor, [ReportStatus.DUE, ReportStatus.RETURNED])
    ]


def reports_to_review(actor, today):
    """Submitted reports: the review has no legal deadline of its own (none is shown)."""
    if not actor.has_role(Role.PURCHASER):
        return []
    return [
        Entry(label=label, url=url, key=f"report-{r['pk']}")
        for r, label, url in _reports(actor, [ReportStatus.SUBMITTED])
    ]


def instalments_to_pay(actor, today):
    from .services.reminders import PAY_WITHIN_DAYS

    if not actor.has_role(Role.PURCHASER) or actor.unit is None:
        return []
    rows = Instalment.objects.filter(
        contract__unit__path__startswith=actor.unit.path,
        contract__status=ContractStatus.ACTIVE,
        gate_opened_at__isnull=False,
        payment__isnull=True,
    ).values("pk", "sequence", "gate_opened_at", "contract_id", "contract__title")
    out = []
    for r in rows:
        at = r["gate_opened_at"] + dt.timedelta(days=PAY_WITHIN_DAYS)
        out.append(
            Entry(
                label=_("%(contract)s · 第 %(sequence)s 期")
                % {"contract": r["contract__title"], "sequence": r["sequence"]},
                url=reverse("contracts:pay", args=[r["contract_id"], r["pk"]]),
                due=local_day(at),
                at=at,
                key=f"instalment-{r['pk']}",
            )
        )
    return out


def service_periods(actor, start, end):
    """Calendar events: the service period of my active contracts ending in the range."""
    scope = _scope(actor)
    if scope is None:
        return []
    rows = Contract.objects.filter(
        scope, status=ContractStatus.ACTIVE, period_end__gte=start, period_end__lte=end
    ).values("pk", "title", "period_end")
    return [
        Entry(
            label=r["title"],
            url=reverse("contracts:detail", args=[r["pk"]]),
            due=r["period_end"],
            key=f"contract-end-{r['pk']}",
        )
        for r in rows
    ]


def register() -> None:
    register_kind(
        TodoKind(
            "contracts:draft",
            _("起草合同"),
            frozenset({Role.PURCHASER}),
            contracts_to_draft,
            _("合同签订期限"),
        )
    )
    register_kind(
        TodoKind("contracts:sign", _("签订合同"), PARTIES, contracts_to_sign, _("合同签订期限"))
    )
    register_kind(
        TodoKind(
            "contracts:report_submit",
            _("提交履约报告"),
            frozenset({Role.PROVIDER, Role.HUB}),
            reports_to_submit,
            _("履约报告应交日期"),
        )
    )
    register_kind(
        TodoKind(
            "contracts:report_review",
            _("审核履约报告"),
            frozenset({Role.PURCHASER}),
            reports_to_review,
        )
    )
    register_kind(
        TodoKind(
            "contracts:pay",
            _("支付到期款项"),
            frozenset({Role.PURCHASER}),
            instalments_to_pay,
            _("付款期限"),
        )
    )
    register_source(EventSource("contracts:period_end", _("服务期结束"), PARTIES, service_periods))
