"""Enquiries test data, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.enquiries.inputs import EnquiryInput

# Monday 1 March 2027, 10:00 in Shanghai: no holiday in the demo calendar that month.
MONDAY = timezone.make_aware(dt.datetime(2027, 3, 1, 10, 0))
JIANGSU = "310105-001"  # 江苏路街道, the demo purchaser's street
XINHUA = "310105-002"  # 新华路街道, purchaser2's street


def local(y, m, d, h=10, minute=0):
    return timezone.make_aware(dt.datetime(y, m, d, h, minute))


def ask(world, *, actor=None, kind="enquiry", unit=JIANGSU, now=MONDAY, **kw):
    from caidan.enquiries.services import enquiry_submit

    kw.setdefault("subject_type", "unit")
    if kw["subject_type"] == "unit":
        kw.setdefault("subject_id", world.unit(unit).pk)
    kw.setdefault("title", "关于服务时间的咨询")
    kw.setdefault("body", "请问这项服务每周几提供？")
    e, _code = enquiry_submit(
        actor=actor if actor is not None else world.actor("resident"),
        now=now,
        data=EnquiryInput.parse(kind=kind, **kw),
    )
    return e


def report(world, *, actor=None, unit=JIANGSU, anonymous=False, ip="", now=MONDAY, **kw):
    """A report about an official of ``unit``; returns (report, follow-up code)."""
    from caidan.accounts.actor import Actor
    from caidan.enquiries.services import enquiry_submit

    return enquiry_submit(
        actor=actor if actor is not None else Actor.anonymous(ip=ip),
        ip=ip,
        now=now,
        data=EnquiryInput.parse(
            kind="report",
            subject_type="official",
            official="某科长",
            unit_id=world.unit(unit).pk,
            title=kw.pop("title", "举报某科长违规指定承接主体"),
            body=kw.pop("body", "该科长在采购中指定承接主体，请核查。"),
            anonymous=anonymous,
            **kw,
        ),
    )


@pytest.fixture
def finance_officer(world):
    """A second platform admin at the finance bureau (not the handler)."""
    from caidan.accounts.services import membership_grant, user_create

    user = user_create(
        username="fin2",
        password="x-Strong-pass-2026",
        display_name="李财政",
        actor=world.system,
        validate_password=False,
    )
    membership_grant(
        user=user, role="platform_admin", unit=world.unit("310105-CZJ"), actor=world.system
    )
    return world.actor("fin2")


@pytest.fixture
def menu_item(world):
    from caidan.needs.models import MenuItem

    return MenuItem.objects.filter(menu__status="published").select_related("menu").first()
