"""The inputs of the enquiry services (``caidan.common.inputs``): an enquiry, suggestion,
information request or report as submitted, and what a handler writes while handling it.

Built from the API schema, the form's ``cleaned_data`` or keywords. The rules that need the
database or the clock stay in the services: what the subject is and who may see it
(``subjects.resolve_subject``), the attachments' content, the limits on how often, the
lifecycle and the deadlines.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from caidan.accounts.models import Unit
from caidan.common.errors import field_error
from caidan.common.inputs import Choice, Input, Line, RequiredText, rule

from .models import (
    ANSWER_MAX,
    BODY_MAX,
    BODY_MIN,
    MAX_EXTENSION_WORKING_DAYS,
    TITLE_MAX,
    EnquiryKind,
    SubjectType,
)

MAX_ATTACHMENTS = 5


def Words(minimum: int, maximum: int, *, title: str) -> Any:  # noqa: N802
    """Text of ``minimum`` to ``maximum`` characters (stripped)."""

    def check(text: str) -> str:
        if len(text) < minimum:
            raise rule(
                _("至少 %(minimum)s 个字（当前 %(len)s 个）。")
                % {"minimum": minimum, "len": len(text)}
            )
        return text

    return Annotated[RequiredText(maximum, title=title), AfterValidator(check)]


def _uploads(files: Any) -> list[Any]:
    """The files actually chosen (a form's empty file field is ``None``)."""
    return [f for f in (files or []) if f]


def _at_most(files: list[Any]) -> list[Any]:
    if len(files) > MAX_ATTACHMENTS:
        raise rule(_("最多 %(MAX_ATTACHMENTS)s 个。") % {"MAX_ATTACHMENTS": MAX_ATTACHMENTS})
    return files


def _extension(days: int) -> int:
    if not 1 <= days <= MAX_EXTENSION_WORKING_DAYS:
        raise rule(
            _("须为 1 至 %(MAX_EXTENSION_WORKING_DAYS)s 个工作日（条例第三十三条）。")
            % {"MAX_EXTENSION_WORKING_DAYS": MAX_EXTENSION_WORKING_DAYS}
        )
    return days


Attachments = Annotated[
    list[Any],
    BeforeValidator(_uploads),
    AfterValidator(_at_most),
    Field(default_factory=list, title=gettext_noop("附件")),
]


class EnquiryInput(Input):
    """What the asker (or an anonymous reporter) submits: the kind, what it is about, the
    text, the attachments, and whether the answer may be published."""

    kind: Choice(EnquiryKind, title=gettext_noop("类型"))
    subject_type: Choice(SubjectType, title=gettext_noop("涉及的对象类型"))
    subject_id: int | None = Field(default=None, title=gettext_noop("涉及的对象"))
    official: Line(200, title=gettext_noop("工作人员"), required=False)
    unit_id: int | None = Field(default=None, title=gettext_noop("单位"))
    title: Line(TITLE_MAX, title=gettext_noop("标题"))
    body: Words(BODY_MIN, BODY_MAX, title=gettext_noop("内容"))
    publish_consent: bool = Field(default=False, title=gettext_noop("同意公开答复"))
    anonymous: bool = Field(default=False, title=gettext_noop("匿名举报"))
    files: Attachments


class EnquiryAnswerInput(Input):
    answer: RequiredText(ANSWER_MAX, title=gettext_noop("答复"))


class EnquiryTransferInput(Input):
    """The unit responsible for the item, and why it goes there."""

    to_unit: Any = Field(default=None, title=gettext_noop("转办单位"))
    reason: Line(500, title=gettext_noop("转办理由"))

    @model_validator(mode="after")
    def _a_unit(self) -> EnquiryTransferInput:
        if not isinstance(self.to_unit, Unit):
            raise field_error("unit_id", _("请选择转办的单位。"))
        return self


class EnquiryCloseInput(Input):
    reason: Line(500, title=gettext_noop("办结理由"))


class EnquiryExtendInput(Input):
    """An information request's extension: once, by 1 to 20 working days, with a reason
    (《政府信息公开条例》§33)."""

    days: Annotated[int, AfterValidator(_extension)] = Field(title=gettext_noop("延长的工作日数"))
    reason: RequiredText(500, title=gettext_noop("延期理由"))


class EnquiryHideInput(Input):
    reason: Line(300, title=gettext_noop("屏蔽理由"))


class EnquiryRestoreInput(Input):
    reason: Line(300, title=gettext_noop("恢复理由"))
