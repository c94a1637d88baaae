"""Services for the portal's notices and policies (政策与公告): create, update, publish,
withdraw. Each is keyword-only, runs in one transaction, checks ``disclosure.notices_manage``
(the platform admin), locks the row for a transition (``NOTICE_TRANSITIONS``) and audits.

The body is plain text; pages render it escaped, with ``linebreaks``. Edits of a published
notice stay possible (corrections) and every edit's diff is in the audit log, so the
history of a public text is never lost. A withdrawn notice is final and stays public at
its URL, marked, with the reason.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.common.actor import Actor
from caidan.common.codes import Common
from caidan.common.errors import Conflict, NotFound, field_error
from caidan.common.perms import Perm
from caidan.disclosure.codes import Code

from . import permissions  # noqa: F401 - registers "disclosure.notices_manage"
from .inputs import NoticeInput, NoticeWithdrawalInput
from .lifecycles import notice_lifecycle
from .models import (
    Notice,
    NoticeAction,
    NoticeStatus,
)

PERMISSION = Perm.DISCLOSURE_NOTICES_MANAGE
# Attachments are ``caidan.documents`` files attached to ``disclosure.notice:<id>``, stored
# private: they are served by the notice's own page, so they are public exactly when the
# notice is (published or withdrawn) and never before.
DOCUMENT_TARGET = "disclosure.notice"
EDITABLE = ("category", "title", "body", "source", "document_number", "effective_date")


def _snapshot(notice: Notice) -> dict[str, Any]:
    return {name: getattr(notice, name) for name in EDITABLE}


def _lock_for(notice: Notice, action: str) -> Notice:
    locked = Notice.objects.select_for_update().filter(pk=notice.pk).first()
    if locked is None:
        raise NotFound(_("找不到该公告。"), code=Code.NOTICE_NOT_FOUND)
    notice_lifecycle.check(locked.status, action, name=locked.title)
    return locked


def notice_input(notice: Notice, **changes: Any) -> NoticeInput:
    """The notice as it stands, as an input (with ``changes``), checked again; only the
    editable fields may change."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise field_error(
            unknown[0],
            _("字段“%(value)s”不可修改。") % {"value": unknown[0]},
            code=Code.NOT_EDITABLE,
        )
    return NoticeInput.parse({**_snapshot(notice), **changes})


def notice_create(*, data: NoticeInput, actor: Actor) -> Notice:
    """A new notice, as a draft nobody outside the platform admin sees."""
    require(actor, PERMISSION)
    with transaction.atomic():
        user = user_of(actor)
        notice = Notice.objects.create(
            **data.values(), status=NoticeStatus.DRAFT, created_by=user, updated_by=user
        )
        audit_record(
            kind=EventKind.NOTICE_CREATED,
            actor=actor,
            target=notice,
            new={**_snapshot(notice), "status": notice.status},
        )
    return notice


def notice_update(*, notice: Notice, changes: dict[str, Any], actor: Actor) -> Notice:
    """Edit a draft or a published notice (a correction); the audit event keeps the diff.
    ``changes`` holds any of the editable fields; others are refused."""
    require(actor, PERMISSION)
    with transaction.atomic():
        notice = _lock_for(notice, NoticeAction.UPDATE)
        before = _snapshot(notice)
        data = notice_input(notice, **changes)
        old, new = diff(before, data.values())
        if not new:
            return notice
        for name, value in data.values().items():
            setattr(notice, name, value)
        notice.updated_by = user_of(actor)
        notice.save(update_fields=[*new.keys(), "updated_by", "updated_at"])
        audit_record(
            kind=EventKind.NOTICE_UPDATED,
            actor=actor,
            target=notice,
            old=old,
            new=new,
            note=notice.get_status_display(),
        )
    return notice


def notice_publish(*, notice: Notice, actor: Actor) -> Notice:
    """Publish a draft: from now on it is public at its URL, for good."""
    require(actor, PERMISSION)
    with transaction.atomic():
        notice = _lock_for(notice, NoticeAction.PUBLISH)
        notice_lifecycle.apply(
            notice,
            NoticeAction.PUBLISH,
            actor=actor,
            update_fields=["updated_at"],
            published_at=timezone.now(),
            updated_by=user_of(actor),
        )
    return notice


def notice_withdraw(*, notice: Notice, data: NoticeWithdrawalInput, actor: Actor) -> Notice:
    """Withdraw a published notice: it stays at its URL, marked 已撤回 with the reason."""
    require(actor, PERMISSION)
    reason = data.reason
    with transaction.atomic():
        notice = _lock_for(notice, NoticeAction.WITHDRAW)
        notice_lifecycle.apply(
            notice,
            NoticeAction.WITHDRAW,
            actor=actor,
            note=reason,
            update_fields=["updated_at"],
            withdrawn_at=timezone.now(),
            withdraw_reason=reason,
            updated_by=user_of(actor),
            audit_new={"reason": reason},
        )
    return notice


def notice_attach(*, notice: Notice, file: Any, description: str = "", actor: Actor):
    """Attach a file (the signed original, a form to fill in) to a draft or published
    notice. The upload is audited by ``document_upload`` (kind ``document.uploaded``, with
    the notice as its target)."""
    from caidan.documents.services import document_upload

    require(actor, PERMISSION)
    current = Notice.objects.filter(pk=notice.pk).values_list("status", flat=True).first()
    if current is None:
        raise NotFound(_("找不到该公告。"), code=Code.NOTICE_NOT_FOUND)
    if not notice_lifecycle.allowed(current, NoticeAction.UPDATE):
        raise Conflict(
            _("已撤回的公告不能再添加附件。"),
            code=Common.BAD_TRANSITION,
            detail={"field": "file", "status": current},
        )
    return document_upload(
        file=file,
        actor=actor,
        description=description,
        is_public=False,
        target_type=DOCUMENT_TARGET,
        target_id=str(notice.pk),
    )
