"""Django's Redis cache, degrading to a miss while Redis is unreachable (docs/operations.md, Faults).

Django's ``RedisCache`` raises ``redis.ConnectionError`` from every call when Redis is down, which turns
each page or API call that touches the cache into a 500.  Here a failed call behaves as an empty cache
that stores nothing: ``get`` returns the default, ``set``/``delete`` do nothing, ``add`` returns False and
``incr`` raises ``ValueError`` (what a missing key raises).  Each failure is logged (at most one line every
10 s per process, so an outage does not flood the logs).  Why this and not django-redis's
``DJANGO_REDIS_IGNORE_EXCEPTIONS``: the same behaviour in one small subclass of the backend the project
already uses, no second Redis client library with its own settings and serializer.

What a miss means for each user of the cache — decided, not accidental:
* cached figures (cockpit, public board): recomputed from the database; slower, correct;
* rate limits (django-ratelimit: the push API's per-key rate, the citizen code checks) **fail closed**:
  with the counter unreadable, ``RATELIMIT_FAIL_OPEN = False`` answers 429 with Retry-After, so nobody can
  guess codes unthrottled while Redis is away; a push client retries, its ``external_id`` makes that safe;
* ``/readyz`` reports ``cache`` failing (503), taking the process out of a balancer that checks readiness.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
LOG_EVERY = 10.0


class DegradingRedisCache(RedisCache):
    _last_logged = 0.0

    def _failed(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - DegradingRedisCache._last_logged >= LOG_EVERY:
            DegradingRedisCache._last_logged = now
            log.warning("cache unavailable (%s: %s: %s); serving without it", operation, type(error).__name__, error)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except RedisError as e:
            self._failed("get", e)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except RedisError as e:
            self._failed("get_many", e)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().has_key(key, version))
        except RedisError as e:
            self._failed("has_key", e)
            return False

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except RedisError as e:
            self._failed("set", e)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT,
                 version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except RedisError as e:
            self._failed("set_many", e)
            return list(data)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except RedisError as e:
            self._failed("add", e)
            return False

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return bool(super().touch(key, timeout, version))
        except RedisError as e:
            self._failed("touch", e)
            return False

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return int(super().incr(key, delta, version))
        except RedisError as e:
            self._failed("incr", e)
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)") from e

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except RedisError as e:
            self._failed("delete", e)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except RedisError as e:
            self._failed("delete_many", e)

    def clear(self) -> None:
        try:
            super().clear()
        except RedisError as e:
            self._failed("clear", e)
