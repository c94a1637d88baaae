"""The evaluator scores each member's part of a hub bundle (issue 21)."""

from __future__ import annotations

from django import forms as dj_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.rows import Column, RowsField
from caidan.web.ui import attempt, domain_errors

from .. import selectors
from ..affordances import evaluation_affordances
from ..services.parts import evaluation_parts_score
from .helpers import evaluation_for


class PartScoresForm(dj_forms.Form):
    def __init__(self, *args, parts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parts"] = RowsField(
            label=_("各成员部分的得分"),
            columns=(
                Column(
                    "part",
                    _("成员组织及其部分"),
                    choices=tuple(
                        (str(p.pk), f"{p.position}. {p.organization.name}：{p.title}")
                        for p in parts
                    ),
                ),
                Column("score", _("得分（0–100）"), width=6),
                Column("outputs", _("该成员完成的产出"), width=30),
            ),
            extra=0 if args and args[0] else 1,
            add_label=_("添加一个成员部分"),
            help_text=_(
                "等级：优 ≥ 90，良 80–90，中 60–80，差 < 60。未评分的部分在公布时按综合得分计。"
            ),
        )


@login_required
@domain_errors
def evaluation_parts(request, pk: int):
    actor = request.actor
    e = evaluation_for(request, pk)
    require(actor, Perm.EVALUATIONS_EVALUATE, e.contract)
    if not evaluation_affordances(actor, e).score:
        messages.info(request, _("评价结果已公布，不能再修改。"))
        return redirect("evaluations:detail", pk=e.pk)
    parts = list(e.contract.parts.select_related("organization").order_by("position"))
    initial = [
        {"part": str(r.part_id), "score": str(r.score), "outputs": r.outputs}
        for r in selectors.part_results_of(e)
    ] or [{"part": str(p.pk), "score": "", "outputs": ""} for p in parts]
    form = PartScoresForm(request.POST or None, initial={"parts": initial}, parts=parts)
    if request.method == "POST" and form.is_valid():
        _done, error = attempt(
            lambda: evaluation_parts_score(
                evaluation=e, rows=form.cleaned_data["parts"], actor=actor
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("各成员部分的得分已保存。"))
            return redirect("evaluations:detail", pk=e.pk)
    return render(
        request, "evaluations/parts.html", {"e": e, "c": e.contract, "form": form, "parts": parts}
    )
