"""Template tags for legal deadlines counted in working days.

    {% load calendar_tags %}
    {{ tender.deadline|date:"Y-m-d H:i" }}{% deadline_warning tender.deadline %}

``deadline_warning`` prints a warning next to a deadline that is provisional: it lies in,
or is counted through, a year whose official holiday schedule is not loaded, so the
weekend rule stood in for the State Council notice. The loaded years are read once per
template render.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from caidan.common.calendar import deadline_unloaded_years, loaded_years
from caidan.common.i18n import join_list

register = template.Library()

_CACHE_KEY = "caidan_calendar_loaded_years"


def _loaded(context) -> set[int]:
    cache = context.render_context
    if _CACHE_KEY not in cache:
        cache[_CACHE_KEY] = loaded_years()
    return cache[_CACHE_KEY]


@register.simple_tag(takes_context=True)
def deadline_warning(context, value) -> str:
    """A warning next to a provisional legal deadline; nothing otherwise."""
    years = deadline_unloaded_years(value, loaded=_loaded(context))
    if not years:
        return ""
    text = _("暂算：%(years)s 年节假日安排未载入，期限可能变动") % {"years": join_list(years)}
    return format_html(
        ' <strong class="danger deadline-warning" role="note" title="{}">⚠ {}</strong>',
        _("法定期限按工作日计算；请平台管理员录入国务院办公厅节假日安排通知。"),
        text,
    )


@register.simple_tag(takes_context=True)
def calendar_year_status(context, year) -> str:
    """Whether ``year``'s official schedule is loaded, and a link to enter its notice."""
    from caidan.common.models import CalendarYear

    row = CalendarYear.objects.filter(year=year).first()
    link = f"{reverse('web:calendar_notice')}?year={year}"
    if row:
        return format_html(
            '<p class="muted calendar-year-status">{}: {} · {} · {} <a href="{}">{}</a></p>',
            _("已载入官方安排"),
            row.source,
            row.loaded_by,
            timezone.localtime(row.loaded_at).strftime("%Y-%m-%d"),
            link,
            _("按通知重新录入"),
        )
    return format_html(
        '<p class="notice calendar-year-status" role="alert">{} <a href="{}">{}</a></p>',
        _("%(year)s 年的官方节假日安排尚未载入：该年的法定期限按周末规则暂算。") % {"year": year},
        link,
        _("录入节假日安排通知"),
    )
