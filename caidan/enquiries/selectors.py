"""Reads for enquiries, each with its object scope (see ``permissions``).

* ``enquiry_list_for``: the items an officer handles (their unit and below; reports only
  for the finance bureau's officers not in the unit concerned), plus, for overseers
  (platform admin, auditors), every item not concerning their own unit.
* ``asker_display``: who asked, or a mask — a report's maker is shown only to its handler.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from caidan.accounts.models import Role, Unit
from caidan.common.actor import Actor
from caidan.common.calendar import WorkingCalendar, local_date
from caidan.common.errors import NotFound, PermissionDenied, field_error
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.search import clean_query, text_match

from .models import OPEN_STATUSES, Enquiry, EnquiryKind, EnquiryStatus
from .permissions import HANDLER_ROLES, OVERSEER_ROLES, can_see_asker, can_view
from .services import followup_hash

MASKED = gettext_noop("（提出人信息仅承办人可见）")


def _base() -> QuerySet[Enquiry]:
    return Enquiry.objects.select_related(
        "unit", "concerned_unit", "handler", "asker_user", "asker_identity", "asker_organization"
    )


def _ancestor_ids(unit: Unit) -> list[int]:
    return [int(p) for p in unit.path.strip("/").split("/") if p]


def _not_concerning(unit: Unit) -> Q:
    """Reports whose concerned unit is neither ``unit`` (or above it) nor below it."""
    return Q(concerned_unit__isnull=True) | ~(
        Q(concerned_unit_id__in=_ancestor_ids(unit)) | Q(concerned_unit__path__startswith=unit.path)
    )


def visible_filter(actor: Actor) -> Q | None:
    """The items an officer or overseer may list; None when the role lists none."""
    mine = actor.unit if actor.is_authenticated else None
    if mine is None or actor.membership is None or not actor.membership.is_active:
        return None
    q = Q(pk__in=[])
    role = actor.role
    if role in HANDLER_ROLES:
        if role == Role.PLATFORM_ADMIN:
            q |= ~Q(kind=EnquiryKind.REPORT)
        else:
            q |= ~Q(kind=EnquiryKind.REPORT) & Q(unit__path__startswith=mine.path)
        q |= Q(kind=EnquiryKind.REPORT, unit_id=mine.pk) & _not_concerning(mine)
    if role in OVERSEER_ROLES:
        q |= ~Q(kind=EnquiryKind.REPORT) | (Q(kind=EnquiryKind.REPORT) & _not_concerning(mine))
    if role not in HANDLER_ROLES and role not in OVERSEER_ROLES:
        return None
    return q


def enquiry_list_for(
    *,
    actor: Actor,
    status: str = "",
    kind: str = "",
    unit_id: Any = None,
    overdue: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    q = visible_filter(actor)
    if q is None:
        if not actor.is_authenticated:
            from caidan.common.errors import NotAuthenticated

            raise NotAuthenticated(_("请先登录。"))
        raise PermissionDenied(_("当前角色无权查看咨询建议与监督事项的办理列表。"))
    qs = _base().filter(q)
    if status:
        if status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status in EnquiryStatus.values:
            qs = qs.filter(status=status)
        else:
            raise field_error("status", _("状态筛选条件无效。"))
    if kind:
        if kind not in EnquiryKind.values:
            raise field_error("kind", _("类型筛选条件无效。"))
        qs = qs.filter(kind=kind)
    if unit_id not in (None, ""):
        try:
            qs = qs.filter(unit_id=int(unit_id))
        except (TypeError, ValueError):
            raise field_error("unit_id", _("单位筛选条件无效。")) from None
    if overdue:
        today = timezone.localdate()
        qs = qs.filter(status__in=OPEN_STATUSES).filter(
            Q(extended_due_on__isnull=True, due_on__lt=today) | Q(extended_due_on__lt=today)
        )
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def overdue_count(actor: Actor) -> int:
    """Open items past due among those the actor handles (the dashboard's red flag)."""
    q = visible_filter(actor)
    if q is None or actor.role not in HANDLER_ROLES:
        return 0
    today = timezone.localdate()
    return (
        Enquiry.objects.filter(q, status__in=OPEN_STATUSES)
        .filter(Q(extended_due_on__isnull=True, due_on__lt=today) | Q(extended_due_on__lt=today))
        .count()
    )


def enquiry_list_mine(*, actor: Actor, cursor: str | None = None, limit: int | None = None) -> Page:
    if not actor.is_authenticated:
        from caidan.common.errors import NotAuthenticated

        raise NotAuthenticated(_("请先登录或验证身份。"))
    qs = _base().filter(asker_user=actor.user)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def enquiry_get_for(*, actor: Actor, enquiry_id: Any) -> Enquiry:
    """One item for someone who may see it; everyone else gets "not found" (a report is
    never confirmed to exist to the unit it concerns)."""
    try:
        e = _base().filter(pk=int(enquiry_id)).first()
    except (TypeError, ValueError):
        e = None
    if e is None or not can_view(actor, e):
        raise NotFound(_("找不到该事项。"))
    return e


def enquiry_get_by_code(*, code: str) -> Enquiry:
    code = str(code or "").strip()
    if not code:
        raise field_error("code", _("请输入查询码。"))
    e = _base().filter(followup_code_hash=followup_hash(code)).exclude(followup_code_hash="")
    e = e.first()
    if e is None:
        raise NotFound(_("查询码不正确，找不到对应的举报。"))
    return e


def enquiry_list_public(
    *, unit_id: Any = None, q: str = "", cursor: str | None = None, limit: int | None = None
) -> Page:
    """Published answers, newest first, with every word of ``q`` in the published title,
    question or answer."""
    qs = Enquiry.objects.public().select_related("unit")
    if q := clean_query(q):
        qs = qs.filter(text_match(q, "published_title", "published_body", "published_answer"))
    if unit_id not in (None, ""):
        try:
            qs = qs.filter(unit_id=int(unit_id))
        except (TypeError, ValueError):
            raise field_error("unit_id", _("单位筛选条件无效。")) from None
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def enquiry_get_public(*, enquiry_id: Any) -> Enquiry:
    try:
        e = Enquiry.objects.public().select_related("unit").filter(pk=int(enquiry_id)).first()
    except (TypeError, ValueError):
        e = None
    if e is None:
        raise NotFound(_("找不到该公开答复。"))
    return e


def asker_display(actor: Actor, e: Enquiry) -> str:
    """Who asked, as this actor may see it."""
    if not can_see_asker(actor, e):
        return str(_(MASKED))
    if e.asker_user_id is None:
        return str(_("匿名"))
    if e.asker_identity_id:
        return str(e.asker_identity)
    name = e.asker_user.get_full_name()
    if e.asker_organization_id:
        return f"{name}（{e.asker_organization.name}）"
    return name


def subject_url(e: Enquiry) -> str:
    """The public page of what the item is about, where there is one."""
    urls = {
        "menu": "/needs/menus/{id}/",
        "project": "/projects/proposals/{id}/",
        "tender": "/procurement/{id}/",
        "contract": "/contracts/{id}/",
        "organization": "/orgs/{id}/",
    }
    if e.subject_type == "menu_item":
        from caidan.needs.models import MenuItem

        item = MenuItem.objects.filter(pk=e.subject_id).values_list("menu_id", flat=True).first()
        return f"/needs/menus/{item}/#item-{e.subject_id}" if item else ""
    pattern = urls.get(e.subject_type)
    return pattern.format(id=e.subject_id) if pattern and e.subject_id else ""


def handler_choices(e: Enquiry) -> list:
    from .services import unit_handlers

    return unit_handlers(e.unit)


# --- statistics ---------------------------------------------------------------------------


@dataclass
class UnitStats:
    unit_id: int
    unit_name: str
    volume: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    open: int = 0
    answered: int = 0
    overdue: int = 0
    answer_days: list[int] = field(default_factory=list)

    @property
    def average_answer_days(self) -> float | None:
        return round(sum(self.answer_days) / len(self.answer_days), 1) if self.answer_days else None

    @property
    def median_answer_days(self) -> float | None:
        return float(pystats.median(self.answer_days)) if self.answer_days else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "unit_name": self.unit_name,
            "volume": self.volume,
            "by_kind": self.by_kind,
            "open": self.open,
            "answered": self.answered,
            "overdue": self.overdue,
            "average_answer_days": self.average_answer_days,
            "median_answer_days": self.median_answer_days,
        }


