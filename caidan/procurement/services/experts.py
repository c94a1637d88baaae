"""The expert pool, conflict-of-interest rules and the random draw of a tender's panel
(评审专家, DOMAIN.md §3.4 and §4.4; 财库〔2016〕198号).

The draw is reproducible by anyone from the published record (``ExpertDraw``):

1. ``candidates``: the ids of the active experts whose specialties meet the tender's
   required service fields (all active experts if the tender names none), ascending.
2. ``exclusions``: the candidates who must recuse (``recusal_reasons``) or already sit on
   the panel (supplementary draw), each with its reasons.
3. The remaining ids are ordered by ``H(f"{seed}:{id}")`` as a hexadecimal string, then by
   id (``draw_order``), with H = SM3 (``hashlib.new("sm3")``), or SHA-256 where OpenSSL
   lacks SM3 — the draw's ``algorithm`` names which (``sm3-rank-v1`` / ``sha256-rank-v1``).
4. The first ``size`` ids are the members, the next ``reserves`` the reserves, in order;
   ``drawn`` is that list. ``draw_verify`` repeats steps 3–4.

For example, in Python::

    import hashlib
    remaining = [c for c in candidates if c not in {e["expert"] for e in exclusions}]
    order = sorted(remaining, key=lambda i: (hashlib.new("sm3", f"{seed}:{i}".encode())
                                             .hexdigest(), i))
    assert order[: size + reserves] == drawn

Replacement: a member who recuses (declared conflict, a bidder's request accepted by the
purchaser) or whose scores are voided is replaced by the first remaining reserve. When no
reserve is left, the recusal is still recorded and the service raises ``Conflict``
(``no_reserve``) after committing it, telling the purchaser to run a supplementary draw
(``panel_draw`` again), which draws the missing members plus fresh reserves among the
experts not yet on the panel.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from caidan.accounts.actor import user_of
from caidan.accounts.models import Membership, Role, Unit, User
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.calendar import local_date
from caidan.common.errors import Conflict, PermissionDenied, field_error
from caidan.notifications.services import notify
from caidan.orgs.models import Organization, ServiceField

from .. import permissions  # noqa: F401 - registers the rules
from ..draw_check import derived_seed, seed_commitment
from ..lifecycles import MemberAction, member_lifecycle
from ..methods import committee_needed
from ..models import (
    Bid,
    BidStatus,
    Expert,
    ExpertDraw,
    ExpertTie,
    MemberStatus,
    PanelMember,
    ScoreSheet,
    Tender,
    TenderStatus,
    TieKind,
)
from ..selectors_experts import SEATED, draw_published  # noqa: F401 - re-exported
from .lifecycle import lock

RULE = "财库〔2016〕198号"
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


def _clean_name(value: Any) -> str:
    name = (value or "").strip() if isinstance(value, str) or value is None else None
    if not name:
        raise field_error("name", "专家姓名不能为空。")
    if len(name) > 100:
        raise field_error("name", "专家姓名不能超过 100 个字符。")
    return name


def _clean_specialties(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise field_error("specialties", "请至少选择一个专业领域。")
    bad = [str(v) for v in value if v not in ServiceField.values]
    if bad:
        raise field_error("specialties", f"专业领域无效：{'、'.join(bad)}。")
    return sorted(set(value))


def _clean_text(field: str, label: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise field_error(field, f"{label}须为文本。")
    value = value.strip()
    if len(value) > limit:
        raise field_error(field, f"{label}不能超过 {limit} 个字符。")
    return value


def _clean_unit(value: Any) -> Unit | None:
    if value is None or value == "":
        return None
    if not isinstance(value, Unit):
        raise field_error("employer_unit", "所在政府单位无效。")
    return value


def _clean_user(value: Any, *, expert: Expert | None = None) -> User | None:
    if value is None or value == "":
        return None
    if not isinstance(value, User):
        raise field_error("user", "登录账号无效。")
    if not Membership.objects.filter(user=value, role=Role.EXPERT, is_active=True).exists():
        raise field_error(
            "user", f"用户“{value.get_full_name()}”没有“评审专家”角色，不能绑定为专家账号。"
        )
    other = Expert.objects.filter(user=value).exclude(pk=getattr(expert, "pk", None)).first()
    if other is not None:
        raise field_error(
            "user", f"用户“{value.get_full_name()}”已绑定专家“{other.name}”。", code="duplicate"
        )
    return value


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


def expert_create(
    *,
    name: str,
    specialties: Sequence[str],
    title: str = "",
    employer_unit: Unit | None = None,
    employer_name: str = "",
    user: User | None = None,
    actor: Any,
) -> Expert:
    """Add an expert to the pool (platform admin)."""
    require(actor, "procurement.manage_experts")
    data = {
        "name": _clean_name(name),
        "specialties": _clean_specialties(specialties),
        "title": _clean_text("title", "职称", title, 100),
        "employer_unit": _clean_unit(employer_unit),
        "employer_name": _clean_text("employer_name", "工作单位", employer_name, 200),
    }
    with transaction.atomic():
        data["user"] = _clean_user(user)
        expert = Expert.objects.create(**data)
        audit_record(
            kind=EventKind.EXPERT_CREATED, actor=actor, target=expert, new=_snapshot(expert)
        )
    return expert


def expert_update(*, expert: Expert, changes: dict[str, Any], actor: Any) -> Expert:
    """Change an expert's record. ``changes`` may hold any of ``EXPERT_FIELDS``."""
    require(actor, "procurement.manage_experts")
    unknown = sorted(set(changes) - set(EXPERT_FIELDS))
    if unknown:
        raise field_error(unknown[0], f"不能修改字段：{'、'.join(unknown)}。")
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        before = _snapshot(expert)
        for key, value in changes.items():
            if key == "name":
                value = _clean_name(value)
            elif key == "specialties":
                value = _clean_specialties(value)
            elif key == "title":
                value = _clean_text("title", "职称", value, 100)
            elif key == "employer_name":
                value = _clean_text("employer_name", "工作单位", value, 200)
            elif key == "employer_unit":
                value = _clean_unit(value)
            elif key == "user":
                value = _clean_user(value, expert=expert)
            elif key == "is_active":
                value = bool(value)
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
    actor: Any,
) -> ExpertTie:
    """Record an expert's relation with an organization (employment, board seat, control,
    a relative at its head, or anything else declared), used for recusal."""
    require(actor, "procurement.manage_experts")
    if kind not in TieKind.values:
        raise field_error(
            "kind",
            f"关系类型“{kind}”无效，应为：{'、'.join(f'{v}（{lbl}）' for v, lbl in TieKind.choices)}。",
        )
    if not isinstance(organization, Organization):
        raise field_error("organization", "请选择关联的社会组织。")
    for field, value in (("started_on", started_on), ("ended_on", ended_on)):
        if value is not None and not isinstance(value, dt.date):
            raise field_error(field, "日期格式应为 YYYY-MM-DD。")
    if started_on and ended_on and ended_on < started_on:
        raise field_error("ended_on", f"终止日期 {ended_on} 早于起始日期 {started_on}。")
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


