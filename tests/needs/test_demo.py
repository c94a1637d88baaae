"""The demo data: realistic needs, one open menu for 江苏路街道 with orders, and a verified
identity for the demo ``resident`` account; idempotent; skips the menu without a catalog."""

from __future__ import annotations

from django.utils import timezone

from caidan.needs import services
from caidan.needs.demo import MENU_TITLE, NEEDS, seed_needs
from caidan.needs.models import Menu, MenuOrder, Need, ResidentIdentity


def test_seed_needs_is_idempotent_and_complete(world, catalog):
    first = seed_needs(world.system)
    again = seed_needs(world.system)
    assert set(again.values()) == {0}
    assert first["needs"] in (0, len(NEEDS))
    identity = ResidentIdentity.objects.get(user=world.user("resident"))
    assert identity.hint == "138****0001"
    assert identity.identity_hash == services.identity_hash("phone", "13800000001")
    assert Need.objects.filter(unit=world.unit("310105-001")).count() >= 4
    assert Need.objects.filter(unit=world.unit("310105-002")).count() >= 4
    menu = Menu.objects.get(unit=world.unit("310105-001"), title=MENU_TITLE)
    assert menu.ordering_open(timezone.now())
    assert 3 <= menu.items.count() <= 4
    assert MenuOrder.objects.filter(menu_item__menu=menu).count() >= 5
    assert MenuOrder.objects.filter(identity=identity).count() == 2  # the demo resident's


def test_seed_needs_without_catalog_items_skips_the_menu(world):
    from caidan.catalog.models import CatalogItem

    if CatalogItem.objects.filter(version__status="published", name__contains="探访").exists():
        return  # the demo catalog already provides them: nothing to skip
    created = seed_needs(world.system)
    assert created["menus"] == 0 and created["menu_orders"] == 0
    assert not Menu.objects.filter(title=MENU_TITLE).exists()
    assert ResidentIdentity.objects.filter(user=world.user("resident")).exists()
