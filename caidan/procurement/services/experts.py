"""The expert pool and the conflict-of-interest rules (评审专家, DOMAIN.md §3.4 and §4.4;
财库〔2016〕198号): who is in the pool, their ties with organizations, and why an expert must
recuse from a tender. The draw is in ``draw``, the panel's life in ``panel``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from caidan.accounts.models import Membership, Role, User
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, field_error
from caidan.common.perms import Perm
from caidan.orgs.models import Organization
from caidan.procurement.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import ExpertInput
from ..models import Expert, ExpertTie, Tender, TieKind
from ._shared import RULE, _clean_text

LOOKBACK_YEARS = 3
EXPERT_FIELDS = (
    "name",
    "specialties",
    "title",
    "employer_unit",
    "employer_name",
    "user",
    "is_active",
)
DATED_TIES = {
    TieKind.EMPLOYEE: "曾在投标人“{org}”任职",
    TieKind.DIRECTOR: "曾担任投标人“{org}”的理事（董事）",
    TieKind.SUPERVISOR: "曾担任投标人“{org}”的监事",
    TieKind.SHAREHOLDER: "曾为投标人“{org}”的控股股东或实际控制人",
}


# --- the pool ---------------------------------------------------------------------------------


def _check_login(user: User | None, *, expert: Expert | None = None) -> None:
    """A login bound to an expert holds the expert role and is no other expert's."""
    if user is None:
        return
    if not Membership.objects.filter(user=user, role=Role.EXPERT, is_active=True).exists():
        raise field_error(
            "user",
            gettext_lazy("用户“%(get_full_name)s”没有“评审专家”角色，不能绑定为专家账号。")
            % {"get_full_name": user.get_full_name()},
        )
    other = Expert.objects.filter(user=user).exclude(pk=getattr(expert, "pk", None)).first()
    if other is not None:
        raise field_error(
            "user",
            gettext_lazy("用户“%(get_full_name)s”已绑定专家“%(name)s”。")
            % {"get_full_name": user.get_full_name(), "name": other.name},
            code=Common.DUPLICATE,
        )


def expert_input(expert: Expert, **changes: Any) -> ExpertInput:
    """The expert's record as it stands, as an input (with ``changes``), checked again."""
    current = {f: getattr(expert, f) for f in EXPERT_FIELDS}
    return ExpertInput.parse({**current, **changes})


def _snapshot(expert: Expert) -> dict[str, Any]:
    return {
        "name": expert.name,
        "specialties": list(expert.specialties),
        "title": expert.title,
        "employer_unit": expert.employer_unit_id,
        "employer_name": expert.employer_name,
        "user": expert.user_id,
        "is_active": expert.is_active,
    }


def expert_create(*, data: ExpertInput, actor: Actor) -> Expert:
    """Add an expert to the pool (platform admin)."""
    require(actor, Perm.PROCUREMENT_MANAGE_EXPERTS)
    with transaction.atomic():
        _check_login(data.user)
        expert = Expert.objects.create(**data.values())
        audit_record(
            kind=EventKind.EXPERT_CREATED, actor=actor, target=expert, new=_snapshot(expert)
        )
    return expert


def expert_update(*, expert: Expert, changes: dict[str, Any], actor: Actor) -> Expert:
    """Change an expert's record: ``changes`` to some of ``EXPERT_FIELDS``, checked again
    with the rest as one input."""
    require(actor, Perm.PROCUREMENT_MANAGE_EXPERTS)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        before = _snapshot(expert)
        data = expert_input(expert, **changes)
        if "user" in changes:
            _check_login(data.user, expert=expert)
        for key, value in data.values().items():
            setattr(expert, key, value)
        expert.save()
        after = _snapshot(expert)
        old = {k: before[k] for k in after if before[k] != after[k]}
        if old:
            audit_record(
                kind=EventKind.EXPERT_UPDATED,
                actor=actor,
                target=expert,
                old=old,
                new={k: after[k] for k in old},
            )
    return expert


def expert_tie_add(
    *,
    expert: Expert,
    organization: Organization,
    kind: str,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    note: str = "",
    actor: Actor,
) -> ExpertTie:
    """Record an expert's relation with an organization (employment, board seat, control,
    a relative at its head, or anything else declared), used for recusal."""
    require(actor, Perm.PROCUREMENT_MANAGE_EXPERTS)
    if kind not in TieKind.values:
        raise field_error(
            "kind",
            gettext_lazy("关系类型“%(kind)s”无效，应为：%(join)s。")
            % {"kind": kind, "join": "、".join((f"{v}（{lbl}）" for v, lbl in TieKind.choices))},
        )
    if not isinstance(organization, Organization):
        raise field_error("organization", gettext_lazy("请选择关联的社会组织。"))
    for field, value in (("started_on", started_on), ("ended_on", ended_on)):
        if value is not None and not isinstance(value, dt.date):
            raise field_error(field, gettext_lazy("日期格式应为 YYYY-MM-DD。"))
    if started_on and ended_on and ended_on < started_on:
        raise field_error(
            "ended_on",
            gettext_lazy("终止日期 %(ended_on)s 早于起始日期 %(started_on)s。")
            % {"ended_on": ended_on, "started_on": started_on},
        )
    note = _clean_text("note", "说明", note, 300)
    with transaction.atomic():
        tie = ExpertTie.objects.create(
            expert=expert,
            organization=organization,
            kind=kind,
            started_on=started_on,
            ended_on=ended_on,
            note=note,
        )
        audit_record(
            kind=EventKind.EXPERT_UPDATED,
            actor=actor,
            target=expert,
            new={
                "tie": tie.pk,
                "organization": organization.pk,
                "kind": kind,
                "started_on": started_on and started_on.isoformat(),
                "ended_on": ended_on and ended_on.isoformat(),
            },
            note=note,
        )
    return tie