def expert_deactivate(*, expert: Expert, actor: Any) -> Expert:
    """Take an expert out of the pool: never drawn again (existing panels are unchanged)."""
    require(actor, "procurement.manage_experts")
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if not expert.is_active:
            raise Conflict(f"专家“{expert.name}”已不在库。", code="already_inactive")
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


# --- the draw -----------------------------------------------------------------------------------


def hash_name() -> str:
    """SM3 where this Python's OpenSSL provides it, SHA-256 otherwise."""
    try:
        hashlib.new("sm3")
    except ValueError:
        return "sha256"
    return "sm3"


def algorithm_name(hash_: str | None = None) -> str:
    return f"{hash_ or hash_name()}-rank-v1"


def draw_order(
    seed: str, candidate_ids: Sequence[int], *, algorithm: str | None = None
) -> list[int]:
    """The candidates in draw order: by ``H(f"{seed}:{id}")`` (lowercase hexadecimal), then
    by id. H is SM3 (SHA-256 where unavailable), or the hash named by ``algorithm``
    (``"sm3-rank-v1"`` / ``"sha256-rank-v1"``). Deterministic: anyone with the seed and the
    candidate ids gets the same order."""
    hash_ = algorithm.split("-", 1)[0] if algorithm else hash_name()

    def key(candidate: int) -> tuple[str, int]:
        return (hashlib.new(hash_, f"{seed}:{candidate}".encode()).hexdigest(), candidate)

    return sorted((int(c) for c in candidate_ids), key=key)


