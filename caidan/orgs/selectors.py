"""Reads for the provider registry: public lists, profiles (masked by role), directory."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import can, require
from caidan.common.errors import NotFound, field_error
from caidan.common.fast_lists import related_rows
from caidan.common.masking import mask_name, mask_phone
from caidan.common.pagination import Page, keyset_paginate
from caidan.common.perms import Perm
from caidan.common.search import searched, text_match

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


def _active_credit_records(list_kind: str, on: dt.date) -> QuerySet[CreditRecord]:
    """The outer organization's records on ``list_kind`` in force on ``on``: listed by
    then, not removed by then."""
    return CreditRecord.objects.filter(
        organization=OuterRef("pk"), list=list_kind, listed_on__lte=on
    ).filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))


def _active_credit(list_kind: str, on: dt.date):
    return Exists(_active_credit_records(list_kind, on))


def _active_credit_flag(list_kind: str, on: dt.date):
    """``_active_credit`` as a column: a scalar subquery (true, or false when no row).
    PostgreSQL may turn a listed ``EXISTS`` into one hash of every active record, built on
    each request because it expects to run it for every organization, not for the page of
    21 (at 1 M: 4 of the list's 7 ms); a scalar subquery is looked up by index per row."""
    return Coalesce(
        Subquery(
            _active_credit_records(list_kind, on)
            .annotate(flag=Value(True, output_field=BooleanField()))
            .values("flag")[:1]
        ),
        Value(False),
        output_field=BooleanField(),
    )


def organization_queryset(on: dt.date | None = None) -> QuerySet[Organization]:
    """Organizations with what a list shows, without N+1: current grade, credit flags,
    service fields."""
    on = on or timezone.localdate()
    return (
        Organization.objects.public()
        .annotate(
            current_grade=_current_grade_subquery(on),
            on_abnormal=_active_credit_flag(CreditRecord.List.ABNORMAL, on),
            on_serious=_active_credit_flag(CreditRecord.List.SERIOUS, on),
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


#: The columns the public list shows.
ORGANIZATION_ROW_FIELDS = (
    "id",
    "name",
    "uscc",
    "legal_form",
    "status",
    "is_hub",
    "is_evaluator",
    "hub_id",
    "current_grade_level",
    "current_grade_until",
)


def organization_rows(
    *,
    search: str = "",
    field: str = "",
    min_grade: int | None = None,
    credit: str = "",
    hub_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """``organization_list`` as ``.values()`` rows of the columns the list shows, without a
    model instance or a correlated subquery per row (docs/architecture.md, "Fast lists"):
    three queries whatever the page size. Each row has what ``organization_queryset``
    annotates: ``current_grade`` (the stored current grade, None once expired: what the
    ``min_grade`` filter reads), ``on_abnormal`` and ``on_serious`` (listed today), and its
    service ``fields`` in order."""
    today = timezone.localdate()
    qs = organization_search(
        search=search,
        field=field,
        min_grade=min_grade,
        credit=credit,
        hub_id=hub_id,
        base=Organization.objects.public(),
    )
    rows = qs.values(*ORGANIZATION_ROW_FIELDS)
    page = keyset_paginate(rows, ordering=("id",), cursor=cursor, limit=limit)
    by_id = {}
    for row in page.items:
        until = row["current_grade_until"]
        row["current_grade"] = (
            row["current_grade_level"] if until is not None and until >= today else None
        )
        row["on_abnormal"] = row["on_serious"] = False
        row["fields"] = []
        by_id[row["id"]] = row
    for organization_id, value in related_rows(
        OrganizationField,
        key="organization",
        ids=by_id,
        columns=("organization", "field"),
        order_by="field",
        using=rows.db,
    ):
        if organization_id in by_id:
            by_id[organization_id]["fields"].append(value)
    flags = {CreditRecord.List.ABNORMAL: "on_abnormal", CreditRecord.List.SERIOUS: "on_serious"}
    for organization_id, kind, listed_on, removed_on in related_rows(
        CreditRecord,
        key="organization",
        ids=by_id,
        columns=("organization", "list", "listed_on", "removed_on"),
        using=rows.db,
    ):
        # active as ``_active_credit`` says: listed by today, not removed by today
        active = listed_on <= today and (removed_on is None or removed_on > today)
        if active and kind in flags and organization_id in by_id:
            by_id[organization_id][flags[kind]] = True
    return page


def organization_search(
    *,
    search: str = "",
    field: str = "",
    min_grade: int | None = None,
    credit: str = "",
    hub_id: int | None = None,
    base: QuerySet[Organization] | None = None,
) -> QuerySet[Organization]:
    """The registry filtered as the public list filters it (unordered, unpaginated: the list
    pages it, the download streams it). ``base``: the organizations to filter, by default
    ``organization_queryset()`` (what the list shows of each); the filters do not need its
    annotations."""
    qs = organization_queryset() if base is None else base
    search = (search or "").strip()
    if search:
        qs = searched(qs, text_match(search, "name") | Q(uscc=search.upper()))
    if field:
        if field not in ServiceField.values:
            raise field_error("field", _("服务领域“%(field)s”无效。") % {"field": field})
        qs = qs.filter(
            Exists(OrganizationField.objects.filter(organization=OuterRef("pk"), field=field))
        )
    if min_grade:
        qs = qs.filter(
            current_grade_level__gte=int(min_grade),
            current_grade_until__gte=timezone.localdate(),
        )
    today = timezone.localdate()
    if credit == "abnormal":
        qs = qs.filter(_active_credit(CreditRecord.List.ABNORMAL, today))
    elif credit == "serious":
        qs = qs.filter(_active_credit(CreditRecord.List.SERIOUS, today))
    elif credit == "clean":
        qs = qs.exclude(_active_credit(CreditRecord.List.ABNORMAL, today)).exclude(
            _active_credit(CreditRecord.List.SERIOUS, today)
        )
    if hub_id:
        qs = qs.filter(hub_id=hub_id)
    return qs


def organization_get(*, organization_id: int) -> Organization:
    org = organization_queryset().select_related("hub").filter(pk=organization_id).first()
    if org is None:
        raise NotFound(_("找不到该社会组织。"))
    return org


def organization_get_for_edit(*, actor, organization_id: int) -> Organization:
    org = organization_get(organization_id=organization_id)
    require(actor, Perm.ORGS_MANAGE)
    return org


def organization_of(actor) -> Organization:
    """The organization a provider / hub / evaluator acts for."""
    org = getattr(actor, "organization", None)
    if org is None:
        raise NotFound(_("当前角色不属于任何社会组织。"))
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
            str(ServiceField(f).label)
            for f in organization.directory_entries.values_list("field", flat=True)
        ],
    )


def directory_list(*, field: str, cursor: str | None = None, limit: int | None = None) -> Page:
    if field not in ServiceField.values:
        raise field_error("field", _("服务领域“%(field)s”无效。") % {"field": field})
    qs = DirectoryEntry.objects.filter(field=field).select_related("organization")
    return keyset_paginate(qs, ordering=("-grade_level", "-id"), cursor=cursor, limit=limit)


def directory_counts() -> list[dict[str, Any]]:
    counts = dict(
        DirectoryEntry.objects.values_list("field")
        .annotate(n=Count("id"))
        .values_list("field", "n")
    )
    return [
        {"field": value, "label": str(label), "count": counts.get(value, 0)}
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
        raise NotFound(_("找不到该变更申请。"))
    return row


def credit_record_get_for(*, actor, record_id: int) -> CreditRecord:
    require(actor, Perm.ORGS_MANAGE)
    row = CreditRecord.objects.select_related("organization").filter(pk=record_id).first()
    if row is None:
        raise NotFound(_("找不到该信用记录。"))
    return row
