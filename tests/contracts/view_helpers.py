"""Shared by the contract page tests (``test_views_*.py``): a page's HTML, the two
signatories' names, today's date."""

from __future__ import annotations

from django.utils import timezone

TODAY = timezone.localdate


def _html(response) -> str:
    return response.content.decode()


def _names(world) -> list[str]:
    return [world.user(u).get_full_name() for u in ("purchaser", "provider")]
