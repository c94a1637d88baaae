"""The inputs of the needs services (``caidan.common.inputs``): a resident's identity and
need, a report or a moderator's reason, a menu, a menu item and the reason for closing one.

Built from the API schema, the form's ``cleaned_data`` or keywords; the checks that need the
database (a catalog item's version and level) or the clock and the deployment's settings
(whether ID numbers may receive codes, a menu's frozen rules) stay in the services.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from caidan.accounts.models import Unit
from caidan.common.errors import field_error
from caidan.common.inputs import (
    Choice,
    Input,
    Line,
    Money,
    NonNegativeInt,
    Text,
    rule,
)

from .models import NEED_TEXT_MAX, NEED_TEXT_MIN, IdentityKind, TargetGroup

NEED_UNIT_KINDS = (Unit.Kind.STREET, Unit.Kind.TOWN)
MAX_MENU_PERIOD = dt.timedelta(days=366)
CODE_DIGITS = 6

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


# --- field types ---------------------------------------------------------------------------


def _need_text(text: str) -> str:
    if not NEED_TEXT_MIN <= len(text) <= NEED_TEXT_MAX:
        raise rule(
            _(
                "应为 %(NEED_TEXT_MIN)s–%(NEED_TEXT_MAX)s 个字（当前 %(len)s 个字），请写清楚需要什么服务、为谁、在哪里。"
            )
            % {"NEED_TEXT_MIN": NEED_TEXT_MIN, "NEED_TEXT_MAX": NEED_TEXT_MAX, "len": len(text)}
        )
    return text


def _moment(value: Any) -> Any:
    """A time as typed in a form or JSON (``2030-01-01T09:00``, ``2030-01-01 09:00``)."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise rule(_("格式应为 YYYY-MM-DD HH:MM。")) from None
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    """A time without a zone was entered in the jurisdiction's time zone."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _not_negative(amount: Decimal | None) -> Decimal | None:
    if amount is not None and amount < 0:
        raise rule(_("不能为负数。"))
    return amount


NeedText = Annotated[str, AfterValidator(_need_text), Field(title=gettext_noop("需求内容"))]
Moment = Annotated[dt.datetime, BeforeValidator(_moment), AfterValidator(_aware)]
OptionalMoney = Annotated[
    Money | None, BeforeValidator(_blank_is_none), AfterValidator(_not_negative)
]


# --- residents' identities -----------------------------------------------------------------


def normalise_phone(value: Any) -> str:
    raw = re.sub(r"[\s\-()]", "", str(value or ""))
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    elif raw.startswith("86") and len(raw) == 13:
        raw = raw[2:]
    if not PHONE_RE.match(raw):
        raise field_error("value", _("手机号格式不正确，请输入 11 位中国大陆手机号码。"))
    return raw


def id_number_check_char(first17: str) -> str:
    """The GB 11643-1999 check character of an 18-digit citizen ID number (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalise_id_number(value: Any) -> str:
    raw = re.sub(r"\s", "", str(value or "")).upper()
    if not ID_NUMBER_RE.match(raw):
        raise field_error("value", _("身份证号应为 18 位：前 17 位为数字，最后一位为数字或 X。"))
    try:
        birth = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise field_error("value", _("身份证号中的出生日期无效，请核对后重新输入。")) from None
    if birth.year < 1900 or birth > timezone.localdate():
        raise field_error("value", _("身份证号中的出生日期无效，请核对后重新输入。"))
    if raw[17] != id_number_check_char(raw[:17]):
        raise field_error("value", _("身份证号校验码不正确（GB 11643），请核对后重新输入。"))
    return raw


def normalise(kind: str, value: Any) -> str:
    return normalise_phone(value) if kind == IdentityKind.PHONE else normalise_id_number(value)


def _code(value: Any) -> Any:
    return re.sub(r"\s", "", value) if isinstance(value, str) else value


def _six_digits(code: str) -> str:
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", code):
        raise rule(_("应为 %(CODE_DIGITS)s 位数字。") % {"CODE_DIGITS": CODE_DIGITS})
    return code


class IdentityInput(Input):
    """A phone number (or citizen ID number); ``value`` comes out normalised
    (``13912345678``, ``11010519491231002X``), the form hashed and stored."""

    kind: Choice(IdentityKind, title=gettext_noop("身份类型"))
    value: str = Field(title=gettext_noop("手机号或身份证号"))

    @model_validator(mode="after")
    def _normalise(self) -> IdentityInput:
        object.__setattr__(self, "value", normalise(self.kind, self.value))
        return self


class IdentityCodeInput(IdentityInput):
    """The identity again (it travels back with the form) and the code sent to it."""

    code: Annotated[str, BeforeValidator(_code), AfterValidator(_six_digits)] = Field(
        title=gettext_noop("验证码")
    )


# --- needs ---------------------------------------------------------------------------------


class NeedInput(Input):
    """A need stated by a resident, for a community of a street or town."""

    unit: Any = Field(default=None, title=gettext_noop("街道（镇）"))
    community: Line(100, title=gettext_noop("社区（居委会）"))
    target_group: Choice(TargetGroup, title=gettext_noop("服务对象"))
    text: NeedText

    @model_validator(mode="after")
    def _street_or_town(self) -> NeedInput:
        if not isinstance(self.unit, Unit):
            raise field_error("unit", _("请选择需求所在的街道或镇。"))
        if self.unit.kind not in NEED_UNIT_KINDS:
            raise field_error(
                "unit",
                _("“%(name)s”不是街道或镇，请选择需求所在的街道或镇。") % {"name": self.unit.name},
            )
        return self


class NeedReportInput(Input):
    reason: Line(200, title=gettext_noop("举报理由"), required=False)


class NeedModerationInput(Input):
    """Why a need is hidden or made public again (recorded, and shown to the resident)."""

    reason: Line(300, title=gettext_noop("处理理由"))


# --- menus ---------------------------------------------------------------------------------


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class MenuInput(Input):
    """A menu's wording, its community and its ordering period (at most a year)."""

    community: Line(100, title=gettext_noop("社区（居委会）"))
    title: Line(200, title=gettext_noop("标题"))
    description: Text(5000, title=gettext_noop("说明"))
    ordering_opens_at: Moment = Field(title=gettext_noop("点菜开始时间"))
    ordering_closes_at: Moment = Field(title=gettext_noop("点菜截止时间"))

    @model_validator(mode="after")
    def _period(self) -> MenuInput:
        opens, closes = self.ordering_opens_at, self.ordering_closes_at
        if closes <= opens:
            raise field_error(
                "ordering_closes_at",
                _("点菜截止时间（%(local)s）必须晚于开始时间（%(local_2)s）。")
                % {"local": _local(closes), "local_2": _local(opens)},
            )
        if closes - opens > MAX_MENU_PERIOD:
            raise field_error("ordering_closes_at", _("点菜时间最长一年。"))
        return self


class MenuItemInput(Input):
    """A catalog item put on a menu; its title defaults to the item's name (the service
    checks the item's catalog version and level)."""

    catalog_item: Any = Field(default=None, title=gettext_noop("目录条目"))
    title: Line(200, title=gettext_noop("名称"), required=False)
    description: Text(2000, title=gettext_noop("菜单项说明"))
    estimated_budget: OptionalMoney = Field(default=None, title=gettext_noop("预估预算"))
    sort_order: NonNegativeInt | None = Field(default=None, title=gettext_noop("排序号"))


class MenuCloseInput(Input):
    """Why ordering closes before the period's end (needed then, optional otherwise)."""

    reason: Line(300, title=gettext_noop("截止理由"), required=False)


# --- assisted participation (issue 21) -----------------------------------------------------


def _renamed(field: str, check, value: Any) -> str:
    """A number checked by ``check``, its refusal naming ``field`` instead of ``value``."""
    from caidan.common.errors import ValidationError

    try:
        return check(value)
    except ValidationError as exc:
        raise field_error(field, exc.message) from None


class CounterRegistrationInput(Input):
    """What a community worker types at the counter after seeing the resident's ID card:
    the ID number (checked with its GB 11643 check digit) and, if the resident has one, the
    mobile number the resident gives — both are hashed and linked to one person."""

    id_number: str = Field(title=gettext_noop("身份证号"))
    phone: str = Field(default="", title=gettext_noop("手机号（选填）"))

    @model_validator(mode="after")
    def _normalise(self) -> CounterRegistrationInput:
        object.__setattr__(
            self, "id_number", _renamed("id_number", normalise_id_number, self.id_number)
        )
        if self.phone:
            object.__setattr__(self, "phone", _renamed("phone", normalise_phone, self.phone))
        return self
