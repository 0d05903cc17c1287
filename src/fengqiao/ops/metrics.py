"""Prometheus metrics (prometheus_client, ADR 0013): requests by route name and status, their latency, and
the city's business gauges (open and overdue cases, the outbox, the job queue).

Multi-process: with ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts) every gunicorn worker writes
its counters to files there and ``/metrics`` adds them up (``fengqiao serve`` empties the directory at start
and marks exited workers dead).  The business gauges are counted by the scraped process, at most once per
``FENGQIAO_METRICS_CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

REQUESTS = Counter("fengqiao_http_requests", "HTTP requests served, by method, route name and status",
                   ["method", "view", "status"])
LATENCY = Histogram("fengqiao_http_request_duration_seconds", "Time to serve a request, by method and route name",
                    ["method", "view"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))


def observe_request(method: str, view: str, status: int, seconds: float) -> None:
    if method not in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}:
        method = "other"  # a client's invented method must not make a new series
    REQUESTS.labels(method, view, str(status)).inc()
    LATENCY.labels(method, view).observe(seconds)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def business_counts() -> dict[str, float]:
    """The gauges, counted now: one indexed COUNT each, and the queue's length."""
    from huey.contrib.djhuey import HUEY

    from fengqiao.cases.models import Case
    from fengqiao.cases.states import OPEN_STATES
    from fengqiao.notifications.models import Outbox, Status

    open_states = [s.value for s in OPEN_STATES]
    return {
        "open_cases": Case.objects.filter(status__in=open_states).count(),
        "overdue_cases": Case.objects.filter(overdue=True, status__in=open_states).count(),
        "outbox_pending": Outbox.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).count(),
        "outbox_failed": Outbox.objects.filter(status=Status.FAILED).count(),
        "queue_length": float(HUEY.pending_count()),
    }


_HELP = {
    "open_cases": "Cases not yet replied, closed, merged or cancelled",
    "overdue_cases": "Open cases past their deadline",
    "outbox_pending": "Notifications queued or being sent",
    "outbox_failed": "Notifications that failed for good",
    "queue_length": "Jobs waiting in the Huey queue",
}


class BusinessCollector(Collector):
    """Counts on scrape, cached for ``ttl`` seconds in this process; a failed count shows as ``…_up 0``."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._at = 0.0
        self._values: dict[str, float] = {}
        self._ok = False

    def _refresh(self) -> None:
        with self._lock:
            if self._values and time.monotonic() - self._at < self.ttl:
                return
            try:
                self._values, self._ok = business_counts(), True
            except Exception:
                log.warning("business metrics could not be counted", exc_info=True)
                self._ok = False
            self._at = time.monotonic()

    def collect(self) -> Iterator[Metric]:
        self._refresh()
        yield GaugeMetricFamily("fengqiao_business_metrics_up", "1 if the business gauges were counted",
                                value=1.0 if self._ok else 0.0)
        for name, value in self._values.items():
            yield GaugeMetricFamily(f"fengqiao_{name}", _HELP[name], value=value)


_business: BusinessCollector | None = None


def business_collector() -> BusinessCollector:
    global _business
    if _business is None:
        from django.conf import settings

        _business = BusinessCollector(ttl=settings.METRICS_CACHE_SECONDS)
    return _business


def exposition() -> bytes:
    """The text exposition: this process's (or, multi-process, all workers') metrics and the gauges."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        own = generate_latest(registry)
    else:
        own = generate_latest(REGISTRY)
    business = CollectorRegistry(auto_describe=False)
    business.register(business_collector())
    return own + generate_latest(business)