def draw_verify(draw: ExpertDraw) -> bool:
    """Re-run ``draw`` from its stored seed, candidates and exclusions; True when the result
    is exactly the stored ``drawn`` list."""
    candidates = list(draw.candidates or [])
    if candidates != sorted(set(candidates)):
        return False
    excluded = {int(row["expert"]) for row in draw.exclusions or []}
    remaining = [c for c in candidates if c not in excluded]
    order = draw_order(draw.seed, remaining, algorithm=draw.algorithm)
    return order[: draw.size + draw.reserves] == list(draw.drawn or [])


def _bidders(tender: Tender) -> list[Organization]:
    return [
        bid.organization
        for bid in Bid.objects.filter(tender=tender, status=BidStatus.VALID)
        .select_related("organization")
        .order_by("id")
    ]


def _candidates(tender: Tender) -> list[Expert]:
    fields = set(tender.required_fields or [])
    experts = (
        Expert.objects.filter(is_active=True)
        .select_related("employer_unit")
        .prefetch_related("ties")
        .order_by("id")
    )
    return [e for e in experts if not fields or fields & set(e.specialties or [])]


def _notify_drawn(members: Iterable[PanelMember], tender: Tender) -> None:
    users = [m.expert.user for m in members if m.expert.user_id]
    if users:
        notify(
            recipients=users,
            kind="panel.drawn",
            title=f"您被抽取为评审专家：{tender.title}",
            body=(
                f"您被随机抽取为采购项目 {tender.reference}“{tender.title}”的评审专家。"
                f"评审前请先声明与投标人是否存在利害关系（{RULE}）。"
            ),
            url=f"/procurement/tenders/{tender.pk}/panel/",
        )


def new_draw_seed() -> tuple[str, str]:
    """A fresh secret seed for a tender's draws and its public commitment (SHA-256)."""
    seed = secrets.token_hex(32)
    return seed, seed_commitment(seed)


