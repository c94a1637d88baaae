"""What became of a need or an order: a tiny registry other apps plug into (DOMAIN.md §3.2,
"a resident can follow what became of what I asked for").

An app registers a function that, given a ``Need`` or a ``MenuItem``, returns the steps
it knows about::

    from caidan.needs.followups import register_followup

    @register_followup
    def proposals_from(obj):
        return [{"label": "立项申报 · 已审定", "url": "/projects/12/", "status": "已审定"}
                for p in Proposal.objects.filter(needs=obj)]   # for example

Each dict has ``label``, ``url`` (may be empty) and ``status``. A function that does not
know the object returns ``[]``. A function that fails is logged and skipped: a resident's
page never breaks because of another app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

log = logging.getLogger(__name__)

FollowupFn = Callable[[Any], Iterable[dict]]
_FUNCTIONS: list[FollowupFn] = []


@dataclass(frozen=True)
class Followup:
    label: str
    url: str
    status: str

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "url": self.url, "status": self.status}


def register_followup(fn: FollowupFn) -> FollowupFn:
    """Register ``fn(need_or_menu_item) -> list[dict(label, url, status)]``; usable as a
    decorator; registering the same function twice has no effect."""
    if fn not in _FUNCTIONS:
        _FUNCTIONS.append(fn)
    return fn


def unregister_followup(fn: FollowupFn) -> None:
    if fn in _FUNCTIONS:
        _FUNCTIONS.remove(fn)


def followups_for(obj: Any) -> list[Followup]:
    """Every registered function's steps for ``obj``, in registration order."""
    out: list[Followup] = []
    for fn in list(_FUNCTIONS):
        try:
            rows = list(fn(obj) or [])
        except Exception:  # noqa: BLE001 - another app's failure must not break the page
            log.exception("follow-up function %r failed for %r", fn, obj)
            continue
        for row in rows:
            if not isinstance(row, dict) or not row.get("label"):
                log.warning("follow-up function %r returned an invalid row: %r", fn, row)
                continue
            out.append(
                Followup(
                    label=str(row["label"]),
                    url=str(row.get("url") or ""),
                    status=str(row.get("status") or ""),
                )
            )
    return out


@register_followup
def menu_item_results(obj: Any) -> list[dict]:
    """Every menu item links to its menu's results (counts while ordering runs, the final
    ranking once closed)."""
    from .models import MenuItem, MenuStatus

    if not isinstance(obj, MenuItem):
        return []
    menu = obj.menu
    if menu.ordering_open(timezone.now()):
        status = gettext("点菜进行中")
    elif menu.status == MenuStatus.PUBLISHED:
        status = (
            gettext("尚未开始") if timezone.now() < menu.ordering_opens_at else gettext("已截止")
        )
    else:
        status = menu.get_status_display()
    return [
        {
            "label": gettext("点菜结果 · %(menu)s") % {"menu": menu.title},
            "url": reverse("needs:menu_results", args=[menu.pk]),
            "status": status,
        }
    ]
