"""Small helpers shared by the release builders: the ocid, dates, amounts, party ids and
dropping empty fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

CURRENCY = "CNY"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def ocid_for(proposal) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{proposal.pk}"


def when(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):  # a calendar day: its start in Shanghai
        return dt.datetime.combine(value, dt.time(0, 0), tzinfo=SHANGHAI).isoformat()
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def money(amount: Decimal | None) -> dict | None:
    if amount is None:
        return None
    return {"amount": float(amount), "currency": CURRENCY}


def clean(obj: Any) -> Any:
    """Drop None and empty strings/lists/dicts (OCDS prefers omitted fields). One pass,
    recursing only into containers: it runs over every release of a national export."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(v, dict | list):
                v = clean(v)
                if not v:
                    continue
            elif v is None or v == "":
                continue
            out[k] = v
        return out
    if isinstance(obj, list):
        return [clean(v) if isinstance(v, dict | list) else v for v in obj]
    return obj


def unit_party_id(unit) -> str:
    return f"CN-UNIT-{unit.code}"


def org_party_id(org) -> str:
    return f"CN-USCC-{org.uscc}"
