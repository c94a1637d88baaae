"""A hub bundle's contract names which member group delivers which part (issue 21)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import ValidationError
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


def contract_parts_resplit(contract: Contract, *, actor: Actor) -> list[ContractPart]:
    """A new contract amount (a draft's edit, a supplementary agreement) is split again over
    the member parts in their current proportions, to the fen; nothing for a contract
    without parts or whose parts already add up to its amount. Audited."""
    parts = list(contract.parts.order_by("position"))
    if not parts or sum(p.amount for p in parts) == contract.amount:
        return parts
    before = {str(p.position): str(p.amount) for p in parts}
    for p, amount in zip(
        parts, split_by_weights(contract.amount, [p.amount for p in parts]), strict=True
    ):
        p.amount = amount
    ContractPart.objects.bulk_update(parts, ["amount"])
    audit_record(
        kind=EventKind.CONTRACT_UPDATED,
        actor=actor,
        target=contract,
        old={"parts": before},
        new={"parts": {str(p.position): str(p.amount) for p in parts}},
        note="成员承担部分按新的合同金额重新分配",
    )
    return parts


def part_outputs_check(contract: Contract, rows) -> list[dict]:
    """A report of a hub bundle's contract says what each member delivered: one row per
    member's part (``PartOutput``: the ContractPart id and the output), every part once. For
    any other contract: no rows. Every row's problem is reported at once."""
    parts = {p.pk: p for p in contract.parts.select_related("organization").order_by("position")}
    errors: list[dict[str, str]] = []
    seen: set[int] = set()
    if not parts and rows:
        raise ValidationError(_("本合同没有成员承担的部分。"), detail={"field": "part_outputs"})
    for n, row in enumerate(rows, 1):
        if row.part not in parts:
            errors.append(
                {
                    "field": f"part_outputs.{n}.part",
                    "message": str(_("第 %(n)s 行：所选部分不属于本合同。") % {"n": n}),
                }
            )
        elif row.part in seen:
            errors.append(
                {
                    "field": f"part_outputs.{n}.part",
                    "message": str(_("第 %(n)s 行：同一部分只能填写一次。") % {"n": n}),
                }
            )
        seen.add(row.part)
    for pk, part in parts.items():
        if pk not in seen:
            errors.append(
                {
                    "field": "part_outputs",
                    "message": str(
                        _("请填写成员组织“%(name)s”承担的“%(title)s”的完成情况。")
                        % {"name": part.organization.name, "title": part.title}
                    ),
                }
            )
    if errors:
        raise ValidationError(
            errors[0]["message"], detail={"field": errors[0]["field"], "errors": errors}
        )
    return [
        {
            "part": row.part,
            "position": parts[row.part].position,
            "organization": parts[row.part].organization_id,
            "organization_name": parts[row.part].organization.name,
            "title": parts[row.part].title,
            "output": row.output,
        }
        for row in sorted(rows, key=lambda r: parts[r.part].position)
    ]
