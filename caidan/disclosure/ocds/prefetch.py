"""What the builders read, loaded for a batch of processes in a fixed number of queries.

Only public rows are read, each through its model's one rule (``objects.public()``): the
approved project, its public tenders with their opened bids, announced awards and published
complaint decisions, its signed contracts and their published evaluations."""

from __future__ import annotations

from collections.abc import Iterator


def approved_proposals():
    """The public contracting processes: one per approved project."""
    from caidan.projects.models import Proposal

    return Proposal.objects.public().select_related("unit")


# Columns no release reads, left in the database: the large ones (terms, criteria, results,
# key material) cost time and memory on every row of a national export.
_TENDER_UNREAD = (
    "required_fields",
    "factors",
    "post_requirements",
    "result",
    "wrapped_key",
    "method_change_reason",
)
_CONTRACT_UNREAD = (
    "quantity",
    "quality_standards",
    "settlement_method",
    "acceptance_criteria",
    "rights_obligations",
    "breach_liability",
    "indicators",
    "payment_split",
    "termination_reason",
    "settlement",
)


def prefetch(proposals: list) -> list:
    """Load everything ``releases_for`` reads for these proposals in a fixed number of queries
    (about ten, whatever their number): each list of processes costs the same per page."""
    from django.db.models import Prefetch, prefetch_related_objects

    from caidan.complaints.models import Complaint
    from caidan.contracts.models import Contract, Instalment, Report
    from caidan.documents.models import Document
    from caidan.evaluations.models import Evaluation
    from caidan.procurement.models import Amendment, Award, Bid, Tender
    from caidan.procurement.services.tenders import DOCUMENT_TARGET

    for p in proposals:  # always read afresh: a proposal object may be reused after changes
        p.__dict__.pop("ocds_tenders", None)
        p.__dict__.pop("ocds_contracts", None)
    prefetch_related_objects(
        proposals,
        "unit",
        Prefetch(
            "tenders",
            # A release is dated by the announcement: a tender cancelled before it was ever
            # announced has no public event to release.
            queryset=Tender.objects.public()
            .filter(published_at__isnull=False)
            .select_related("unit")
            .defer(*_TENDER_UNREAD)
            .order_by("id"),
            to_attr="ocds_tenders",
        ),
        Prefetch(
            "ocds_tenders__amendments",
            queryset=Amendment.objects.order_by("created_at", "id"),
            to_attr="ocds_amendments",
        ),
        Prefetch(
            # bids exist publicly only from the opening; never the sealed content or nonce:
            # only the opened, public columns.
            "ocds_tenders__bids",
            queryset=Bid.objects.public()
            .select_related("organization")
            .only(
                *("id", "status", "submitted_at", "price", "tender", "opened_at"),
                *("organization__name", "organization__uscc"),  # the bidder's public identity
            )
            .order_by("id"),
            to_attr="ocds_opened_bids",
        ),
        Prefetch(
            "ocds_tenders__awards",
            # every announced award, ended ones too (their awardUpdate); of its bid only the
            # bidder is read, never the sealed columns nor the opened content
            queryset=Award.objects.public()
            .select_related("bid__organization")
            .defer("bid__sealed", "bid__nonce", "bid__content", "bid__invalid_reasons")
            .order_by("id"),
            to_attr="ocds_awards",
        ),
        Prefetch(
            "ocds_tenders__complaints",
            queryset=Complaint.objects.public()
            .select_related("bureau", "organization")
            .order_by("published_at", "id"),
            to_attr="ocds_complaints",
        ),
        Prefetch(
            "contracts",
            queryset=Contract.objects.public()
            .select_related("unit", "organization")
            .defer(*_CONTRACT_UNREAD)
            .order_by("id"),
            to_attr="ocds_contracts",
        ),
        Prefetch(
            "ocds_contracts__instalments",
            queryset=Instalment.objects.filter(payment__isnull=False)
            .select_related("payment")
            .order_by("sequence"),
            to_attr="ocds_payments",
        ),
        Prefetch(
            "ocds_contracts__reports",
            queryset=Report.objects.defer("summary", "fund_lines", "review_comment").order_by(
                "due_on", "id"
            ),
            to_attr="ocds_reports",
        ),
        Prefetch(
            "ocds_contracts__evaluations",
            # the result, never the summary nor the scores behind it
            queryset=Evaluation.objects.public()
            .defer("scores", "computed", "subject_weights", "summary")
            .order_by("published_at"),
            to_attr="ocds_evaluations",
        ),
    )
    tenders = {str(t.pk): t for p in proposals for t in p.ocds_tenders}
    for tender in tenders.values():
        tender.ocds_documents = []
    if tenders:
        docs = Document.objects.filter(
            target_type=DOCUMENT_TARGET, target_id__in=list(tenders), is_public=True
        ).order_by("id")
        for doc in docs:
            tenders[doc.target_id].ocds_documents.append(doc)
    return proposals


# The lists ``prefetch`` hangs on each object (a parent lists its children; each child caches
# its parent: a reference cycle that only a full garbage collection would free).
_CHILDREN = frozenset(
    {
        "ocds_tenders",
        "ocds_contracts",
        "ocds_amendments",
        "ocds_opened_bids",
        "ocds_awards",
        "ocds_complaints",
        "ocds_documents",
        "ocds_payments",
        "ocds_reports",
        "ocds_evaluations",
    }
)


def release(proposals: list) -> None:
    """Drop what ``prefetch`` loaded for these proposals and break the graph's cycles, so a
    finished batch is freed at once by reference counting. Without it each batch lingers
    until Python's next full collection, which in a large process comes rarely: the export's
    memory would then grow with the number of processes after all."""
    stack = list(proposals)
    while stack:
        obj = stack.pop()
        for attr in _CHILDREN & obj.__dict__.keys():
            stack.extend(obj.__dict__.pop(attr))
        obj._state.fields_cache.clear()


def each_process(queryset=None, *, batch: int = 500) -> Iterator:
    """Every approved proposal (or those of ``queryset``) by id, prefetched ``batch`` at a
    time: for exports of any size in constant memory and a constant number of queries per
    batch. Pass ``prefetched=True`` to ``releases_for``/``record_for`` for these. A proposal
    is only usable until the next one is asked for past its batch (``release``)."""
    qs = (approved_proposals() if queryset is None else queryset).order_by("id")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        prefetch(chunk)
        yield from chunk
        last = chunk[-1].pk
        release(chunk)
