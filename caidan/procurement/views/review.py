"""An expert's review of a tender: the declaration of conflicts first, then the score sheet
(bids × factors) or, under the lowest-price method, the compliance review; corrections of a
submitted score (87号令 §64)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caidan.common.errors import form_add_error
from caidan.web.ui import attempt, attempt_error, attempt_refusal, domain_errors

from .. import forms, selectors, selectors_experts, services
from ..affordances import BEFORE_AWARD, scoring_open
from ..inputs import ScoreCorrectionInput, SheetScoresInput, SheetVerdictsInput
from ..methods import compliance_only
from ..models import MemberStatus
from ..services.ranking import scorable_bids


def _score_rows(bids, factors, sheet_scores, posted=None):
    rows = []
    for bid in bids:
        saved = (sheet_scores or {}).get(str(bid.pk), {})
        cells = []
        for f in factors:
            name = f"s-{bid.pk}-{f['id']}"
            value = posted.get(name, "") if posted is not None else saved.get(f["id"], "")
            cells.append({"name": name, "factor": f, "value": value})
        rows.append({"bid": bid, "cells": cells})
    return rows


def _bidder_names(tender) -> list[str]:
    return [b.organization.name for b in selectors.opening_record(tender)]


@login_required
@domain_errors
def review(request, tender_id: int):
    """The expert's page: the declaration first; then the score sheet (bids × factors)."""
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    seat = selectors_experts.seat_on(actor, tender)
    factors = [f for f in tender.factors or [] if not f.get("auto")]  # experts score these
    if seat.status == MemberStatus.DRAWN:
        return render(
            request,
            "procurement/declare.html",
            {
                "t": tender,
                "seat": seat,
                "form": forms.DeclarationForm(),
                "bidders": _bidder_names(tender),
            },
        )
    if compliance_only(tender):
        return _compliance_review(request, tender, seat)
    errors: list[str] = []
    posted = None
    if request.method == "POST":
        posted = request.POST
        scores: dict[str, dict[str, str]] = {}
        for bid in scorable_bids(tender):
            row = {}
            for f in factors:
                value = request.POST.get(f"s-{bid.pk}-{f['id']}", "").strip()
                if value:
                    row[f["id"]] = value
            if row:
                scores[str(bid.pk)] = row
        done = _save_sheet(
            request,
            tender,
            seat,
            lambda: services.scores_save(
                member=seat, data=SheetScoresInput.parse(scores=scores), actor=actor
            ),
            noun=_("评分"),
            errors=errors,
        )
        if done is not None:
            return done
    return _review_page(request, tender, seat, errors=errors, posted=posted)


def _save_sheet(request, tender, seat, save, *, noun: str, errors: list[str]):
    """Save the member's sheet (``save``), submit it when the member asked to, and say so;
    the redirect back to the review, or None with the refusal added to ``errors``."""

    def run() -> bool:
        save()
        if request.POST.get("action") != "submit":
            return False
        services.scores_submit(member=seat, actor=request.actor)
        return True

    submitted, error = attempt(run)
    if error is not None:
        errors.append(error)
        return None
    if submitted:
        messages.success(request, _("%(noun)s已提交，不能再修改。") % {"noun": noun})
    else:
        messages.success(request, _("%(noun)s草稿已保存（仅您本人可见）。") % {"noun": noun})
    return redirect("procurement:review", tender_id=tender.pk)


def _compliance_review(request, tender, seat):
    """Lowest-price method: the member's qualification and compliance review (资格性和
    符合性审查, 87号令 §50) of each bid — pass, or fail with a reason. No scores."""
    actor = request.actor
    errors: list[str] = []
    bids = scorable_bids(tender)
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        verdicts = {}
        for bid in bids:
            choice = posted.get(f"v-{bid.pk}", "")
            if choice in ("pass", "fail"):
                verdicts[str(bid.pk)] = {
                    "pass": choice == "pass",
                    "reason": posted.get(f"r-{bid.pk}", ""),
                }
        done = _save_sheet(
            request,
            tender,
            seat,
            lambda: services.verdicts_save(
                member=seat, data=SheetVerdictsInput.parse(verdicts=verdicts), actor=actor
            ),
            noun=_("审查意见"),
            errors=errors,
        )
        if done is not None:
            return done
    sheets = list(selectors_experts.visible_sheets(tender, actor))
    own = next((s for s in sheets if s.member_id == seat.pk), None)
    saved = own.verdicts if own else {}
    rows = []
    for bid in bids:
        row = saved.get(str(bid.pk), {})
        if posted is not None:
            choice = posted.get(f"v-{bid.pk}", "")
            reason = posted.get(f"r-{bid.pk}", "")
        else:
            choice = "" if not row else ("pass" if row.get("pass") else "fail")
            reason = row.get("reason", "")
        rows.append({"bid": bid, "choice": choice, "reason": reason})
    return render(
        request,
        "procurement/review_compliance.html",
        {
            "t": tender,
            "seat": seat,
            "rows": rows,
            "own": own,
            "submitted": own is not None and own.submitted_at is not None,
            "others": [s for s in sheets if s.member_id != seat.pk],
            "errors": errors,
            "scoring_open": scoring_open(tender),
        },
    )


