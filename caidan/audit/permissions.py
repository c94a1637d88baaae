"""The audit app's permission rule (registered from ``AuditConfig.ready``)."""

from __future__ import annotations

from caidan.common.permissions import register
from caidan.common.perms import Perm
from caidan.common.roles import Role

register(Perm.AUDIT_VIEW, [Role.PLATFORM_ADMIN, Role.AUDITOR], description="浏览审计日志")
