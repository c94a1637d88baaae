"""The mid-year demo's plan: the stages with their titles and budgets, the extra bidders,
where each role clicks, what a run made, and whether it already ran."""

from __future__ import annotations

from dataclasses import dataclass, field

from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditEvent

MARKER = "midyear"
UNIT = "310105-001"  # 江苏路街道: the demo purchaser's street
FACTORS = [
    {"id": "plan", "name": "服务方案", "max": 40},
    {"id": "team", "name": "团队与资质", "max": 20},
    {"id": "experience", "name": "同类项目经验", "max": 10},
]

# The stages, in lifecycle order: key, title, budget.
STAGES = [
    ("draft", "江苏路街道老年人助餐服务", "360000.00"),
    ("review", "江苏路街道社区心理健康服务", "280000.00"),
    ("approved", "江苏路街道失能老人喘息服务", "300000.00"),
    ("bidding", "江苏路街道老年人智能手机培训服务", "150000.00"),
    ("evaluating", "江苏路街道居家养老上门服务", "500000.00"),
    ("awarded", "江苏路街道高龄老人助浴服务", "350000.00"),
    ("contract_draft", "江苏路街道认知症老人照护服务", "450000.00"),
    ("performing", "江苏路街道社区睦邻点运营服务", "400000.00"),
    ("midterm", "江苏路街道独居老人安全守护服务", "480000.00"),
    ("completed", "江苏路街道老年活动室运营服务", "320000.00"),
]
TITLES = {key: title for key, title, _ in STAGES}

# Two more bidders with logins (password: the demo password), so that tenders have
# competition and a losing bidder can challenge an award.
BIDDERS = [
    # username, display name, organization prefix, new organization (name, representative)
    ("provider2", "赵乐龄（长宁区乐龄居家养老服务社）", "52310105MJ0000008", None),
    (
        "provider3",
        "黄康乐（长宁区康乐社会工作服务社）",
        "52310105MJ0000101",
        ("长宁区康乐社会工作服务社", "黄康乐"),
    ),
]

# Where to click, printed by ``demo_accounts`` once the mid-year processes exist.
WHERE_TO_CLICK = [
    (
        "purchaser",
        "项目申报",
        "a drafted proposal to submit; the approved one to put out to tender",
    ),
    ("purchaser", "合同待办", "a progress report to review, a contract to sign"),
    ("committee", "审定会议", "an open review session waiting for your vote"),
    ("expert", "我的评审", "a tender in evaluation waiting for your scores"),
    ("provider", "合同待办", "a contract to sign; a mid-term report due"),
    ("provider", "我的投标", "a lost bid: the challenge window (质疑) is open"),
    ("provider2", "我的投标", "an award won, in its challenge window"),
    ("evaluator", "我的评估", "a mid-term evaluation to score"),
    ("purchaser", "咨询建议 → 办理", "a resident's suggestion waiting for an answer"),
    ("resident", "咨询建议 → 我的", "a question answered and published on the public page"),
    ("auditor", "审计日志", "every step above in the hash-chained log"),
]


@dataclass
class MidyearResult:
    created: bool = False
    stages: dict[str, str] = field(default_factory=dict)  # stage key → what was made
    survey_url: str = ""
    survey_tokens: list[str] = field(default_factory=list)
    enquiries: int = 0  # enquiries made (one answered and published, one in the inbox)


def waiting_experts() -> list[str]:
    """The demo expert accounts seated on the mid-year tender in evaluation whose scores are
    still due (the draw is random, so the demo reports who was drawn)."""
    from caidan.procurement.models import PanelMember

    return sorted(
        PanelMember.objects.filter(
            tender__title=TITLES["evaluating"], status="active", sheet__submitted_at__isnull=True
        ).values_list("expert__user__username", flat=True)
    )


def already_seeded() -> bool:
    return AuditEvent.objects.filter(kind=EventKind.DEMO_SEEDED, note=MARKER).exists()
