"""The catalog's inputs (``caidan.common.inputs``): a version's details, an item, a
negative-list entry.

Built from the API schema, the form's ``cleaned_data``, a spreadsheet row or keywords. An
item's rules that follow from its code (a category and a price only on the third level) are
checked with the field they concern, so that a spreadsheet row lists all its problems. The
checks that need the database (a name or code already taken, the parent, the negative
list, a draft to write in) stay in the services.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, field_validator

from caidan.common.i18n import source
from caidan.common.inputs import Input, Money, RequiredText, Text, rule

from .models import CODE_DIGITS_PER_LEVEL, ItemCategory

CODE_RE = re.compile(r"(?:\d{2}){1,3}")
CATEGORY_BY_LABEL = {source(label): value for value, label in ItemCategory.choices}
MAX_SORT_ORDER = 1_000_000
MAX_KEYWORDS = 100
MAX_KEYWORD_LENGTH = 50
KEYWORD_SEPARATORS = ("，", ",", "；", ";", "\n", "\r", "、")


def level_of(code: str) -> int:
    return len(code) // CODE_DIGITS_PER_LEVEL


def normalize_text(text: str) -> str:
    """Full-width and half-width forms alike, case-insensitive, whitespace ignored: how the
    negative list compares keywords with each other and with a text."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(folded.split())


# --- item fields --------------------------------------------------------------------------


def _code(value: Any) -> str:
    code = str(value if value is not None else "").strip()
    if not CODE_RE.fullmatch(code):
        raise ValueError(
            _(
                "编码“%(code)s”无效：一级目录为 2 位、二级 4 位、三级 6 位数字（如 01、0101、010101）。"
            )
            % {"code": code}
        )
    if any(code[i : i + 2] == "00" for i in range(0, len(code), CODE_DIGITS_PER_LEVEL)):
        raise ValueError(
            _("编码“%(code)s”无效：每一级的两位编号应在 01–99 之间。") % {"code": code}
        )
    return code


def _category(value: Any) -> str:
    """A category value or its Chinese label (服务类); empty for none."""
    raw = str(value or "").strip()
    category = CATEGORY_BY_LABEL.get(raw, raw)
    if category and category not in ItemCategory.values:
        raise ValueError(
            _("类别“%(raw)s”无效，应为：%(join)s之一。")
            % {"raw": raw, "join": "、".join(map(source, ItemCategory.labels))}
        )
    return category


