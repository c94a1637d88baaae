"""Writes for jurisdiction settings and the holiday calendar (platform admin only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from caidan.accounts.actor import Actor
from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.errors import NotFound, field_error
from caidan.common.models import CalendarDay

from .models import JurisdictionSetting
from .selectors import setting_spec, setting_value


def setting_update(*, key: str, value: Any, actor: Actor) -> Any:
    require(actor, "jurisdiction.edit")
    spec = setting_spec(key)
    parsed = spec.parse(value)
    with transaction.atomic():
        old = setting_value(key)
        JurisdictionSetting.objects.update_or_create(
            key=key, defaults={"value": parsed, "updated_by": actor.user}
        )
        audit_record(
            kind=EventKind.SETTING_CHANGED,
            actor=actor,
            target=("jurisdiction.setting", key, spec.label),
            old={"value": old},
            new={"value": parsed},
        )
    return parsed


def calendar_day_set(*, date: dt.date, kind: str, name: str = "", actor: Actor) -> CalendarDay:
    require(actor, "jurisdiction.edit")
    if kind not in CalendarDay.Kind.values:
        raise field_error("kind", "类型只能是“法定节假日”或“调休工作日”。")
    if kind == CalendarDay.Kind.WORKDAY and date.weekday() < 5:
        raise field_error("date", f"{date} 本来就是工作日，无需设为调休工作日。")
    if kind == CalendarDay.Kind.HOLIDAY and date.weekday() >= 5 and not name:
        raise field_error("name", "周末设为节假日时请填写节日名称。")
    with transaction.atomic():
        existing = CalendarDay.objects.filter(date=date).first()
        old = {"kind": existing.kind, "name": existing.name} if existing else None
        day, _ = CalendarDay.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name.strip()}
        )
        audit_record(
            kind=EventKind.CALENDAR_DAY_SET,
            actor=actor,
            target=day,
            old=old,
            new={"date": date.isoformat(), "kind": kind, "name": day.name},
        )
    return day


def calendar_day_remove(*, date: dt.date, actor: Actor) -> None:
    require(actor, "jurisdiction.edit")
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise NotFound(f"{date} 没有设置节假日或调休。")
        audit_record(
            kind=EventKind.CALENDAR_DAY_REMOVED,
            actor=actor,
            target=day,
            old={"date": date.isoformat(), "kind": day.kind, "name": day.name},
        )
        day.delete()
