"""Helpers shared by the enquiry services: the handling unit's officers, the row lock, the
lifecycle check, the handler's access and the asker's notifications."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Unit, User
from caidan.accounts.permissions import require
from caidan.common.actor import Actor
from caidan.common.errors import NotAuthenticated
from caidan.common.perms import Perm
from caidan.notifications.services import notify

from .. import permissions  # noqa: F401 - registers the rules
from ..lifecycles import enquiry_lifecycle
from ..models import Enquiry
from ..permissions import HANDLER_ROLES


def unit_handlers(unit: Unit) -> list[User]:
    """Active officers of exactly ``unit`` who may handle its enquiries."""
    return list(
        User.objects.filter(
            memberships__role__in=HANDLER_ROLES,
            memberships__unit=unit,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


def _url(e: Enquiry) -> str:
    return f"/enquiries/{e.pk}/"


def answer_task(e: Enquiry) -> str:
    """The task of answering an item (done when it is answered, closed or transferred —
    the new unit's handlers get their own)."""
    return f"enquiry_answer:enquiry:{e.pk}"


def _notify_asker(e: Enquiry, title: str, body: str = "") -> None:
    if e.asker_user_id:
        notify(
            recipients=[e.asker_user], kind=f"enquiry.{e.kind}", title=title, body=body, url=_url(e)
        )


def _lock(enquiry: Enquiry) -> Enquiry:
    return (
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("unit", "concerned_unit", "asker_user", "handler")
        .get(pk=enquiry.pk)
    )


def _check(e: Enquiry, action: str) -> None:
    enquiry_lifecycle.check(e.status, action)


def _handle(actor: Actor, e: Enquiry) -> None:
    """Officers outside the item's scope get "not found", never a hint that it exists."""
    from caidan.accounts.permissions import can

    if not getattr(actor, "is_authenticated", False) and actor.via != "system":
        raise NotAuthenticated(_("请先登录。"))
    if not can(actor, Perm.ENQUIRIES_HANDLE, e):
        from ..permissions import can_view

        if can_view(actor, e):
            require(actor, Perm.ENQUIRIES_HANDLE, e)  # a readable "no permission"
        from caidan.common.errors import NotFound

        raise NotFound(_("找不到该事项。"))