def _review_page(request, tender, seat, *, errors=(), posted=None, correction_form=None):
    """The score sheet; once submitted, the expert's corrections and (before the award) the
    correction form (87号令 §64)."""
    actor = request.actor
    factors = [f for f in tender.factors or [] if not f.get("auto")]  # experts score these
    sheets = list(selectors_experts.visible_sheets(tender, actor))
    own = next((s for s in sheets if s.member_id == seat.pk), None)
    submitted = own is not None and own.submitted_at is not None
    others = [s for s in sheets if s.member_id != seat.pk]
    bids = scorable_bids(tender)
    can_correct = (
        submitted
        and not own.voided
        and seat.status == MemberStatus.ACTIVE
        and tender.status in BEFORE_AWARD
    )
    if correction_form is None and can_correct:
        correction_form = forms.CorrectionForm(bids=bids, factors=factors)
    factor_names = {str(f["id"]): f.get("name") or f["id"] for f in factors}
    corrections = selectors_experts.corrections_of(own) if submitted else []
    return render(
        request,
        "procurement/review.html",
        {
            "t": tender,
            "seat": seat,
            "factors": factors,
            "rows": _score_rows(bids, factors, own.scores if own else {}, posted),
            "submitted": submitted,
            "own": own,
            "others": [
                {
                    "sheet": s,
                    "rows": [
                        (b, [s.scores.get(str(b.pk), {}).get(f["id"], "") for f in factors])
                        for b in bids
                    ],
                }
                for s in others
            ],
            "errors": errors,
            "scoring_open": scoring_open(tender),
            "correction_form": correction_form,
            "corrections": [(c, factor_names.get(c.factor, c.factor)) for c in corrections],
        },
    )


@require_POST
@login_required
@domain_errors
def review_correct(request, tender_id: int):
    """The expert corrects one submitted score, for a reason of 87号令 §64."""
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    seat = selectors_experts.seat_on(actor, tender)
    if seat.status == MemberStatus.DRAWN:
        return redirect("procurement:review", tender_id=tender.pk)
    bids = scorable_bids(tender)
    form = forms.CorrectionForm(request.POST, bids=bids, factors=list(tender.factors or []))
    if form.is_valid():
        d = form.cleaned_data
        error = attempt_error(
            lambda: services.score_correct(
                member=seat,
                actor=actor,
                data=ScoreCorrectionInput.parse(
                    bid=next(b for b in bids if str(b.pk) == d["bid"]),
                    factor=d["factor"],
                    new_value=str(d["new_value"]),
                    reason=d["reason"],
                    note=d["note"],
                ),
            ),
            form=form,
        )
        if error is None:
            messages.success(request, _("评分已更正，更正记录已存档备查。"))
            return redirect("procurement:review", tender_id=tender.pk)
    return _review_page(request, tender, seat, correction_form=form)


@require_POST
@login_required
@domain_errors
def review_declare(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    seat = selectors_experts.seat_on(actor, tender)
    form = forms.DeclarationForm(request.POST)
    if form.is_valid():
        refusal = attempt_refusal(
            lambda: services.panel_declare(
                member=seat,
                no_conflict=form.cleaned_data["no_conflict"],
                declaration=form.cleaned_data["declaration"],
                actor=actor,
            )
        )[1]
        if refusal is None and form.cleaned_data["no_conflict"]:
            messages.success(request, _("已声明无利害关系，可以开始评分。"))
            return redirect("procurement:review", tender_id=tender.pk)
        if refusal is None:
            messages.info(request, _("已声明回避，将由备选专家递补。感谢您的如实申报。"))
            return redirect("procurement:my_reviews")
        if refusal.code == "no_reserve":  # the recusal is recorded; the purchaser redraws
            messages.info(request, _("已声明回避。感谢您的如实申报。"))
            return redirect("procurement:my_reviews")
        form_add_error(form, refusal)
    return render(
        request,
        "procurement/declare.html",
        {"t": tender, "seat": seat, "form": form, "bidders": _bidder_names(tender)},
    )
