"""Registering organizations and maintaining their profile (登记信息).

Legal identity (name, code, form, registration date, legal representative, address) is
changed only by the registration authority; a provider asks for such a change with a
``ProfileChangeRequest``. Everything else in the profile the provider keeps up itself.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from caidan.accounts.actor import user_of
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record, diff
from caidan.common.errors import Conflict, ValidationError, field_error
from caidan.common.identifiers import validate_uscc
from caidan.common.money import to_money

from .. import permissions  # noqa: F401 - registers the rules
from ..lifecycles import (
    ACTION_TO,
    ChangeRequestAction,
    change_request_lifecycle,
    organization_lifecycle,
)
from ..models import (
    Organization,
    OrganizationField,
    PastProject,
    ProfileChangeRequest,
    ServiceField,
)
from .directory import directory_recompute

IDENTITY_FIELDS = (
    "name",
    "uscc",
    "legal_form",
    "registration_date",
    "registration_authority",
    "legal_representative",
    "address",
)
PROFILE_FIELDS = (
    "contact_name",
    "contact_phone",
    "email",
    "website",
    "description",
    "full_time_staff",
    "part_time_staff",
    "social_workers",
    "volunteers",
)
AUTHORITY_FIELDS = ("status", "is_hub", "is_evaluator")
TEXT_FIELDS = {
    "name",
    "uscc",
    "registration_authority",
    "legal_representative",
    "address",
    "contact_name",
    "contact_phone",
    "email",
    "website",
    "description",
}
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,30}$")


def _clean(field: str, value: Any) -> Any:
    """Validate one profile value; raise naming the field and the rule."""
    if isinstance(value, list | dict):
        raise field_error(field, f"字段“{field}”的值格式不正确。")
    if isinstance(value, int | float) and not isinstance(value, bool) and field in TEXT_FIELDS:
        value = str(value)
    if field == "name":
        value = (value or "").strip()
        if not value:
            raise field_error("name", "组织名称不能为空。")
        if len(value) > 200:
            raise field_error("name", "组织名称不能超过 200 个字符。")
        return value
    if field == "uscc":
        return validate_uscc(value)
    if field == "legal_form":
        if value not in Organization.LegalForm.values:
            raise field_error("legal_form", f"组织形式“{value}”无效。")
        return value
    if field == "status":
        if value not in Organization.Status.values:
            raise field_error("status", f"登记状态“{value}”无效。")
        return value
    if field == "registration_date":
        if value in (None, ""):
            return None
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise field_error(
                    "registration_date", "成立登记日期格式应为 YYYY-MM-DD。"
                ) from None
        if value > timezone.localdate():
            raise field_error("registration_date", "成立登记日期不能晚于今天。")
        return value
    if field in {"full_time_staff", "part_time_staff", "social_workers", "volunteers"}:
        try:
            number = int(value or 0)
        except (TypeError, ValueError):
            raise field_error(field, "人数必须是非负整数。") from None
        if number < 0:
            raise field_error(field, "人数必须是非负整数。")
        return number
    if field == "email":
        value = (value or "").strip()
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                raise field_error("email", f"电子邮箱格式不正确：{value}。") from None
        return value
    if field == "website":
        value = (value or "").strip()
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except DjangoValidationError:
                raise field_error("website", "网站地址应以 http:// 或 https:// 开头。") from None
        return value
    if field == "contact_phone":
        value = (value or "").strip()
        if value and not PHONE_RE.match(value):
            raise field_error("contact_phone", "联系电话只能包含数字、空格和 + - ( )。")
        return value
    if field in {"is_hub", "is_evaluator"}:
        return bool(value)
    return (value or "").strip() if isinstance(value, str) or value is None else value


def _clean_fields(fields) -> list[str]:
    if fields and not isinstance(fields, list | tuple):
        raise field_error("fields", "服务领域应为列表。")
    values = [f for f in (fields or []) if f]
    bad = [f for f in values if f not in ServiceField.values]
    if bad:
        raise field_error("fields", f"服务领域无效：{'、'.join(bad)}。")
    return sorted(set(values))


def _snapshot(org: Organization) -> dict[str, Any]:
    data = {f: getattr(org, f) for f in IDENTITY_FIELDS + PROFILE_FIELDS + AUTHORITY_FIELDS}
    data["fields"] = sorted(org.field_rows.values_list("field", flat=True)) if org.pk else []
    return data


def _set_fields(org: Organization, fields: list[str]) -> None:
    current = set(org.field_rows.values_list("field", flat=True))
    wanted = set(fields)
    if current - wanted:
        org.field_rows.filter(field__in=current - wanted).delete()
    if wanted - current:
        OrganizationField.objects.bulk_create(
            [OrganizationField(organization=org, field=f) for f in sorted(wanted - current)]
        )


def organization_create(
    *,
    name: str,
    uscc: str,
    legal_form: str = Organization.LegalForm.OTHER,
    fields=(),
    is_hub: bool = False,
    is_evaluator: bool = False,
    hub: Organization | None = None,
    actor: Any,
    **details: Any,
) -> Organization:
    """Register an organization (registration authority)."""
    require(actor, "orgs.manage")
    unknown = set(details) - set(IDENTITY_FIELDS + PROFILE_FIELDS + ("status",))
    if unknown:
        raise field_error(sorted(unknown)[0], f"未知字段：{'、'.join(sorted(unknown))}。")
    values = {"name": _clean("name", name), "uscc": _clean("uscc", uscc)}
    values["legal_form"] = _clean("legal_form", legal_form)
    for key, value in details.items():
        values[key] = _clean(key, value)
    field_list = _clean_fields(fields)
    if hub is not None and not hub.is_hub:
        raise field_error("hub", f"“{hub.name}”不是枢纽型社会组织。")
    with transaction.atomic():
        if Organization.objects.filter(uscc=values["uscc"]).exists():
            raise field_error(
                "uscc", f"统一社会信用代码 {values['uscc']} 已登记。", code="duplicate"
            )
        org = Organization.objects.create(
            **values, is_hub=is_hub, is_evaluator=is_evaluator, hub=hub
        )
        _set_fields(org, field_list)
        audit_record(
            kind=EventKind.ORGANIZATION_CREATED,
            actor=actor,
            target=org,
            new={**_snapshot(org), "hub": hub and hub.pk},
        )
    return org


def _apply(
    org: Organization, changes: dict[str, Any], allowed: tuple[str, ...], *, actor: Any
) -> dict:
    cleaned = {}
    for key, value in changes.items():
        if key == "fields":
            cleaned["fields"] = _clean_fields(value)
        elif key in allowed:
            cleaned[key] = _clean(key, value)
        else:
            raise field_error(key, f"不能修改字段“{key}”。")
    new_code = cleaned.get("uscc")
    if (
        new_code
        and new_code != org.uscc
        and Organization.objects.filter(uscc=new_code).exclude(pk=org.pk).exists()
    ):
        raise field_error("uscc", f"统一社会信用代码 {cleaned['uscc']} 已登记。")
    for key, value in cleaned.items():
        if key not in ("fields", "status"):
            setattr(org, key, value)
    status = cleaned.get("status", org.status)
    if status != org.status:
        organization_lifecycle.apply(org, ACTION_TO[status], actor=actor)
    else:
        org.save()
    if "fields" in cleaned:
        _set_fields(org, cleaned["fields"])
    return cleaned


def organization_update(
    *, organization: Organization, changes: dict[str, Any], actor: Any
) -> Organization:
    """The registration authority changes any registry field."""
    require(actor, "orgs.manage")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        before = _snapshot(org)
        _apply(org, changes, IDENTITY_FIELDS + PROFILE_FIELDS + AUTHORITY_FIELDS, actor=actor)
        old, new = diff(before, _snapshot(org))
        if new:
            audit_record(
                kind=EventKind.ORGANIZATION_UPDATED, actor=actor, target=org, old=old, new=new
            )
        directory_recompute(organization=org, actor=actor)
    return org


def organization_update_own(
    *, organization: Organization, changes: dict[str, Any], actor: Any
) -> Organization:
    """A provider keeps its own profile current; legal identity needs a change request."""
    require(actor, "orgs.edit_own", organization)
    identity = sorted(set(changes) & set(IDENTITY_FIELDS + AUTHORITY_FIELDS))
    if identity:
        raise ValidationError(
            "名称、信用代码、组织形式、成立日期、法定代表人、住所等登记事项须经登记管理机关审核，"
            "请提交登记事项变更申请。",
            code="identity_change",
            detail={"field": identity[0]},
        )
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        before = _snapshot(org)
        _apply(org, changes, PROFILE_FIELDS, actor=actor)
        old, new = diff(before, _snapshot(org))
        if new:
            audit_record(
                kind=EventKind.ORGANIZATION_UPDATED, actor=actor, target=org, old=old, new=new
            )
        directory_recompute(organization=org, actor=actor)
    return org


def change_request_submit(
    *, organization: Organization, changes: dict[str, Any], reason: str = "", actor: Any
) -> ProfileChangeRequest:
    require(actor, "orgs.edit_own", organization)
    if not changes:
        raise field_error("changes", "请填写要变更的登记事项。")
    bad = sorted(set(changes) - set(IDENTITY_FIELDS))
    if bad:
        raise field_error(bad[0], "变更申请只用于登记事项；其他资料可直接修改。")
    cleaned = {}
    for key, value in changes.items():
        value = _clean(key, value)
        if value != getattr(organization, key):
            cleaned[key] = value.isoformat() if isinstance(value, dt.date) else value
    if not cleaned:
        raise field_error("changes", "申请内容与现有登记信息相同。")
    with transaction.atomic():
        if organization.change_requests.filter(status="pending").exists():
            raise Conflict("已有一项待审核的变更申请，请等待登记管理机关处理。")
        request = ProfileChangeRequest.objects.create(
            organization=organization, changes=cleaned, reason=reason, requested_by=actor.user
        )
        audit_record(
            kind=EventKind.CHANGE_REQUESTED,
            actor=actor,
            target=organization,
            new={"request": request.pk, "changes": cleaned},
            note=reason,
        )
    return request


def change_request_decide(
    *, request: ProfileChangeRequest, approve: bool, note: str = "", actor: Any
) -> ProfileChangeRequest:
    require(actor, "orgs.manage")
    if not approve and not note.strip():
        raise field_error("note", "驳回时请写明理由。")
    with transaction.atomic():
        request = ProfileChangeRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ProfileChangeRequest.Status.PENDING:
            raise Conflict("该申请已处理。")
        org = Organization.objects.select_for_update().get(pk=request.organization_id)
        if approve:
            before = _snapshot(org)
            _apply(org, request.changes, IDENTITY_FIELDS, actor=actor)
            old, new = diff(before, _snapshot(org))
            audit_record(
                kind=EventKind.ORGANIZATION_UPDATED,
                actor=actor,
                target=org,
                old=old,
                new=new,
                note=f"批准变更申请 #{request.pk}",
            )
        request.organization = org
        change_request_lifecycle.apply(
            request,
            ChangeRequestAction.APPROVE if approve else ChangeRequestAction.REJECT,
            actor=actor,
            note=note,
            decided_by=actor.user,
            decided_at=timezone.now(),
            decision_note=note,
        )
    return request


def organization_set_hub(
    *, organization: Organization, hub: Organization | None, actor: Any
) -> Organization:
    """Affiliate a grassroots organization to a hub organization (or detach it)."""
    require(actor, "orgs.manage")
    if hub is not None:
        if not hub.is_hub:
            raise field_error("hub", f"“{hub.name}”不是枢纽型社会组织。")
        if hub.pk == organization.pk:
            raise field_error("hub", "组织不能挂靠自己。")
        if organization.is_hub:
            raise field_error("hub", "枢纽型社会组织不能再挂靠其他枢纽组织。")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        old = org.hub_id
        org.hub = hub
        org.save(update_fields=["hub", "updated_at"])
        audit_record(
            kind=EventKind.ORGANIZATION_HUB_SET,
            actor=actor,
            target=org,
            old={"hub": old},
            new={"hub": hub and hub.pk},
        )
    return org


def past_project_record(
    *,
    organization: Organization,
    year: int,
    title: str,
    purchaser_name: str,
    amount: Any = None,
    actor: Any,
) -> PastProject:
    """Record purchase experience recognised by a purchaser (directory criterion)."""
    require(actor, "orgs.manage")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise field_error("year", "年度应为四位数字。") from None
    if not 1990 <= year <= timezone.localdate().year:
        raise field_error("year", f"年度应在 1990 到 {timezone.localdate().year} 之间。")
    if not (title or "").strip():
        raise field_error("title", "请填写项目名称。")
    if not (purchaser_name or "").strip():
        raise field_error("purchaser_name", "请填写购买主体。")
    amount = to_money(amount, field="amount") if amount not in (None, "") else None
    with transaction.atomic():
        project = PastProject.objects.create(
            organization=organization,
            year=year,
            title=title.strip(),
            purchaser_name=purchaser_name.strip(),
            amount=amount,
            recorded_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.PAST_PROJECT_RECORDED,
            actor=actor,
            target=organization,
            new={"year": year, "title": title, "purchaser": purchaser_name, "amount": amount},
        )
        directory_recompute(organization=organization, actor=actor)
    return project
