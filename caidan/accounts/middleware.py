"""Attach ``request.actor``: the logged-in person and the role they act in."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from caidan.common.actor import Actor

from .selectors import resolve_membership

SESSION_KEY = "caidan_active_membership"


@lru_cache(maxsize=8)
def _trusted_proxies(spec: str) -> int | tuple[ipaddress._BaseNetwork, ...]:
    """``CAIDAN_TRUSTED_PROXIES`` parsed: a number of hops, or the proxies' networks."""
    spec = (spec or "").strip()
    if not spec:
        return 0
    if spec.isdigit():
        return int(spec)
    return tuple(
        ipaddress.ip_network(item.strip(), strict=False) for item in spec.split(",") if item.strip()
    )


def _parse_ip(value: str) -> ipaddress._BaseAddress | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "1.2.3.4:5678"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request) -> str:
    """The visitor's address: the one function every rate limit, audit event and actor reads.

    Without ``CAIDAN_TRUSTED_PROXIES`` it is the TCP peer (``REMOTE_ADDR``) and
    ``X-Forwarded-For`` is ignored, since anyone can send it. With a number N, the peer is the
    last of N trusted proxies and the address N entries from the right of the chain
    ``X-Forwarded-For + [peer]`` is the client (entries further left were written by the
    client and are not believed). With a list of addresses or networks, the chain is walked
    from the right past every trusted proxy, and only if the peer itself is one of them.
    """
    remote = (request.META.get("REMOTE_ADDR", "") or "").strip()
    trusted = _trusted_proxies(getattr(settings, "CAIDAN_TRUSTED_PROXIES", ""))
    if not trusted:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if isinstance(trusted, int):
        chain = [*forwarded, remote]
        chosen = chain[max(0, len(chain) - 1 - trusted)]
    else:
        peer = _parse_ip(remote)
        if peer is None or not any(peer in net for net in trusted):
            return remote
        chosen = forwarded[0] if forwarded else remote
        for part in reversed(forwarded):
            address = _parse_ip(part)
            if address is None or not any(address in net for net in trusted):
                chosen = part
                break
    address = _parse_ip(chosen)
    return str(address) if address is not None else remote


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
