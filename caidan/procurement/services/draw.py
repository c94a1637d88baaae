"""The random draw of a tender's panel (评审专家抽取, DOMAIN.md §4.4; 财库〔2016〕198号).

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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.calendar import local_date
from caidan.common.codes import Common
from caidan.common.errors import Conflict
from caidan.common.perms import Perm
from caidan.notifications.services import notifications_resolve
from caidan.orgs.models import Organization
from caidan.procurement.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..draw_check import derived_seed, seed_commitment
from ..methods import committee_needed
from ..models import (
    Bid,
    BidStatus,
    Expert,
    ExpertDraw,
    MemberStatus,
    PanelMember,
    Tender,
    TenderStatus,
)
from ..selectors_experts import SEATED
from ..tasks import draw_task
from ._shared import _notify_drawn
from .experts import recusal_findings
from .lifecycle import lock


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


def new_draw_seed() -> tuple[str, str]:
    """A fresh secret seed for a tender's draws and its public commitment (SHA-256)."""
    seed = secrets.token_hex(32)
    return seed, seed_commitment(seed)


def panel_draw(*, tender: Tender, actor: Actor, now: dt.datetime | None = None) -> ExpertDraw:
    """Draw the tender's committee and reserves at random (the purchaser, after opening).

    Nobody chooses the randomness: the seed was fixed and committed to at publication
    (``tender.draw_seed``); the tender's n-th draw uses ``derived_seed(seed, n)``. A tender
    is drawn once; a supplementary draw is allowed only when the committee is short of
    members and no reserve is left. It draws the missing members plus ``reserve_count``
    fresh reserves among experts not yet on the panel (they are listed in ``exclusions``).
    """
    require(actor, Perm.PROCUREMENT_MANAGE, tender)
    now = now or timezone.now()
    with transaction.atomic():
        tender = lock(tender)
        if not committee_needed(tender):
            raise Conflict(
                gettext_lazy("本项目采用%(label)s，无需抽取评审专家。")
                % {"label": tender.config.label},
                code=Code.NO_EXPERTS,
            )
        if not tender.draw_seed:
            raise Conflict(
                gettext_lazy("本项目没有在公告时确定随机种子，不能抽取专家。"),
                code=Code.NO_COMMITMENT,
            )
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
                gettext_lazy(
                    "采购项目处于“%(get_status_display)s”状态，不能抽取评审专家（须在开标后、评审结果形成前抽取）。"
                )
                % {"get_status_display": tender.get_status_display()},
                code=Common.BAD_TRANSITION,
            )
        if tender.committee_size < 1:
            raise Conflict(
                gettext_lazy("采购项目未设定评审委员会人数，不能抽取专家。"), code=Code.NO_COMMITTEE
            )
        seated = sum(1 for m in panel if m.status in SEATED)
        reserves_left = sum(1 for m in panel if m.status == MemberStatus.RESERVE)
        size = tender.committee_size - seated
        if supplementary and (size <= 0 or reserves_left):
            raise Conflict(
                gettext_lazy(
                    "本项目已抽取评审专家；仅当委员会缺员且备选专家已用尽时才能补充抽取。"
                ),
                code=Code.ALREADY_DRAWN,
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
                gettext_lazy(
                    "符合条件的专家不足：需要 %(needed)s 名（评审专家 %(size)s 名、备选 %(reserves)s 名），专业领域相符的在库专家 %(len)s 名，排除回避及已在名单中的 %(len_2)s 名后仅余 %(len_3)s 名。"
                )
                % {
                    "needed": needed,
                    "size": size,
                    "reserves": reserves,
                    "len": len(experts),
                    "len_2": len(exclusions),
                    "len_3": len(remaining),
                },
                code=Code.NOT_ENOUGH_EXPERTS,
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
        notifications_resolve(task=draw_task(tender))
        _notify_drawn([m for m in members if m.status == MemberStatus.DRAWN], tender)
    return draw
