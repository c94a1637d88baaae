"""Typed service inputs: one pydantic model per aggregate's input, in ``<app>/inputs.py``.

A service takes ``data: ThingInput`` instead of ``**data: Any`` and a hand-written
``_clean``. The API handler builds it from the ninja schema (``ThingInput.parse(payload.dict())``),
the view from the form (``ThingInput.parse(form.cleaned_data)``), a test or the demo from
keywords (``ThingInput.parse(title=…)``); all three get the same checks and the same errors:
a :class:`~caidan.common.errors.ValidationError` naming the field (``detail.field``, dotted
for rows: ``funding.1.amount``) with a Chinese message, and every problem in
``detail.errors``.

Field types carry their rules (``Text(200)``, ``Money``, ``PositiveMoney``, ``Choice``);
the label a message uses is the field's ``title``. Rules across fields go in a
``model_validator(mode="after")`` that raises ``field_error`` (it passes through pydantic
unchanged). Rules that need the database (a catalog item's version, a need's unit) stay in
the service, which now receives typed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Self, get_args

import pydantic
from django.utils.translation import gettext
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from caidan.common.codes import Common

from .errors import DomainError, ValidationError
from .i18n import join_list
from .money import to_money

__all__ = [
    "Input",
    "Money",
    "PositiveMoney",
    "Text",
    "RequiredText",
    "Choice",
    "Choices",
    "NonNegativeInt",
    "Line",
    "rule",
]


class Input(BaseModel):
    """Base of every service input: unknown fields are refused, text is stripped, the
    object is immutable once checked, and model instances may be fields."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        arbitrary_types_allowed=True,
        validate_default=False,
    )

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None = None, /, **fields: Any) -> Self:
        """Check ``data`` (and/or keywords) into an input, or raise ``ValidationError``."""
        values = {**(data or {}), **fields}
        try:
            return cls.model_validate(values)
        except pydantic.ValidationError as exc:
            raise as_domain_error(exc, cls) from None

    def changed(self, **fields: Any) -> Self:
        """A copy with ``fields`` replaced, checked again (``model_copy`` does not check)."""
        return type(self).parse({**self.model_dump(), **fields})

    def values(self, *names: str) -> dict[str, Any]:
        """The given fields (all, without names) as a plain dict of typed values."""
        keys = names or tuple(type(self).model_fields)
        return {k: getattr(self, k) for k in keys}


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The input model a field holds, directly or in a list (``list[Row]``, also when
    optional: ``list[Row] | None``)."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        if candidate is not annotation and get_args(candidate):
            inner = _inner_model(candidate)
            if inner is not None:
                return inner
    return None


