"""Scoring-sheet templates (评分表模板) per service field: what a purchaser starts a tender's
scoring sheet from, then edits row by row (``forms.TenderForm``).

Data, not code: adding a template is adding an entry to ``TEMPLATES``. Each template's
price points and factor maxima add up to 100 (``scoring.SHEET_TOTAL``; a test checks
every entry), and its factor ids are stable lowercase names, so the purchaser never types
an id. A template is only a starting point: the sheet is checked as the purchaser leaves
it (``inputs.TenderInput``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.orgs.models import ServiceField

GENERAL = "general"


@dataclass(frozen=True)
class SheetTemplate:
    key: str
    label: Any  # shown in the picker (translated)
    fields: tuple[str, ...]  # the service fields (``ServiceField``) it suits; () = any
    price_points: Decimal
    factors: tuple[dict[str, Any], ...]  # id, name, max, guidance

    def rows(self) -> list[dict[str, Any]]:
        """The factors as the form's rows (copies: a form may change them)."""
        return [dict(f) for f in self.factors]

    def as_json(self) -> dict[str, Any]:
        """What the page's script needs to fill the row editor."""
        return {
            "price_points": str(self.price_points),
            "factors": [{**f, "max": str(f["max"])} for f in self.factors],
        }


def _f(fid: str, name: str, maximum: int | str, guidance: str) -> dict[str, Any]:
    return {"id": fid, "name": name, "max": Decimal(str(maximum)), "guidance": guidance}


TEMPLATES: tuple[SheetTemplate, ...] = (
    SheetTemplate(
        key=GENERAL,
        label=_("通用服务项目"),
        fields=(),
        price_points=Decimal(30),
        factors=(
            _f("plan", "服务方案", 40, "服务内容、方式、进度安排是否完整、可行。"),
            _f("team", "团队与资质", 20, "人员数量、持证情况与分工。"),
            _f("experience", "同类项目经验", 10, "近三年同类项目的数量与履约情况。"),
        ),
    ),
    SheetTemplate(
        key="elderly",
        label=_("养老服务（居家探访、助餐、助浴）"),
        fields=(ServiceField.ELDERLY,),
        price_points=Decimal(30),
        factors=(
            _f("plan", "服务方案", 30, "探访频次、一人一档、紧急情况处置流程。"),
            _f("team", "护理与社工团队", 20, "持证护理员、社工的数量与排班。"),
            _f("safety", "安全与应急保障", 10, "服务安全制度、保险、应急预案。"),
            _f("experience", "养老服务经验", 10, "近三年养老服务项目的数量与评估结果。"),
        ),
    ),
    SheetTemplate(
        key="disability",
        label=_("助残服务（康复、就业、托养）"),
        fields=(ServiceField.DISABILITY,),
        price_points=Decimal(30),
        factors=(
            _f("plan", "个案服务方案", 30, "需求评估、个别化服务计划与转介。"),
            _f("team", "康复与社工团队", 20, "康复师、社工的资质与数量。"),
            _f("access", "无障碍与安全", 10, "场地、出行的无障碍安排与安全措施。"),
            _f("experience", "助残服务经验", 10, "近三年助残服务项目的数量与评估结果。"),
        ),
    ),
    SheetTemplate(
        key="mediation",
        label=_("专业调处（人民调解、矛盾化解）"),
        fields=(ServiceField.MEDIATION, ServiceField.LEGAL_AID),
        price_points=Decimal(30),
        factors=(
            _f("plan", "调解工作方案", 30, "受理、调解、回访与卷宗管理流程。"),
            _f("team", "调解员队伍", 25, "持证调解员、律师的数量与经验。"),
            _f("experience", "调处经验与成效", 15, "近三年调处案件数量与调解成功率。"),
        ),
    ),
    SheetTemplate(
        key="women_children",
        label=_("妇女儿童服务（托管、家庭教育）"),
        fields=(ServiceField.WOMEN_CHILDREN,),
        price_points=Decimal(30),
        factors=(
            _f("plan", "服务方案", 30, "活动设计、家庭参与与个案跟进。"),
            _f("safeguarding", "儿童保护与安全", 15, "儿童保护制度、人员背景审查、应急预案。"),
            _f("team", "团队与资质", 15, "社工、教师的资质与数量。"),
            _f("experience", "同类项目经验", 10, "近三年同类项目的数量与评估结果。"),
        ),
    ),
    SheetTemplate(
        key="community",
        label=_("社区服务（文体活动、综合服务）"),
        fields=(ServiceField.CULTURE_SPORTS, ServiceField.OTHER),
        price_points=Decimal(30),
        factors=(
            _f("plan", "活动与服务方案", 30, "活动内容、频次、覆盖人群与宣传动员。"),
            _f("participation", "居民参与", 15, "居民需求调查、志愿者组织与反馈机制。"),
            _f("team", "团队与资质", 15, "人员数量、专业背景与分工。"),
            _f("experience", "同类项目经验", 10, "近三年社区服务项目的数量与评估结果。"),
        ),
    ),
)

BY_KEY: dict[str, SheetTemplate] = {t.key: t for t in TEMPLATES}


def template_get(key: str) -> SheetTemplate | None:
    return BY_KEY.get(key)


def template_for(fields: list[str] | tuple[str, ...]) -> SheetTemplate:
    """The template for a project's service fields: the first that suits one of them (in
    the project's order), else the general one."""
    for field in fields or ():
        for template in TEMPLATES:
            if field in template.fields:
                return template
    return BY_KEY[GENERAL]


def choices() -> list[tuple[str, Any]]:
    return [(t.key, t.label) for t in TEMPLATES]