def panel_draw(*, tender: Tender, actor: Any, now: dt.datetime | None = None) -> ExpertDraw:
    """Draw the tender's committee and reserves at random (the purchaser, after opening).

    Nobody chooses the randomness: the seed was fixed and committed to at publication
    (``tender.draw_seed``); the tender's n-th draw uses ``derived_seed(seed, n)``. A tender
    is drawn once; a supplementary draw is allowed only when the committee is short of
    members and no reserve is left. It draws the missing members plus ``reserve_count``
    fresh reserves among experts not yet on the panel (they are listed in ``exclusions``).
    """
    require(actor, "procurement.manage", tender)
    now = now or timezone.now()
    with transaction.atomic():
        tender = lock(tender)
        if not committee_needed(tender):
            raise Conflict(
                f"本项目采用{tender.config.label}，无需抽取评审专家。",
                code="no_experts",
            )
        if not tender.draw_seed:
            raise Conflict("本项目没有在公告时确定随机种子，不能抽取专家。", code="no_commitment")
        panel = list(PanelMember.objects.filter(tender=tender))
        index = ExpertDraw.objects.filter(tender=tender).count()
        seed = derived_seed(tender.draw_seed, index)
        supplementary = bool(panel) or index > 0
        allowed = (
            (TenderStatus.EVALUATING, TenderStatus.EVALUATED)
            if supplementary
            else (TenderStatus.EVALUATING,)
        )
        if tender.status not in allowed or (
            tender.status == TenderStatus.EVALUATED and tender.result is not None
        ):
            raise Conflict(
                f"采购项目处于“{tender.get_status_display()}”状态，不能抽取评审专家"
                f"（须在开标后、评审结果形成前抽取）。",
                code="bad_status",
            )
        if tender.committee_size < 1:
            raise Conflict("采购项目未设定评审委员会人数，不能抽取专家。", code="no_committee")
        seated = sum(1 for m in panel if m.status in SEATED)
        reserves_left = sum(1 for m in panel if m.status == MemberStatus.RESERVE)
        size = tender.committee_size - seated
        if supplementary and (size <= 0 or reserves_left):
            raise Conflict(
                "本项目已抽取评审专家；仅当委员会缺员且备选专家已用尽时才能补充抽取。",
                code="already_drawn",
            )
        reserves = tender.reserve_count
        on = local_date(now)
        bidders = _bidders(tender)
        on_panel = {m.expert_id for m in panel}
        experts = _candidates(tender)
        exclusions = []
        remaining = []
        for expert in experts:
            findings = recusal_findings(expert, tender=tender, bidders=bidders, on=on)
            if expert.pk in on_panel:
                findings = [
                    ("on_panel", "已在本项目评审专家名单中（含已回避、备选人员），不再重复抽取。")
                ]
            if findings:
                exclusions.append(
                    {
                        "expert": expert.pk,
                        "name": expert.name,
                        "reasons": [text for _, text in findings],
                        "rules": list(dict.fromkeys(rule for rule, _ in findings)),
                    }
                )
            else:
                remaining.append(expert.pk)
        needed = size + reserves
        if len(remaining) < needed:
            raise Conflict(
                f"符合条件的专家不足：需要 {needed} 名（评审专家 {size} 名、备选 {reserves} 名），"
                f"专业领域相符的在库专家 {len(experts)} 名，排除回避及已在名单中的 "
                f"{len(exclusions)} 名后仅余 {len(remaining)} 名。",
                code="not_enough_experts",
                detail={"needed": needed, "available": len(remaining)},
            )
        algorithm = algorithm_name()
        drawn = draw_order(seed, remaining, algorithm=algorithm)[:needed]
        draw = ExpertDraw.objects.create(
            tender=tender,
            seed=seed,
            algorithm=algorithm,
            size=size,
            reserves=reserves,
            candidates=[e.pk for e in experts],
            exclusions=exclusions,
            drawn=drawn,
            drawn_by=user_of(actor),
        )
        start = (PanelMember.objects.filter(tender=tender).aggregate(m=Max("position"))["m"]) or 0
        by_id = {e.pk: e for e in experts}
        members = [
            PanelMember(
                tender=tender,
                expert=by_id[expert_id],
                draw=draw,
                position=start + i + 1,
                status=MemberStatus.DRAWN if i < size else MemberStatus.RESERVE,
            )
            for i, expert_id in enumerate(drawn)
        ]
        PanelMember.objects.bulk_create(members)
        audit_record(
            kind=EventKind.EXPERT_DRAWN,
            actor=actor,
            target=tender,
            new={
                "draw": draw.pk,
                "index": index,  # the seed stays secret until the award notice
                "commitment": tender.draw_commitment,
                "algorithm": algorithm,
                "size": size,
                "reserves": reserves,
                "candidates": draw.candidates,
                "excluded": [row["expert"] for row in exclusions],
                "drawn": drawn,
                "supplementary": supplementary,
            },
        )
        _notify_drawn([m for m in members if m.status == MemberStatus.DRAWN], tender)
    return draw


# --- declarations, recusal, voiding, replacement ------------------------------------------------


def _officers(tender: Tender) -> list[User]:
    from caidan.accounts.selectors import unit_officers

    return unit_officers(tender.unit)


def _scoring_open(tender: Tender) -> bool:
    """Experts may declare and score while evaluating, or after a voided sheet has taken
    the result away (evaluated, no result) until the replacement has scored."""
    return tender.status == TenderStatus.EVALUATING or (
        tender.status == TenderStatus.EVALUATED and tender.result is None
    )


def _locked_member(member: PanelMember) -> PanelMember:
    return (
        PanelMember.objects.select_for_update().select_related("expert", "tender").get(pk=member.pk)
    )


def _require_self(member: PanelMember, actor: Any) -> None:
    require(actor, "procurement.score", member.tender)
    user = user_of(actor)
    if getattr(actor, "via", "") != "system" and (user is None or member.expert.user_id != user.pk):
        raise PermissionDenied("只能由专家本人进行此操作。", code="not_own_seat")


def _replace(member: PanelMember, actor: Any) -> PanelMember:
    """Seat the first remaining reserve (by draw position) in ``member``'s place. Raises
    ``Conflict`` (``no_reserve``) when none is left: a supplementary draw is needed."""
    reserve = (
        PanelMember.objects.select_for_update(of=("self",))  # the login is an outer join
        .select_related("expert", "expert__user")
        .filter(tender_id=member.tender_id, status=MemberStatus.RESERVE)
        .order_by("position")
        .first()
    )
    if reserve is None:
        raise Conflict(
            f"专家“{member.expert.name}”的回避已记录，但备选专家已用尽："
            f"采购人须重新（补充）抽取评审专家。",
            code="no_reserve",
        )
    reserve.tender = member.tender
    member_lifecycle.apply(
        reserve,
        MemberAction.SEAT,
        actor=actor,
        update_fields=[],
        audit_old={"replaces": member.pk, "replaced_expert": member.expert_id},
        audit_new={"expert": reserve.expert_id, "position": reserve.position},
    )
    member.replaced_by = reserve
    member.save(update_fields=["replaced_by"])
    _notify_drawn([reserve], member.tender)
    return reserve


