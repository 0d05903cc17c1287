from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connections
from django.utils import translation

from fengqiao.cases import flow
from fengqiao.intake import pipeline
from fengqiao.intelligence import dedup
from fengqiao.jurisdictions import geo
from fengqiao.kit import working_days
from tests.factories import City, build_city
from tests.web.browser_kit import SHOTS, launch_chromium


@pytest.fixture(autouse=True)
def _fresh_geo_index() -> None:
    geo.invalidate()
    # calendar overrides are cached per process; a rolled-back test's CalendarDay must not leak
    working_days.clear_cache()
    pipeline.forget_sessions()  # a push session caches ids that a rolled-back test may reuse
    dedup.forget_common()
    flow.invalidate()  # the active flow rules are cached per process; a rolled-back test's rules must not leak


@pytest.fixture(autouse=True)
def _chinese_by_default() -> Iterator[None]:
    """Every test starts in the source language: a request in English (LocaleMiddleware activates it for
    the thread) must not turn the next test's service messages into English."""
    with translation.override(django_settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Argon2 costs ~0.1 s a hash and the test city has 14 users; tests do not test password strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_idle_expiry(settings: Any) -> None:
    """Tests move the clock by hours and days (time_machine) between a login and the next request; the idle
    expiry of sessions (fengqiao.accounts.idle) is tested on its own, with the setting on (tests/security)."""
    settings.SESSION_IDLE_MINUTES = 0


@pytest.fixture
def city(db: None) -> City:
    return build_city()


# --- browser tests (tests.web.browser_kit): Debian's chromium, and a city behind Django's live server
@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright (tests.web.browser_kit); skipped when it is not installed."""
    yield from launch_chromium()


@pytest.fixture
def live_city(transactional_db: None, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[City]:
    # Playwright's sync API keeps an event loop in this thread; the ORM calls here are plain sync ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    cache.clear()  # rate limits and lockouts counted by an earlier test (the cache outlives its database)
    yield build_city()
    # While Playwright's event loop runs in this thread, Django's per-context connection store gives the
    # test's ORM calls a connection of their own, which nothing else closes: close it here, or the test
    # database cannot be dropped at the end ("… is being accessed by other users" on PostgreSQL).
    connections.close_all()
    cache.clear()
