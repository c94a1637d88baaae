"""The rules of a tender's documents and timeline (DOMAIN.md §4.1) that need the
jurisdiction's settings or the calendar: the bid security cap, the price weight, and the
period from announcement to deadline. The documents' own rules (the scoring sheet, the
committee, the method's requirements) are the input's (``inputs.TenderInput``).

The method-specific behaviour comes from ``methods.config_for`` flags, never from
``if method == …`` branches.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caidan.common.calendar import WorkingCalendar, deadline_after_working_days, local_date
from caidan.common.errors import field_error
from caidan.common.money import cap_amount, format_yuan, within_cap
from caidan.jurisdiction.selectors import setting_value

from .. import scoring
from ..inputs import TenderInput
from ..methods import config_for, experts_needed
from ..models import Tender

# --- the documents ----------------------------------------------------------------------------


def check_jurisdiction_limits(data: TenderInput) -> None:
    """The documents' rules whose numbers are the jurisdiction's settings (the others are
    the input's, ``TenderInput``): the bid security cap (实施条例 §33) and, when experts
    score, the price weight (DOMAIN.md §4.1)."""
    cap_percent = setting_value("bid_security_max_percent")
    if not within_cap(data.bid_security, data.budget, cap_percent):  # exact: never rounds up
        raise field_error(
            "bid_security",
            _(
                "投标保证金 %(bid_security)s 超过采购预算的 %(cap_percent)s%%（至多 %(cap_amount)s，实施条例 §33）。"
            )
            % {
                "bid_security": format_yuan(data.bid_security),
                "cap_percent": cap_percent,
                "cap_amount": format_yuan(cap_amount(data.budget, cap_percent)),
            },
        )
    if experts_needed(data):
        scoring.validate_price_weight(
            data.price_points,
            method=config_for(data.method).price_weight_method,
            min_services=setting_value("services_min_price_weight"),
        )


# --- the timeline -----------------------------------------------------------------------------


def validate_deadline(
    t: Tender, *, now: dt.datetime, field: str = "deadline", period: bool = True
) -> None:
    """The timeline of §4.1: ≥ 20 calendar days from announcement to deadline (consultation
    ≥ 10; single source ≥ 5 working days of publicity), and the deadline (= bid opening)
    falls on a working day of the calendar."""
    cfg = config_for(t.method)
    if t.deadline is None:
        raise field_error(field, _("请设定投标截止（开标）时间。"))
    if t.deadline <= now:
        raise field_error(field, _("投标截止时间必须晚于当前时间。"))
    if not WorkingCalendar().is_working_day(t.deadline):
        raise field_error(
            field,
            _("投标截止（开标）日 %(local_date)s 是节假日或休息日，须安排在工作日。")
            % {"local_date": local_date(t.deadline)},
        )
    if not period:  # an amendment: the period ran from the announcement
        return
    days = cfg.min_period_days()
    if days and t.deadline < now + dt.timedelta(days=days):
        raise field_error(
            field,
            _(
                "%(label)s自公告发布至投标截止不得少于 %(days)s 日（政府采购法 §35），最早可设为 %(localtime)s。"
            )
            % {
                "label": cfg.label,
                "days": days,
                "localtime": format(
                    timezone.localtime(now + dt.timedelta(days=days)), "%Y-%m-%d %H:%M"
                ),
            },
        )
    if cfg.period_working_days:
        earliest = deadline_after_working_days(now, cfg.period_working_days)
        if t.deadline < earliest:
            raise field_error(
                field,
                _(
                    "%(label)s公示期不得少于 %(period_working_days)s 个工作日（实施条例 §38），截止时间最早为 %(localtime)s。"
                )
                % {
                    "label": cfg.label,
                    "period_working_days": cfg.period_working_days,
                    "localtime": format(timezone.localtime(earliest), "%Y-%m-%d %H:%M"),
                },
            )
