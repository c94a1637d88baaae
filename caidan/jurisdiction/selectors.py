from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.common.errors import NotFound, ValidationError

from .models import JurisdictionSetting
from .registry import SPECS, SPECS_BY_KEY, SettingSpec

logger = logging.getLogger("caidan.jurisdiction")


def effective_value(spec: SettingSpec, stored: Any) -> tuple[Any, str]:
    """The value the rules use for a stored value, and why it differs ("" when it doesn't).

    A value stored before the current bounds (or edited outside the services) that breaks
    them is never used silently: a number beyond a legal bound is replaced by that bound
    (a minimum of 2 valid bids becomes 3, 政府采购法 §36), anything else unreadable by the
    default; either way an error is logged naming the setting, the stored value and the law.
    """
    try:
        return spec.parse(stored), ""
    except ValidationError as exc:
        if exc.code in ("below_floor", "above_ceiling"):
            used = spec.parse(exc.detail["bound"])
        else:
            used = spec.default
        problem = _("已存取值 %(stored)s 不合规：%(reason)s实际按 %(used)s 执行。") % {
            "stored": repr(stored),
            "reason": exc.message,
            "used": used,
        }
        logger.error(
            "jurisdiction setting %s: stored value %r is out of its legal bounds (%s); "
            "using %r instead. Fix it on the settings page.",
            spec.key,
            stored,
            exc.message,
            used,
        )
        return used, problem


def setting_value(key: str) -> Any:
    """The jurisdiction's value of a configurable rule, or its default; a stored value
    outside the rule's legal bounds is never used (see ``effective_value``)."""
    spec = SPECS_BY_KEY.get(key)
    if spec is None:
        raise KeyError(f"unknown jurisdiction setting {key!r}")
    row = JurisdictionSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return spec.default if row is None else effective_value(spec, row)[0]


@dataclass
class SettingView:
    spec: SettingSpec
    value: Any
    is_default: bool
    updated_at: Any = None
    updated_by: Any = None
    effective: Any = None  # what the rules use: differs from ``value`` only when illegal
    problem: str = ""  # why the stored value is not used

    @property
    def value_shown(self) -> str:
        return self.spec.shown(self.value)

    @property
    def default_shown(self) -> str:
        return self.spec.shown(self.spec.default)

    @property
    def value_json(self) -> str:
        return json.dumps(self.value, ensure_ascii=False)


def setting_list() -> list[SettingView]:
    rows = {r.key: r for r in JurisdictionSetting.objects.select_related("updated_by")}
    out = []
    for spec in SPECS:
        row = rows.get(spec.key)
        effective, problem = effective_value(spec, row.value) if row else (spec.default, "")
        out.append(
            SettingView(
                spec=spec,
                value=row.value if row else spec.default,
                is_default=row is None,
                updated_at=row and row.updated_at,
                updated_by=row and row.updated_by,
                effective=effective,
                problem=problem,
            )
        )
    return out


def setting_spec(key: str) -> SettingSpec:
    spec = SPECS_BY_KEY.get(key)
    if spec is None:
        raise NotFound(_("没有名为“%(key)s”的辖区设置。") % {"key": key})
    return spec
