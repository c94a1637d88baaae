"""Money in templates, one format everywhere (caidan.common.money):

``{{ x|yuan }}`` -> ¥1,234,567.00 (tables, pages); ``{{ x|wan }}`` -> 3,603.00 (statistics,
under a 万元 heading); ``{{ x|yuan_words }}`` -> 壹拾陆万壹仟柒佰元整."""

from __future__ import annotations

from django import template

from caidan.common.money import amount_in_words, format_wan, format_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    return format_yuan(value)


@register.filter
def wan(value) -> str:
    return format_wan(value)


@register.filter
def yuan_words(value) -> str:
    if value is None or value == "":
        return "—"
    return amount_in_words(value)