def _none_if_blank(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _zero_if_blank(value: Any) -> Any:
    return 0 if value is None or (isinstance(value, str) and not value.strip()) else value


def _not_negative(price: Decimal | None) -> Decimal | None:
    if price is not None and price < 0:
        raise rule(_("不能为负数。"))
    return price


def _level(info: ValidationInfo) -> int | None:
    """The level the item's code gives (None while the code is itself refused)."""
    code = info.data.get("code")
    return level_of(code) if code else None


Code = Annotated[str, BeforeValidator(_code), Field(title=gettext_noop("编码"))]
# Checked when absent too: a third-level item must have one.
Category = Annotated[
    str,
    BeforeValidator(_category),
    Field(default="", validate_default=True, title=gettext_noop("类别")),
]
GuidancePrice = Annotated[
    Money | None,
    BeforeValidator(_none_if_blank),
    AfterValidator(_not_negative),
    Field(default=None, title=gettext_noop("指导价")),
]
SortOrder = Annotated[
    int,
    BeforeValidator(_zero_if_blank),
    Field(default=0, ge=0, le=MAX_SORT_ORDER, title=gettext_noop("排序")),
]


class CatalogItemInput(Input):
    """An item of a draft version; its level (and so its parent) follows from the code.
    An edit is the item as it stands with the changes, checked again (the code stays)."""

    code: Code
    name: RequiredText(200, title=gettext_noop("名称"))
    description: Text(5000, title=gettext_noop("说明"))
    category: Category
    guidance_price: GuidancePrice
    price_unit: Text(30, title=gettext_noop("计价单位")) = Field(default="", validate_default=True)
    bought_first: bool = Field(default=False, title=gettext_noop("优先向社会组织购买"))
    sort_order: SortOrder

    @property
    def level(self) -> int:
        return level_of(self.code)

    @property
    def parent_code(self) -> str:
        return self.code[:-CODE_DIGITS_PER_LEVEL]

    @field_validator("category")
    @classmethod
    def _category_on_the_third_level(cls, category: str, info: ValidationInfo) -> str:
        level = _level(info)
        if level is not None and level < 3 and category:
            raise ValueError(_("只有三级目录填写类别（一级、二级目录请留空）。"))
        if level == 3 and not category:
            raise ValueError(
                _("三级目录必须填写类别：%(join)s之一。")
                % {"join": "、".join(map(source, ItemCategory.labels))}
            )
        return category

    @field_validator("guidance_price")
    @classmethod
    def _price_on_the_third_level(
        cls, price: Decimal | None, info: ValidationInfo
    ) -> Decimal | None:
        level = _level(info)
        if price is not None and level is not None and level < 3:
            raise ValueError(_("指导价只适用于三级目录。"))
        return price

    @field_validator("price_unit")
    @classmethod
    def _unit_with_a_price(cls, unit: str, info: ValidationInfo) -> str:
        if info.data.get("guidance_price") is not None and not unit:
            raise ValueError(_("填写指导价时请同时填写计价单位（如 元/人·次、元/年）。"))
        return unit


# --- versions -----------------------------------------------------------------------------


class CatalogVersionInput(Input):
    """A version's details (its items are ``CatalogItemInput``)."""

    name: RequiredText(100, title=gettext_noop("版本名称"))
    effective_date: dt.date = Field(title=gettext_noop("生效日期"))
    notes: Text(5000, title=gettext_noop("修订说明"))


# --- the negative list --------------------------------------------------------------------


def _keywords(value: Any) -> list[str]:
    """Distinct, non-empty keywords; a text is split on 、，, ; and new lines."""
    if value is None:
        return []
    if isinstance(value, str):
        for separator in KEYWORD_SEPARATORS:
            value = value.replace(separator, "、")
        value = value.split("、")
    if not isinstance(value, list | tuple):
        raise rule(_("格式不正确。"))
    out: list[str] = []
    seen: set[str] = set()
    for raw in value:
        if not isinstance(raw, str):
            raise rule(_("必须是文字。"))
        keyword = raw.strip()
        if len(keyword) > MAX_KEYWORD_LENGTH:
            raise rule(
                _("“%(value)s…”过长（最多 %(MAX_KEYWORD_LENGTH)s 个字）。")
                % {"value": keyword[:20], "MAX_KEYWORD_LENGTH": MAX_KEYWORD_LENGTH}
            )
        if keyword and normalize_text(keyword) not in seen:
            seen.add(normalize_text(keyword))
            out.append(keyword)
    if len(out) > MAX_KEYWORDS:
        raise rule(_("最多 %(MAX_KEYWORDS)s 个。") % {"MAX_KEYWORDS": MAX_KEYWORDS})
    return out


Keywords = Annotated[
    list[str], BeforeValidator(_keywords), Field(default_factory=list, title=gettext_noop("关键词"))
]


class NegativeListEntryInput(Input):
    """An entry of the negative list: what may never be bought, the keywords that find it,
    and the law that says so. An edit is the entry with the changes, checked again."""

    code: RequiredText(16, title=gettext_noop("编号"))
    title: RequiredText(200, title=gettext_noop("事项"))
    legal_basis: RequiredText(300, title=gettext_noop("依据"))
    description: Text(5000, title=gettext_noop("说明"))
    keywords: Keywords
    is_active: bool = Field(default=True, title=gettext_noop("有效"))