def expert_deactivate(*, expert: Expert, actor: Actor) -> Expert:
    """Take an expert out of the pool: never drawn again (existing panels are unchanged)."""
    require(actor, Perm.PROCUREMENT_MANAGE_EXPERTS)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if not expert.is_active:
            raise Conflict(
                gettext_lazy("专家“%(name)s”已不在库。") % {"name": expert.name},
                code=Code.ALREADY_INACTIVE,
            )
        expert.is_active = False
        expert.save(update_fields=["is_active"])
        audit_record(
            kind=EventKind.EXPERT_UPDATED,
            actor=actor,
            target=expert,
            old={"is_active": True},
            new={"is_active": False},
        )
    return expert


# --- recusal ------------------------------------------------------------------------------------


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _period(tie: ExpertTie) -> str:
    start = tie.started_on.isoformat() if tie.started_on else "起始日期不详"
    end = tie.ended_on.isoformat() if tie.ended_on else "至今"
    return f"（{start} 至 {end}）"


# Public names of the recusal rules (published with the draw; the details stay private).
RECUSAL_RULES = {
    "former_tie": f"近三年内曾在投标人任职、担任理事（董事）或监事、控股（{RULE}）",
    "relative": f"与投标人的法定代表人或负责人有近亲属关系（{RULE}）",
    "declared": f"已申报与投标人存在其他利害关系（{RULE}）",
    "purchaser_staff": f"采购人本单位或上下级单位工作人员（{RULE}）",
    "on_panel": "已在本项目评审专家名单中（补充抽取不重复抽取）",
    "recusal": f"应当回避（{RULE}）",  # draws recorded before the rules were named
}


def recusal_reasons(
    expert: Expert, *, tender: Tender, bidders: Iterable[Organization], on: dt.date
) -> list[str]:
    """The reasons of ``recusal_findings`` as text."""
    return [text for _, text in recusal_findings(expert, tender=tender, bidders=bidders, on=on)]


def recusal_findings(
    expert: Expert, *, tender: Tender, bidders: Iterable[Organization], on: dt.date
) -> list[tuple[str, str]]:
    """Why ``expert`` must not evaluate ``tender`` with these bidders on date ``on`` (an
    empty list when it may). 财库〔2016〕198号 and DOMAIN §4.4:

    * within the prior 3 years (a tie overlapping [on − 3 years, on]; a tie without an end
      date is ongoing) an employee, director, supervisor or controlling shareholder of a
      bidder;
    * spouse or close relative of a bidder's legal representative or head (any date);
    * any other relation with a bidder the expert declared (any date);
    * staff of the purchaser: the expert's government unit is the tender's unit, below it,
      or above it.

    Uses ``expert.ties.all()`` (prefetch ``ties__organization`` for many experts).
    """
    by_id = {org.pk: org for org in bidders}
    since = years_before(on, LOOKBACK_YEARS)
    reasons: list[tuple[str, str]] = []
    for tie in expert.ties.all():
        org = by_id.get(tie.organization_id)
        if org is None:
            continue
        if tie.kind in DATED_TIES:
            started = tie.started_on is None or tie.started_on <= on
            not_ended = tie.ended_on is None or tie.ended_on >= since
            if started and not_ended:
                what = DATED_TIES[tie.kind].format(org=org.name)
                reasons.append(
                    (
                        "former_tie",
                        f"近三年内（{since.isoformat()} 至 {on.isoformat()}）{what}"
                        f"{_period(tie)}，应当回避（{RULE}）。",
                    )
                )
        elif tie.kind == TieKind.RELATIVE:
            head = f"“{org.legal_representative}”" if org.legal_representative else ""
            reasons.append(
                (
                    "relative",
                    f"与投标人“{org.name}”的法定代表人或负责人{head}有夫妻、直系血亲、三代以内"
                    f"旁系血亲或近姻亲关系，应当回避（{RULE}）。",
                )
            )
        elif tie.kind == TieKind.OTHER:
            detail = f"：{tie.note}" if tie.note else ""
            reasons.append(
                (
                    "declared",
                    f"已申报与投标人“{org.name}”存在其他利害关系{detail}，可能影响公正评审，"
                    f"应当回避（{RULE}）。",
                )
            )
    unit = expert.employer_unit
    if unit is not None and tender.unit_id is not None:
        purchaser = tender.unit
        if unit.pk == purchaser.pk:
            relation = "即采购人本单位"
        elif unit.is_within(purchaser):
            relation = f"隶属于采购人“{purchaser.name}”"
        elif purchaser.is_within(unit):
            relation = f"是采购人“{purchaser.name}”的上级单位"
        else:
            relation = ""
        if relation:
            reasons.append(
                (
                    "purchaser_staff",
                    f"专家所在单位“{unit.name}”{relation}，采购人工作人员不得作为本单位采购项目的"
                    f"评审专家（{RULE}）。",
                )
            )
    return list(dict.fromkeys(reasons))
