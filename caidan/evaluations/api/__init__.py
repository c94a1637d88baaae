"""API: performance evaluation (绩效评价, 财预〔2020〕10号), satisfaction surveys, hearings,
standardisation assessments, financial audit and the providers' track record (DOMAIN.md
§3.6, §4.5, §4.6). Mounted at ``/api/v1/evaluations``; one module per aggregate
(``evaluations``, ``frameworks`` with the templates, ``track_records``, ``surveys``,
``hearings``, ``assessments``, ``audit``), the output schemas in ``schemas``.

Thin handlers: parse → one service (writes) or selector (reads) → schema. Scores, weights
and money are strings ("85.50"); floats are refused. Dates and times are ISO 8601.

Who sees what: published results, the track record, hearing records, a survey's questions
and its aggregate results are public (no login). An evaluation that is still open exists only
for the purchaser, the appointed evaluator, the provider, the platform admin and auditors
(404 for everyone else). Survey respondents need no account: a one-time token is their
credential, and each token answers once (409 ``used``).

Object references in request bodies end in ``_id`` (``organization_id``, ``unit_id``,
``contract_id``…); a conflict of interest is reported on ``organization``.
"""

from . import (  # noqa: F401 - each adds its handlers to the router
    assessments,
    audit,
    evaluations,
    frameworks,
    hearings,
    paper_surveys,
    surveys,
    track_records,
)
from .routing import router

__all__ = ["router"]
