"""The demo jurisdiction, modelled on the seeds: Changning district (长宁区), Shanghai.

Everything is created through the real services, so the demo's history is in the audit
log like any other. ``seed`` is idempotent: run it twice and nothing is duplicated.
Later capabilities extend it (catalog, organizations, projects, …).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from caidan.accounts.actor import Actor
from caidan.accounts.models import Membership, Role, Unit, User
from caidan.accounts.services import membership_grant, unit_create, user_create
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.identifiers import make_uscc
from caidan.common.models import CalendarDay, CalendarYear
from caidan.jurisdiction.services import calendar_year_sync
from caidan.orgs.models import Organization

DEMO_PASSWORD = "caidan-demo-2026"  # noqa: S105 - printed for the demo on purpose

# code, name, kind, parent code, population (2014 figures are approximate)
UNITS = [
    ("310105", "长宁区", Unit.Kind.DISTRICT, None, 690000),
    ("310105-CZJ", "长宁区财政局", Unit.Kind.DEPARTMENT, "310105", None),
    ("310105-MZJ", "长宁区民政局", Unit.Kind.DEPARTMENT, "310105", None),
    ("310105-SJJ", "长宁区审计局", Unit.Kind.DEPARTMENT, "310105", None),
    ("310105-SDH", "长宁区社会建设工作委员会", Unit.Kind.DEPARTMENT, "310105", None),
    ("310105-001", "江苏路街道", Unit.Kind.STREET, "310105", 58000),
    ("310105-002", "新华路街道", Unit.Kind.STREET, "310105", 69000),
    ("310105-003", "华阳路街道", Unit.Kind.STREET, "310105", 75000),
    ("310105-004", "周家桥街道", Unit.Kind.STREET, "310105", 63000),
    ("310105-005", "天山路街道", Unit.Kind.STREET, "310105", 83000),
    ("310105-006", "仙霞新村街道", Unit.Kind.STREET, "310105", 82000),
    ("310105-007", "虹桥街道", Unit.Kind.STREET, "310105", 80000),
    ("310105-008", "程家桥街道", Unit.Kind.STREET, "310105", 40000),
    ("310105-009", "北新泾街道", Unit.Kind.STREET, "310105", 66000),
    ("310105-010", "新泾镇", Unit.Kind.TOWN, "310105", 74000),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    scope: str  # unit code or organization uscc prefix, or ""


ACCOUNTS = [
    DemoAccount("admin", "王财政（平台管理员）", Role.PLATFORM_ADMIN, "310105-CZJ"),
    DemoAccount("registrar", "李民政（登记管理机关）", Role.REGISTRATION_AUTHORITY, "310105-MZJ"),
    DemoAccount("purchaser", "张街道（江苏路街道）", Role.PURCHASER, "310105-001"),
    DemoAccount("purchaser2", "陈街道（新华路街道）", Role.PURCHASER, "310105-002"),
    DemoAccount("committee", "赵委员（审定委员会）", Role.COMMITTEE_MEMBER, "310105"),
    DemoAccount("provider", "刘社工（阳光家庭综合服务中心）", Role.PROVIDER, "52310105MJ0000001"),
    DemoAccount("hub", "周会长（区人民调解协会）", Role.HUB, "51310105MJ0000003"),
    DemoAccount("expert", "孙专家（评审专家）", Role.EXPERT, ""),
    DemoAccount("evaluator", "吴评估（申杰评估中心）", Role.EVALUATOR, "52310105MJ0000005"),
    DemoAccount("auditor", "郑审计（区审计局）", Role.AUDITOR, "310105-SJJ"),
    DemoAccount("resident", "钱居民（江苏路街道居民）", Role.RESIDENT, ""),
    DemoAccount("worker", "何社工（江苏路街道社区工作者）", Role.COMMUNITY_WORKER, "310105-001"),
]

# Public holidays and make-up working days (国务院办公厅通知) of these years come from the
# chinesecalendar library (as the common app's data migration loads them); a test database
# flushed by a transactional test gets them back here. Editable by the admin.
CALENDAR_YEARS = (2024, 2025, 2026)


def _unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def seed() -> dict[str, int]:
    """Create (or complete) the demo jurisdiction. Returns what was created."""
    system = Actor.system()
    created = {"units": 0, "organizations": 0, "users": 0, "memberships": 0, "calendar": 0}
    with transaction.atomic():
        for code, name, kind, parent, population in UNITS:
            if not Unit.objects.filter(code=code).exists():
                unit_create(
                    name=name,
                    kind=kind,
                    code=code,
                    parent=_unit(parent) if parent else None,
                    population=population,
                    actor=system,
                )
                created["units"] += 1
        from caidan.orgs.demo import seed_orgs

        created.update(seed_orgs(system))
        for account in ACCOUNTS:
            user = User.objects.filter(username=account.username).first()
            if user is None:
                user = user_create(
                    username=account.username,
                    password=DEMO_PASSWORD,
                    display_name=account.display_name,
                    email=f"{account.username}@demo.caidan.local",
                    phone="13800000000",
                    actor=system,
                )
                created["users"] += 1
            unit = org = None
            if account.role in {Role.PROVIDER, Role.HUB, Role.EVALUATOR}:
                org = Organization.objects.get(uscc=make_uscc(account.scope))
            elif account.scope:
                unit = _unit(account.scope)
            if not Membership.objects.filter(
                user=user, role=account.role, unit=unit, organization=org
            ).exists():
                membership_grant(
                    user=user, role=account.role, unit=unit, organization=org, actor=system
                )
                created["memberships"] += 1
        # A person may hold several roles: the Jiangsu Road officer also sits on the committee.
        officer = User.objects.get(username="purchaser")
        if not Membership.objects.filter(user=officer, role=Role.COMMITTEE_MEMBER).exists():
            membership_grant(
                user=officer, role=Role.COMMITTEE_MEMBER, unit=_unit("310105"), actor=system
            )
            created["memberships"] += 1
        loaded = set(CalendarYear.objects.values_list("year", flat=True))
        missing = [y for y in CALENDAR_YEARS if y not in loaded]
        if missing:
            before = CalendarDay.objects.count()
            calendar_year_sync(years=missing, actor=system)
            created["calendar"] = CalendarDay.objects.count() - before
        from caidan.catalog.demo import seed_catalog

        created.update(seed_catalog(system))
        from caidan.needs.demo import seed_needs
        from caidan.projects.demo import seed_projects

        created.update(seed_needs(system))
        created.update(seed_projects(system))
        from caidan.procurement.demo import seed_procurement

        created.update(seed_procurement(system, DEMO_PASSWORD))
        from caidan.evaluations.demo import seed_evaluations

        created.update(seed_evaluations(system))
        if any(created.values()):
            audit_record(kind=EventKind.DEMO_SEEDED, actor=system, new=created)
    return created
