"""The provider registry's inputs (``caidan.common.inputs``): an organization's registry
fields, the changes an authority or a provider asks for, a penalty, a manual credit listing,
recognised project experience.

Built from the API schema, the form's ``cleaned_data``, a spreadsheet row or keywords; the
checks that need the database (a code already registered, a hub that is not one, an
organization already on the list) stay in the services.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from caidan.common.errors import field_error
from caidan.common.identifiers import validate_uscc
from caidan.common.inputs import Choice, Input, Money, RequiredText, Text, rule

from .models import CreditRecord, Organization, Penalty, ServiceField

PHONE_RE = re.compile(r"^[0-9+\-() ]{5,30}$")
MAX_STAFF = 2_147_483_647  # the column's bound (PositiveIntegerField)
FIRST_YEAR = 1990  # the earliest project experience recorded
MANUAL_REASONS = {
    CreditRecord.List.ABNORMAL: {
        CreditRecord.Reason.ANNUAL_REPORT,
        CreditRecord.Reason.UNREACHABLE,
        CreditRecord.Reason.OTHER,
    },
    CreditRecord.List.SERIOUS: {CreditRecord.Reason.OTHER},
}


def _blank(value: Any) -> Any:
    """An absent text (``None``) is empty text."""
    return "" if value is None else value


def _none_if_blank(value: Any) -> Any:
    """An empty form field (``""``, blank text) is no value."""
    return None if isinstance(value, str) and not value.strip() else value


def _zero_if_blank(value: Any) -> Any:
    """An empty count is nought."""
    return 0 if value is None or (isinstance(value, str) and not value.strip()) else value


def _not_future(day: dt.date | None) -> dt.date | None:
    if day is not None and day > timezone.localdate():
        raise rule(_("不能晚于今天。"))
    return day


def _past_year(year: int) -> int:
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= year <= this_year:
        raise rule(
            _("应在 %(FIRST_YEAR)s 到 %(this_year)s 之间。")
            % {"FIRST_YEAR": FIRST_YEAR, "this_year": this_year}
        )
    return year


def _false_if_none(value: Any) -> Any:
    return False if value is None else value


def _phone(value: str) -> str:
    if value and not PHONE_RE.match(value):
        raise rule(_("只能包含数字、空格和 + - ( )。"))
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise rule(_("格式不正确：%(value)s。") % {"value": value}) from None
    return value


def _website(value: str) -> str:
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except DjangoValidationError:
            raise ValueError(_("网站地址应以 http:// 或 https:// 开头。")) from None
    return value


def _service_fields(value: Any) -> list[str]:
    """Known service fields, each once, sorted; empty entries are ignored."""
    if not value:
        return []
    if not isinstance(value, list | tuple):
        raise rule(_("应为列表。"))
    values = [f for f in value if f]
    bad = [str(f) for f in values if f not in ServiceField.values]
    if bad:
        raise rule(_("无效：%(join)s。") % {"join": "、".join(bad)})
    return sorted(set(values))


def _text(max_length: int, title: str) -> Any:
    """Optional text (``None`` counts as empty)."""
    return Annotated[
        str, BeforeValidator(_blank), Field(default="", max_length=max_length, title=title)
    ]


def _count(title: str) -> Any:
    """A head count: a whole number, empty meaning nought."""
    return Annotated[
        int, BeforeValidator(_zero_if_blank), Field(default=0, ge=0, le=MAX_STAFF, title=title)
    ]


def _past_date(title: str) -> Any:
    return Annotated[dt.date, AfterValidator(_not_future), Field(title=title)]


Name = Annotated[
    str,
    BeforeValidator(_blank),
    Field(min_length=1, max_length=200, title=gettext_noop("组织名称")),
]
# The code's own refusal (``validate_uscc``) passes through with its code (uscc_check …).
Uscc = Annotated[str, AfterValidator(validate_uscc), Field(title=gettext_noop("统一社会信用代码"))]
RegistrationDate = Annotated[
    dt.date | None,
    BeforeValidator(_none_if_blank),
    AfterValidator(_not_future),
    Field(default=None, title=gettext_noop("成立登记日期")),
]
ServiceFields = Annotated[
    list[str],
    BeforeValidator(_service_fields),
    Field(default_factory=list, title=gettext_noop("服务领域")),
]
Flag = Annotated[bool, BeforeValidator(_false_if_none)]
OptionalMoney = Annotated[Money | None, BeforeValidator(_none_if_blank)]


class OrganizationChanges(Input):
    """Registry fields, each checked; a change names only the fields it changes (the
    service applies ``given()``). The registry has no rule across fields, so a change is
    checked alone: a record kept under older rules never blocks an unrelated change."""

    # Numbers sent for text (a phone number, a code) are taken as their digits.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    # legal identity (登记事项): the registration authority's, changed on request
    name: Name = ""
    uscc: Uscc = ""
    legal_form: Choice(Organization.LegalForm, title=gettext_noop("组织形式")) = (
        Organization.LegalForm.OTHER
    )
    registration_date: RegistrationDate
    registration_authority: _text(100, gettext_noop("登记管理机关"))
    legal_representative: _text(100, gettext_noop("法定代表人"))
    address: _text(300, gettext_noop("住所"))
    # the profile the provider keeps itself
    contact_name: _text(100, gettext_noop("联系人"))
    contact_phone: Annotated[_text(30, gettext_noop("联系电话")), AfterValidator(_phone)]
    email: Annotated[_text(254, gettext_noop("电子邮箱")), AfterValidator(_email)]
    website: Annotated[_text(200, gettext_noop("网站")), AfterValidator(_website)]
    description: Annotated[
        str, BeforeValidator(_blank), Field(default="", title=gettext_noop("机构简介"))
    ]
    full_time_staff: _count("专职人员数")
    part_time_staff: _count("兼职人员数")
    social_workers: _count("持证社会工作者数")
    volunteers: _count("登记志愿者数")
    fields: ServiceFields
    # what only the authority decides
    status: Choice(Organization.Status, title=gettext_noop("登记状态")) = Organization.Status.ACTIVE
    is_hub: Flag = Field(default=False, title=gettext_noop("枢纽型社会组织"))
    is_evaluator: Flag = Field(default=False, title=gettext_noop("第三方评估机构"))

    def given(self) -> dict[str, Any]:
        """The fields the change names, as typed values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class OrganizationInput(OrganizationChanges):
    """An organization to register: a name and a valid code at least."""

    name: Name
    uscc: Uscc


