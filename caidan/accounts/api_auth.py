"""Who is calling the JSON API: a personal API token (``Authorization: Bearer cd_…``) or the
browser session (with CSRF). ``X-Caidan-Role: <membership id>`` picks which of the person's
roles a token request acts in (default: the first).

Here, in accounts, rather than in the API root (``caidan.api``), so that every app's router can
use ``optional_actor`` without importing the module that mounts it.
"""

from __future__ import annotations

from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from caidan.common.actor import Actor

from .middleware import client_ip
from .selectors import resolve_membership
from .services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "个人 API 令牌：Authorization: Bearer cd_…"

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is None:
            # Explicit credentials that fail are refused outright, never silently replaced
            # by whatever session cookie the client also carries.
            raise AuthenticationError()
        role_header = request.headers.get("X-Caidan-Role")
        membership_id = int(role_header) if role_header and role_header.isdigit() else None
        actor = Actor(
            user=user,
            membership=resolve_membership(user, membership_id),
            ip=client_ip(request),
            via="token",
        )
        request.actor = actor
        request.user = user
        return actor


def optional_actor(request) -> Actor:
    """For public endpoints (``auth=None``) that show more to some callers: a bearer token,
    when sent, must be valid and decides who is asking; otherwise the browser session (or
    anonymity) does."""
    if "Authorization" in request.headers:
        auth = TokenAuth()
        actor = auth(request)
        if actor is None:
            raise AuthenticationError()
        return actor
    return request.actor


class SessionActorAuth(APIKeyCookie):
    """The browser session; CSRF is enforced for unsafe methods."""

    openapi_description = "浏览器会话（需要 CSRF 令牌）"

    def __init__(self):
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.actor
        return None
