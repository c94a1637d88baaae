"""The roles a person can hold (DOMAIN.md §2). A plain ``TextChoices``, not a model, so that
the permission mechanism (``caidan.common.permissions``) and every app can name roles without
importing ``accounts``; ``caidan.accounts.models.Role`` is this same class."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")
    REGISTRATION_AUTHORITY = "registration_authority", _("登记管理机关")
    PURCHASER = "purchaser", _("购买主体")
    COMMITTEE_MEMBER = "committee_member", _("审定委员会委员")
    PROVIDER = "provider", _("承接主体")
    HUB = "hub", _("枢纽型社会组织")
    EXPERT = "expert", _("评审专家")
    EVALUATOR = "evaluator", _("第三方评估机构")
    AUDITOR = "auditor", _("审计")
    RESIDENT = "resident", _("居民")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
