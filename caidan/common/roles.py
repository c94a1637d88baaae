"""The roles a person can hold (DOMAIN.md §2). A plain ``TextChoices``, not a model, so that
the permission mechanism (``caidan.common.permissions``) and every app can name roles without
importing ``accounts``; ``caidan.accounts.models.Role`` is this same class."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", "平台管理员"
    REGISTRATION_AUTHORITY = "registration_authority", "登记管理机关"
    PURCHASER = "purchaser", "购买主体"
    COMMITTEE_MEMBER = "committee_member", "审定委员会委员"
    PROVIDER = "provider", "承接主体"
    HUB = "hub", "枢纽型社会组织"
    EXPERT = "expert", "评审专家"
    EVALUATOR = "evaluator", "第三方评估机构"
    AUDITOR = "auditor", "审计"
    RESIDENT = "resident", "居民"
