"""The page shell's unread-notice count (the rest of the shell: ``caidan.accounts``)."""

from __future__ import annotations

from .selectors import unread_count


def unread(request) -> dict:
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user=actor.user)}
