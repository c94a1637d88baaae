"""The resident's to-do on the workbench (caidan/needs/todo.py): a menu open for ordering
waits until the resident has ordered on it, due on its closing day."""

from __future__ import annotations

from django.utils import timezone

from caidan.accounts.workbench import todo_for


def _item(actor):
    return next((i for i in todo_for(actor) if i.kind == "needs:order"), None)


def test_menu_to_order_until_ordered(world, open_menu, resident):
    from caidan.needs.services.menus import menu_order_place

    actor = resident()
    item = _item(actor)
    entry = next(e for e in item.entries if e.url == f"/needs/menus/{open_menu.pk}/")
    assert entry.due == timezone.localtime(open_menu.ordering_closes_at).date()
    menu_order_place(actor=actor, menu_item=open_menu.items.first())
    item = _item(actor)
    assert item is None or entry.url not in [e.url for e in item.entries]


def test_menu_not_yet_open_is_not_waiting(world, make_menu, resident):
    menu = make_menu(publish=True)  # opens tomorrow
    item = _item(resident())
    assert item is None or f"/needs/menus/{menu.pk}/" not in [e.url for e in item.entries]
