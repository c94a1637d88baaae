"""The purchaser's pages for a tender in lots (分包): adding a lot, and the cap on lots one
provider may win. A lot is then edited, bid for, evaluated and awarded on its own pages,
like any tender."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, domain_errors

from .. import selectors
from ..services.lots import cap_sentence, tender_lot_add, tender_lots_configure
from .common import confirm


class LotForm(forms.Form):
    """A lot's own title, budget, bid security and requirements (the rest — its scoring
    sheet, qualification, committee — starts as the tender's and is edited on the lot's own
    form)."""

    title = forms.CharField(label=_("分包名称"), max_length=200)
    budget = forms.DecimalField(
        label=_("分包预算（最高限价，元）"), max_digits=14, decimal_places=2, min_value=0
    )
    bid_security = forms.DecimalField(
        label=_("投标保证金（元）"), max_digits=14, decimal_places=2, min_value=0, initial=0
    )
    description = forms.CharField(
        label=_("分包采购需求"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class LotSettingsForm(forms.Form):
    max_lots_per_provider = forms.IntegerField(
        label=_("每个供应商最多中标分包数"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("留空为不限。设定后各分包按包号顺序确定中标人，已达上限的供应商顺延。"),
    )


@login_required
@domain_errors
def lot_add(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    number = tender.lots.count() + 1
    form = LotForm(
        request.POST or None,
        initial={"title": _("%(title)s（第 %(n)s 包）") % {"title": tender.title, "n": number}},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        lot, error = attempt(
            lambda: tender_lot_add(
                tender=tender,
                changes={
                    "title": d["title"],
                    "budget": d["budget"],
                    "bid_security": d["bid_security"],
                    "description": d["description"],
                },
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request,
                _("已增加第 %(n)s 包。评分表、资格要求等沿用采购项目的设置，可在本包页面修改。")
                % {"n": lot.lot_number},
            )
            return redirect("procurement:tender", tender_id=tender.pk)
    return confirm(
        request,
        tender=tender,
        title=_("增加分包"),
        warning=_(
            "每个分包单独投标、开标、评审、确定中标人和签订合同；各分包预算合计不得超过采购预算。"
            "分包的采购方式和投标截止时间与采购项目相同。"
        ),
        action_label=_("增加分包"),
        form=form,
        show_summary=True,
    )


@login_required
@domain_errors
def lot_settings(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    form = LotSettingsForm(
        request.POST or None, initial={"max_lots_per_provider": tender.max_lots_per_provider}
    )
    if request.method == "POST" and form.is_valid():
        cap = form.cleaned_data["max_lots_per_provider"]
        _t, error = attempt(
            lambda: tender_lots_configure(tender=tender, max_lots_per_provider=cap, actor=actor),
            form=form,
        )
        if error is None:
            messages.success(request, cap_sentence(cap) or _("已取消中标分包数上限。"))
            return redirect("procurement:tender", tender_id=tender.pk)
    return confirm(
        request,
        tender=tender,
        title=_("中标分包数上限"),
        warning=_(
            "上限写入采购公告。设定后各分包按包号顺序确定中标人：排名在前的供应商已中标的分包数达到上限的，"
            "该分包顺延确定排名其后的供应商，并在中标公告中说明。"
        ),
        action_label=_("保存"),
        form=form,
    )
