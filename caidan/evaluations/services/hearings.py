"""Community hearings (听证会) on a project (DOMAIN.md §3.6; seed 001: "每个服务周期 1–2 次"):
recorded by the purchaser with the participants (categories and numbers, never personal
data), the opinions heard and how they were followed up. Hearing records are public."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.accounts.selectors import organization_users, unit_officers
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.contracts.models import Contract, ContractStatus
from caidan.evaluations.codes import Code
from caidan.notifications.services import notify

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import FollowUpInput, HearingInput
from ..models import Hearing

MAX_HEARINGS = 2  # seed 001: 每个服务周期 1–2 次
PERIOD_MARGIN_DAYS = 30
HEARING_STATUSES = (ContractStatus.ACTIVE, ContractStatus.COMPLETED)


def _lock_contract(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update()
        .select_related("unit", "organization")
        .get(pk=contract.pk)
    )


def hearing_record(*, contract: Contract, data: HearingInput, actor: Actor) -> Hearing:
    """The purchaser records a hearing held on a signed project (active or completed),
    within the service period ± 30 days, at most two per contract (one service cycle)."""
    require(actor, Perm.EVALUATIONS_COMMISSION, contract)
    held_on = data.held_on
    if held_on > timezone.localdate():
        raise field_error(
            "held_on",
            _("举行日期 %(held_on)s 不能晚于今天：请在听证会举行后记录。") % {"held_on": held_on},
        )
    with transaction.atomic():
        c = _lock_contract(contract)
        if c.status not in HEARING_STATUSES:
            raise Conflict(
                _("只有已签订生效（履行中或已履行完毕）的项目可以记录听证会。"),
                code=Common.NOT_ACTIVE,
            )
        margin = dt.timedelta(days=PERIOD_MARGIN_DAYS)
        if not c.period_start - margin <= held_on <= c.period_end + margin:
            raise field_error(
                "held_on",
                _(
                    "举行日期 %(held_on)s 应在服务期（%(period_start)s 至 %(period_end)s）前后 %(PERIOD_MARGIN_DAYS)s 日内。"
                )
                % {
                    "held_on": held_on,
                    "period_start": c.period_start,
                    "period_end": c.period_end,
                    "PERIOD_MARGIN_DAYS": PERIOD_MARGIN_DAYS,
                },
            )
        count = Hearing.objects.filter(contract=c).count()
        if count >= MAX_HEARINGS:
            raise Conflict(
                _(
                    "该项目已记录 %(count)s 次听证会：每个服务周期举行 1–%(MAX_HEARINGS)s 次（种子文档 001：“每个服务周期 1–2 次”）。如需补充，请在已有听证会中记录意见落实情况。"
                )
                % {"count": count, "MAX_HEARINGS": MAX_HEARINGS},
                code=Code.TOO_MANY_HEARINGS,
            )
        hearing = Hearing.objects.create(
            contract=c,
            held_on=held_on,
            place=data.place,
            participants=data.participants,
            opinions=data.opinions,
            follow_up=data.follow_up,
            recorded_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.HEARING_RECORDED,
            actor=actor,
            target=c,
            new={
                "hearing": hearing.pk,
                "held_on": held_on.isoformat(),
                "number": count + 1,
                "follow_up": bool(data.follow_up),
            },
        )
        notify(
            recipients=organization_users([c.organization_id]),
            kind="hearing.recorded",
            title=f"听证会意见：{c.title}",
            body=f"{c.unit.name}于 {held_on} 举行听证会，意见如下：\n{data.opinions[:500]}",
            url=f"/contracts/{c.pk}/",
        )
    return hearing


def hearing_follow_up(*, hearing: Hearing, data: FollowUpInput, actor: Actor) -> Hearing:
    """The purchaser records how the hearing's opinions were handled."""
    require(actor, Perm.EVALUATIONS_COMMISSION, hearing.contract)
    follow_up = data.follow_up
    with transaction.atomic():
        h = Hearing.objects.select_for_update().select_related("contract").get(pk=hearing.pk)
        old = h.follow_up
        if old == follow_up:
            return h
        h.follow_up = follow_up
        h.save(update_fields=["follow_up"])
        audit_record(
            kind=EventKind.HEARING_RECORDED,
            actor=actor,
            target=h.contract,
            old={"hearing": h.pk, "follow_up": old},
            new={"hearing": h.pk, "follow_up": follow_up},
            note="意见处理和落实情况",
        )
        notify(
            recipients=organization_users([h.contract.organization_id])
            + unit_officers(h.contract.unit),
            kind="hearing.follow_up",
            title=f"听证意见落实情况：{h.contract.title}",
            body=follow_up[:500],
            url=f"/contracts/{h.contract_id}/",
        )
    return h
