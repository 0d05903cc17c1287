"""``fengqiao serve`` and ``fengqiao worker``: options, the preflight, and a real start and SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection

from fengqiao.ops import preflight as preflight_module
from fengqiao.ops.management.commands.serve import Command as Serve
from fengqiao.ops.management.commands.serve import default_workers, gunicorn_options

ROOT = Path(__file__).parents[2]


def serve_options(*argv: str) -> dict[str, Any]:
    parser = Serve().create_parser("fengqiao", "serve")
    return gunicorn_options(vars(parser.parse_args(list(argv))))


def test_serve_defaults() -> None:
    options = serve_options()
    assert options["worker_class"] == "gthread"
    assert options["workers"] == default_workers() == min(2 * (os.cpu_count() or 1) + 1, 9)
    assert options["threads"] == 4
    assert options["max_requests"] == 2000
    assert options["max_requests_jitter"] == 200
    assert options["accesslog"] is None  # fengqiao.request is the access log
    assert "%(U)s" in options["access_log_format"]  # gunicorn's, when asked for: the path without the query
    assert "%(r)s" not in options["access_log_format"]
    assert "%(q)s" not in options["access_log_format"]


def test_serve_options() -> None:
    options = serve_options("--bind", "0.0.0.0:9000", "--workers", "3", "--threads", "8", "--timeout", "60",
                            "--max-requests", "500", "--max-requests-jitter", "50", "--gunicorn-access-log")
    assert (options["bind"], options["workers"], options["threads"], options["timeout"]) == ("0.0.0.0:9000", 3, 8, 60)
    assert (options["max_requests"], options["max_requests_jitter"], options["accesslog"]) == (500, 50, "-")


@pytest.mark.django_db
def test_preflight_refuses_unapplied_migrations(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.DEBUG = True  # the test runner turns it off; a development start
    preflight_module.preflight()  # the test database is migrated: no complaint
    monkeypatch.setattr(preflight_module, "unapplied_migrations", lambda: ["cases.0099_future"])
    with pytest.raises(CommandError, match=r"1 migration\(s\) not applied.*cases\.0099_future.*fengqiao migrate"):
        preflight_module.preflight()


def test_preflight_refuses_production_without_a_secret_key(settings: Any) -> None:
    settings.DEBUG = False
    settings.SECRET_KEY = preflight_module.DEV_SECRET_PREFIX + "-change-me"
    with pytest.raises(CommandError, match="FENGQIAO_SECRET_KEY is not set"):
        preflight_module.preflight()


def test_uncollected_static_files_are_named_with_what_to_do(settings: Any, tmp_path: Path) -> None:
    settings.DEBUG, settings.STATIC_ROOT = False, str(tmp_path)
    warning = preflight_module.uncollected_static()
    assert warning is not None
    assert str(tmp_path) in warning
    assert "fengqiao collectstatic --noinput" in warning
    (tmp_path / "css").mkdir()
    (tmp_path / preflight_module.STYLESHEET).write_text("body{}")
    assert preflight_module.uncollected_static() is None
    settings.DEBUG, settings.STATIC_ROOT = True, str(tmp_path / "nowhere")  # development serves from the apps
    assert preflight_module.uncollected_static() is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "FENGQIAO_DATA_DIR": str(tmp_path), "FENGQIAO_DATABASE_URL": _database_url(),
            "FENGQIAO_LOG_FORMAT": "json", "FENGQIAO_REDIS_URL": ""}


def _get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_ok(url: str, process: subprocess.Popen[str], seconds: float = 120) -> int:
    """The status of ``url`` once the server answers (a booting worker answers late, not never)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _get(url, timeout=10)[0]
        except OSError:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, f"no answer from {url}"
            time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_serve_starts_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "fengqiao", "serve", "--bind", f"127.0.0.1:{port}",
                                "--workers", "1", "--threads", "2"], cwd=ROOT, env=_env(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert _wait_ok(f"http://127.0.0.1:{port}/healthz", process) == 200
        status, body = _get(f"http://127.0.0.1:{port}/readyz", timeout=30)
        assert status == 200, body
        process.send_signal(signal.SIGHUP)  # reload: new workers import the code anew, the old ones finish
        time.sleep(1)
        assert _wait_ok(f"http://127.0.0.1:{port}/healthz", process) == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
    finally:
        if process.poll() is None:
            process.kill()
    output = process.stdout.read() if process.stdout else ""
    assert '"logger": "fengqiao.request"' in output
    assert '"message": "GET /readyz 200' in output
    assert "Handling signal: hup" in output
    assert "Handling signal: term" in output


@pytest.mark.django_db(transaction=True)
def test_worker_starts_and_stops_gracefully_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "fengqiao", "worker", "--workers", "1", "--no-periodic"],
                               cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        deadline = time.monotonic() + 90
        lines = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "The following commands are available" in line:
                break
            assert time.monotonic() < deadline
        time.sleep(2)  # the consumer sets its signal handlers just after listing the commands
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
        lines.extend(process.stdout)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(lines)
    assert "fengqiao worker: 1 threads on SqliteHuey" in output
    assert "Shutting down gracefully" in output
