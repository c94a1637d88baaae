"""Notices through the services, shared by the portal tests (``test_portal_*.py``) and
others: a notice's form data, a notice made in a given status by the platform admin."""

from __future__ import annotations

import datetime as dt

from caidan.disclosure import notices
from caidan.disclosure.inputs import NoticeInput, NoticeWithdrawalInput
from caidan.disclosure.models import Notice


def _data(**overrides):
    data = {
        "category": "policy",
        "title": "关于做好政府购买社区服务工作的通知",
        "body": "第一段：各街道、镇。\n\n第二段：请认真贯彻执行。",
        "source": "长宁区民政局",
        "document_number": "长民〔2016〕12号",
        "effective_date": dt.date(2016, 7, 1),
    }
    data.update(overrides)
    return data


def make_notice(world, status: str = "draft", **overrides) -> Notice:
    admin = world.actor("admin")
    notice = notices.notice_create(actor=admin, data=NoticeInput.parse(**_data(**overrides)))
    if status in ("published", "withdrawn"):
        notice = notices.notice_publish(notice=notice, actor=admin)
    if status == "withdrawn":
        notice = notices.notice_withdraw(
            notice=notice,
            actor=admin,
            data=NoticeWithdrawalInput.parse(reason="政策已废止，以新文件为准。"),
        )
    assert notice.status == status
    return notice
