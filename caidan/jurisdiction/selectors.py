from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from caidan.common.errors import NotFound

from .models import JurisdictionSetting
from .registry import SPECS, SPECS_BY_KEY, SettingSpec


def setting_value(key: str) -> Any:
    """The jurisdiction's value of a configurable rule, or its default."""
    spec = SPECS_BY_KEY.get(key)
    if spec is None:
        raise KeyError(f"unknown jurisdiction setting {key!r}")
    row = JurisdictionSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return spec.default if row is None else row


@dataclass
class SettingView:
    spec: SettingSpec
    value: Any
    is_default: bool
    updated_at: Any = None
    updated_by: Any = None

    @property
    def value_json(self) -> str:
        return json.dumps(self.value, ensure_ascii=False)


def setting_list() -> list[SettingView]:
    rows = {r.key: r for r in JurisdictionSetting.objects.select_related("updated_by")}
    out = []
    for spec in SPECS:
        row = rows.get(spec.key)
        out.append(
            SettingView(
                spec=spec,
                value=row.value if row else spec.default,
                is_default=row is None,
                updated_at=row and row.updated_at,
                updated_by=row and row.updated_by,
            )
        )
    return out


def setting_spec(key: str) -> SettingSpec:
    spec = SPECS_BY_KEY.get(key)
    if spec is None:
        raise NotFound(f"没有名为“{key}”的辖区设置。")
    return spec
