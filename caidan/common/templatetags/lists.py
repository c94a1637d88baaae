"""``{% load lists %}``: ``{{ items|join_list }}`` joins a list the way the page's language
does (养老、助残 / elderly care, disability); see ``caidan.common.i18n.join_list``."""

from django import template

from caidan.common.i18n import join_list as _join_list
from caidan.common.i18n import list_separator as _list_separator

register = template.Library()


@register.filter
def join_list(items) -> str:
    """The items, each as text, joined with 、 in Chinese or ", " in English (escaped by the
    template as usual)."""
    return _join_list(items or [])


@register.simple_tag
def list_separator() -> str:
    """The separator alone, for a loop that renders each item itself: 、 or ", "."""
    return _list_separator()
