"""Bulk-load a national-scale jurisdiction on top of the demo one (see bench/README.md).

Rows are complete, as the services would leave them: organizations with fields, grades
(and the stored current grade), recognised past projects, credit listings and their
directory entries; approved proposals with funding; tenders with ``published_at`` for
every public status, winning bids, awards with their notice, signed contracts, evaluations,
satisfaction surveys with one-time tokens and answers. The audit log is skipped (real
writes always go through it). Every choice is a function of the row's number, so a
scale always loads the same data.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from bench.copyload import Copier, finish, next_id

# --- scales -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    name: str
    organizations: int
    proposals: int
    surveys: int
    big_surveys: tuple[int, ...]  # answers of the very large surveys (the first one on the
    # demo's mid-term contract, whose evaluation the bench publishes)
    answers: tuple[int, int] = (400, 600)  # answers of every other survey


SCALES = {
    "10k": Scale("10k", 10_000, 10_000, 200, (100_000, 20_000)),
    "100k": Scale("100k", 100_000, 100_000, 2_000, (100_000, 20_000)),
    "1m": Scale("1m", 1_000_000, 1_000_000, 20_000, (100_000, 20_000, 100_000)),
}

# --- deterministic choices ----------------------------------------------------------------------


def h(i: int, salt: int = 0) -> int:
    """A well-mixed number from ``i`` (the same on every run)."""
    x = (i * 0x9E3779B1 + salt * 0x85EBCA77 + 0x165667B1) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    x = (x * 0x297A2D39) & 0xFFFFFFFF
    return x ^ (x >> 15)


DISTRICTS = (
    "长宁",
    "黄浦",
    "徐汇",
    "静安",
    "普陀",
    "虹口",
    "杨浦",
    "闵行",
    "宝山",
    "嘉定",
    "浦东",
    "金山",
    "松江",
    "青浦",
    "奉贤",
    "崇明",
)
# (word, service field, share in 1000): 养老 and 调解 are common terms; 助浴 is rare.
WORDS = (
    ("养老", "elderly", 90),
    ("为老", "elderly", 40),
    ("居家照护", "elderly", 40),
    ("调解", "mediation", 40),
    ("社工", "other", 80),
    ("助残", "disability", 60),
    ("妇女儿童", "women_children", 60),
    ("青少年", "women_children", 60),
    ("文体", "culture_sports", 60),
    ("法律援助", "legal_aid", 50),
    ("济困", "poverty_relief", 50),
    ("防灾减灾", "disaster_relief", 40),
    ("社区矫正", "community_correction", 40),
    ("安置帮教", "resettlement", 40),
    ("心理健康", "other", 60),
    ("邻里互助", "other", 70),
    ("志愿服务", "other", 60),
    ("家庭发展", "women_children", 59),
)
RARE_WORD = "助浴"  # one row in RARE_EVERY
RARE_EVERY = 5_000
COMMON_TERMS = ("养老", "调解")
_TABLE = [w for w, _, share in WORDS for _ in range(share)]
_FIELD = {w: f for w, f, _ in WORDS}
SUFFIXES = ("服务中心", "服务社", "促进会", "协会", "工作室", "发展中心", "综合服务中心")
LEGAL_FORMS = ("service_institution", "social_group", "service_institution", "foundation")


def word(i: int, salt: int) -> str:
    if i % RARE_EVERY == 7:
        return RARE_WORD
    return _TABLE[h(i, salt) % len(_TABLE)]


def org_name(i: int) -> str:
    return f"{DISTRICTS[h(i, 1) % 16]}区{word(i, 2)}{SUFFIXES[h(i, 3) % 7]}（第{i}号）"


def org_status(i: int) -> str:
    r = h(i, 4) % 100
    return "deregistered" if r == 0 else "revoked" if r == 1 else "active"


def org_grade(i: int) -> int | None:
    r = h(i, 5) % 100
    return None if r < 40 else 1 + r % 5


def org_credit(i: int) -> str | None:
    r = h(i, 6) % 1000
    return "abnormal" if r < 20 else "serious" if r < 25 else None


def org_fields(i: int) -> list[str]:
    w = word(i, 2)
    first = _FIELD.get(w, "elderly")
    second = ("elderly", "mediation", "other", "disability")[h(i, 7) % 4]
    return [first] if h(i, 8) % 5 or second == first else [first, second]


CREDIT_REASON = {"abnormal": "annual_report", "serious": "major_fine"}

# Proposals and tenders.
PROPOSAL_STATUS = (("approved", 90), ("submitted", 4), ("draft", 3), ("rejected", 3))
_PSTATUS = [s for s, share in PROPOSAL_STATUS for _ in range(share)]
TENDER_STATUS = (
    ("published", 10),
    ("evaluating", 5),
    ("evaluated", 5),
    ("awarded", 10),
    ("concluded", 55),
    ("failed", 5),
    ("cancelled", 5),
    ("draft", 5),
)
_TSTATUS = [s for s, share in TENDER_STATUS for _ in range(share)]
METHODS = ("open_tender", "open_tender", "consultation", "single_source", "post_purchase")


def proposal_status(j: int) -> str:
    return _PSTATUS[h(j, 10) % 100]


def has_tender(j: int) -> bool:
    return proposal_status(j) == "approved" and h(j, 11) % 100 < 95


def tender_status(j: int) -> str:
    return _TSTATUS[h(j, 12) % 100]


# Survey answers: five likert answers (3–5) and an occasional text; templates by number.
QUESTIONS = [
    {"id": "attitude", "text": "您对服务人员的态度是否满意？", "kind": "likert"},
    {"id": "timeliness", "text": "服务是否及时、按约定的时间提供？", "kind": "likert"},
    {"id": "effect", "text": "服务是否解决了您的实际困难？", "kind": "likert"},
    {"id": "frequency", "text": "您对服务的频次和时长是否满意？", "kind": "likert"},
    {"id": "overall", "text": "总体而言，您对这项服务是否满意？", "kind": "likert"},
    {"id": "suggestion", "text": "您还有什么意见或建议？", "kind": "text"},
]


def _answer_templates() -> list[tuple[dict, Decimal]]:
    out = []
    for n in range(243):
        values, x = [], n
        for _ in range(5):
            values.append(3 + x % 3)
            x //= 3
        answers = {q["id"]: v for q, v in zip(QUESTIONS[:5], values, strict=True)}
        answers["suggestion"] = ""
        out.append((answers, Decimal(sum(values) * 4).quantize(Decimal("0.01"))))
    return out


# --- the load -----------------------------------------------------------------------------------


@dataclass
class Loaded:
    counts: dict[str, int] = field(default_factory=dict)
    info: dict = field(default_factory=dict)


def log(msg: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load(scale: Scale) -> Loaded:
    from caidan.accounts.models import Unit
    from caidan.catalog.models import CatalogItem

    out = Loaded()
    today = timezone.localdate()
    units = list(Unit.objects.filter(kind__in=["street", "town"]).order_by("code"))
    items = list(
        CatalogItem.objects.filter(level=3, version__status="published")
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not units or not items:
        raise SystemExit("seed_demo must run first (units and a published catalog)")
    orgs = _orgs(scale, today, out)
    _proposals_and_after(scale, today, units, items, orgs, out)
    return out


def _orgs(scale: Scale, today: dt.date, out: Loaded) -> range:
    from caidan.common.identifiers import make_uscc
    from caidan.orgs.models import (
        CreditRecord,
        DirectoryEntry,
        Grade,
        Organization,
        OrganizationField,
        PastProject,
    )

    n = scale.organizations
    base = next_id(Organization)
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    def code(k: int) -> str:
        digits = ""
        for _ in range(9):
            k, r = divmod(k, 31)
            digits = chars[r] + digits
        return make_uscc(f"52310105{digits}")

    def grade_dates(i: int) -> tuple[dt.date, dt.date]:
        assessed = today - dt.timedelta(days=30 + h(i, 9) % 1500)
        assessed = assessed.replace(day=min(assessed.day, 28))  # no 29 February
        return assessed, assessed.replace(year=assessed.year + 5) - dt.timedelta(days=1)

    t = time.monotonic()
    Copier(
        Organization,
        [
            "id",
            "name",
            "uscc",
            "legal_form",
            "status",
            "registration_date",
            "registration_authority",
            "address",
            "legal_representative",
            "description",
            "full_time_staff",
            "social_workers",
            "current_grade_level",
            "current_grade_until",
        ],
    ).copy(
        (
            base + i,
            org_name(i),
            code(20_000_000 + i),
            LEGAL_FORMS[h(i, 13) % 4],
            org_status(i),
            dt.date(2005 + h(i, 14) % 18, 1 + h(i, 15) % 12, 1 + h(i, 16) % 28),
            "上海市社会团体管理局",
            f"上海市{DISTRICTS[h(i, 1) % 16]}区某路{1 + i % 999}号",
            f"负责人{i}",
            f"本机构提供{word(i, 2)}等社会服务，立足社区，服务居民。",
            3 + h(i, 17) % 40,
            h(i, 18) % 12,
            org_grade(i) if org_grade(i) and grade_dates(i)[1] >= today else None,
            grade_dates(i)[1] if org_grade(i) and grade_dates(i)[1] >= today else None,
        )
        for i in range(n)
    )
    log(f"organizations: {n} ({time.monotonic() - t:.0f} s)")
    Copier(OrganizationField, ["organization_id", "field"]).copy(
        (base + i, f) for i in range(n) for f in org_fields(i)
    )
    Copier(Grade, ["organization_id", "level", "assessed_on", "valid_until", "assessor"]).copy(
        (base + i, org_grade(i), *grade_dates(i), "上海申杰社会组织评估中心")
        for i in range(n)
        if org_grade(i)
    )
    Copier(CreditRecord, ["organization_id", "list", "reason", "detail", "listed_on"]).copy(
        (
            base + i,
            org_credit(i),
            CREDIT_REASON[org_credit(i)],
            "未按规定报送年度工作报告",
            today - dt.timedelta(days=10 + h(i, 19) % 300),
        )
        for i in range(n)
        if org_credit(i)
    )
    Copier(PastProject, ["organization_id", "year", "title", "purchaser_name", "recognised"]).copy(
        (base + i, today.year - 1, f"{word(i, 2)}服务项目", "长宁区民政局", True)
        for i in range(n)
        if (org_grade(i) or 0) >= 3
    )
    # The directory, as directory_recompute leaves it: active, a valid grade of 3A or more,
    # recognised experience, no credit listing, one entry per field.
    Copier(DirectoryEntry, ["organization_id", "field", "grade_level", "listed_since"]).copy(
        (base + i, f, org_grade(i), grade_dates(i)[0])
        for i in range(n)
        if in_directory(i, today, grade_dates)
        for f in org_fields(i)
    )
    finish(Organization, OrganizationField, Grade, CreditRecord, PastProject, DirectoryEntry)
    out.counts["organizations"] = n
    out.counts["directory_entries"] = DirectoryEntry.objects.count()
    out.info["org_base"] = base
    log(f"organizations with fields, grades, credit, directory ({time.monotonic() - t:.0f} s)")
    return range(base, base + n)


def in_directory(i: int, today: dt.date, grade_dates) -> bool:
    g = org_grade(i)
    return (
        org_status(i) == "active"
        and g is not None
        and g >= 3
        and grade_dates(i)[1] >= today
        and not org_credit(i)
    )


def clean_org(i: int) -> bool:
    """An organization any tender accepts (active, graded 3A+, no credit listing)."""
    return org_status(i) == "active" and (org_grade(i) or 0) >= 3 and not org_credit(i)


def _proposals_and_after(scale, today, units, items, orgs: range, out: Loaded) -> None:
    from caidan.contracts.models import Contract
    from caidan.evaluations.models import Evaluation, Survey, SurveyResponse, SurveyToken
    from caidan.procurement.models import Award, Bid, Tender
    from caidan.projects.models import Proposal, ProposalFunding

    n = scale.proposals
    p_base, t_base = next_id(Proposal), next_id(Tender)
    b_base, a_base, c_base = next_id(Bid), next_id(Award), next_id(Contract)
    now = timezone.now()
    clean = [i for i in range(min(len(orgs), 50_000)) if clean_org(i)]

    def budget(j: int) -> Decimal:
        return Decimal(50_000 + (h(j, 20) % 190) * 10_000)

    def year(j: int) -> int:
        return today.year - 6 + h(j, 21) % 7

    def title(j: int) -> str:
        unit = units[h(j, 22) % len(units)]
        return f"{unit.name}{word(j, 23)}服务项目（{year(j)}年度，第{j}号）"

    t = time.monotonic()
    Copier(
        Proposal,
        [
            "id",
            "title",
            "year",
            "unit_id",
            "catalog_item_id",
            "description",
            "service_targets",
            "scale",
            "budget",
            "period_start",
            "period_end",
            "purchase_mode",
            "procurement_method",
            "grade_policy",
            "status",
            "submitted_at",
            "decided_at",
            "decision_reference",
        ],
    ).copy(
        (
            p_base + j,
            title(j),
            year(j),
            units[h(j, 22) % len(units)].pk,
            items[h(j, 24) % len(items)],
            f"为辖区居民提供{word(j, 23)}服务。",
            "辖区居民",
            100 + h(j, 25) % 2000,
            budget(j),
            dt.date(year(j), 1, 1),
            dt.date(year(j), 12, 31),
            "post" if METHODS[h(j, 26) % 5] == "post_purchase" else "outsourcing",
            METHODS[h(j, 26) % 5],
            "none",
            proposal_status(j),
            None
            if proposal_status(j) == "draft"
            else dt.datetime(year(j) - 1, 9, 1, tzinfo=dt.UTC),
            dt.datetime(year(j) - 1, 10, 15, tzinfo=dt.UTC)
            if proposal_status(j) in ("approved", "rejected")
            else None,
            "区社会建设领导小组审定" if proposal_status(j) == "approved" else "",
        )
        for j in range(n)
    )
    Copier(ProposalFunding, ["proposal_id", "source", "amount"]).copy(
        (p_base + j, "fiscal", budget(j)) for j in range(n)
    )
    finish(Proposal, ProposalFunding)
    out.counts["proposals"] = n
    out.counts["approved_proposals"] = sum(1 for j in range(n) if proposal_status(j) == "approved")
    log(f"proposals with funding: {n} ({time.monotonic() - t:.0f} s)")

    # Tenders: one per approved proposal (95 % of them).
    tenders = [j for j in range(n) if has_tender(j)]
    tid = {j: t_base + k for k, j in enumerate(tenders)}

    def published_at(j: int) -> dt.datetime | None:
        s = tender_status(j)
        if s == "draft":
            return None
        if s == "published":
            return now - dt.timedelta(days=5 + h(j, 27) % 10)
        return dt.datetime(year(j) - 1, 11, 1, 9, tzinfo=dt.UTC) + dt.timedelta(
            minutes=h(j, 27) % 40_000
        )

    def deadline(j: int) -> dt.datetime:
        if tender_status(j) in ("published", "draft"):
            return now + dt.timedelta(days=15 + h(j, 28) % 20)
        return published_at(j) + dt.timedelta(days=21)

    opened = {"evaluating", "evaluated", "awarded", "concluded"}
    Copier(
        Tender,
        [
            "id",
            "proposal_id",
            "unit_id",
            "title",
            "reference",
            "method",
            "description",
            "budget",
            "grade_policy",
            "status",
            "published_at",
            "deadline",
            "opened_at",
            "evaluated_at",
            "concluded_at",
            "failed_reason",
            "cancelled_reason",
        ],
    ).copy(
        (
            tid[j],
            p_base + j,
            units[h(j, 22) % len(units)].pk,
            title(j).replace("服务项目", "服务采购项目"),
            f"BENCH-{scale.name}-{j:08d}",
            METHODS[h(j, 26) % 5],
            "采购需求详见采购文件。",
            budget(j),
            "none",
            tender_status(j),
            published_at(j),
            deadline(j),
            deadline(j) if tender_status(j) in opened else None,
            deadline(j) + dt.timedelta(days=2)
            if tender_status(j) in ("evaluated", "awarded", "concluded")
            else None,
            deadline(j) + dt.timedelta(days=20) if tender_status(j) == "concluded" else None,
            "有效投标不足三家" if tender_status(j) == "failed" else "",
            "采购需求变更" if tender_status(j) == "cancelled" else "",
        )
        for j in tenders
    )
    finish(Tender)
    out.counts["tenders"] = len(tenders)
    out.counts["public_tenders"] = sum(1 for j in tenders if tender_status(j) != "draft")
    log(f"tenders: {len(tenders)} ({time.monotonic() - t:.0f} s)")

    # The winning bid, the award and (once concluded) the contract.
    won = [j for j in tenders if tender_status(j) in ("evaluated", "awarded", "concluded")]
    bid = {j: b_base + k for k, j in enumerate(won)}
    winner = {j: orgs.start + clean[h(j, 29) % len(clean)] for j in won}

    def price(j: int) -> Decimal:
        return (budget(j) * Decimal("0.92")).quantize(Decimal("0.01"))

    Copier(
        Bid,
        [
            "id",
            "tender_id",
            "organization_id",
            "status",
            "seal_id",
            "sealed",
            "nonce",
            "receipt",
            "submitted_at",
            "price",
            "content",
            "opened_at",
            "price_score",
            "total",
            "rank",
        ],
    ).copy(
        (
            bid[j],
            tid[j],
            winner[j],
            "valid",
            f"BENCH{bid[j]:020d}",
            b"\x00" * 32,
            b"\x00" * 12,
            f"{bid[j]:064x}",
            deadline(j) - dt.timedelta(hours=2),
            price(j),
            {"price": str(price(j)), "plan": "服务方案详见投标文件", "team": "社工 5 名"},
            deadline(j),
            Decimal("30.00"),
            Decimal("88.50"),
            1,
        )
        for j in won
    )
    awarded = [j for j in won if tender_status(j) in ("awarded", "concluded")]
    award = {j: a_base + k for k, j in enumerate(awarded)}

    def decided(j: int) -> dt.datetime:
        return deadline(j) + dt.timedelta(days=3)

    Copier(
        Award,
        [
            "id",
            "tender_id",
            "bid_id",
            "amount",
            "status",
            "decided_at",
            "notice_due",
            "notice_published_at",
            "notice_period_ends",
            "challenge_deadline",
        ],
    ).copy(
        (
            award[j],
            tid[j],
            bid[j],
            price(j),
            "confirmed",
            decided(j),
            decided(j) + dt.timedelta(days=2),
            decided(j) + dt.timedelta(hours=2),
            decided(j) + dt.timedelta(days=3),
            decided(j) + dt.timedelta(days=10),
        )
        for j in awarded
    )
    finish(Bid, Award)
    out.counts["bids"] = len(won)
    out.counts["awards"] = len(awarded)
    log(f"bids and awards ({time.monotonic() - t:.0f} s)")

    concluded = [j for j in awarded if tender_status(j) == "concluded"]
    contract = {j: c_base + k for k, j in enumerate(concluded)}

    def completed(j: int) -> bool:
        return year(j) < today.year

    def signed(j: int) -> dt.datetime:
        return decided(j) + dt.timedelta(days=25)

    Copier(
        Contract,
        [
            "id",
            "reference",
            "title",
            "tender_id",
            "award_id",
            "proposal_id",
            "unit_id",
            "organization_id",
            "status",
            "service_content",
            "period_start",
            "period_end",
            "quantity",
            "quality_standards",
            "amount",
            "settlement_method",
            "acceptance_criteria",
            "rights_obligations",
            "breach_liability",
            "payment_split",
            "sign_due",
            "purchaser_signed_at",
            "provider_signed_at",
            "signed_at",
            "publish_due",
            "published_at",
            "ended_at",
        ],
    ).copy(
        (
            contract[j],
            f"HT-{scale.name}-{j:08d}",
            title(j).replace("服务项目", "服务合同"),
            tid[j],
            award[j],
            p_base + j,
            units[h(j, 22) % len(units)].pk,
            winner[j],
            "completed" if completed(j) else "active",
            f"提供{word(j, 23)}服务",
            dt.date(year(j), 1, 1),
            dt.date(year(j), 12, 31),
            "全年服务 1200 人次",
            "按合同约定的服务标准提供服务",
            price(j),
            "按进度分三期支付",
            "终期评估合格",
            "按合同约定",
            "按合同约定",
            [40, 30, 30],
            decided(j) + dt.timedelta(days=30),
            signed(j),
            signed(j),
            signed(j),
            signed(j) + dt.timedelta(days=2),
            signed(j) + dt.timedelta(days=1),
            dt.datetime(year(j), 12, 31, 12, tzinfo=dt.UTC) if completed(j) else None,
        )
        for j in concluded
    )
    finish(Contract)
    out.counts["contracts"] = len(concluded)
    log(f"contracts: {len(concluded)} ({time.monotonic() - t:.0f} s)")

    # Evaluations: a published final one for each completed contract, an open mid-term one
    # for half of the running ones.
    grades = (("excellent", "93.50"), ("good", "84.00"), ("fair", "72.00"), ("poor", "55.00"))
    ev = Copier(
        Evaluation,
        [
            "contract_id",
            "stage",
            "due_on",
            "status",
            "purchaser_score",
            "recipients_score",
            "evaluator_score",
            "total",
            "grade",
            "summary",
            "published_at",
        ],
    )
    ev.copy(
        (
            contract[j],
            "final" if completed(j) else "mid",
            dt.date(year(j) + (1 if completed(j) else 0), 2 if completed(j) else 7, 28),
            "published" if completed(j) else "open",
            Decimal("90.00") if completed(j) else None,
            Decimal("88.00") if completed(j) else None,
            Decimal(grades[h(j, 30) % 4][1]) if completed(j) else None,
            Decimal(grades[h(j, 30) % 4][1]) if completed(j) else None,
            grades[h(j, 30) % 4][0] if completed(j) else "",
            "项目管理规范，服务按合同开展。" if completed(j) else "",
            dt.datetime(year(j) + 1, 2, 20, tzinfo=dt.UTC) if completed(j) else None,
        )
        for j in concluded
        if completed(j) or h(j, 31) % 2
    )
    finish(Evaluation)
    out.counts["evaluations"] = ev.count
    log(f"evaluations: {ev.count} ({time.monotonic() - t:.0f} s)")

    # Surveys: the first very large one on the demo's mid-term contract (its evaluation is
    # the one the bench publishes), the others on bench contracts.
    demo_survey = Survey.objects.order_by("id").first()
    demo_contract = demo_survey.contract_id if demo_survey else None
    hosts = [contract[j] for j in concluded]
    if not hosts:
        raise SystemExit("no contracts to survey")
    s_base, tok_base, r_base = next_id(Survey), next_id(SurveyToken), next_id(SurveyResponse)
    sizes = []
    for k in range(scale.surveys):
        if k < len(scale.big_surveys):
            sizes.append(scale.big_surveys[k])
        else:
            lo, hi = scale.answers
            sizes.append(lo + h(k, 32) % (hi - lo + 1))
    host = [
        demo_contract if k == 0 and demo_contract else hosts[(k * 7919) % len(hosts)]
        for k in range(len(sizes))
    ]
    Copier(
        Survey,
        ["id", "contract_id", "title", "slug", "questions", "opens_on", "closes_on"],
    ).copy(
        (
            s_base + k,
            host[k],
            f"服务对象满意度调查（第{k}号）",
            f"bench{scale.name}{k:08d}",
            QUESTIONS,
            today - dt.timedelta(days=60),
            today + dt.timedelta(days=30),
        )
        for k in range(len(sizes))
    )
    finish(Survey)
    spare = [max(10, size // 10) for size in sizes]

    def tokens():
        tid_ = tok_base
        for k, size in enumerate(sizes):
            for _ in range(size + spare[k]):
                yield (tid_, s_base + k, f"{tid_:064x}")
                tid_ += 1

    Copier(SurveyToken, ["id", "survey_id", "token_hash"]).copy(tokens())
    finish(SurveyToken)
    log(f"survey tokens: {sum(sizes) + sum(spare)} ({time.monotonic() - t:.0f} s)")
    templates = _answer_templates()
    comment = "服务很及时，阿姨很耐心。有事请联系 13812345678。"

    def responses():
        rid, tid_ = r_base, tok_base
        for k, size in enumerate(sizes):
            for m in range(size):
                answers, score = templates[h(rid, 33) % 243]
                if m % 50 == 3:
                    answers = {**answers, "suggestion": "希望增加服务频次"}
                yield (rid, s_base + k, tid_ + m, answers, score, comment if m % 20 == 5 else "")
                rid += 1
            tid_ += size + spare[k]

    Copier(SurveyResponse, ["id", "survey_id", "token_id", "answers", "score", "comment"]).copy(
        responses()
    )
    finish(SurveyResponse)
    out.counts["surveys"] = len(sizes)
    out.counts["survey_answers"] = sum(sizes)
    out.info["big_surveys"] = [
        {"slug": f"bench{scale.name}{k:08d}", "answers": sizes[k], "contract_id": host[k]}
        for k in range(len(scale.big_surveys))
    ]
    out.info["small_survey"] = {
        "slug": f"bench{scale.name}{len(sizes) - 1:08d}",
        "answers": sizes[-1],
        "contract_id": host[-1],
    }
    out.info["demo_contract"] = demo_contract
    log(f"survey answers: {sum(sizes)} ({time.monotonic() - t:.0f} s)")
