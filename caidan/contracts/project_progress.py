"""A project's public contracts, by procurement, for its page (``caidan/projects/progress.py``)."""

from __future__ import annotations

from caidan.projects.progress import register_progress

from .models import Contract


def public_contracts_by_tender(tender_ids: list[int]) -> dict[int, list[Contract]]:
    by_tender: dict[int, list[Contract]] = {}
    for contract in Contract.objects.public().filter(tender_id__in=tender_ids):
        by_tender.setdefault(contract.tender_id, []).append(contract)
    return by_tender


register_progress("contracts", public_contracts_by_tender)
