"""``/healthz`` (liveness), ``/readyz`` (readiness) and ``/metrics`` (Prometheus).

No login, no session, no personal data; GET only.  ``/metrics``, and the details of ``/readyz``, only for
the allowed networks (``FENGQIAO_METRICS_ALLOW``) or a bearer token (``FENGQIAO_METRICS_TOKEN``).
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from fengqiao.ops import health, metrics


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving; touches nothing else."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Every check's verdict; its detail (error messages name hosts and users) only to those who may read
    the metrics."""
    results = health.run_checks(settings.READY_TIMEOUT)
    failing = [r.name for r in results if not r.ok and r.name in settings.READY_REQUIRED]
    degraded = [r.name for r in results if not r.ok and r.name not in settings.READY_REQUIRED]
    detailed = metrics_allowed(request)
    body = {
        "status": "unavailable" if failing else "degraded" if degraded else "ok",
        "failing": failing,
        "degraded": degraded,
        "checks": {r.name: {"ok": r.ok, **({"detail": r.detail, "ms": round(r.ms, 1)} if detailed else {})}
                   for r in results},
    }
    return JsonResponse(body, status=503 if failing else 200)


@cache
def allowed_networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in spec)
    except ValueError as exc:
        raise ImproperlyConfigured(f"FENGQIAO_METRICS_ALLOW: {exc}") from exc


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if token and auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").split("%")[0])
    except ValueError:
        return False
    return any(address in network for network in allowed_networks(tuple(settings.METRICS_ALLOW)))


@login_not_required
@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return JsonResponse({"detail": "metrics are served to the allowed networks (FENGQIAO_METRICS_ALLOW) "
                                       "or with the bearer token (FENGQIAO_METRICS_TOKEN) only"}, status=403)
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
