"""Bench plumbing: a fresh database per engine, Django set up against it, timing, results as JSON lines."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/fq_bench"
ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def _pg_url(name: str) -> tuple[str, str]:
    """The server's address (with /postgres, to create databases from) and the bench database's URL."""
    base = os.environ.get("FENGQIAO_BENCH_POSTGRES_URL", PG_DEFAULT)
    server = base.rsplit("/", 1)[0]
    return f"{server}/postgres", f"{base}_{name}"


def fresh_database(engine: str, name: str) -> str:
    """A URL of an empty database for this run: a temp SQLite file, or a re-created PostgreSQL database."""
    if engine == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"fq-{name}-"))
        os.environ["FENGQIAO_DATA_DIR"] = str(folder)
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    import psycopg

    admin, url = _pg_url(name)
    db = url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    os.environ["FENGQIAO_DATA_DIR"] = tempfile.mkdtemp(prefix=f"fq-{name}-")
    return url


def existing_database(engine: str, name: str) -> str:
    """The URL of the database an earlier run of ``fresh_database(engine, name)`` made, kept as it was."""
    if engine == "sqlite":
        raise SystemExit("--reuse: only PostgreSQL keeps its bench database between runs")
    if not os.environ.get("FENGQIAO_DATA_DIR"):  # the build's own (its trained models) when the caller names it
        os.environ["FENGQIAO_DATA_DIR"] = tempfile.mkdtemp(prefix=f"fq-{name}-")
    return _pg_url(name)[1]


def setup_django(url: str) -> None:
    os.environ["FENGQIAO_DATABASE_URL"] = url
    os.environ.setdefault("FENGQIAO_DEBUG", "0")  # production mode: no query log, no debug cursor
    os.environ.setdefault("FENGQIAO_SSL_REDIRECT", "0")  # loopback without TLS: no redirect to https://
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def run_per_engine(script: str, engines: list[str], extra: list[str]) -> int:
    """Run ``script --engine E`` in a fresh process per engine (settings are per process)."""
    status = 0
    for engine in engines:
        done = subprocess.run([sys.executable, script, "--engine", engine, *extra], check=False)
        status = status or done.returncode
    return status


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """``fn()``'s value and the seconds it took."""
    began = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - began


def timed_query(sql: str, params: list[Any]) -> tuple[int, float]:
    """How many rows one raw query returns and the seconds it took (a bench's baseline)."""
    from django.db import connection

    def rows() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return len(cursor.fetchall())

    return timed(rows)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    q = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2), "p99_ms": round(q[98], 2)}


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)
