"""What an enquiry is about, and which unit handles it.

* An enquiry, suggestion or information request goes to the unit responsible for its
  subject: the purchaser of a menu, project, tender or contract; the finance bureau for a
  catalog item; the registration authority for a social organization; the unit named.
* A supervision report (举报) always goes to the finance bureau, and records the unit it
  concerns (``concerned_unit``), which never sees it.

The finance bureau is the unit whose code is ``settings.CAIDAN_FINANCE_BUREAU_CODE`` when
set, else the unit of the platform's first active platform admin (in this platform the
platform admins are the finance bureau's officers, DOMAIN.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.accounts.models import Membership, Role, Unit
from caidan.accounts.selectors import finance_bureau as accounts_finance_bureau
from caidan.common.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    field_error,
)
from caidan.enquiries.codes import Code

from .models import EnquiryKind, SubjectType


@dataclass(frozen=True)
class Subject:
    type: str
    id: int | None
    label: str
    unit: Unit | None  # the unit responsible for the subject (None: none in particular)


def finance_bureau() -> Unit:
    return accounts_finance_bureau()


def registration_authority() -> Unit:
    m = (
        Membership.objects.select_related("unit")
        .filter(role=Role.REGISTRATION_AUTHORITY, is_active=True, unit__isnull=False)
        .order_by("id")
        .first()
    )
    return m.unit if m else finance_bureau()


def _id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise field_error("subject_id", _("请指明咨询涉及的对象。")) from None


def resolve_subject(
    *, subject_type: str, subject_id: Any = None, official: str = "", unit_id: Any = None, actor
) -> Subject:
    """The subject as the asker may see it (a draft the asker cannot see is "not found")."""
    try:
        return _resolve(subject_type, subject_id, official, unit_id, actor)
    except (NotAuthenticated, PermissionDenied):
        raise NotFound(_("找不到涉及的对象（或它尚未公开）。")) from None


def _resolve(subject_type, subject_id, official, unit_id, actor) -> Subject:
    st = str(subject_type or "")
    if st not in SubjectType.values:
        raise field_error("subject_type", _("请选择咨询涉及的对象类型。"))
    if st == SubjectType.OFFICIAL:
        name = " ".join(str(official or "").split())
        if not name:
            raise field_error("official", _("请填写被举报或涉及的工作人员（姓名或职务）。"))
        if len(name) > 200:
            raise field_error("official", _("“工作人员”不能超过 200 个字。"))
        unit = None
        if unit_id not in (None, ""):
            unit = Unit.objects.filter(pk=_id(unit_id)).first()
            if unit is None:
                raise field_error("unit_id", _("找不到该单位。"))
        return Subject(st, None, name, unit)
    pk = _id(subject_id)
    if st == SubjectType.UNIT:
        unit = Unit.objects.filter(pk=pk).first()
        if unit is None:
            raise NotFound(_("找不到该单位。"))
        return Subject(st, pk, unit.name, unit)
    if st == SubjectType.CATALOG_ITEM:
        from caidan.catalog.models import CatalogItem

        item = CatalogItem.objects.select_related("version").filter(pk=pk).first()
        if item is None or item.version.status == "draft":
            raise NotFound(_("找不到该目录条目。"))
        return Subject(st, pk, f"{item.code} {item.name}", None)
    if st in (SubjectType.MENU, SubjectType.MENU_ITEM):
        from caidan.needs.models import MenuItem
        from caidan.needs.selectors import menu_get_for

        if st == SubjectType.MENU_ITEM:
            item = MenuItem.objects.filter(pk=pk).first()
            if item is None:
                raise NotFound(_("找不到该菜单项。"))
            menu = menu_get_for(actor=actor, menu_id=item.menu_id)
            return Subject(st, pk, f"{menu.title} · {item.title}", menu.unit)
        menu = menu_get_for(actor=actor, menu_id=pk)
        return Subject(st, pk, menu.title, menu.unit)
    if st == SubjectType.PROJECT:
        from caidan.projects.selectors import proposal_get_for

        p = proposal_get_for(actor=actor, proposal_id=pk)
        return Subject(st, pk, p.title, p.unit)
    if st == SubjectType.TENDER:
        from caidan.procurement.selectors import tender_get

        t = tender_get(pk=pk, actor=actor)
        return Subject(st, pk, t.title, t.unit)
    if st == SubjectType.CONTRACT:
        from caidan.contracts.selectors import contract_get_for

        c = contract_get_for(actor=actor, contract_id=pk)
        return Subject(st, pk, c.title, c.unit)
    # organization
    from caidan.orgs.models import Organization

    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise NotFound(_("找不到该社会组织。"))
    return Subject(st, pk, org.name, None)


REPORT_SUBJECTS = frozenset(
    {
        SubjectType.PROJECT,
        SubjectType.TENDER,
        SubjectType.CONTRACT,
        SubjectType.ORGANIZATION,
        SubjectType.OFFICIAL,
    }
)


def route(kind: str, subject: Subject) -> tuple[Unit, Unit | None]:
    """(the handling unit, the unit a report concerns)."""
    if kind == EnquiryKind.REPORT:
        if subject.type not in REPORT_SUBJECTS:
            raise field_error(
                "subject_type", _("举报的对象应为项目、采购项目、合同、承接主体或工作人员。")
            )
        bureau = finance_bureau()
        concerned = subject.unit
        if concerned is not None and related(bureau, concerned):
            raise Conflict(
                _("该举报涉及财政部门本身，本平台不能回避办理，请向审计机关或纪检监察机关举报。"),
                code=Code.REPORT_CONCERNS_FINANCE,
            )
        return bureau, concerned
    if subject.unit is not None:
        return subject.unit, None
    if subject.type == SubjectType.ORGANIZATION:
        return registration_authority(), None
    if subject.type == SubjectType.OFFICIAL:
        raise field_error("unit_id", _("请选择该工作人员所在的单位。"))
    return finance_bureau(), None


def related(a: Unit | None, b: Unit | None) -> bool:
    """One unit is the other or within it (either way)."""
    if a is None or b is None:
        return False
    return a.path.startswith(b.path) or b.path.startswith(a.path)
