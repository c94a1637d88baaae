"""Small helpers for the catalog pages."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from caidan.catalog.selectors import can_manage

register = template.Library()


@register.simple_tag(takes_context=True)
def can_manage_catalog(context) -> bool:
    return can_manage(context.get("actor"))


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """``text`` escaped, with every (case-insensitive) occurrence of ``query`` in <mark>."""
    text, query = str(text or ""), str(query or "").strip()
    if not query:
        return mark_safe(escape(text))  # noqa: S308 - escaped just now
    parts = re.split(f"({re.escape(query)})", text, flags=re.IGNORECASE)
    out = [
        f"<mark>{escape(part)}</mark>" if i % 2 else escape(part) for i, part in enumerate(parts)
    ]
    return mark_safe("".join(out))  # noqa: S308 - every part escaped above
