"""Readiness checks: the database answers, this code's migrations are applied, the cache and the job queue
answer, and the read replica when one is configured (``FENGQIAO_REPLICA_URL``).  Each runs in its own thread
under a time limit, so a hung dependency makes a 503, not a hung probe.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from fengqiao.ops import replica


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """This code's migrations that the database has not applied, as ``app.name``."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


_migrated_at = 0.0  # the last time all migrations were seen applied (they do not un-apply while we run)


def check_migrations() -> None:
    global _migrated_at
    if time.monotonic() - _migrated_at < 300:
        return
    missing = unapplied_migrations()
    if missing:
        more = f" (+{len(missing) - 3})" if len(missing) > 3 else ""
        raise RuntimeError(f"{len(missing)} unapplied: {', '.join(missing[:3])}{more}")
    _migrated_at = time.monotonic()


def check_cache() -> None:
    cache.set("fengqiao:readyz", "1", 10)
    if cache.get("fengqiao:readyz") != "1":
        raise RuntimeError("the cache did not return what was just stored")


def check_queue() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.pending_count()


def check_replica() -> str:
    """The replica answers; on PostgreSQL the detail says how long ago the last transaction it replayed
    was committed on the primary (its lag while the primary writes; on a quiet primary it only grows)."""
    connection = connections[replica.REPLICA]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT 1")
            cursor.fetchone()
            return "ok"
        cursor.execute("SELECT pg_is_in_recovery(), EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
        recovering, age = cursor.fetchone()
    if not recovering:
        return "ok (not a standby: the primary or a copy of it)"
    return "ok" if age is None else f"ok, last replayed transaction {float(age):.1f}s old"


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "queue": check_queue,
}


def active_checks() -> dict[str, Callable[[], str | None]]:
    """:data:`CHECKS`, and ``replica`` when this process has one (not required by default: a dead replica
    only marks the process degraded, the cockpit then reads from the primary, ``ops.replica``)."""
    if not replica.configured():
        return CHECKS
    return {**CHECKS, "replica": check_replica}


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    detail: str
    ms: float


def _run(name: str, check: Callable[[], str | None]) -> Result:
    started = time.perf_counter()
    try:
        detail = check()
        return Result(name, True, detail or "ok", (time.perf_counter() - started) * 1000)
    except Exception as exc:  # the probe reports it; it must not raise
        return Result(name, False, f"{type(exc).__name__}: {exc}"[:300], (time.perf_counter() - started) * 1000)
    finally:
        connections.close_all()  # this thread's connections only


def run_checks(timeout: float, checks: dict[str, Callable[[], str | None]] | None = None) -> list[Result]:
    """Every check at once, each given ``timeout`` seconds; a late one fails as ``timeout``."""
    checks = active_checks() if checks is None else checks
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    try:
        futures = {name: pool.submit(_run, name, check) for name, check in checks.items()}
        deadline = time.monotonic() + timeout
        results = []
        for name, future in futures.items():
            try:
                results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                results.append(Result(name, False, f"timeout after {timeout:g}s", timeout * 1000))
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a hung check's thread ends when its call returns
