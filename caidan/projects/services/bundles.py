"""Hub bundles (枢纽打包申报, issue 21): a hub organization (枢纽型社会组织) gathers the
draft proposals of its member grassroots groups, gives each member's part its amount, and
leads the bundle (``proposal_package``). The member groups have no standing to bid on
their own; the bundle's contract names which member delivers which part (contracts'
``ContractPart``), and each member's delivered parts count towards its own standing
(``caidan.orgs.standing``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import DomainError, ValidationError, field_error
from caidan.common.money import format_yuan, split_by_weights, to_money
from caidan.common.perms import Perm

from ..models import Proposal, ProposalFunding
from .proposals import proposal_package, proposal_submit


def _row_error(errors: list[dict], n: int, column: str, message) -> None:
    errors.append({"field": f"parts.{n}.{column}", "message": str(message)})


def bundle_rows_check(*, hub, rows: list[dict[str, Any]]) -> list[tuple[Proposal, Decimal]]:
    """The rows of the bundle editor (``part``: a member's proposal id, ``amount``: the
    part's amount in yuan) as (proposal, amount), each row checked: a member's proposal
    still open to bundling, chosen once, an amount above zero and not above what the
    member asked for (the hub may trim a part, not inflate it). Every row's problem is
    reported at once, naming its row and column."""
    if len(rows) < 2:
        raise field_error("parts", _("打包至少需要两个成员组织的项目申报。"))
    from ..selectors import hub_member_proposals

    ids = [str(r.get("part") or "").strip() for r in rows]
    found = {
        str(p.pk): p
        for p in hub_member_proposals(hub).filter(pk__in=[int(i) for i in ids if i.isdigit()])
    }
    errors: list[dict] = []
    out: list[tuple[Proposal, Decimal]] = []
    seen: set[str] = set()
    for n, (row, pid) in enumerate(zip(rows, ids, strict=True), 1):
        proposal = found.get(pid)
        if not pid:
            _row_error(errors, n, "part", _("第 %(n)s 行：请选择成员组织的项目申报。") % {"n": n})
        elif proposal is None:
            _row_error(
                errors,
                n,
                "part",
                _("第 %(n)s 行：所选申报不是本枢纽成员组织可打包的申报。") % {"n": n},
            )
        elif pid in seen:
            _row_error(errors, n, "part", _("第 %(n)s 行：同一申报只能打包一次。") % {"n": n})
        seen.add(pid)
        text = str(row.get("amount") or "").strip()
        amount = None
        if not text and proposal is not None:
            amount = proposal.budget  # blank: what the member asked for
        else:
            try:
                amount = to_money(text, field=f"parts.{n}.amount")
            except DomainError:
                _row_error(errors, n, "amount", _("第 %(n)s 行：金额不是有效的数字。") % {"n": n})
            else:
                if amount <= 0:
                    _row_error(errors, n, "amount", _("第 %(n)s 行：金额须大于零。") % {"n": n})
                elif proposal is not None and amount > proposal.budget:
                    _row_error(
                        errors,
                        n,
                        "amount",
                        _("第 %(n)s 行：金额 %(amount)s 超过该成员申报的预算 %(budget)s。")
                        % {
                            "n": n,
                            "amount": format_yuan(amount),
                            "budget": format_yuan(proposal.budget),
                        },
                    )
        if proposal is not None and amount is not None:
            out.append((proposal, amount))
    if errors:
        raise ValidationError(
            errors[0]["message"],
            detail={"field": errors[0]["field"], "errors": errors},
        )
    return out


def _trim(proposal: Proposal, amount: Decimal, *, actor: Actor) -> None:
    """The part's budget set to the hub's amount, its funding sources scaled to match to
    the fen; audited as a change of the member's proposal."""
    if amount == proposal.budget:
        return
    funding = list(proposal.funding.order_by("id"))
    before = {
        "budget": str(proposal.budget),
        "funding": {f.source: str(f.amount) for f in funding},
    }
    if funding:
        shares = split_by_weights(amount, [f.amount for f in funding])
        for f, share in zip(funding, shares, strict=True):
            f.amount = share
        ProposalFunding.objects.bulk_update(funding, ["amount"])
    proposal.budget = amount
    proposal.save(update_fields=["budget", "updated_at"])
    audit_record(
        kind=EventKind.PROPOSAL_UPDATED,
        actor=actor,
        target=proposal,
        old=before,
        new={"budget": str(amount), "funding": {f.source: str(f.amount) for f in funding}},
        note="枢纽打包：成员部分金额",
    )


def proposal_bundle(
    *,
    hub,
    title: str,
    rows: list[dict[str, Any]],
    actor: Actor,
    submit: bool = False,
    now: dt.datetime | None = None,
) -> Proposal:
    """The hub bundles its members' proposals: each row a member's proposal and its part's
    amount (``bundle_rows_check``); the bundle is the hub's proposal (``proposal_package``),
    submitted to the project library at once when ``submit``. All or nothing."""
    require(actor, Perm.PROJECTS_PACKAGE, hub)
    title = (title or "").strip()
    if not title:
        raise field_error("title", _("请填写打包项目的名称。"))
    with transaction.atomic():
        checked = bundle_rows_check(hub=hub, rows=rows)
        locked = {
            p.pk: p
            for p in Proposal.objects.select_for_update().filter(pk__in=[p.pk for p, _a in checked])
        }
        for proposal, amount in checked:
            _trim(locked[proposal.pk], amount, actor=actor)
        package = proposal_package(
            parts=[locked[p.pk] for p, _a in checked], hub=hub, title=title, actor=actor, now=now
        )
        if submit:
            package = proposal_submit(proposal=package, actor=actor)
    return package