def _remove_and_replace(
    member: PanelMember,
    *,
    action: str,
    reason: str,
    actor: Any,
    audit_new: dict[str, Any],
    update_fields: Sequence[str] = (),
):
    """Recuse or void ``member`` (one audited step), then replace it from the reserves when
    it held a seat. Returns the Conflict to raise after commit when no reserve is left."""
    had_seat = member.status in SEATED
    member_lifecycle.apply(
        member,
        action,
        actor=actor,
        note=reason,
        update_fields=update_fields,
        recusal_reason=reason,
        audit_new={"expert": member.expert_id, **audit_new},
    )
    if not had_seat:
        return None
    try:
        with transaction.atomic():
            _replace(member, actor)
    except Conflict as shortage:
        tender = member.tender
        notify(
            recipients=_officers(tender),
            kind="panel.short",
            title=f"须补充抽取评审专家：{tender.title}",
            body=f"{shortage.message}（{tender.reference}）",
            url=f"/procurement/tenders/{tender.pk}/panel/",
        )
        return shortage
    return None


def panel_declare(
    *, member: PanelMember, no_conflict: bool, declaration: str = "", actor: Any
) -> PanelMember:
    """The drawn expert declares, before seeing the bids, whether it has a conflict of
    interest with any bidder. No conflict → active member; a conflict → recused (the
    declaration is the reason) and replaced from the reserves."""
    with transaction.atomic():
        member = _locked_member(member)
        _require_self(member, actor)
        tender = lock(member.tender)
        member.tender = tender
        if not _scoring_open(tender):
            raise Conflict(
                f"采购项目处于“{tender.get_status_display()}”状态，不能声明利害关系。",
                code="bad_status",
            )
        if member.status != MemberStatus.DRAWN:
            raise Conflict(
                f"您在本项目的状态为“{member.get_status_display()}”，无需（或不能）再声明。",
                code="bad_member_status",
            )
        declaration = _clean_text("declaration", "利害关系声明", declaration, 2000)
        member.declared_at = timezone.now()
        member.declaration = declaration
        shortage = None
        if no_conflict:
            member_lifecycle.apply(
                member,
                MemberAction.DECLARE,
                actor=actor,
                note=declaration,
                update_fields=["declared_at", "declaration"],
                audit_new={"expert": member.expert_id, "no_conflict": True},
            )
        else:
            if not declaration:
                raise field_error(
                    "declaration", "声明存在利害关系时，须说明与哪个投标人存在何种关系。"
                )
            shortage = _remove_and_replace(
                member,
                action=MemberAction.RECUSE,
                reason=declaration,
                actor=actor,
                update_fields=["declared_at", "declaration"],
                audit_new={"declared": True},
            )
    if shortage is not None:
        raise shortage
    return member


def panel_recuse(*, member: PanelMember, reason: str, actor: Any) -> PanelMember:
    """The purchaser records a recusal (e.g. a bidder's request accepted, 财库〔2016〕198号)
    of a member who has not submitted scores, or of a reserve. A member who already
    submitted scores is voided instead (``panel_void``)."""
    reason = _clean_text("reason", "回避理由", reason, 2000)
    if not reason:
        raise field_error("reason", "请填写回避理由。")
    with transaction.atomic():
        member = _locked_member(member)
        require(actor, "procurement.manage", member.tender)
        tender = lock(member.tender)
        member.tender = tender
        if tender.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(
                f"采购项目处于“{tender.get_status_display()}”状态，不能记录专家回避。",
                code="bad_status",
            )
        if member.status not in (*SEATED, MemberStatus.RESERVE):
            raise Conflict(
                f"专家“{member.expert.name}”的状态为“{member.get_status_display()}”，不能回避。",
                code="bad_member_status",
            )
        sheet = ScoreSheet.objects.filter(member=member).first()
        if sheet is not None and sheet.submitted_at is not None:
            raise Conflict(
                f"专家“{member.expert.name}”已提交评分：应当回避而未回避的，其评分作废"
                f"（{RULE}），请使用“评分作废”。",
                code="already_scored",
            )
        if not _scoring_open(tender):
            raise Conflict("评审结果已形成，不能再记录专家回避。", code="bad_status")
        if sheet is not None:
            sheet.voided = True
            sheet.save(update_fields=["voided"])
        shortage = _remove_and_replace(
            member, action=MemberAction.RECUSE, reason=reason, actor=actor, audit_new={}
        )
    if shortage is not None:
        raise shortage
    return member


