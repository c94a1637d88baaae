"""Two requests ordering the same item for the same identity at the same moment count
once (PostgreSQL: real concurrent transactions; SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from caidan.common.errors import Conflict
from caidan.needs import services
from caidan.needs.models import MenuOrder
from caidan.needs.services import menus as menus_module

from .test_menus import _RacyOrders


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("race", ["natural", "both_checks_pass"])
def test_concurrent_double_order_counts_once(world, open_menu, resident, monkeypatch, race):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    actor = resident()
    item = open_menu.items.first()
    if race == "both_checks_pass":
        # both requests pass the duplicate check before either commits: only the
        # database constraint stands between them and a double count
        monkeypatch.setattr(menus_module, "MenuOrder", _RacyOrders)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def order():
        try:
            barrier.wait(timeout=10)
            services.menu_order_place(actor=actor, menu_item=item)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=order) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    monkeypatch.undo()
    assert sorted(outcomes) == ["already_ordered", "ok"], outcomes
    assert MenuOrder.objects.filter(menu_item=item).count() == 1
