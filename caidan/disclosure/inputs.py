"""The inputs of the portal's notices and policies (``caidan.common.inputs``): a notice as
the platform admin writes it, and the reason for withdrawing one.

Built from the API schema, the form's ``cleaned_data`` or keywords; the lifecycle (which
notice may still change) stays in the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext_noop
from pydantic import BeforeValidator, Field

from caidan.common.inputs import Choice, Input

from .models import NoticeCategory

TITLE_MAX = 200
BODY_MAX = 50_000
SOURCE_MAX = 200
NUMBER_MAX = 100
REASON_MAX = 2000


def _blank(value: Any) -> Any:
    """An absent text (``None``) is empty text."""
    return "" if value is None else value


def _paragraphs(value: Any) -> Any:
    """Plain text with one kind of line break (pages render it with ``linebreaks``)."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return _blank(value)


def _none_if_blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _text(max_length: int, title: str, *, required: bool) -> Any:
    return Annotated[
        str,
        BeforeValidator(_blank),
        Field(min_length=1 if required else 0, max_length=max_length, title=title),
    ]


class NoticeInput(Input):
    """A policy, announcement or guide; the body is plain text. An edit is the notice as it
    stands with the changes, checked again."""

    category: Choice(NoticeCategory, title=gettext_noop("类别"))
    title: _text(TITLE_MAX, gettext_noop("标题"), required=True)
    body: Annotated[
        str,
        BeforeValidator(_paragraphs),
        Field(min_length=1, max_length=BODY_MAX, title=gettext_noop("正文")),
    ]
    source: _text(SOURCE_MAX, gettext_noop("发布机关"), required=True)
    document_number: _text(NUMBER_MAX, gettext_noop("文号"), required=False) = ""
    effective_date: Annotated[dt.date | None, BeforeValidator(_none_if_blank)] = Field(
        default=None, title=gettext_noop("施行日期")
    )


class NoticeWithdrawalInput(Input):
    """Why a published notice is withdrawn: shown on its page for good."""

    reason: _text(REASON_MAX, gettext_noop("撤回理由"), required=True)
