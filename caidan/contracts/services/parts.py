"""A hub bundle's contract names which member group delivers which part (issue 21)."""

from __future__ import annotations

from decimal import Decimal

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.money import split_by_weights

from ..models import Contract, ContractPart


def bundle_parts_of(proposal) -> list:
    """The member groups' parts of a bundle (its packaged proposals), in order."""
    return list(
        proposal.packaged_parts.select_related("proposing_organization")
        .filter(proposing_organization__isnull=False)
        .order_by("id")
    )


def contract_parts_draft(contract: Contract, *, actor: Actor) -> list[ContractPart]:
    """The parts of a new contract whose project is a bundle led by the contractor: one per
    member's part, the contract amount split by the parts' budgets to the fen (a contract
    below the budget shares the saving pro rata). Nothing for any other contract. Called
    inside ``contract_create``'s transaction, and audited there."""
    proposal = contract.proposal
    if proposal.lead_organization_id is None or (
        proposal.lead_organization_id != contract.organization_id
    ):
        return []
    members = bundle_parts_of(proposal)
    if not members:
        return []
    amounts = split_by_weights(contract.amount, [p.budget for p in members])
    parts = ContractPart.objects.bulk_create(
        [
            ContractPart(
                contract=contract,
                position=n,
                organization=p.proposing_organization,
                proposal=p,
                title=p.title,
                amount=amount,
            )
            for n, (p, amount) in enumerate(zip(members, amounts, strict=True), 1)
            if amount > Decimal("0.00")
        ]
    )
    audit_record(
        kind=EventKind.CONTRACT_UPDATED,
        actor=actor,
        target=contract,
        new={
            "parts": [
                {"organization": p.organization_id, "title": p.title, "amount": str(p.amount)}
                for p in parts
            ]
        },
        note="成员承担部分",
    )
    return parts