class PastProjectInput(Input):
    """Purchase experience a purchaser recognised (a directory criterion)."""

    year: Annotated[int, AfterValidator(_past_year), Field(title=gettext_noop("年度"))]
    title: RequiredText(200, title=gettext_noop("项目名称"))
    purchaser_name: RequiredText(200, title=gettext_noop("购买主体"))
    amount: OptionalMoney = Field(default=None, title=gettext_noop("合同金额"))


class PenaltyInput(Input):
    """An administrative penalty (行政处罚): only a fine has an amount, and it must."""

    kind: Choice(Penalty.Kind, title=gettext_noop("处罚种类"))
    decided_on: _past_date("处罚决定日期")
    reason: RequiredText(20_000, title=gettext_noop("违法事实"))
    amount: OptionalMoney = Field(default=None, title=gettext_noop("罚款金额"))
    authority: Text(100, title=gettext_noop("作出决定机关"))
    document_no: Text(100, title=gettext_noop("决定书文号"))

    @model_validator(mode="after")
    def _rules(self) -> PenaltyInput:
        if self.kind != Penalty.Kind.FINE:
            if self.amount is not None:
                raise field_error("amount", _("只有罚款需要填写金额。"))
        elif self.amount is None:
            raise field_error("amount", _("罚款须填写金额。"))
        elif self.amount <= Decimal("0"):
            raise field_error("amount", _("罚款金额必须大于 0。"))
        return self


class CreditListingInput(Input):
    """A listing the authority decides by hand (annual report not filed, unreachable …);
    listings that follow from penalties or time are the services' own."""

    list_kind: str = Field(title=gettext_noop("名录"))
    reason: str = Field(title=gettext_noop("列入事由"))
    listed_on: _past_date("列入日期")
    detail: Text(20_000, title=gettext_noop("具体情况"))

    @model_validator(mode="after")
    def _rules(self) -> CreditListingInput:
        allowed = MANUAL_REASONS.get(self.list_kind)
        if allowed is None:
            raise field_error("list_kind", _("只能手工列入活动异常名录或严重违法失信名单。"))
        if self.reason not in allowed:
            labels = "、".join(str(CreditRecord.Reason(r).label) for r in sorted(allowed))
            raise field_error(
                "reason",
                _("手工列入%(label)s的事由只能是：%(labels)s。")
                % {"label": CreditRecord.List(self.list_kind).label, "labels": labels},
            )
        if self.reason == CreditRecord.Reason.OTHER and not self.detail:
            raise field_error("detail", _("事由为“其他”时须写明具体情况。"))
        return self
