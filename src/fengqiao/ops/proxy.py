"""The client's address behind a trusted reverse proxy (``FENGQIAO_TRUSTED_PROXIES``, docs/operations.md).

gunicorn sets ``REMOTE_ADDR`` to its peer: behind nginx that is nginx, so every citizen would share one
address and one rate-limit budget (kit/throttle.py).  When the peer is in one of the trusted networks,
this middleware takes the right-most ``X-Forwarded-For`` address that is *not* trusted as ``REMOTE_ADDR``
(what nginx's ``real_ip_recursive on`` does) and keeps the peer in ``META["ORIGINAL_REMOTE_ADDR"]``.

* The list is empty by default: nothing is rewritten, a client's own ``X-Forwarded-For`` means nothing.
* A peer outside the list is never believed: a client cannot name its own address.
* A malformed header (an entry that is not an IP address, or an absurdly long chain) is ignored whole.
* Only entries appended by trusted hops are skipped; left of the first untrusted one, a client may write
  what it likes, so nothing further left is read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ORIGINAL = "ORIGINAL_REMOTE_ADDR"
MAX_HOPS = 32  # longer chains are not from a proxy we run: ignore them
MAX_HEADER = 2048


@lru_cache(maxsize=8)
def trusted_networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    """The parsed ``FENGQIAO_TRUSTED_PROXIES`` (CIDR or single addresses)."""
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"FENGQIAO_TRUSTED_PROXIES: {exc}") from exc


def _address(raw: str) -> Address | None:
    try:
        return ipaddress.ip_address(raw.strip())
    except ValueError:
        return None


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def client_address(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str | None:
    """The client's address when ``peer`` is a trusted proxy and the header is well formed; else None."""
    if not networks or not forwarded_for or len(forwarded_for) > MAX_HEADER:
        return None
    peer_address = _address(peer)
    if peer_address is None or not _trusted(peer_address, networks):
        return None
    hops = forwarded_for.split(",")
    if len(hops) > MAX_HOPS:
        return None
    chain = [_address(hop) for hop in hops]
    if any(hop is None for hop in chain):
        return None
    addresses = [hop for hop in chain if hop is not None]
    for address in reversed(addresses):
        if not _trusted(address, networks):
            return str(address)
    return str(addresses[0])  # every hop is one of ours: the first one is the client


class TrustedProxyMiddleware:
    """First in MIDDLEWARE, so the rate limits, the lock-outs and /metrics' network check see the client."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))  # a bad entry fails at start

    def __call__(self, request: HttpRequest) -> HttpResponse:
        networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
        if networks:
            peer = request.META.get("REMOTE_ADDR", "")
            client = client_address(peer, request.META.get("HTTP_X_FORWARDED_FOR", ""), networks)
            if client is not None:
                request.META[ORIGINAL] = peer
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
