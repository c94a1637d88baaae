"""Attach ``request.actor``: the logged-in person and the role they act in."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .actor import Actor
from .selectors import resolve_membership

SESSION_KEY = "caidan_active_membership"


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


def actor_for_request(request) -> Actor:
    user = getattr(request, "user", None)
    ip = client_ip(request)
    if user is None or not user.is_authenticated:
        return Actor.anonymous(ip=ip)
    membership = resolve_membership(user, request.session.get(SESSION_KEY))
    return Actor(user=user, membership=membership, ip=ip)


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for_request(request))
        return self.get_response(request)
