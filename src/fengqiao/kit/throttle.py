"""Per-client rate limits for doors without an account (django-ratelimit counters in the Django cache).

A limit is a *group* (one counter per client address and group) and a *rate* (``"10/m"``).  Several doors
that count against one group share one budget: a client cannot double its tries by switching from the web
page to the JSON API.  The client address is ``REMOTE_ADDR``; behind a reverse proxy make sure it is the
client's.  The counters live in the configured cache (Redis in production, so every process shares them;
the local-memory default counts per process).
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest
from django_ratelimit.core import get_usage

from fengqiao.kit.errors import DomainError


class TooManyRequests(DomainError):
    """429, with the seconds until the client's window ends (the ``Retry-After`` header)."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def client_address(group: str, request: HttpRequest) -> str:
    """The counter's key: the IPv4 address, or the IPv6 /64 (one household's or phone's prefix, as
    django-ratelimit's own ``ip`` key); a request without a usable address (not through a real server)
    shares one counter instead of failing."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "")
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def hit(request: HttpRequest, *, group: str, rate: str, message: str) -> None:
    """Count one try of this client against ``group``; TooManyRequests once it is over ``rate``."""
    usage = get_usage(request, group=group, key=client_address, rate=rate, increment=True)
    if usage is not None and usage["should_limit"]:
        raise TooManyRequests(message, retry_after=max(1, int(usage["time_left"])))
