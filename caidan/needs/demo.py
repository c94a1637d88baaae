"""Demo needs, a menu and orders (问需于民 → 百姓点菜), through the real services.

``seed_needs`` is idempotent and runs after the catalog seed: the menu's items are
third-level items of the current published catalog version, found by name; when the
catalog has none of them yet, the menu is skipped (run the seed again later).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role, Unit, User
from caidan.catalog.models import CatalogItem, CatalogVersion

from .inputs import IdentityInput, MenuInput, MenuItemInput, NeedInput, normalise
from .models import IdentityKind, Menu, MenuItem, MenuOrder, Need, ResidentIdentity, TargetGroup
from .services import (
    identity_hash,
    menu_create,
    menu_item_add,
    menu_order_place,
    menu_publish,
    need_submit,
    resident_identity_create,
)

DEMO_RESIDENT_PHONE = "13800000001"  # the demo ``resident`` account's verified phone
RESIDENT_PHONES = [f"138000000{n:02d}" for n in range(1, 9)]

# phone, street code, community, target group, the need in the resident's words
NEEDS = [
    (
        "13800000001",
        "310105-001",
        "愚园路居委会",
        TargetGroup.ELDERLY_ALONE,
        "我们楼里有好几位独居老人，子女不在身边，希望有人定期上门探访，陪老人聊聊天、看看身体和家里的用电用气安全。",
    ),
    (
        "13800000002",
        "310105-001",
        "万航渡路居委会",
        TargetGroup.DISABLED,
        "残疾人希望社区有康复健身场地和器材，最好每周有专业康复师来指导一到两次训练。",
    ),
    (
        "13800000003",
        "310105-001",
        "西浜居委会",
        TargetGroup.MENTAL_DISORDER,
        "家里有精神障碍患者，家属长期照护压力很大，希望社区提供心理疏导和家属互助小组。",
    ),
    (
        "13800000004",
        "310105-001",
        "愚园路居委会",
        TargetGroup.SPECIAL_CHILDREN,
        "希望为自闭症等特殊儿童提供放学后的托管和康复训练，让家长能安心上班。",
    ),
    (
        "13800000005",
        "310105-002",
        "番禺路居委会",
        TargetGroup.ELDERLY,
        "社区老人多，希望社区食堂提供助餐服务，行动不便的老人能送餐上门。",
    ),
    (
        "13800000006",
        "310105-002",
        "新华居委会",
        TargetGroup.EX_OFFENDER,
        "刑释人员回归社会后找工作很难，希望有社工提供就业指导和心理帮扶，帮助他们重新融入社区。",
    ),
    (
        "13800000007",
        "310105-002",
        "香花桥居委会",
        TargetGroup.YOUTH,
        "暑假期间双职工家庭的孩子白天无人照看，希望社区开设青少年暑托班。",
    ),
    (
        "13800000008",
        "310105-002",
        "番禺路居委会",
        TargetGroup.POOR_FAMILY,
        "困难家庭不太清楚能申请哪些救助，希望有人上门帮忙梳理政策，并给孩子做学业辅导。",
    ),
]

MENU_TITLE = "江苏路街道社区公共服务菜单（第一期）"
MENU_COMMUNITY = "江苏路街道各居委会"
MENU_DESCRIPTION = (
    "根据居民提出的需求，街道拟向社会组织购买以下服务项目。请为您最需要的项目“点菜”，"
    "每人每项限支持一次；点菜结果将作为项目申报立项的依据，并向社会公开。"
)
# name substring in the catalog, menu item title, description, estimated budget (yuan)
MENU_ITEMS = [
    (
        "探访",
        "独居老人定期上门探访",
        "每月上门探访两次，关注健康、用电用气安全和生活需求。",
        "180000",
    ),
    ("心理", "心理疏导与家属支持", "为精神障碍者家属提供个案心理疏导和互助小组活动。", "150000"),
    ("残疾人", "残疾人社区康复", "社区康复点的器材维护和每周两次专业康复指导。", "200000"),
    (
        "居家养老",
        "居家养老上门服务（助餐、助浴）",
        "社区食堂助餐，行动不便老人送餐、助浴上门。",
        "260000",
    ),
]
# phone → indices of MENU_ITEMS that resident supports
ORDERS = {
    "13800000001": [0, 1],
    "13800000002": [0, 2],
    "13800000003": [1],
    "13800000004": [0, 2, 3],
    "13800000005": [0],
}


def _resident_actor(identity: ResidentIdentity) -> Actor:
    membership = Membership.objects.filter(
        user=identity.user, role=Role.RESIDENT, is_active=True
    ).first()
    return Actor(user=identity.user, membership=membership)


def _identities(actor: Actor, created: dict[str, int]) -> dict[str, ResidentIdentity]:
    out = {}
    for phone in RESIDENT_PHONES:
        ihash = identity_hash(IdentityKind.PHONE, normalise(IdentityKind.PHONE, phone))
        identity = (
            ResidentIdentity.objects.select_related("user").filter(identity_hash=ihash).first()
        )
        if identity is None:
            user = None
            if phone == DEMO_RESIDENT_PHONE:
                user = User.objects.filter(username="resident").first()
                if user is not None and ResidentIdentity.objects.filter(user=user).exists():
                    user = None
            identity = resident_identity_create(
                user=user,
                actor=actor,
                data=IdentityInput.parse(kind=IdentityKind.PHONE, value=phone),
            )
            created["resident_identities"] += 1
        out[phone] = identity
    return out


def _catalog_items() -> list[tuple[CatalogItem, tuple]]:
    today = timezone.localdate()
    version = (
        CatalogVersion.objects.filter(status="published", effective_date__lte=today)
        .order_by("-effective_date", "-id")
        .first()
    )
    if version is None:
        return []
    found = []
    for row in MENU_ITEMS:
        item = (
            CatalogItem.objects.filter(
                version=version, level=CatalogItem.Level.THIRD, name__contains=row[0]
            )
            .order_by("code")
            .first()
        )
        if item is not None and all(item.pk != f.pk for f, _ in found):
            found.append((item, row))
    return found


def _menu(actor: Actor, created: dict[str, int]) -> tuple[Menu | None, list[MenuItem]]:
    unit = Unit.objects.filter(code="310105-001").first()
    if unit is None:
        return None, []
    menu = Menu.objects.filter(unit=unit, title=MENU_TITLE).first()
    if menu is not None:
        return menu, list(menu.items.order_by("sort_order", "id"))
    catalog = _catalog_items()
    if not catalog:
        return None, []
    now = timezone.now()
    menu = menu_create(
        actor=actor,
        unit=unit,
        data=MenuInput.parse(
            community=MENU_COMMUNITY,
            title=MENU_TITLE,
            description=MENU_DESCRIPTION,
            ordering_opens_at=now - dt.timedelta(days=1),
            ordering_closes_at=now + dt.timedelta(days=14),
        ),
    )
    created["menus"] += 1
    items = []
    for catalog_item, (_needle, title, description, budget) in catalog:
        items.append(
            menu_item_add(
                actor=actor,
                menu=menu,
                data=MenuItemInput.parse(
                    catalog_item=catalog_item,
                    title=title,
                    description=description,
                    estimated_budget=budget,
                ),
            )
        )
        created["menu_items"] += 1
    menu = menu_publish(actor=actor, menu=menu)
    return menu, items


def seed_needs(actor: Actor) -> dict[str, int]:
    """Demo identities, needs, one open menu for 江苏路街道 and some orders."""
    created = {
        "resident_identities": 0,
        "needs": 0,
        "menus": 0,
        "menu_items": 0,
        "menu_orders": 0,
    }
    with transaction.atomic():
        identities = _identities(actor, created)
        for phone, code, community, group, text in NEEDS:
            identity = identities[phone]
            if Need.objects.filter(identity=identity, text=text).exists():
                continue
            unit = Unit.objects.filter(code=code).first()
            if unit is None:
                continue
            need_submit(
                actor=_resident_actor(identity),
                data=NeedInput.parse(unit=unit, community=community, target_group=group, text=text),
            )
            created["needs"] += 1
        menu, items = _menu(actor, created)
        if menu is not None and menu.ordering_open(timezone.now()):
            by_title = {i.title: i for i in items}
            for phone, indices in ORDERS.items():
                identity = identities[phone]
                for index in indices:
                    item = by_title.get(MENU_ITEMS[index][1])
                    if (
                        item is None
                        or MenuOrder.objects.filter(menu_item=item, identity=identity).exists()
                    ):
                        continue
                    menu_order_place(actor=_resident_actor(identity), menu_item=item)
                    created["menu_orders"] += 1
    return created
