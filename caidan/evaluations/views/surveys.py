"""Satisfaction surveys: the purchaser starts one and prints its one-time tokens; the public,
phone-first survey (no login: the token is the credential) and its results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.accounts.middleware import client_ip
from caidan.accounts.permissions import require
from caidan.common.perms import Perm
from caidan.web.ui import attempt, attempt_refusal, domain_errors

from .. import forms, selectors, services
from ..inputs import SurveyInput
from ..services.surveys import survey_get
from .helpers import contract_for, survey_link


def survey_qr_svg(link: str) -> str:
    """The survey link as a QR code, inline SVG (no image file, no CDN): residents scan the
    slip instead of typing the address; the answer code is still typed."""
    import segno

    return segno.make(link, error="m").svg_inline(
        scale=3, dark="#000", light="#fff", title="QR", omitsize=True
    )


def _tokens_page(request, survey, tokens):
    link = survey_link(request, survey)
    response = render(
        request,
        "evaluations/survey_tokens.html",
        {
            "survey": survey,
            "c": survey.contract,
            "tokens": tokens,
            "link": link,
            "qr": mark_safe(survey_qr_svg(link)),  # noqa: S308 - segno's own SVG of our link
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@domain_errors
def survey_new(request, pk: int):
    actor = request.actor
    c = contract_for(request, pk)
    require(actor, Perm.EVALUATIONS_COMMISSION, c)
    today = timezone.localdate()
    form = forms.SurveyForm(
        request.POST or None,
        initial={"title": f"{c.title}服务对象满意度调查", "opens_on": today, "tokens": 50},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        created, error = attempt(
            lambda: services.survey_create(
                contract=c,
                actor=actor,
                data=SurveyInput.parse(
                    title=d["title"],
                    opens_on=d["opens_on"],
                    closes_on=d["closes_on"],
                    tokens=d["tokens"],
                ),
            ),
            form=form,
        )
        if error is None:
            survey, tokens = created
            return _tokens_page(request, survey, tokens)
    return render(request, "evaluations/survey_form.html", {"c": c, "form": form})


@require_POST
@login_required
@domain_errors
def survey_tokens_add(request, survey_id: int):
    actor = request.actor
    survey = selectors.survey_get(pk=survey_id)
    require(actor, Perm.EVALUATIONS_COMMISSION, survey.contract)
    form = forms.TokensAddForm(request.POST)
    if form.is_valid():
        tokens, error = attempt(
            lambda: services.survey_tokens_add(
                survey=survey, count=form.cleaned_data["count"], actor=actor
            )
        )
        if error is None:
            return _tokens_page(request, survey, tokens)
        messages.error(request, error)
    else:
        messages.error(request, _("请填写 1 以上的整数作为增加的答卷码数量。"))
    return redirect("evaluations:contract", pk=survey.contract_id)


# --- the public survey (no login: the one-time token is the credential) -----------------------


@domain_errors
def survey_answer(request, slug: str):
    survey = survey_get(slug)
    today = timezone.localdate()
    is_open = survey.opens_on <= today <= survey.closes_on
    form = forms.SurveyAnswerForm(
        request.POST if request.method == "POST" else None, questions=survey.questions
    )
    if request.method == "POST" and form.is_valid():
        answered, refusal = attempt_refusal(
            lambda: services.survey_respond(
                slug=slug,
                token=form.cleaned_data["token"],
                answers=form.answers(),
                comment=form.comment_text(),
                ip=client_ip(request),
            )
        )
        if refusal is None:
            return redirect("evaluations:survey_thanks", slug=slug)
        if refusal.code == "used":
            form.add_error("token", refusal.message)
        else:
            forms.add_domain_error(form, refusal, aliases=form.error_aliases())
    return render(
        request,
        "evaluations/survey.html",
        {"survey": survey, "form": form, "is_open": is_open, "today": today},
    )


@domain_errors
def survey_thanks(request, slug: str):
    return render(request, "evaluations/survey_thanks.html", {"survey": survey_get(slug)})


@domain_errors
def survey_results(request, slug: str):
    survey = survey_get(slug)
    results = services.survey_results(survey, cursor=request.GET.get("cursor") or None)
    questions = [
        {**q, "mean": results["per_question"].get(q["id"])}
        for q in survey.questions
        if q["kind"] == "likert"
    ]
    return render(
        request,
        "evaluations/survey_results.html",
        {
            "survey": survey,
            "c": survey.contract,
            "results": results,
            "questions": questions,
            "page": results["comments_page"],
        },
    )
