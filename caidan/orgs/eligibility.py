"""Provider eligibility (承接主体资格), the one service every later step uses.

``eligibility(org, requirements, on=date)`` → ``(eligible, reasons)``; reasons are specific
and in Chinese. The result also carries ``notes`` (preferences that do not exclude, such
as "3A 及以上优先") and unpacks as the pair the spec names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from caidan.jurisdiction.selectors import setting_value

from . import rules
from .facts import OrgFacts
from .models import CreditRecord, Organization, ServiceField


@dataclass(frozen=True)
class Requirements:
    """What a project asks of its provider.

    ``grade_policy``: ``none`` | ``preferred`` | ``required`` (DOMAIN.md §4.2, configurable
    per project; the jurisdiction default is the ``provider_grade_requirement`` setting).
    ``fields``: the provider must work in at least one of them (empty: any).
    ``abnormal_excludes``: None → the jurisdiction setting ``abnormal_list_excludes``.
    """

    grade_policy: str | None = None
    min_grade: int = 3
    fields: tuple[str, ...] = ()
    abnormal_excludes: bool | None = None
    require_experience: bool = False

    def resolved(self) -> Requirements:
        return Requirements(
            grade_policy=self.grade_policy or setting_value("provider_grade_requirement"),
            min_grade=self.min_grade,
            fields=tuple(self.fields),
            abnormal_excludes=(
                setting_value("abnormal_list_excludes")
                if self.abnormal_excludes is None
                else self.abnormal_excludes
            ),
            require_experience=self.require_experience,
        )


@dataclass
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    grade: str = "无等级"

    def __iter__(self):
        yield self.eligible
        yield self.reasons


def eligibility(
    org: Organization, requirements: Requirements | None = None, *, on: dt.date | None = None
) -> Eligibility:
    req = (requirements or Requirements()).resolved()
    facts = OrgFacts.load(org, on)
    day = facts.on
    reasons: list[str] = []
    notes: list[str] = []

    # Legal capacity (政府采购法 §22): registered and in good standing.
    if org.status != Organization.Status.ACTIVE:
        reasons.append(f"登记状态为“{org.get_status_display()}”，不具备承接资格。")
    if org.registration_date is None:
        reasons.append("缺少成立登记日期，无法确认其依法登记。")
    elif org.registration_date > day:
        reasons.append(f"成立登记日期 {org.registration_date} 晚于 {day}。")

    # Credit lists (民政部令第60号; 财库〔2016〕125号).
    for record in facts.active(CreditRecord.List.SERIOUS):
        reasons.append(
            f"已于 {record.listed_on} 被列入严重违法失信名单（{record.get_reason_display()}）。"
        )
    for record in facts.active(CreditRecord.List.DEFAULTER):
        reasons.append(f"已于 {record.listed_on} 被认定为失信被执行人。")
    abnormal = facts.active(CreditRecord.List.ABNORMAL)
    for record in abnormal:
        text = f"已于 {record.listed_on} 被列入活动异常名录（{record.get_reason_display()}）"
        if req.abnormal_excludes:
            reasons.append(text + "。")
        else:
            notes.append(text + "，本辖区设置为不排除，请审慎选择。")

    # Clean record: no major violation in the prior three years (政府采购法 §22).
    for penalty in facts.major_violations_within(rules.CLEAN_RECORD_YEARS):
        amount = f" {penalty.amount} 元" if penalty.amount is not None else ""
        reasons.append(
            f"近三年内有重大违法记录：{penalty.decided_on} 受到{penalty.get_kind_display()}{amount}。"
        )

    # The negative list of providers (seed 002).
    for bar in facts.active_bars:
        reasons.append(f"已被列入承接主体负面清单至 {bar.ends_on}：{bar.reason}")

    # Grade (民政部令第39号): none / preferred / required.
    current = facts.current_grade
    grade_text = rules.grade_label(current.level if current else None)
    if current is None and facts.latest_grade is not None:
        grade_text = (
            f"无有效等级（{facts.latest_grade.label} 已于 {facts.latest_grade.valid_until} 到期）"
        )
    if req.grade_policy != "none" and (current is None or current.level < req.min_grade):
        message = f"评估等级须为 {req.min_grade}A 及以上，当前为 {grade_text}。"
        if req.grade_policy == "required":
            reasons.append(message)
        else:
            notes.append(f"{req.min_grade}A 及以上优先；当前为 {grade_text}。")

    # Fields of service.
    if req.fields and not set(req.fields) & set(facts.fields):
        wanted = "、".join(
            str(ServiceField(f).label) for f in req.fields if f in ServiceField.values
        )
        reasons.append(f"服务领域不符：项目要求{wanted}。")

    if req.require_experience and facts.recognised_projects == 0:
        reasons.append("无经购买主体认可的项目实施经验。")

    return Eligibility(
        eligible=not reasons,
        reasons=reasons,
        notes=notes,
        grade=rules.grade_label(current.level if current else None),
    )
