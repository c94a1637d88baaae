"""Questions (答疑): a bidder asks before the deadline; the purchaser answers in public."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.errors import NotFound
from caidan.common.perms import Perm
from caidan.web.ui import attempt_error, domain_errors

from .. import forms, selectors, services


@login_required
@domain_errors
def question_ask(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    require(actor, Perm.PROCUREMENT_BID, actor.organization)
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt_error(
            lambda: services.clarification_ask(
                tender=tender,
                organization=actor.organization,
                question=form.cleaned_data["question"],
                actor=actor,
            ),
            form=form,
        )
        if error is None:
            messages.success(
                request, _("问题已提交。采购人的答复将在公告中公开（不显示提问单位）。")
            )
            return redirect("procurement:tender", tender_id=tender.pk)
    return render(request, "procurement/ask.html", {"t": tender, "form": form})


@login_required
@domain_errors
def questions(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    items = selectors.clarifications_for_purchaser(tender, actor)
    forms_by_id = {}
    if request.method == "POST":
        target = next((c for c in items if str(c.pk) == request.POST.get("clarification")), None)
        if target is None:
            raise NotFound(_("问题不存在。"))
        form = forms.AnswerForm(request.POST)
        if form.is_valid():
            error = attempt_error(
                lambda: services.clarification_answer(
                    clarification=target, answer=form.cleaned_data["answer"], actor=actor
                ),
                form=form,
            )
            if error is None:
                messages.success(request, _("答复已公开。"))
                return redirect("procurement:questions", tender_id=tender.pk)
        forms_by_id[target.pk] = form
    rows = [(c, forms_by_id.get(c.pk) or forms.AnswerForm()) for c in items]
    return render(request, "procurement/questions.html", {"t": tender, "rows": rows})
