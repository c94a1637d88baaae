"""Renewal (续签): next year's contract of a stable service with a renewal intent, at most
three years in all (DOMAIN.md §4.3)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.codes import Common
from caidan.common.errors import Conflict
from caidan.common.periods import next_period
from caidan.common.perms import Perm
from caidan.contracts.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..links import renewal_blocks
from ..models import TERM_FIELDS, Contract, ContractStatus
from ._shared import _lock, _resplit
from .contracts import SIGN_WITHIN_DAYS
from .terms import MAX_YEARS, validate_contract


def contract_renew(*, contract: Contract, actor: Actor, now: dt.datetime | None = None) -> Contract:
    """Next year's contract of a stable service with a renewal intent (≤ 3 years in total):
    a draft for the following period, to be signed like the first. The provider must still
    be eligible (DOMAIN §4.2, checked again at renewal)."""
    require(actor, Perm.CONTRACTS_MANAGE, contract)
    now = now or timezone.now()
    with transaction.atomic():
        c = _lock(contract)
        if not c.renewal_intent:
            raise Conflict(_("该合同未约定续签意向。"), code=Code.NO_INTENT)
        if c.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED):
            raise Conflict(_("只有履行中或已履行完毕的合同可以续签。"), code=Common.BAD_TRANSITION)
        if c.year_index >= min(c.renewal_years, MAX_YEARS):
            raise Conflict(
                _("已达到约定的续签年限（共 %(renewal_years)s 年，最长 %(MAX_YEARS)s 年）。")
                % {"renewal_years": c.renewal_years, "MAX_YEARS": MAX_YEARS},
                code=Code.MAX_YEARS,
            )
        for block in renewal_blocks(c):  # what apps above contracts hold against it
            raise Conflict(block.reason, code=block.code)
        if c.renewals.exclude(status="cancelled").exists():
            raise Conflict(_("已起草续签合同。"), code=Code.CONTRACT_EXISTS)
        from caidan.procurement.services import winner_problems

        problems = winner_problems(c.award, now=now)
        if problems:
            raise Conflict(
                _("不能续签：%(reasons)s") % {"reasons": "；".join(problems)},
                code=Common.INELIGIBLE,
                detail={"reasons": problems},
            )
        start, end = next_period(c.period_start, c.period_end, 1)  # 29 February included
        fields = {f: getattr(c, f) for f in TERM_FIELDS}
        fields.update(period_start=start, period_end=end)
        new = Contract(
            reference=f"tmp-{now.timestamp()}-{c.pk}",
            title=c.title,
            tender=c.tender,
            award=c.award,
            proposal=c.proposal,
            unit=c.unit,
            organization=c.organization,
            payment_split=list(c.payment_split),
            sign_due=now + dt.timedelta(days=SIGN_WITHIN_DAYS),
            renewal_intent=True,
            renewal_years=c.renewal_years,
            renews=c,
            year_index=c.year_index + 1,
            created_by=user_of(actor),
            **fields,
        )
        validate_contract(new)
        new.save()
        new.reference = f"{c.reference.split('-Y')[0]}-Y{new.year_index}"
        new.save(update_fields=["reference"])
        _resplit(new)
        audit_record(
            kind=EventKind.CONTRACT_RENEWED,
            actor=actor,
            target=new,
            new={"renews": c.pk, "year_index": new.year_index},
        )
    return new
