"""The public tender pages: the list, the announcement with its record, the award notice
and its evaluation data. What a reader may do next on a tender comes from
``tender_affordances``."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import can
from caidan.common.errors import NotFound
from caidan.common.i18n import join_list
from caidan.common.perms import Perm
from caidan.documents.forms import DocumentUploadForm
from caidan.orgs.models import ServiceField
from caidan.web.ui import domain_errors

from .. import forms, selectors, selectors_experts
from ..affordances import tender_affordances
from ..links import challenge_sections, tender_links, tender_sections
from ..methods import committee_needed, experts_needed
from ..services.tenders import tender_documents
from .common import query_without_cursor


@domain_errors
def tender_list(request):
    actor = request.actor
    form = forms.TenderListFilter(request.GET or None)
    filters = {"status": "", "method": "", "search": ""}
    if form.is_valid():
        d = form.cleaned_data
        filters = {"status": d["status"], "method": d["method"], "search": d["q"]}
    cursor = request.GET.get("cursor") or None
    if actor.is_authenticated:
        page = selectors.tender_list_for(actor=actor, **filters, cursor=cursor)
    else:
        page = selectors.tender_list_public(**filters, cursor=cursor)
    return render(
        request,
        "procurement/tender_list.html",
        {
            "page": page,
            "form": form,
            "query": query_without_cursor(request),
            "can_create": can(actor, Perm.PROCUREMENT_CREATE),
            "can_draw": can(actor, Perm.PROCUREMENT_MANAGE),
        },
    )


def _history_rows(tender, actor) -> list[dict]:
    """Who did what. Before opening, bid events are left out (their number is a leak too)
    and the askers of questions stay unnamed (``selectors.tender_history``)."""
    return [
        {"at": e.at, "kind": e.get_kind_display(), "who": e.actor_label, "note": e.note}
        for e in selectors.tender_history(tender, actor=actor)
    ]


def _my_bid(actor, tender, aff):
    """The reader's organization's bid on ``tender`` still in play (not replaced or
    withdrawn)."""
    if not aff.bidder:
        return None
    mine = selectors.bids_of(actor=actor, organization=actor.organization, tender=tender)
    return next((b for b in mine if b.status not in ("replaced", "withdrawn")), None)


@domain_errors
def tender_detail(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    aff = tender_affordances(actor, tender)
    award = selectors.current_award(tender)
    opening = sorted(selectors.opening_record(tender), key=lambda b: (b.submitted_at, b.pk))
    challenges = selectors.challenges_for(tender, actor)
    return render(
        request,
        "procurement/tender_detail.html",
        {
            "t": tender,
            "aff": aff,
            "cfg": tender.config,
            "experts_needed": experts_needed(tender),
            "committee_needed": committee_needed(tender),
            "draw": selectors_experts.draw_record(tender)
            if committee_needed(tender) and tender.draw_commitment and tender.published_at
            else None,
            "fields_display": join_list(
                str(ServiceField(f).label)
                for f in tender.required_fields
                if f in ServiceField.values
            ),
            "amendments": selectors.amendments_of(tender),
            "documents": list(tender_documents(tender, actor=actor)),
            "document_form": DocumentUploadForm() if aff.add_document else None,
            "qa": selectors.clarifications_public(tender),
            "my_questions": selectors.clarifications_of(tender, actor.organization)
            if aff.bidder
            else [],
            "opening": opening,
            "has_notice": award is not None or selectors.has_award_notice(tender),
            "challenges": challenges,
            # What the apps above procurement add (``links``): complaints under a challenge,
            # the published decisions on the tender.
            "challenge_rows": [(c, challenge_sections(request, c)) for c in challenges],
            "sections": tender_sections(request, tender),
            "history": _history_rows(tender, actor),
            "my_bid": _my_bid(actor, tender, aff),
            "question_form": forms.QuestionForm(),
            "unanswered": selectors.unanswered_count(tender) if aff.managing else 0,
            "answer_form": forms.ChallengeAnswerForm(),
        },
    )


@domain_errors
def award_notice(request, tender_id: int):
    actor = request.actor
    tender = selectors.tender_get_for(actor=actor, tender_id=tender_id)
    notice = selectors.award_notice(tender)
    if notice is None:
        raise NotFound(_("该采购项目尚未公告中标结果。"))
    award = notice["award"]
    return render(
        request,
        "procurement/notice.html",
        {
            "t": tender,
            "n": notice,
            "award": award,
            "aff": tender_affordances(actor, tender),
            "factors": tender.factors if experts_needed(tender) else [],
            "challenges": selectors.challenges_for(tender, actor),
            "links": tender_links(award),
        },
    )


@domain_errors
def evaluation_json(request, tender_id: int):
    tender = selectors.tender_get_for(actor=request.actor, tender_id=tender_id)
    data = selectors.evaluation_data(tender)
    if data is None:
        raise NotFound(_("评审数据在中标结果公告后公开。"))
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tender.reference}-evaluation.json"'
    return response
