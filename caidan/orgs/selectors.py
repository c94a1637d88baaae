"""Reads for the provider registry: public lists, profiles (masked by role), directory."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from caidan.accounts.permissions import can, require
from caidan.common.errors import NotFound, field_error
from caidan.common.masking import mask_name, mask_phone
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import text_match

from . import permissions  # noqa: F401 - registers the rules
from .facts import OrgFacts
from .models import (
    CreditRecord,
    DirectoryEntry,
    Grade,
    Organization,
    OrganizationField,
    ProfileChangeRequest,
    ServiceField,
)


def _current_grade_subquery(on: dt.date):
    return Subquery(
        Grade.objects.filter(organization=OuterRef("pk"), assessed_on__lte=on, valid_until__gte=on)
        .order_by("-assessed_on", "-id")
        .values("level")[:1]
    )


def _active_credit(list_kind: str, on: dt.date):
    return Exists(
        CreditRecord.objects.filter(
            organization=OuterRef("pk"), list=list_kind, listed_on__lte=on
        ).filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))
    )


def organization_queryset(on: dt.date | None = None) -> QuerySet[Organization]:
    """Organizations with what a list shows, without N+1: current grade, credit flags,
    service fields."""
    on = on or timezone.localdate()
    return (
        Organization.objects.public()
        .annotate(
            current_grade=_current_grade_subquery(on),
            on_abnormal=_active_credit(CreditRecord.List.ABNORMAL, on),
            on_serious=_active_credit(CreditRecord.List.SERIOUS, on),
        )
        .prefetch_related(
            Prefetch("field_rows", queryset=OrganizationField.objects.order_by("field"))
        )
    )


def organization_list(
    *,
    search: str = "",
    field: str = "",
    min_grade: int | None = None,
    credit: str = "",
    hub_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """Public search of the registry: name substring (Chinese works) or credit code."""
    qs = organization_search(
        search=search, field=field, min_grade=min_grade, credit=credit, hub_id=hub_id
    )
    return keyset_paginate(qs, ordering=("id",), cursor=cursor, limit=limit)


def organization_search(
    *,
    search: str = "",
    field: str = "",
    min_grade: int | None = None,
    credit: str = "",
    hub_id: int | None = None,
) -> QuerySet[Organization]:
    """The registry filtered as the public list filters it (unordered, unpaginated: the list
    pages it, the download streams it)."""
    qs = organization_queryset()
    search = (search or "").strip()
    if search:
        qs = qs.filter(text_match(search, "name") | Q(uscc=search.upper()))
    if field:
        if field not in ServiceField.values:
            raise field_error("field", f"服务领域“{field}”无效。")
        qs = qs.filter(
            Exists(OrganizationField.objects.filter(organization=OuterRef("pk"), field=field))
        )
    if min_grade:
        qs = qs.filter(
            current_grade_level__gte=int(min_grade),
            current_grade_until__gte=timezone.localdate(),
        )
    if credit == "abnormal":
        qs = qs.filter(on_abnormal=True)
    elif credit == "serious":
        qs = qs.filter(on_serious=True)
    elif credit == "clean":
        qs = qs.filter(on_abnormal=False, on_serious=False)
    if hub_id:
        qs = qs.filter(hub_id=hub_id)
    return qs


def organization_get(*, organization_id: int) -> Organization:
    org = organization_queryset().select_related("hub").filter(pk=organization_id).first()
    if org is None:
        raise NotFound("找不到该社会组织。")
    return org


def organization_get_for_edit(*, actor, organization_id: int) -> Organization:
    org = organization_get(organization_id=organization_id)
    require(actor, Perm.ORGS_MANAGE)
    return org


def organization_of(actor) -> Organization:
    """The organization a provider / hub / evaluator acts for."""
    org = getattr(actor, "organization", None)
    if org is None:
        raise NotFound("当前角色不属于任何社会组织。")
    require(actor, Perm.ORGS_EDIT_OWN, org)
    return organization_get(organization_id=org.pk)


@dataclass
class Profile:
    """An organization as one viewer may see it: personal data masked unless the viewer
    is the registration authority, a platform admin, or the organization itself."""

    organization: Organization
    facts: OrgFacts
    private: bool
    legal_representative: str
    contact_name: str
    contact_phone: str
    affiliates: list[Organization]
    in_directory: list[str]

    @property
    def current_grade(self):
        return self.facts.current_grade

    @property
    def credit_history(self):
        return self.facts.credit

    @property
    def active_credit(self):
        return [r for r in self.facts.credit if r.active_on(self.facts.on)]


def organization_profile(*, actor, organization: Organization) -> Profile:
    private = can(actor, Perm.ORGS_VIEW_PRIVATE, organization)
    facts = OrgFacts.load(organization)
    return Profile(
        organization=organization,
        facts=facts,
        private=private,
        legal_representative=(
            organization.legal_representative
            if private
            else mask_name(organization.legal_representative)
        ),
        contact_name=organization.contact_name if private else mask_name(organization.contact_name),
        contact_phone=(
            organization.contact_phone if private else mask_phone(organization.contact_phone)
        ),
        affiliates=list(organization.affiliates.order_by("name")) if organization.is_hub else [],
        in_directory=[
            ServiceField(f).label
            for f in organization.directory_entries.values_list("field", flat=True)
        ],
    )


def directory_list(*, field: str, cursor: str | None = None, limit: int | None = None) -> Page:
    if field not in ServiceField.values:
        raise field_error("field", f"服务领域“{field}”无效。")
    qs = DirectoryEntry.objects.filter(field=field).select_related("organization")
    return keyset_paginate(qs, ordering=("-grade_level", "-id"), cursor=cursor, limit=limit)


def directory_counts() -> list[dict[str, Any]]:
    counts = dict(
        DirectoryEntry.objects.values_list("field")
        .annotate(n=Count("id"))
        .values_list("field", "n")
    )
    return [
        {"field": value, "label": label, "count": counts.get(value, 0)}
        for value, label in ServiceField.choices
    ]


def change_requests(
    *, actor, status: str = "pending", cursor: str | None = None, limit: int | None = None
) -> Page:
    require(actor, Perm.ORGS_MANAGE)
    qs = ProfileChangeRequest.objects.filter(status=status).select_related(
        "organization", "requested_by"
    )
    return keyset_paginate(qs, ordering=("-id",), cursor=cursor, limit=limit)


def change_request_get_for(*, actor, request_id: int) -> ProfileChangeRequest:
    require(actor, Perm.ORGS_MANAGE)
    row = ProfileChangeRequest.objects.select_related("organization").filter(pk=request_id).first()
    if row is None:
        raise NotFound("找不到该变更申请。")
    return row


def credit_record_get_for(*, actor, record_id: int) -> CreditRecord:
    require(actor, Perm.ORGS_MANAGE)
    row = CreditRecord.objects.select_related("organization").filter(pk=record_id).first()
    if row is None:
        raise NotFound("找不到该信用记录。")
    return row
