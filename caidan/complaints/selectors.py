"""Reads for complaints: the finance bureau's inbox, the complainant's own, the purchaser's
(complaints on its tenders), the public decisions, and what the tender page shows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Role
from caidan.accounts.permissions import can
from caidan.common.errors import NotAuthenticated, NotFound
from caidan.common.pagination import keyset_paginate
from caidan.common.perms import Perm
from caidan.procurement.models import Challenge

from .models import Complaint, ComplaintStatus
from .permissions import can_view
from .services import can_complain_about

_RELATED = ("tender__unit", "award__bid__organization", "organization", "bureau")


def _base() -> QuerySet[Complaint]:
    return Complaint.objects.select_related(*_RELATED)


def complaint_get_for(*, actor, complaint_id: int) -> Complaint:
    c = _base().filter(pk=complaint_id).first()
    if c is None or not can_view(actor, c):
        if c is not None and not actor.is_authenticated:
            raise NotAuthenticated(_("请先登录。"))
        raise NotFound(_("找不到该投诉。"))
    return c


def visible_to(actor) -> QuerySet[Complaint]:
    """Every complaint the actor may see, published or not."""
    qs = _base()
    if not actor.is_authenticated:
        return qs.public()
    if actor.has_role(Role.PLATFORM_ADMIN, Role.AUDITOR):
        return qs
    if actor.has_role(Role.PROVIDER, Role.HUB) and actor.organization is not None:
        return qs.filter(organization=actor.organization) | qs.public()
    if actor.has_role(Role.PURCHASER) and actor.unit is not None:
        return qs.filter(tender__unit__path__startswith=actor.unit.path) | qs.public()
    return qs.public()


def _filtered(qs, *, status: str = "", overdue: bool = False, now=None):
    if status:
        if status not in ComplaintStatus.values:
            from caidan.common.errors import field_error

            raise field_error("status", _("状态无效。"))
        qs = qs.filter(status=status)
    if overdue:
        now = now or timezone.now()
        qs = qs.filter(
            Q(status=ComplaintStatus.FILED, accept_due__lt=now)
            | Q(status=ComplaintStatus.ACCEPTED, decide_due__lt=now)
        )
    return qs


def complaint_list_for(*, actor, status: str = "", overdue: bool = False, cursor=None, limit=None):
    """The API's list: what the actor may see (the bureau and auditors: all), newest first."""
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    qs = _filtered(visible_to(actor), status=status, overdue=overdue)
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def inbox(*, actor, status: str = "", overdue: bool = False, now=None, limit: int = 200) -> list:
    """The bureau's desk: the overdue first, then by the next due date, then the closed."""
    now = now or timezone.now()
    rows = list(_filtered(visible_to(actor), status=status, overdue=overdue, now=now)[:limit])
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def key(c: Complaint):
        due = c.due()
        return (not c.is_overdue(now), due is None, due or far, -c.pk)

    return sorted(rows, key=key)


def complaint_list_mine(*, actor) -> list[Complaint]:
    if not actor.is_authenticated:
        raise NotAuthenticated(_("请先登录。"))
    if actor.organization is None:
        return []
    return list(_base().filter(organization=actor.organization).order_by("-id")[:200])


def complaint_list_public(*, cursor=None, limit=None):
    qs = _base().public()
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def published_for_tender(tender) -> list[Complaint]:
    return list(_base().public().filter(tender=tender).order_by("published_at", "id"))


def complainable_challenges(tender, actor, *, now=None) -> list[Challenge]:
    """The actor's organization's challenges on ``tender`` it may complain about now."""
    if not can(actor, Perm.COMPLAINTS_FILE, actor.organization) or actor.organization is None:
        return []
    now = now or timezone.now()
    qs = Challenge.objects.filter(tender=tender, organization=actor.organization)
    return [ch for ch in qs if can_complain_about(ch, now)]


def overdue_count(actor) -> int:
    if not can(actor, Perm.COMPLAINTS_HANDLE):
        return 0
    return _filtered(Complaint.objects.all(), overdue=True).count()
