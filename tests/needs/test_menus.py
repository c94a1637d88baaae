"""Menus: the lifecycle table, frozen rules once ordering opens, catalog items, one order
per identity per item, results and exports, the closing tick (DOMAIN.md §3.2)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from openpyxl import load_workbook

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, NotFound, PermissionDenied, ValidationError
from caidan.common.tick import JOBS, run_tick
from caidan.needs import selectors, services
from caidan.needs.inputs import MenuCloseInput, MenuInput, MenuItemInput
from caidan.needs.lifecycles import menu_lifecycle
from caidan.needs.models import (
    MENU_TRANSITIONS,
    Menu,
    MenuAction,
    MenuItem,
    MenuOrder,
    MenuStatus,
)
from caidan.needs.services import menus as menus_module


def _at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


# --- lifecycle ---------------------------------------------------------------------------

EXPECTED = {
    (MenuStatus.DRAFT, MenuAction.PUBLISH): MenuStatus.PUBLISHED,
    (MenuStatus.DRAFT, MenuAction.CLOSE): None,
    (MenuStatus.PUBLISHED, MenuAction.PUBLISH): None,
    (MenuStatus.PUBLISHED, MenuAction.CLOSE): MenuStatus.CLOSED,
    (MenuStatus.CLOSED, MenuAction.PUBLISH): None,
    (MenuStatus.CLOSED, MenuAction.CLOSE): None,
}


def test_transition_table_is_the_one_in_the_model():
    for (status, action), target in EXPECTED.items():
        assert menu_lifecycle.allowed(status, action) == (target is not None)
        if target is not None:
            assert MENU_TRANSITIONS[action][1] == target
    assert set(EXPECTED) == {(s, a) for s in MenuStatus.values for a in MenuAction.values}


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED))
def test_every_transition(world, make_menu, purchaser, status, action):
    menu = make_menu(publish=status == MenuStatus.PUBLISHED, close=status == MenuStatus.CLOSED)
    assert menu.status == status
    target = EXPECTED[(status, action)]

    def run():
        if action == MenuAction.PUBLISH:
            return services.menu_publish(actor=purchaser, menu=menu)
        return services.menu_close(
            actor=purchaser, menu=menu, data=MenuCloseInput.parse(reason="街道调整安排")
        )

    if target is None:
        with pytest.raises(Conflict) as exc:
            run()
        assert exc.value.code == "bad_transition"
        assert exc.value.status_code == 409
        assert Menu.objects.get(pk=menu.pk).status == status
    else:
        assert run().status == target
        assert Menu.objects.get(pk=menu.pk).status == target
        kind = "menu.published" if action == MenuAction.PUBLISH else "menu.closed"
        assert AuditEvent.objects.filter(kind=kind, target_id=str(menu.pk)).count() == 1


def test_publishing_needs_an_item_and_a_future_end(world, make_menu, purchaser):
    empty = make_menu(items=())
    with pytest.raises(Conflict) as exc:
        services.menu_publish(actor=purchaser, menu=empty)
    assert exc.value.code == "menu_empty"
    menu = make_menu(opens=timezone.now() + dt.timedelta(hours=1))
    with _at(menu.ordering_closes_at + dt.timedelta(minutes=1)), pytest.raises(ValidationError):
        services.menu_publish(actor=purchaser, menu=menu)


def test_closing_early_needs_a_reason(world, open_menu, purchaser):
    with pytest.raises(ValidationError) as exc:
        services.menu_close(actor=purchaser, menu=open_menu)
    assert exc.value.field == "reason" and "提前截止" in exc.value.message
    closed = services.menu_close(
        actor=purchaser, menu=open_menu, data=MenuCloseInput.parse(reason="服务已由其他渠道解决")
    )
    assert closed.close_reason == "服务已由其他渠道解决"


def test_period_validation(world, purchaser):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.menu_create(
            actor=purchaser,
            data=MenuInput.parse(
                community="愚园路居委会",
                title="菜单",
                ordering_opens_at=now,
                ordering_closes_at=now,
            ),
        )
    assert exc.value.field == "ordering_closes_at" and "必须晚于" in exc.value.message
    with pytest.raises(ValidationError):
        services.menu_create(
            actor=purchaser,
            data=MenuInput.parse(
                community="愚园路居委会",
                title="菜单",
                ordering_opens_at="not a time",
                ordering_closes_at=now,
            ),
        )
    menu = services.menu_create(
        actor=purchaser,
        data=MenuInput.parse(
            community="愚园路居委会",
            title="菜单",
            ordering_opens_at="2030-01-01T09:00",
            ordering_closes_at="2030-01-15T17:00",
        ),
    )
    assert timezone.localtime(menu.ordering_opens_at).hour == 9  # Asia/Shanghai
    assert menu.unit.code == "310105-001" and menu.created_by == purchaser.user


def test_database_refuses_a_period_that_ends_before_it_starts(world, open_menu):
    with pytest.raises(IntegrityError), transaction.atomic():
        Menu.objects.filter(pk=open_menu.pk).update(ordering_closes_at=open_menu.ordering_opens_at)


def test_who_may_draw_up_menus(world, purchaser2, jiangsu, make_menu):
    with pytest.raises(PermissionDenied) as exc:
        services.menu_create(
            actor=purchaser2,
            unit=jiangsu,
            data=MenuInput.parse(
                community="愚园路居委会",
                title="越权",
                ordering_opens_at=timezone.now() + dt.timedelta(days=1),
                ordering_closes_at=timezone.now() + dt.timedelta(days=2),
            ),
        )
    assert exc.value.code == "out_of_scope"
    menu = make_menu()
    for username in ("admin", "committee", "resident"):
        with pytest.raises(PermissionDenied):
            services.menu_update(actor=world.actor(username), menu=menu, changes={"title": "改"})
    with pytest.raises(PermissionDenied):
        services.menu_update(actor=purchaser2, menu=menu, changes={"title": "改"})


# --- the rules freeze once ordering opens ---------------------------------------------------


def test_before_opening_everything_may_change(world, make_menu, purchaser, catalog):
    menu = make_menu(publish=True)  # published, opens tomorrow
    assert not menu.rules_frozen(timezone.now())
    services.menu_item_add(
        actor=purchaser, menu=menu, data=MenuItemInput.parse(catalog_item=catalog["meals"])
    )
    item = menu.items.get(catalog_item=catalog["visit"])
    services.menu_item_remove(actor=purchaser, item=item)
    later = menu.ordering_closes_at + dt.timedelta(days=1)
    menu = services.menu_update(actor=purchaser, menu=menu, changes={"ordering_closes_at": later})
    assert menu.ordering_closes_at == later


def test_after_opening_items_and_period_are_frozen(world, make_menu, purchaser, catalog):
    menu = make_menu(publish=True)
    after_opening = menu.ordering_opens_at + dt.timedelta(minutes=1)
    item = menu.items.first()
    attempts = [
        lambda: services.menu_item_add(
            actor=purchaser, menu=menu, data=MenuItemInput.parse(catalog_item=catalog["meals"])
        ),
        lambda: services.menu_item_remove(actor=purchaser, item=item),
        lambda: services.menu_update(
            actor=purchaser,
            menu=menu,
            changes={"ordering_closes_at": menu.ordering_closes_at + dt.timedelta(days=3)},
        ),
        lambda: services.menu_update(
            actor=purchaser,
            menu=menu,
            changes={"ordering_opens_at": menu.ordering_opens_at + dt.timedelta(days=3)},
        ),
        lambda: services.menu_update(
            actor=purchaser, menu=menu, changes={"community": "另一个居委会"}
        ),
    ]
    with _at(after_opening):
        for attempt in attempts:
            with pytest.raises(Conflict) as exc:
                attempt()
            assert exc.value.code == "menu_frozen"
            assert "点菜开始后" in exc.value.message and "冻结" in exc.value.message
        # wording may still be corrected, and unchanged values are no change
        services.menu_update(actor=purchaser, menu=menu, changes={"title": "更正后的标题"})
        services.menu_update(
            actor=purchaser, menu=menu, changes={"ordering_closes_at": menu.ordering_closes_at}
        )
    assert MenuItem.objects.filter(menu=menu).count() == 3
    assert Menu.objects.get(pk=menu.pk).title == "更正后的标题"


def test_a_draft_is_never_frozen_and_a_closed_menu_always(world, make_menu, purchaser, catalog):
    draft = make_menu(opens=timezone.now() - dt.timedelta(days=1))
    services.menu_item_add(
        actor=purchaser, menu=draft, data=MenuItemInput.parse(catalog_item=catalog["meals"])
    )
    closed = make_menu(close=True)
    with pytest.raises(Conflict) as exc:
        services.menu_update(actor=purchaser, menu=closed, changes={"title": "改"})
    assert exc.value.code == "menu_closed"


# --- catalog items -------------------------------------------------------------------------


def test_items_come_from_published_catalog_level3(
    world, make_menu, purchaser, draft_catalog, catalog
):
    menu = make_menu(items=())
    with pytest.raises(ValidationError) as exc:
        services.menu_item_add(
            actor=purchaser,
            menu=menu,
            data=MenuItemInput.parse(catalog_item=draft_catalog["visit"]),
        )
    assert exc.value.code == "catalog_not_published" and "已发布" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        services.menu_item_add(
            actor=purchaser, menu=menu, data=MenuItemInput.parse(catalog_item=catalog["level2"])
        )
    assert exc.value.code == "catalog_not_level3"
    item = services.menu_item_add(
        actor=purchaser,
        menu=menu,
        data=MenuItemInput.parse(catalog_item=catalog["visit"], estimated_budget="180000"),
    )
    assert item.title == catalog["visit"].name  # defaults to the catalog item's name
    assert str(item.estimated_budget) == "180000.00"
    with pytest.raises(ValidationError):
        services.menu_item_add(
            actor=purchaser,
            menu=menu,
            data=MenuItemInput.parse(catalog_item=catalog["mind"], estimated_budget="-1"),
        )
    with pytest.raises(ValidationError):
        services.menu_item_add(
            actor=purchaser,
            menu=menu,
            data=MenuItemInput.parse(catalog_item=catalog["mind"], estimated_budget=1.5),
        )


# --- ordering ------------------------------------------------------------------------------


def test_one_order_per_identity_per_item(world, open_menu, resident):
    actor = resident()
    item = open_menu.items.first()
    order = services.menu_order_place(actor=actor, menu_item=item)
    assert order.identity.user == actor.user
    with pytest.raises(Conflict) as exc:
        services.menu_order_place(actor=actor, menu_item=item)
    assert exc.value.status_code == 409 and exc.value.code == "already_ordered"
    assert "每人每项只能支持一次" in exc.value.message
    services.menu_order_place(actor=resident(), menu_item=item)  # someone else
    for other in open_menu.items.exclude(pk=item.pk):  # other items of the same menu
        services.menu_order_place(actor=actor, menu_item=other)
    assert MenuOrder.objects.filter(menu_item=item).count() == 2


def test_the_database_enforces_one_order(world, open_menu, resident):
    constraint = next(
        c for c in MenuOrder._meta.constraints if isinstance(c, models.UniqueConstraint)
    )
    assert tuple(constraint.fields) == ("menu_item", "identity")
    actor = resident()
    item = open_menu.items.first()
    order = services.menu_order_place(actor=actor, menu_item=item)
    with pytest.raises(IntegrityError), transaction.atomic():
        MenuOrder.objects.create(menu_item=item, identity=order.identity)


class _RacyOrders:
    """``MenuOrder`` as seen by a request that lost the race: its duplicate check finds
    nothing (the other order is not committed yet), its insert hits the constraint."""

    class objects:  # noqa: N801 - mimics a model's manager
        @staticmethod
        def filter(**kwargs):
            return MenuOrder.objects.none()

        @staticmethod
        def create(**kwargs):
            return MenuOrder.objects.create(**kwargs)


def test_a_duplicate_caught_by_the_constraint_gives_the_same_error(
    world, open_menu, resident, monkeypatch
):
    actor = resident()
    item = open_menu.items.first()
    services.menu_order_place(actor=actor, menu_item=item)
    monkeypatch.setattr(menus_module, "MenuOrder", _RacyOrders)
    with pytest.raises(Conflict) as exc:
        services.menu_order_place(actor=actor, menu_item=item)
    assert exc.value.code == "already_ordered"
    monkeypatch.undo()
    assert MenuOrder.objects.filter(menu_item=item).count() == 1


def test_ordering_only_while_open(world, make_menu, resident):
    actor = resident()
    draft = make_menu()
    with pytest.raises(NotFound):
        services.menu_order_place(actor=actor, menu_item=draft.items.first())
    menu = make_menu(publish=True)
    item = menu.items.first()
    with pytest.raises(Conflict) as exc:
        services.menu_order_place(actor=actor, menu_item=item)
    assert exc.value.code == "ordering_not_open" and "尚未开始" in exc.value.message
    with _at(menu.ordering_closes_at):
        with pytest.raises(Conflict) as exc:
            services.menu_order_place(actor=actor, menu_item=item)
        assert exc.value.code == "ordering_closed"
    with _at(menu.ordering_opens_at):
        services.menu_order_place(actor=actor, menu_item=item)


def test_only_verified_residents_order(world, open_menu, purchaser):
    with pytest.raises(PermissionDenied):
        services.menu_order_place(actor=purchaser, menu_item=open_menu.items.first())


# --- results and exports --------------------------------------------------------------------


def _vote(open_menu, resident, pattern):
    items = list(open_menu.items.order_by("sort_order"))
    for supports in pattern:
        actor = resident()
        for index in supports:
            services.menu_order_place(actor=actor, menu_item=items[index])
    return items


def test_results_counts_and_ranks(world, open_menu, resident, django_assert_num_queries):
    items = _vote(open_menu, resident, [[0, 1], [1], [1, 2], [0]])
    with django_assert_num_queries(1):
        results = selectors.menu_results(menu=open_menu)
    assert results.total == 6
    ranked = [(r.rank, r.item.pk, r.support, str(r.share)) for r in results.rows]
    assert ranked == [
        (1, items[1].pk, 3, "50.0"),
        (2, items[0].pk, 2, "33.3"),
        (3, items[2].pk, 1, "16.7"),
    ]


def test_ties_share_a_rank(world, open_menu, resident):
    _vote(open_menu, resident, [[0, 1]])
    ranks = [r.rank for r in selectors.menu_results(menu=open_menu).rows]
    assert ranks == [1, 1, 3]


def test_exports(world, open_menu, resident, purchaser):
    items = _vote(open_menu, resident, [[2], [2], [0]])
    services.menu_update(actor=purchaser, menu=open_menu, changes={"title": "=HYPERLINK(1)"})
    results = selectors.menu_results(menu=Menu.objects.get(pk=open_menu.pk))
    text = selectors.menu_results_csv(results=results).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(selectors.RESULT_HEADERS)
    assert rows[1][:2] == ["1", items[2].title] and rows[1][5] == "2"
    assert [r[5] for r in rows[1:]] == ["2", "1", "0"]
    book = load_workbook(io.BytesIO(selectors.menu_results_xlsx(results=results)))
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == selectors.RESULT_HEADERS
    assert values[1][1] == items[2].title and values[1][5] == 2
    assert len(values) == 4


def test_csv_cells_cannot_become_formulas(world):
    assert selectors._csv_safe("=1+1") == "'=1+1"
    assert selectors._csv_safe("@SUM") == "'@SUM"
    assert selectors._csv_safe("普通文字") == "普通文字"


# --- the tick ----------------------------------------------------------------------------


def test_tick_closes_due_menus_exactly_once(world, open_menu, make_menu):
    later = make_menu(publish=True, opens=timezone.now() + dt.timedelta(days=30))
    assert "needs.close_menus" in JOBS
    assert services.close_due_menus(timezone.now()) == 0
    due = open_menu.ordering_closes_at + dt.timedelta(seconds=1)
    results = run_tick(now=due, only=["needs.close_menus"])
    assert [(r.name, r.changed, r.error) for r in results] == [("needs.close_menus", 1, "")]
    menu = Menu.objects.get(pk=open_menu.pk)
    assert menu.status == MenuStatus.CLOSED and menu.closed_at == due
    assert services.close_due_menus(due) == 0  # idempotent
    services.close_due_menus(due + dt.timedelta(hours=1))  # (may close demo menus)
    assert Menu.objects.get(pk=open_menu.pk).closed_at == due  # not closed again
    assert Menu.objects.get(pk=later.pk).status == MenuStatus.PUBLISHED
    events = AuditEvent.objects.filter(kind="menu.closed", target_id=str(menu.pk))
    assert events.count() == 1 and events.get().actor_role == "system"


def test_closed_menu_results_stay_public(world, open_menu, resident):
    _vote(open_menu, resident, [[0]])
    services.close_due_menus(open_menu.ordering_closes_at)
    from caidan.accounts.actor import Actor

    results = selectors.menu_get_results(actor=Actor.anonymous(), menu_id=open_menu.pk)
    assert results.total == 1


def test_the_audit_chain_holds_after_a_menu_round(world, open_menu, resident, purchaser):
    from caidan.audit.selectors import audit_chain_verify

    services.menu_order_place(actor=resident(), menu_item=open_menu.items.first())
    services.menu_update(actor=purchaser, menu=open_menu, changes={"description": "补充说明"})
    services.close_due_menus(open_menu.ordering_closes_at)
    assert audit_chain_verify().ok
