"""One answer box (issue 20): the handler answers on the item's page in one step — taking
the item on if nobody has (the claim is implied), answering, and publishing the answer in
the same step when asked and the asker consented (the consent rule of
``enquiry_publish``). One transaction: a refused publication answers nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caidan.common.actor import Actor, user_of
from caidan.common.errors import Conflict
from caidan.enquiries.codes import Code

from ..inputs import EnquiryAnswerInput
from ..models import PUBLISHABLE_KINDS, Enquiry
from ._shared import _handle, _lock
from .handling import enquiry_answer, enquiry_assign
from .publication import enquiry_publish


def enquiry_reply(
    *, enquiry: Enquiry, data: EnquiryAnswerInput, publish: bool, actor: Actor
) -> Enquiry:
    """Answer ``enquiry`` as ``actor``: assign it to the actor first when it has no handler;
    an item handled by someone else is theirs to answer (``enquiry_answer`` refuses). With
    ``publish``, the answer is published too — only for an enquiry or suggestion whose
    asker consented and that is not hidden, checked before anything is written."""
    _handle(actor, enquiry)
    with transaction.atomic():
        e = _lock(enquiry)
        if publish:
            if e.kind not in PUBLISHABLE_KINDS:
                raise Conflict(_("只有咨询和建议的答复可以公开。"), code=Code.NOT_PUBLISHABLE)
            if not e.publish_consent:
                raise Conflict(_("提出人未同意公开，不能公开。"), code=Code.NO_CONSENT)
            if e.hidden:
                raise Conflict(_("该事项已被屏蔽，不能公开。"), code=Code.HIDDEN)
        if e.handler_id is None:
            e = enquiry_assign(enquiry=e, handler=user_of(actor), actor=actor)
        e = enquiry_answer(enquiry=e, data=data, actor=actor)
        if publish:
            e = enquiry_publish(enquiry=e, actor=actor)
    return e
