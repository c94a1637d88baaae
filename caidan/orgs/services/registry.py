"""Registering organizations and maintaining their profile (登记信息).

Legal identity (name, code, form, registration date, legal representative, address) is
changed only by the registration authority; a provider asks for such a change with a
``ProfileChangeRequest``. Everything else in the profile the provider keeps up itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
from caidan.common.errors import Conflict, ValidationError, field_error
from caidan.common.perms import Perm
from caidan.orgs.codes import Code

from .. import permissions  # noqa: F401 - registers the rules
from ..inputs import OrganizationChanges, OrganizationInput, PastProjectInput
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
    *, data: OrganizationInput, hub: Organization | None = None, actor: Actor
) -> Organization:
    """Register an organization (registration authority), affiliated to ``hub`` if given."""
    require(actor, Perm.ORGS_MANAGE)
    if hub is not None and not hub.is_hub:
        raise field_error("hub", _("“%(name)s”不是枢纽型社会组织。") % {"name": hub.name})
    with transaction.atomic():
        if Organization.objects.filter(uscc=data.uscc).exists():
            raise field_error(
                "uscc",
                _("统一社会信用代码 %(uscc)s 已登记。") % {"uscc": data.uscc},
                code=Common.DUPLICATE,
            )
        org = Organization.objects.create(
            **data.values(*IDENTITY_FIELDS, *PROFILE_FIELDS, *AUTHORITY_FIELDS), hub=hub
        )
        _set_fields(org, data.fields)
        audit_record(
            kind=EventKind.ORGANIZATION_CREATED,
            actor=actor,
            target=org,
            new={**_snapshot(org), "hub": hub and hub.pk},
        )
    return org


def _checked(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The changes, each checked (``OrganizationChanges``), as typed values; a field the
    actor may not change here is refused by name."""
    for key in changes:
        if key != "fields" and key not in allowed:
            raise field_error(key, _("不能修改字段“%(key)s”。") % {"key": key})
    return OrganizationChanges.parse(changes).given()


def _apply(org: Organization, cleaned: dict[str, Any], *, actor: Actor) -> None:
    """Write checked changes: a new code must be free, a new status moves the lifecycle."""
    new_code = cleaned.get("uscc")
    if (
        new_code
        and new_code != org.uscc
        and Organization.objects.filter(uscc=new_code).exclude(pk=org.pk).exists()
    ):
        raise field_error(
            "uscc", _("统一社会信用代码 %(new_code)s 已登记。") % {"new_code": new_code}
        )
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


def organization_update(
    *, organization: Organization, changes: dict[str, Any], actor: Actor
) -> Organization:
    """The registration authority changes any registry field."""
    require(actor, Perm.ORGS_MANAGE)
    cleaned = _checked(changes, IDENTITY_FIELDS + PROFILE_FIELDS + AUTHORITY_FIELDS)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        before = _snapshot(org)
        _apply(org, cleaned, actor=actor)
        old, new = diff(before, _snapshot(org))
        if new:
            audit_record(
                kind=EventKind.ORGANIZATION_UPDATED, actor=actor, target=org, old=old, new=new
            )
        directory_recompute(organization=org, actor=actor)
    return org


def organization_update_own(
    *, organization: Organization, changes: dict[str, Any], actor: Actor
) -> Organization:
    """A provider keeps its own profile current; legal identity needs a change request."""
    require(actor, Perm.ORGS_EDIT_OWN, organization)
    identity = sorted(set(changes) & set(IDENTITY_FIELDS + AUTHORITY_FIELDS))
    if identity:
        raise ValidationError(
            _(
                "名称、信用代码、组织形式、成立日期、法定代表人、住所等登记事项须经登记管理机关审核，"
                "请提交登记事项变更申请。"
            ),
            code=Code.IDENTITY_CHANGE,
            detail={"field": identity[0]},
        )
    cleaned = _checked(changes, PROFILE_FIELDS)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        before = _snapshot(org)
        _apply(org, cleaned, actor=actor)
        old, new = diff(before, _snapshot(org))
        if new:
            audit_record(
                kind=EventKind.ORGANIZATION_UPDATED, actor=actor, target=org, old=old, new=new
            )
        directory_recompute(organization=org, actor=actor)
    return org


def change_request_submit(
    *, organization: Organization, changes: dict[str, Any], reason: str = "", actor: Actor
) -> ProfileChangeRequest:
    """A provider asks the authority to change its legal identity; ``changes`` (registry
    fields only) is checked now and again when the authority decides."""
    require(actor, Perm.ORGS_EDIT_OWN, organization)
    if not changes:
        raise field_error("changes", _("请填写要变更的登记事项。"))
    bad = sorted(set(changes) - set(IDENTITY_FIELDS))
    if bad:
        raise field_error(bad[0], _("变更申请只用于登记事项；其他资料可直接修改。"))
    cleaned = {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in _checked(changes, IDENTITY_FIELDS).items()
        if value != getattr(organization, key)
    }
    if not cleaned:
        raise field_error("changes", _("申请内容与现有登记信息相同。"))
    with transaction.atomic():
        if organization.change_requests.filter(status="pending").exists():
            raise Conflict(_("已有一项待审核的变更申请，请等待登记管理机关处理。"))
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
    *, request: ProfileChangeRequest, approve: bool, note: str = "", actor: Actor
) -> ProfileChangeRequest:
    require(actor, Perm.ORGS_MANAGE)
    if not approve and not note.strip():
        raise field_error("note", _("驳回时请写明理由。"))
    with transaction.atomic():
        request = ProfileChangeRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ProfileChangeRequest.Status.PENDING:
            raise Conflict(_("该申请已处理。"))
        org = Organization.objects.select_for_update().get(pk=request.organization_id)
        if approve:
            before = _snapshot(org)
            _apply(org, _checked(request.changes, IDENTITY_FIELDS), actor=actor)
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
    *, organization: Organization, hub: Organization | None, actor: Actor
) -> Organization:
    """Affiliate a grassroots organization to a hub organization (or detach it)."""
    require(actor, Perm.ORGS_MANAGE)
    if hub is not None:
        if not hub.is_hub:
            raise field_error("hub", _("“%(name)s”不是枢纽型社会组织。") % {"name": hub.name})
        if hub.pk == organization.pk:
            raise field_error("hub", _("组织不能挂靠自己。"))
        if organization.is_hub:
            raise field_error("hub", _("枢纽型社会组织不能再挂靠其他枢纽组织。"))
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
    *, organization: Organization, data: PastProjectInput, actor: Actor
) -> PastProject:
    """Record purchase experience recognised by a purchaser (directory criterion)."""
    require(actor, Perm.ORGS_MANAGE)
    with transaction.atomic():
        project = PastProject.objects.create(
            organization=organization,
            **data.values("year", "title", "purchaser_name", "amount"),
            recorded_by=user_of(actor),
        )
        audit_record(
            kind=EventKind.PAST_PROJECT_RECORDED,
            actor=actor,
            target=organization,
            new={
                "year": data.year,
                "title": data.title,
                "purchaser": data.purchaser_name,
                "amount": data.amount,
            },
        )
        directory_recompute(organization=organization, actor=actor)
    return project
