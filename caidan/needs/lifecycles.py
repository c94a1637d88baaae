"""Needs' status tables: a resident's need (visible or hidden by moderation) and a
street's menu (``caidan.common.lifecycle``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.common.lifecycle import Lifecycle

from .models import MENU_TRANSITIONS, MenuAction, MenuStatus, NeedStatus


class NeedAction(models.TextChoices):
    HIDE = "hide", _("隐藏")
    AUTO_HIDE = "auto_hide", _("被举报后自动隐藏")
    RESTORE = "restore", _("恢复公开")


need_lifecycle = Lifecycle(
    name="need",
    model="needs.Need",
    table={
        NeedAction.HIDE: (frozenset({NeedStatus.VISIBLE}), NeedStatus.HIDDEN),
        NeedAction.AUTO_HIDE: (frozenset({NeedStatus.VISIBLE}), NeedStatus.HIDDEN),
        NeedAction.RESTORE: (frozenset({NeedStatus.HIDDEN}), NeedStatus.VISIBLE),
    },
    audit_kind={
        NeedAction.HIDE: EventKind.NEED_HIDDEN,
        NeedAction.AUTO_HIDE: EventKind.NEED_AUTO_HIDDEN,
        NeedAction.RESTORE: EventKind.NEED_RESTORED,
    },
    noun="该需求",
    actions=NeedAction,
    statuses=NeedStatus,
    initial=frozenset({NeedStatus.VISIBLE}),
)

menu_lifecycle = Lifecycle(
    name="menu",
    model="needs.Menu",
    table=MENU_TRANSITIONS,
    audit_kind={
        MenuAction.PUBLISH: EventKind.MENU_PUBLISHED,
        MenuAction.CLOSE: EventKind.MENU_CLOSED,
    },
    noun="菜单",
    actions=MenuAction,
    statuses=MenuStatus,
    initial=frozenset({MenuStatus.DRAFT}),
    named=True,
)
