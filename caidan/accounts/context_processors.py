"""What every page's shell needs: the actor, their roles, the navigation. (The unread
notice count comes from ``caidan.notifications.context_processors``.)"""

from __future__ import annotations

from caidan.common.permissions import can
from caidan.common.perms import Perm
from caidan.common.roles import Role

from .selectors import memberships_of


def _nav(actor) -> list[tuple[str, str]]:
    items = [
        ("web:home", "首页"),
        ("needs:index", "居民需求"),
        ("needs:menus", "服务菜单"),
        ("catalog:index", "服务目录"),
        ("projects:plan", "立项项目"),
        ("procurement:list", "政府采购"),
        ("contracts:list", "合同"),
        ("evaluations:list", "绩效评价"),
        ("orgs:list", "社会组织"),
        ("disclosure:home", "信息公开"),
        ("enquiries:index", "咨询建议"),
    ]
    if not actor.is_authenticated:
        return items
    items.append(("web:dashboard", "工作台"))
    if actor.has_role(Role.PROVIDER, Role.HUB):
        items.append(("procurement:my_bids", "我的投标"))
    if actor.has_role(Role.EXPERT):
        items.append(("procurement:my_reviews", "我的评审"))
    if actor.has_role(Role.EVALUATOR):
        items.append(("evaluations:mine", "我的评估"))
    if can(actor, Perm.CONTRACTS_LEDGER):
        items.append(("contracts:ledger", "资金台账"))
    if can(actor, Perm.EVALUATIONS_AUDIT):
        items.append(("evaluations:audit", "审计"))
    if can(actor, Perm.EVALUATIONS_CONFIRM_ASSESSMENTS):
        items.append(("evaluations:assessments", "规范化评估"))
    if can(actor, Perm.PROCUREMENT_MANAGE_EXPERTS):
        items.append(("procurement:experts", "专家库"))
    if can(actor, Perm.AUDIT_VIEW):
        items.append(("web:audit", "审计日志"))
    if can(actor, Perm.ACCOUNTS_MANAGE):
        items.append(("accounts:users", "用户与角色"))
    if can(actor, Perm.CATALOG_MANAGE):
        items.append(("catalog:manage", "管理目录"))
    if can(actor, Perm.JURISDICTION_EDIT):
        items.append(("web:settings", "辖区设置"))
        items.append(("web:calendar", "工作日历"))
    items.append(("documents:index", "文件"))
    items.append(("notifications:inbox", "通知"))
    return items


def shell(request) -> dict:
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    context = {"actor": actor, "nav_items": _nav(actor), "roles": Role}
    if actor.is_authenticated:
        context["my_memberships"] = memberships_of(actor.user)
    return context
