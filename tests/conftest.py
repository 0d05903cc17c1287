from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from fengqiao.cases import flow
from fengqiao.intake import pipeline
from fengqiao.intelligence import dedup
from fengqiao.jurisdictions import geo
from fengqiao.kit import working_days
from tests.factories import City, build_city


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


@pytest.fixture
def city(db: None) -> City:
    return build_city()
