"""The money view (资金台账) and the contracts' bulk actions: pay several instalments whose
gate has opened, accept several submitted reports (issue 19 §4, §6)."""

from __future__ import annotations

from django import forms as djforms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import require
from caidan.common.money import format_yuan
from caidan.common.perms import Perm
from caidan.common.widgets import DateInput
from caidan.common.xlsx import XLSX_MIME
from caidan.web.bulk import bulk_page
from caidan.web.ui import domain_errors

from .. import ledger as money
from ..services import bulk
from .helpers import query_without_cursor


@login_required
@domain_errors
def ledger(request):
    actor = request.actor
    f = money.ledger_filter_parse(request.GET)
    result = money.ledger_for(actor=actor, f=f, cursor=request.GET.get("cursor") or None)
    return render(
        request,
        "contracts/ledger.html",
        {
            "ledger": result,
            "f": f,
            "choices": money.ledger_choices(actor),
            "query": query_without_cursor(request),
            "filter_query": "&".join(f"{k}={v}" for k, v in f.as_query().items()),
            "can_pay": actor.has_role(Role.PURCHASER),
        },
    )


@login_required
@domain_errors
def ledger_export(request):
    actor = request.actor
    f = money.ledger_filter_parse(request.GET)
    return FileResponse(
        money.ledger_xlsx(actor, f),
        content_type=XLSX_MIME,
        as_attachment=True,
        filename=f"caidan-ledger-{timezone.localdate():%Y%m%d}.xlsx",
    )


class BulkPaymentForm(djforms.Form):
    paid_on = djforms.DateField(label=_("支付日期"), widget=DateInput)
    voucher = djforms.CharField(
        label=_("凭证号"), max_length=64, help_text=_("同一批次支付的凭证号，记入每一期。")
    )


@login_required
@domain_errors
def bulk_pay(request):
    actor = request.actor
    require(actor, Perm.CONTRACTS_MANAGE)
    return bulk_page(
        request,
        title=_g("批量记录付款"),
        action_label=_g("确认，逐项记录付款"),
        back_url=reverse("contracts:ledger"),
        load=lambda ids: bulk.instalments_for_bulk(ids=ids, actor=actor),
        describe=lambda i: (
            bulk.instalment_label(i),
            _g("记录付款 %(a)s（付款条件：%(g)s）")
            % {"a": format_yuan(i.amount), "g": i.get_gate_display()},
        ),
        run=lambda ids, d: bulk.payments_record_bulk(
            ids=ids, paid_on=d["paid_on"], voucher=d["voucher"], actor=actor
        ),
        form_class=BulkPaymentForm,
        initial={"paid_on": timezone.localdate()},
    )


class BulkAcceptForm(djforms.Form):
    comment = djforms.CharField(
        label=_("审核意见（可不填）"), required=False, max_length=2000, widget=djforms.Textarea
    )


@login_required
@domain_errors
def bulk_accept_reports(request):
    actor = request.actor
    require(actor, Perm.CONTRACTS_MANAGE)
    return bulk_page(
        request,
        title=_g("批量通过报告"),
        action_label=_g("确认，逐项通过"),
        back_url=reverse("contracts:todo"),
        load=lambda ids: bulk.reports_for_bulk(ids=ids, actor=actor),
        describe=lambda r: (
            bulk.report_label(r),
            _g("审核通过（%(org)s提交）") % {"org": r.contract.organization.name},
        ),
        run=lambda ids, d: bulk.reports_accept_bulk(ids=ids, comment=d["comment"], actor=actor),
        form_class=BulkAcceptForm,
    )
