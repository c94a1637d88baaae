"""Publishing answers (with the asker's consent, personal numbers masked) and moderation
(hiding an abusive item, restoring it)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import Conflict
from caidan.common.masking import scrub_text
from caidan.enquiries.codes import Code

from ..inputs import EnquiryHideInput, EnquiryRestoreInput
from ..models import PUBLISHABLE_KINDS, TITLE_MAX, Enquiry, EnquiryAction
from ..permissions import is_asker
from ._shared import _check, _handle, _lock


def enquiry_publish(*, enquiry: Enquiry, actor: Actor) -> Enquiry:
    """Publish an answered enquiry or suggestion whose asker agreed, with phone and ID
    numbers in the text masked. Who asked is never published."""
    _handle(actor, enquiry)
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        if e.kind not in PUBLISHABLE_KINDS:
            raise Conflict(_("只有咨询和建议的答复可以公开。"), code=Code.NOT_PUBLISHABLE)
        _check(e, EnquiryAction.PUBLISH)
        if not e.publish_consent:
            raise Conflict(_("提出人未同意公开，不能公开。"), code=Code.NO_CONSENT)
        if e.hidden:
            raise Conflict(_("该事项已被屏蔽，不能公开。"), code=Code.HIDDEN)
        if e.published:
            raise Conflict(_("该答复已经公开。"), code=Code.ALREADY_PUBLISHED)
        e.published = True
        e.published_at = timezone.now()
        e.published_title = scrub_text(e.title)[:TITLE_MAX]
        e.published_body = scrub_text(e.body)
        e.published_answer = scrub_text(e.answer)
        e.save(
            update_fields=[
                "published",
                "published_at",
                "published_title",
                "published_body",
                "published_answer",
            ]
        )
        audit_record(
            kind=EventKind.ENQUIRY_PUBLISHED, actor=actor, target=e, new={"published": True}
        )
    return e


def _unpublish(e: Enquiry) -> list[str]:
    if not e.published:
        return []
    e.published = False
    return ["published"]


def enquiry_set_consent(*, enquiry: Enquiry, consent: bool, actor: Actor) -> Enquiry:
    """The asker agrees to publication, or withdraws agreement (which unpublishes)."""
    if not is_asker(actor, enquiry):
        from caidan.common.errors import NotFound

        raise NotFound(_("找不到该事项。"))
    with transaction.atomic():
        e = _lock(enquiry)
        if e.kind not in PUBLISHABLE_KINDS:
            raise Conflict(_("只有咨询和建议的答复可以公开。"), code=Code.NOT_PUBLISHABLE)
        old = e.publish_consent
        e.publish_consent = bool(consent)
        fields = ["publish_consent", *([] if consent else _unpublish(e))]
        e.save(update_fields=fields)
        audit_record(
            kind=EventKind.ENQUIRY_CONSENT_CHANGED,
            actor=actor,
            target=e,
            old={"publish_consent": old},
            new={"publish_consent": e.publish_consent, "published": e.published},
        )
    return e


def enquiry_hide(*, enquiry: Enquiry, data: EnquiryHideInput, actor: Actor) -> Enquiry:
    """Moderation: hide an abusive item (it is unpublished, and stays on the record)."""
    _handle(actor, enquiry)
    reason = data.reason
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        if e.hidden:
            raise Conflict(_("该事项已被屏蔽。"), code=Code.ALREADY_HIDDEN)
        e.hidden = True
        e.hidden_reason = reason
        e.save(update_fields=["hidden", "hidden_reason", *_unpublish(e)])
        audit_record(
            kind=EventKind.ENQUIRY_HIDDEN, actor=actor, target=e, new={"hidden": True}, note=reason
        )
    return e


def enquiry_restore(*, enquiry: Enquiry, data: EnquiryRestoreInput, actor: Actor) -> Enquiry:
    """Moderation: make a hidden item visible again, saying why."""
    _handle(actor, enquiry)
    reason = data.reason
    with transaction.atomic():
        e = _lock(enquiry)
        _handle(actor, e)
        if not e.hidden:
            raise Conflict(_("该事项未被屏蔽。"), code=Code.NOT_HIDDEN)
        e.hidden = False
        e.hidden_reason = ""
        e.save(update_fields=["hidden", "hidden_reason"])
        audit_record(
            kind=EventKind.ENQUIRY_RESTORED,
            actor=actor,
            target=e,
            new={"hidden": False},
            note=reason,
        )
    return e
