"""What the evaluation pages share."""

from __future__ import annotations

from django.urls import reverse

from caidan.contracts import selectors as contract_selectors

from .. import selectors


def query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


def contract_for(request, pk: int):
    return contract_selectors.contract_get_for(actor=request.actor, contract_id=pk)


def evaluation_for(request, pk: int):
    return selectors.evaluation_get_for(actor=request.actor, evaluation_id=pk)


def survey_link(request, survey) -> str:
    return request.build_absolute_uri(reverse("evaluations:survey", args=[survey.slug]))
