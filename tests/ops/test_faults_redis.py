"""Redis unreachable: the cache degrades to a miss, rate limits fail closed, and a queue that refuses a job
after a commit does not turn the committed request into a 500 (the outbox row waits for the periodic
sender).  Redis is "down" here by pointing at a closed port; bench/faults.py redis-stop stops the real one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from fengqiao.intake import keys
from fengqiao.notifications import services
from fengqiao.notifications.models import Outbox, Status
from fengqiao.ops.cache import DegradingRedisCache
from tests.factories import City
from tests.intake.test_push import URL, report
from tests.notifications.test_outbox import draft

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once
DOWN_CACHES = {"default": {"BACKEND": "fengqiao.ops.cache.DegradingRedisCache", "LOCATION": DOWN,
                           "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}


def test_the_cache_degrades_to_a_miss() -> None:
    cache = DegradingRedisCache(DOWN, {"OPTIONS": {"socket_connect_timeout": 0.5}})
    cache.set("k", 1)
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["k", "l"]) == {}
    assert cache.add("k", 1) is False
    assert cache.has_key("k") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("k")
    assert cache.delete("k") is False


def test_pages_that_cache_keep_working(city: City, settings: Any) -> None:
    settings.CACHES = DOWN_CACHES
    assert caches["default"].get("anything") is None
    response = Client().get("/readyz")
    assert response.status_code == 200  # degraded, not taken out of the balancer
    assert response.json()["degraded"] == ["cache"]
    assert Client().get("/healthz").status_code == 200


def test_the_push_rate_limit_fails_closed_with_retry_after(city: City, settings: Any) -> None:
    secret = keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=600).secret
    settings.CACHES = DOWN_CACHES
    response = Client().post(URL, report(city), content_type="application/json", HTTP_X_API_KEY=secret)
    assert response.status_code == 429  # not a 500, and not unthrottled
    assert response.json()["error"] == "rate_limited"
    assert int(response["Retry-After"]) > 0


def test_a_queue_refusing_the_job_after_commit_loses_nothing(
        city: City, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    from huey.contrib.djhuey import HUEY

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(HUEY, "enqueue", refuse)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        services.queue([draft(city)])
    assert len(callbacks) == 1  # it ran, failed, and was logged: the request goes on
    assert Outbox.objects.get().status == Status.QUEUED  # the periodic sender's to send