def enquiry_statistics(*, year: int | None = None, today: dt.date | None = None) -> list[UnitStats]:
    """Per handling unit: how many items, how many answered, working days to answer
    (average and median), and how many were or are late. Counts only: nothing about who
    asked or what a report says."""
    today = today or timezone.localdate()
    qs = Enquiry.objects.all()
    if year:
        qs = qs.filter(received_at__year=int(year))
    rows = qs.values_list(
        "unit_id",
        "unit__name",
        "kind",
        "status",
        "received_at",
        "answered_at",
        "due_on",
        "extended_due_on",
    ).order_by("unit__path", "id")
    calendar = WorkingCalendar()
    out: dict[int, UnitStats] = {}
    for unit_id, name, kind, status, received, answered, due, extended in rows:
        s = out.setdefault(unit_id, UnitStats(unit_id, name))
        s.volume += 1
        s.by_kind[kind] = s.by_kind.get(kind, 0) + 1
        deadline = extended or due
        if status in OPEN_STATUSES:
            s.open += 1
            if today > deadline:
                s.overdue += 1
        elif status == EnquiryStatus.ANSWERED and answered is not None:
            s.answered += 1
            s.answer_days.append(calendar.working_days_between(received, answered))
            if local_date(answered) > deadline:
                s.overdue += 1
    return list(out.values())