def _label(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The field's title (its Chinese name, translated) for a message, through rows:
    ``("funding", 1, "amount")`` → “资金来源第 2 行的金额”. Else the dotted path."""
    label = ""
    after_row = False
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            label = gettext("%(field)s第 %(n)s 行") % {"field": label, "n": part + 1}
            after_row = True
            continue
        info = current.model_fields.get(part) if current is not None else None
        if info is None:
            return ".".join(str(p) for p in loc) or gettext("输入")
        title = gettext(info.title) if info.title else str(part)
        if not label:
            label = title
        elif after_row:
            label = gettext("%(row)s的%(field)s") % {"row": label, "field": title}
        else:
            label = gettext("%(outer)s%(inner)s") % {"outer": label, "inner": title}
        after_row = False
        current = _inner_model(info.annotation)
    return label or gettext("输入")


def _message(err: dict[str, Any], label: str) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return gettext("请填写%(label)s。") % {"label": label}
    if kind == "extra_forbidden":
        return gettext("未知字段：%(label)s。") % {"label": label}
    if kind in ("string_too_long", "too_long"):
        return gettext("%(label)s不能超过 %(limit)s 个字符。") % {
            "label": label,
            "limit": ctx.get("max_length"),
        }
    if kind in ("string_too_short", "too_short"):
        return gettext("请填写%(label)s。") % {"label": label}
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {
            "greater_than": (gettext("%(label)s必须大于 %(bound)s。"), ctx.get("gt")),
            "greater_than_equal": (gettext("%(label)s不能小于 %(bound)s。"), ctx.get("ge")),
            "less_than": (gettext("%(label)s必须小于 %(bound)s。"), ctx.get("lt")),
            "less_than_equal": (gettext("%(label)s不能大于 %(bound)s。"), ctx.get("le")),
        }[kind]
        return bound[0] % {"label": label, "bound": bound[1]}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return gettext("%(label)s须为整数。") % {"label": label}
    if kind.startswith("decimal") or kind.startswith("float"):
        return gettext("%(label)s须为数字。") % {"label": label}
    if kind.startswith("date") or kind.startswith("datetime"):
        return gettext("%(label)s须为有效日期（YYYY-MM-DD）。") % {"label": label}
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        return gettext("%(label)s无效（可选：%(expected)s）。") % {
            "label": label,
            "expected": expected,
        }
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return gettext("%(label)s格式不正确。") % {"label": label}
    if kind in ("bool_parsing", "bool_type"):
        return gettext("%(label)s须为是或否。") % {"label": label}
    if kind in ("string_type", "string_unicode"):
        return gettext("%(label)s须为文字。") % {"label": label}
    if kind in ("money", "choice", "rule"):
        return gettext("%(label)s%(rule)s") % {"label": label, "rule": ctx.get("rule", "")}
    if kind == "value_error":
        return str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ")
    return gettext("%(label)s：%(message)s") % {
        "label": label,
        "message": err.get("msg") or gettext("无效"),
    }


def as_domain_error(exc: pydantic.ValidationError, model: type[BaseModel]) -> ValidationError:
    """A pydantic failure as the platform's 400: the first problem names the field, every
    problem is listed in ``detail.errors``."""
    errors = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err.get("loc", ()) if not isinstance(p, str) or "[" not in p)
        field = ".".join(str(p) for p in loc)
        errors.append({"field": field, "message": _message(err, _label(model, loc))})
    first = errors[0] if errors else {"field": "", "message": gettext("输入无效。")}
    return ValidationError(
        first["message"], code=Common.INVALID, detail={"field": first["field"], "errors": errors}
    )


# --- field types --------------------------------------------------------------------------


def Text(max_length: int, *, title: str | None = None) -> Any:  # noqa: N802 - a type factory
    """Optional text, stripped, at most ``max_length`` characters (``""`` when absent)."""
    return Annotated[str, Field(default="", max_length=max_length, title=title)]


def RequiredText(max_length: int, *, title: str | None = None) -> Any:  # noqa: N802
    """Text that must be given (blank, after stripping, counts as missing)."""
    return Annotated[str, Field(min_length=1, max_length=max_length, title=title)]


def _rule(kind: str, rule: str) -> PydanticCustomError:
    """A field type's refusal; the message is the field's title followed by ``rule``."""
    return PydanticCustomError(kind, "{rule}", {"rule": rule})


def rule(text: str) -> PydanticCustomError:
    """For an app's own field validators: raise ``rule("须为 … 。")`` and the message reads
    “<the field's title>须为 … 。”, the field named in ``detail.field``."""
    return _rule("rule", text)


def _one_line(value: Any) -> Any:
    if value is None:
        return ""
    return " ".join(value.split()) if isinstance(value, str) else value


def Line(max_length: int, *, title: str, required: bool = True) -> Any:  # noqa: N802
    """One line of text: runs of whitespace (newlines too) become one space."""
    text = RequiredText(max_length, title=title) if required else Text(max_length, title=title)
    return Annotated[text, BeforeValidator(_one_line)]


def _money(value: Any) -> Decimal:
    if value is None or value == "":
        raise _rule("money", gettext("不能为空，请填写金额。"))
    try:
        return to_money(value)
    except DomainError:
        raise _rule(
            "money",
            gettext("须为以元计的金额，最多保留两位小数（不能是浮点数），收到 %(value)s。")
            % {"value": repr(value)},
        ) from None


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise _rule("money", gettext("必须大于 0。"))
    return value


# Money in yuan: a string or an int (never a float), at most two decimals, to the fen.
Money = Annotated[Decimal, BeforeValidator(_money)]
PositiveMoney = Annotated[Decimal, BeforeValidator(_money), AfterValidator(_positive)]
NonNegativeInt = Annotated[int, Field(ge=0)]


def Choice(choices: type, *, title: str | None = None) -> Any:  # noqa: N802
    """One value of a Django ``TextChoices`` (the message lists the labels)."""

    def check(value: Any) -> str:
        if value is None or value == "":
            raise _rule("choice", gettext("不能为空，请选择。"))
        if value not in choices.values:
            labels = join_list(choices.labels)
            raise _rule(
                "choice",
                gettext("“%(value)s”无效（可选：%(labels)s）。")
                % {"value": value, "labels": labels},
            )
        return str(value)

    return Annotated[str, BeforeValidator(check), Field(title=title)]


def Choices(allowed: Any, *, title: str | None = None) -> Any:  # noqa: N802
    """A list of values, each among ``allowed`` (a ``TextChoices`` or an iterable)."""
    values = list(getattr(allowed, "values", allowed))

    def check(items: Any) -> list[str]:
        if items is None:
            return []
        if not isinstance(items, list | tuple | set | frozenset):
            raise _rule("choice", gettext("须为一组选项（列表）。"))
        items = list(items)
        bad = [str(i) for i in items if i not in values]
        if bad:
            raise _rule("choice", gettext("无效：%(values)s。") % {"values": join_list(bad)})
        return [str(i) for i in items]

    return Annotated[list[str], BeforeValidator(check), Field(default_factory=list, title=title)]