def panel_void(*, member: PanelMember, reason: str, actor: Any) -> PanelMember:
    """Void the scores of a member who scored but should have recused (财库〔2016〕198号).

    The sheet is voided, the member set aside and replaced from the reserves. The tender's
    result, if any, is no longer final: ``tender.result`` is cleared and so are the bids'
    scores and ranks. A tender still ``evaluating`` stays so; an ``evaluated`` one keeps
    its status with ``result = None`` (no award is possible without a result) until the
    replacement has declared and submitted, when the evaluation is recomputed."""
    reason = _clean_text("reason", "作废理由", reason, 2000)
    if not reason:
        raise field_error("reason", "请填写评分作废的理由（应当回避的情形）。")
    with transaction.atomic():
        member = _locked_member(member)
        require(actor, "procurement.manage", member.tender)
        tender = lock(member.tender)
        member.tender = tender
        if tender.status not in (TenderStatus.EVALUATING, TenderStatus.EVALUATED):
            raise Conflict(
                f"采购项目处于“{tender.get_status_display()}”状态：中标结果确定后不能再作废专家评分。",
                code="bad_status",
            )
        sheet = ScoreSheet.objects.filter(member=member).first()
        if member.status != MemberStatus.ACTIVE or sheet is None or sheet.voided:
            raise Conflict(
                f"专家“{member.expert.name}”尚未评分，无需作废评分，请使用“回避”。",
                code="not_scored",
            )
        sheet.voided = True
        sheet.save(update_fields=["voided"])
        had_result = tender.result is not None
        if had_result:
            tender.result = None
            tender.save(update_fields=["result", "updated_at"])
        Bid.objects.filter(tender=tender).update(price_score=None, total=None, rank=None)
        shortage = _remove_and_replace(
            member,
            action=MemberAction.VOID,
            reason=reason,
            actor=actor,
            audit_new={"sheet": sheet.pk, "result": False, "had_result": had_result},
        )
    if shortage is not None:
        raise shortage
    return member


def recusal_request(
    *, tender: Tender, organization: Organization, reason: str, expert_name: str = "", actor: Any
) -> None:
    """A bidder asks the purchaser to recuse someone (财库〔2016〕198号): the request is
    recorded and sent to the purchaser, who decides with ``panel_recuse`` or ``panel_void``.
    Panel members' names are not published before the award, so the bidder may describe the
    relationship instead of naming the person."""
    require(actor, "procurement.bid", organization)
    reason = _clean_text("reason", "申请理由", reason, 2000)
    if not reason:
        raise field_error("reason", "请写明申请回避的事实和理由（如与某投标人存在的关系）。")
    expert_name = _clean_text("expert_name", "专家姓名", expert_name, 100)
    with transaction.atomic():
        tender = lock(tender)
        if tender.status not in (TenderStatus.PUBLISHED, TenderStatus.EVALUATING):
            raise Conflict("评审已经结束，不能再申请专家回避；对结果有异议的请提出质疑。")
        if not tender.bids.filter(organization=organization).exclude(status="withdrawn").exists():
            raise field_error("organization", "只有参加本项目投标的供应商可以申请专家回避。")
        audit_record(
            kind=EventKind.PANEL_RECUSAL_REQUESTED,
            actor=actor,
            target=tender,
            new={"organization": organization.pk, "expert_name": expert_name},
            note=reason,
        )
        who = f"专家“{expert_name}”" if expert_name else "评审专家"
        # Before opening nobody, the purchaser included, learns who bid (招标投标法 §22).
        requester = organization.name if tender.opened_at else "一名投标人（开标前不公开名称）"
        notify(
            recipients=_officers(tender),
            kind="panel.recusal_requested",
            title=f"回避申请：{tender.title}",
            body=f"{requester}申请{who}回避：{reason[:300]}",
            url=f"/procurement/tenders/{tender.pk}/",
        )
