"""Fixtures for needs and menus: codes through the locmem SMS backend, verified residents,
a published catalog to draw menu items from, menus in any state. All through services."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role
from caidan.catalog.inputs import CatalogItemInput, CatalogVersionInput
from caidan.needs import services, sms
from caidan.needs.inputs import (
    IdentityCodeInput,
    IdentityInput,
    MenuCloseInput,
    MenuInput,
    MenuItemInput,
    NeedInput,
)
from caidan.needs.models import IdentityKind, Menu, ResidentIdentity

_phones = itertools.count(1)


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.SMS_BACKEND = "caidan.needs.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def new_phone():
    """A phone number no other test (nor the demo) uses."""
    return lambda: f"139{next(_phones):08d}"


def code_in(outbox) -> str:
    return re.search(r"\d{6}", outbox[-1].body).group(0)


@pytest.fixture
def send_code(django_capture_on_commit_callbacks, locmem_sms):
    """``send_code(value)`` runs verification start (with its after-commit SMS) and
    returns the code that was sent."""

    def _send(value: str, kind: str = IdentityKind.PHONE, ip: str = "10.0.0.1") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            services.identity_verification_start(
                ip=ip, data=IdentityInput.parse(kind=kind, value=value)
            )
        return code_in(locmem_sms)

    return _send


@pytest.fixture
def verify(send_code):
    """``verify(value)`` → the resident ``User`` after a full code round trip."""

    def _verify(value: str, kind: str = IdentityKind.PHONE, ip: str = "10.0.0.1"):
        code = send_code(value, kind=kind, ip=ip)
        return services.identity_verification_confirm(
            ip=ip, data=IdentityCodeInput.parse(kind=kind, value=value, code=code)
        )

    return _verify


def resident_actor(user) -> Actor:
    return Actor(user=user, membership=Membership.objects.get(user=user, role=Role.RESIDENT))


@pytest.fixture
def resident(world, verify, new_phone):
    """``resident()`` → the Actor of a freshly verified resident."""

    def _resident(phone: str | None = None) -> Actor:
        return resident_actor(verify(phone or new_phone()))

    return _resident


@pytest.fixture
def demo_resident(world):
    """The demo ``resident`` account, with a verified identity (13800000001)."""
    user = world.user("resident")
    if not ResidentIdentity.objects.filter(user=user).exists():
        services.resident_identity_create(
            user=user,
            actor=world.system,
            data=IdentityInput.parse(kind=IdentityKind.PHONE, value="13800000001"),
        )
    return resident_actor(user)


@pytest.fixture
def purchaser(world):
    return world.actor("purchaser", Role.PURCHASER)


@pytest.fixture
def purchaser2(world):
    return world.actor("purchaser2", Role.PURCHASER)


@pytest.fixture
def jiangsu(world):
    return world.unit("310105-001")


@pytest.fixture
def xinhua(world):
    return world.unit("310105-002")


CATALOG_ITEMS = {
    "visit": ("010101", "独居老人探访服务", "service"),
    "mind": ("010102", "心理疏导服务", "professional"),
    "rehab": ("010103", "残疾人社区康复服务", "service"),
    "meals": ("010104", "居家养老助餐服务", "service"),
}


def _catalog_version(world, *, publish: bool, name: str):
    from caidan.catalog.models import CatalogVersion
    from caidan.catalog.services import (
        catalog_item_create,
        catalog_version_create,
        catalog_version_publish,
    )

    admin = world.actor("admin")
    latest = CatalogVersion.objects.filter(status="published").order_by("-effective_date").first()
    effective = timezone.localdate() - dt.timedelta(days=30)
    if latest is not None and latest.effective_date >= effective:
        effective = latest.effective_date + dt.timedelta(days=1)
    version = catalog_version_create(
        actor=admin, data=CatalogVersionInput.parse(name=name, effective_date=effective)
    )
    catalog_item_create(
        version=version, actor=admin, data=CatalogItemInput.parse(code="01", name="社区服务")
    )
    catalog_item_create(
        version=version, actor=admin, data=CatalogItemInput.parse(code="0101", name="为老为残服务")
    )
    items = {"level2": version.items.get(code="0101")}
    for key, (code, label, category) in CATALOG_ITEMS.items():
        items[key] = catalog_item_create(
            version=version,
            actor=admin,
            data=CatalogItemInput.parse(code=code, name=label, category=category),
        )
    if publish:
        catalog_version_publish(version=version, actor=admin)
    return items


@pytest.fixture
def catalog(world):
    """Third-level items of a freshly published catalog version, by key."""
    return _catalog_version(world, publish=True, name=f"测试目录 {timezone.now():%H%M%S%f}")


@pytest.fixture
def draft_catalog(world):
    return _catalog_version(world, publish=False, name=f"草稿目录 {timezone.now():%H%M%S%f}")


@pytest.fixture
def make_menu(purchaser, catalog):
    """``make_menu(opens=…, closes=…, items=("visit",), publish=False)``: a menu of
    江苏路街道 by its purchaser. Default period: opens in a day, closes in a fortnight."""

    def _make(
        *,
        opens: dt.datetime | None = None,
        closes: dt.datetime | None = None,
        items=("visit", "mind", "rehab"),
        publish: bool = False,
        close: bool = False,
        actor: Actor | None = None,
        title: str = "测试服务菜单",
    ) -> Menu:
        actor = actor or purchaser
        now = timezone.now()
        opens = opens or now + dt.timedelta(days=1)
        closes = closes or opens + dt.timedelta(days=14)
        menu = services.menu_create(
            actor=actor,
            data=MenuInput.parse(
                community="愚园路居委会",
                title=title,
                description="测试用菜单",
                ordering_opens_at=opens,
                ordering_closes_at=closes,
            ),
        )
        for key in items:
            services.menu_item_add(
                actor=actor, menu=menu, data=MenuItemInput.parse(catalog_item=catalog[key])
            )
        if publish or close:
            services.menu_publish(actor=actor, menu=menu)
        if close:
            services.menu_close(
                actor=actor, menu=menu, data=MenuCloseInput.parse(reason="测试：提前截止")
            )
        return Menu.objects.get(pk=menu.pk)

    return _make


@pytest.fixture
def open_menu(make_menu):
    """A published menu whose ordering period is running (opened an hour ago)."""
    return make_menu(opens=timezone.now() - dt.timedelta(hours=1), publish=True)


@pytest.fixture
def make_need(resident, jiangsu):
    def _make(actor: Actor | None = None, unit=None, text: str = "独居老人希望有人定期上门探访。"):
        return services.need_submit(
            actor=actor or resident(),
            data=NeedInput.parse(
                unit=unit or jiangsu,
                community="愚园路居委会",
                target_group="elderly_alone",
                text=text,
            ),
        )

    return _make
