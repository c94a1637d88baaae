"""Provider eligibility (承接主体资格), the one service every later step uses.

``eligibility(org, requirements, on=date)`` → ``(eligible, reasons)``; reasons are specific
and in Chinese. The result also carries ``notes`` (preferences that do not exclude, such
as "3A 及以上优先") and unpacks as the pair the spec names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from caidan.common.money import format_yuan
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
    grade: str = ""  # the caller sets it (rules.grade_label)

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
        reasons.append(
            _("登记状态为“%(get_status_display)s”，不具备承接资格。")
            % {"get_status_display": org.get_status_display()}
        )
    if org.registration_date is None:
        reasons.append(_("缺少成立登记日期，无法确认其依法登记。"))
    elif org.registration_date > day:
        reasons.append(
            _("成立登记日期 %(registration_date)s 晚于 %(day)s。")
            % {"registration_date": org.registration_date, "day": day}
        )

    # Credit lists (民政部令第60号; 财库〔2016〕125号).
    for record in facts.active(CreditRecord.List.SERIOUS):
        reasons.append(
            _("已于 %(listed_on)s 被列入严重违法失信名单（%(get_reason_display)s）。")
            % {"listed_on": record.listed_on, "get_reason_display": record.get_reason_display()}
        )
    for record in facts.active(CreditRecord.List.DEFAULTER):
        reasons.append(
            _("已于 %(listed_on)s 被认定为失信被执行人。") % {"listed_on": record.listed_on}
        )
    abnormal = facts.active(CreditRecord.List.ABNORMAL)
    for record in abnormal:
        text = _("已于 %(listed_on)s 被列入活动异常名录（%(get_reason_display)s）") % {
            "listed_on": record.listed_on,
            "get_reason_display": record.get_reason_display(),
        }
        if req.abnormal_excludes:
            reasons.append(text + "。")
        else:
            notes.append(text + _("，本辖区设置为不排除，请审慎选择。"))

    # Clean record: no major violation in the prior three years (政府采购法 §22).
    for penalty in facts.major_violations_within(rules.CLEAN_RECORD_YEARS):
        amount = (
            _("，金额 %(amount)s") % {"amount": format_yuan(penalty.amount)}
            if penalty.amount is not None
            else ""
        )
        reasons.append(
            _("近三年内有重大违法记录：%(decided_on)s 受到%(get_kind_display)s%(amount)s。")
            % {
                "decided_on": penalty.decided_on,
                "get_kind_display": penalty.get_kind_display(),
                "amount": amount,
            }
        )

    # The negative list of providers (seed 002).
    for bar in facts.active_bars:
        reasons.append(
            _("已被列入承接主体负面清单至 %(ends_on)s：%(reason)s")
            % {"ends_on": bar.ends_on, "reason": bar.reason}
        )

    # Grade (民政部令第39号): none / preferred / required.
    current = facts.current_grade
    grade_text = rules.grade_label(current.level if current else None)
    if current is None and facts.latest_grade is not None:
        grade_text = _("无有效等级（%(label)s 已于 %(valid_until)s 到期）") % {
            "label": facts.latest_grade.label,
            "valid_until": facts.latest_grade.valid_until,
        }
    if req.grade_policy != "none" and (current is None or current.level < req.min_grade):
        message = _("评估等级须为 %(min_grade)sA 及以上，当前为 %(grade_text)s。") % {
            "min_grade": req.min_grade,
            "grade_text": grade_text,
        }
        if req.grade_policy == "required":
            reasons.append(message)
        else:
            notes.append(
                _("%(min_grade)sA 及以上优先；当前为 %(grade_text)s。")
                % {"min_grade": req.min_grade, "grade_text": grade_text}
            )

    # Fields of service.
    if req.fields and not set(req.fields) & set(facts.fields):
        wanted = "、".join(
            str(ServiceField(f).label) for f in req.fields if f in ServiceField.values
        )
        reasons.append(_("服务领域不符：项目要求%(wanted)s。") % {"wanted": wanted})

    if req.require_experience and facts.recognised_projects == 0:
        reasons.append(_("无经购买主体认可的项目实施经验。"))

    # A hub's member group bids on its own only once it has standing (issue 21): until then
    # the hub bundles its proposals and leads (``orgs/standing.py``, docs/hubs.md).
    if org.hub_id is not None:
        from .standing import standing_of

        standing = standing_of(org)
        if not standing.has_standing:
            reasons.append(
                _(
                    "本组织挂靠枢纽型社会组织，尚未具备独立投标资格（经由枢纽承担、终期评估"
                    "%(grade)s的部分 %(done)s / %(need)s 个），请由枢纽组织打包牵头。"
                )
                % {
                    "grade": standing.rule.grade_label,
                    "done": standing.parts_counted,
                    "need": standing.rule.parts,
                }
            )

    return Eligibility(
        eligible=not reasons,
        reasons=reasons,
        notes=notes,
        grade=rules.grade_label(current.level if current else None),
    )
