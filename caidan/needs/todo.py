"""The resident's waiting step on the workbench (``caidan.accounts.workbench``): service
menus open for ordering (点菜) on which the resident has not ordered yet, due on the menu's
``ordering_closes_at`` (after it ``menu_order`` refuses)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.workbench import Entry, TodoKind, local_day, register_kind
from caidan.common.roles import Role

from .models import Menu, MenuOrder, MenuStatus


def menus_to_order(actor, today):
    if not actor.has_role(Role.RESIDENT) or actor.user is None:
        return []
    now = timezone.now()
    ordered = MenuOrder.objects.filter(menu_item__menu=OuterRef("pk"), identity__user=actor.user)
    rows = (
        Menu.objects.filter(
            status=MenuStatus.PUBLISHED, ordering_opens_at__lte=now, ordering_closes_at__gt=now
        )
        .exclude(Exists(ordered))
        .values("pk", "title", "community", "ordering_closes_at")
    )
    return [
        Entry(
            label=f"{r['community']} · {r['title']}",
            url=reverse("needs:menu_detail", args=[r["pk"]]),
            due=local_day(r["ordering_closes_at"]),
            at=r["ordering_closes_at"],
            key=f"menu-{r['pk']}",
        )
        for r in rows
    ]


def register() -> None:
    register_kind(
        TodoKind(
            "needs:order",
            _("为社区服务菜单点菜"),
            frozenset({Role.RESIDENT}),
            menus_to_order,
            _("点菜截止"),
        )
    )
