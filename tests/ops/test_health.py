"""/healthz answers without the database; /readyz names the dependency that fails, within its time limit."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from fengqiao.ops import health


def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    # no django_db mark: any query here would fail the test
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_probes_need_no_login_even_behind_a_login_required_middleware(client: Client, settings: Any) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "django.contrib.auth.middleware.LoginRequiredMiddleware"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 302  # everything else does need it


def test_healthz_is_get_only(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_ok_when_everything_answers(client: Client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "migrations", "cache", "queue"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_names_a_dead_cache(client: Client, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 200  # pages still work on an empty cache: degraded, kept in the balancer
    body = response.json()
    assert body["status"] == "degraded"
    assert body["failing"] == []
    assert body["degraded"] == ["cache"]
    assert "ConnectionError" in body["checks"]["cache"]["detail"]


@pytest.mark.django_db
def test_a_required_cache_fails_readiness(client: Client, settings: Any) -> None:
    settings.READY_REQUIRED = frozenset({"database", "migrations", "cache"})
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["failing"] == ["cache"]


@pytest.mark.django_db
def test_readyz_names_an_unreachable_database(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # the checks run in their own threads, which open new connections from these settings
    monkeypatch.setattr(health, "_migrated_at", 0.0)  # not remembered as applied by an earlier test
    db = connections.settings["default"]
    if db["ENGINE"].endswith("sqlite3"):
        monkeypatch.setitem(db, "NAME", "/nonexistent/dir/fengqiao.sqlite3")
    else:
        monkeypatch.setitem(db, "PORT", "1")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database", "migrations"]
    assert body["checks"]["database"]["detail"].startswith("OperationalError")
    assert body["checks"]["cache"]["ok"] is True


@pytest.mark.django_db
def test_readyz_names_unapplied_migrations(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "_migrated_at", 0.0)
    monkeypatch.setattr(health, "unapplied_migrations", lambda alias="default": ["cases.0099_future"])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["detail"] == "RuntimeError: 1 unapplied: cases.0099_future"


@pytest.mark.django_db
def test_readyz_names_an_unreachable_queue(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from huey.contrib.djhuey import HUEY

    def refuse() -> int:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(HUEY, "pending_count", refuse)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["degraded"] == ["queue"]


@pytest.mark.django_db
def test_a_hung_check_fails_at_its_time_limit(client: Client, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.READY_TIMEOUT = 0.3
    settings.READY_REQUIRED = frozenset({"database", "migrations", "queue"})
    monkeypatch.setitem(health.CHECKS, "queue", lambda: time.sleep(3))
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["detail"] == "timeout after 0.3s"
    assert response.json()["failing"] == ["queue"]


@pytest.mark.django_db
def test_readyz_details_only_for_the_metrics_readers(client: Client, settings: Any) -> None:
    """Error messages name hosts and database users: a stranger learns only which check fails."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    response = client.get("/readyz", REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "failing": [], "degraded": ["cache"],
                               "checks": {"database": {"ok": True}, "migrations": {"ok": True},
                                          "cache": {"ok": False}, "queue": {"ok": True}}}
