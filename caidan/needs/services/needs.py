"""Residents' needs (问需于民): submission, reports, moderation.

Anyone logged in may report a need once; after ``need_hide_after_reports`` reports
(a jurisdiction setting) it is hidden until a purchaser of its street (or a platform
admin) restores it. Who stated a need is never published.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.calendar import start_of_day
from caidan.common.errors import Conflict, NotAuthenticated, TooManyRequests
from caidan.common.perms import Perm
from caidan.jurisdiction.selectors import setting_value
from caidan.needs.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import NeedInput, NeedModerationInput, NeedReportInput
from ..lifecycles import NeedAction, need_lifecycle
from ..models import Need, NeedReport, NeedStatus
from .identity import identity_of

NEEDS_PER_DAY = 10  # per identity: enough for anyone, a brake on floods


def need_submit(*, data: NeedInput, actor: Actor) -> Need:
    """A verified resident states a need for a community of a street or town."""
    identity = identity_of(actor, Perm.NEEDS_SUBMIT)
    with transaction.atomic():
        return need_create_for(identity=identity, data=data, actor=actor)


def need_create_for(*, identity, data: NeedInput, actor: Actor, assisted_by=None) -> Need:
    """The need itself, for ``identity`` (inside the caller's transaction, permission
    checked by the caller): the daily limit counts the person's needs however stated."""
    today = start_of_day(timezone.localdate())
    if Need.objects.filter(identity=identity, created_at__gte=today).count() >= NEEDS_PER_DAY:
        raise TooManyRequests(
            _("每人每天最多提出 %(NEEDS_PER_DAY)s 条需求，请明天再提。")
            % {"NEEDS_PER_DAY": NEEDS_PER_DAY},
            code=Code.NEED_DAILY_LIMIT,
        )
    need = Need.objects.create(identity=identity, assisted_by=assisted_by, **data.values())
    new = {"unit": data.unit.pk, **data.values("community", "target_group", "text")}
    if assisted_by is not None:
        new["assisted_by"] = assisted_by.display_name or assisted_by.username
    audit_record(kind=EventKind.NEED_SUBMITTED, actor=actor, target=need, new=new)
    return need


def _lock(need: Need) -> Need:
    return Need.objects.select_for_update().select_related("unit").get(pk=need.pk)


def need_report(*, need: Need, actor: Actor, data: NeedReportInput | None = None) -> Need:
    """Report a need as inappropriate (once per person), saying why if one likes. At the
    jurisdiction's threshold the need is hidden automatically, pending a moderator's look."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated(_("请先登录或验证身份后再举报。"))
    require(actor, Perm.NEEDS_REPORT)
    reason = data.reason if data is not None else ""
    with transaction.atomic():
        need = _lock(need)
        if need.status == NeedStatus.HIDDEN:
            raise Conflict(_("该需求已被隐藏，无需再举报。"), code=Code.NEED_HIDDEN)
        if need.identity.user_id == actor.user.pk:
            raise Conflict(_("不能举报自己提出的需求。"), code=Code.OWN_NEED)
        already = Conflict(_("您已举报过该需求，每人只能举报一次。"), code=Code.ALREADY_REPORTED)
        if NeedReport.objects.filter(need=need, reporter=actor.user).exists():
            raise already
        try:
            with transaction.atomic():
                NeedReport.objects.create(need=need, reporter=actor.user, reason=reason)
        except IntegrityError:
            raise already from None
        need.report_count += 1
        audit_record(
            kind=EventKind.NEED_REPORTED,
            actor=actor,
            target=need,
            new={"report_count": need.report_count, "reason": reason},
        )
        threshold = int(setting_value("need_hide_after_reports"))
        if need.report_count >= threshold:
            need_lifecycle.apply(
                need,
                NeedAction.AUTO_HIDE,
                actor=Actor.system(),
                note=f"举报达到 {threshold} 次",
                update_fields=["report_count"],
                moderated_at=timezone.now(),
                moderated_by=None,
                moderation_reason=f"被举报 {need.report_count} 次，已自动隐藏，等待审核。",
                audit_new={"reports": need.report_count},
            )
        else:
            need.save(update_fields=["report_count"])
    return need


def _moderate(*, actor: Actor, need: Need, reason: str, action: str) -> Need:
    require(actor, Perm.NEEDS_MODERATE, need)
    with transaction.atomic():
        need = _lock(need)
        require(actor, Perm.NEEDS_MODERATE, need)
        fields = {}
        if action == NeedAction.RESTORE:
            fields["report_count"] = 0  # a restored need must be reported afresh to hide again
        need_lifecycle.apply(
            need,
            action,
            actor=actor,
            note=reason,
            update_fields=[],
            moderated_at=timezone.now(),
            moderated_by=actor.user,
            moderation_reason=reason,
            **fields,
        )
    return need


def need_hide(*, need: Need, data: NeedModerationInput, actor: Actor) -> Need:
    """A purchaser of the need's street (or a platform admin) hides it, saying why."""
    return _moderate(actor=actor, need=need, reason=data.reason, action=NeedAction.HIDE)


def need_restore(*, need: Need, data: NeedModerationInput, actor: Actor) -> Need:
    """Make a hidden need public again; earlier reports no longer count towards hiding."""
    return _moderate(actor=actor, need=need, reason=data.reason, action=NeedAction.RESTORE)
