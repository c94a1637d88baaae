"""The inputs of the complaint services (``caidan.common.inputs``): the complaint as filed, and
the finance department's written refusal, suspension and decision.

Built from the API schema, the form's ``cleaned_data`` or keywords. The rules that need the
database or the clock stay in the services: the filing window after the challenge answer
(政府采购法 §55), no second complaint about the same challenge, the suspension's dates
counted from today (§57), and whether a contract was already signed (94号令 §32).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import BeforeValidator, Field, model_validator

from caidan.common.errors import field_error
from caidan.common.inputs import Choice, Input, RequiredText
from caidan.procurement.models import Challenge

from .models import REASON_MAX, TEXT_MAX, ComplaintOutcome


def _as_list(value: Any) -> Any:
    """One challenge or several."""
    if isinstance(value, Challenge):
        return [value]
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set) else value


class ComplaintInput(Input):
    """A complaint about challenges one supplier raised in one tender, with the matters and
    facts complained of and what the supplier asks for (94号令 §18–19)."""

    challenges: Annotated[list[Challenge], BeforeValidator(_as_list)] = Field(
        default_factory=list, title=gettext_noop("所涉及的质疑")
    )
    matters: RequiredText(TEXT_MAX, title=gettext_noop("投诉事项和事实依据"))
    request: RequiredText(REASON_MAX, title=gettext_noop("投诉请求"))

    @model_validator(mode="after")
    def _one_tender_one_supplier(self) -> ComplaintInput:
        if not self.challenges:
            raise field_error(
                "challenge_ids", _("请选择投诉所涉及的质疑（只能就已质疑的事项投诉）。")
            )
        first = self.challenges[0]
        if any(
            c.tender_id != first.tender_id or c.organization_id != first.organization_id
            for c in self.challenges
        ):
            raise field_error(
                "challenge_ids", _("一件投诉只能涉及同一采购项目中本组织提出的质疑。")
            )
        return self


class ComplaintRejectInput(Input):
    """Not accepted, with the reasons in writing (94号令 §21)."""

    reason: RequiredText(REASON_MAX, title=gettext_noop("不予受理的理由"))


class ComplaintSuspendInput(Input):
    """The procurement suspended in writing from ``start`` (the service's default: today) to
    the end of ``until``, with the reason (政府采购法 §57; 94号令 §28)."""

    until: dt.date = Field(title=gettext_noop("暂停截止日期"))
    reason: RequiredText(REASON_MAX, title=gettext_noop("暂停理由"))
    start: dt.date | None = Field(default=None, title=gettext_noop("暂停起始日期"))


class ComplaintDecisionInput(Input):
    """The decision (处理决定) and its reasoning, published with it (94号令 §35)."""

    outcome: Choice(ComplaintOutcome, title=gettext_noop("处理结果"))
    reasoning: RequiredText(TEXT_MAX, title=gettext_noop("处理理由"))
