"""Who may upload and download documents.

Public documents need no rule: anyone may download them, without logging in. A private
document is for the person who uploaded it (in whichever of their roles they act) and
for platform admins.
"""

from __future__ import annotations

from django.db.models import Q

from caidan.common.actor import Actor
from caidan.common.permissions import register
from caidan.common.perms import Perm
from caidan.common.roles import Role

ALL_ROLES = list(Role.values)


def uploader_or_admin(actor: Actor, document) -> bool:
    if actor.has_role(Role.PLATFORM_ADMIN):
        return True
    return actor.user is not None and document.uploaded_by_id == actor.user.pk


register(Perm.DOCUMENTS_UPLOAD, ALL_ROLES, description="上传文件")
register(
    Perm.DOCUMENTS_VIEW_PRIVATE,
    ALL_ROLES,
    scope=uploader_or_admin,
    description="查看和下载非公开文件（上传人本人或平台管理员）",
)


def visible_filter(actor: Actor) -> Q:
    """The documents ``actor`` may open, as a filter (mirrors the rules above)."""
    if not actor.is_authenticated or actor.membership is None or not actor.membership.is_active:
        return Q(is_public=True)
    if actor.has_role(Role.PLATFORM_ADMIN):
        return Q()
    return Q(is_public=True) | Q(uploaded_by=actor.user)
