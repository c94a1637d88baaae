"""Writes for organizations (foundation: registration of identity only)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.errors import field_error
from caidan.common.identifiers import validate_uscc

from .models import Organization


def organization_create(
    *,
    name: str,
    uscc: str,
    legal_form: str = Organization.LegalForm.OTHER,
    is_hub: bool = False,
    is_evaluator: bool = False,
    hub: Organization | None = None,
    actor: Any,
) -> Organization:
    name = (name or "").strip()
    if not name:
        raise field_error("name", "组织名称不能为空。")
    code = validate_uscc(uscc)
    if legal_form not in Organization.LegalForm.values:
        raise field_error("legal_form", f"组织形式“{legal_form}”无效。")
    with transaction.atomic():
        if Organization.objects.filter(uscc=code).exists():
            raise field_error("uscc", f"统一社会信用代码 {code} 已登记。", code="duplicate")
        org = Organization.objects.create(
            name=name,
            uscc=code,
            legal_form=legal_form,
            is_hub=is_hub,
            is_evaluator=is_evaluator,
            hub=hub,
        )
        audit_record(
            kind=EventKind.ORGANIZATION_CREATED,
            actor=actor,
            target=org,
            new={"name": name, "uscc": code, "legal_form": legal_form, "is_hub": is_hub},
        )
    return org
