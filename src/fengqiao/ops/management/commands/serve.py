"""``fengqiao serve``: the web process — gunicorn with gthread workers, after a preflight check."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fengqiao.ops.gunicorn_app import ACCESS_FORMAT, reset_multiprocess_dir
from fengqiao.ops.preflight import preflight, uncollected_static


def default_workers() -> int:
    """gunicorn's rule of thumb, 2 × cores + 1, capped: each worker holds its threads' connections."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def gunicorn_options(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "bind": options["bind"],
        "worker_class": "gthread",
        "workers": options["workers"] or default_workers(),
        "threads": options["threads"],
        "timeout": options["timeout"],
        "graceful_timeout": options["graceful_timeout"],
        "keepalive": options["keepalive"],
        "max_requests": options["max_requests"],
        "max_requests_jitter": options["max_requests_jitter"],
        "forwarded_allow_ips": options["forwarded_allow_ips"],
        "accesslog": "-" if options["gunicorn_access_log"] else None,
        "access_log_format": ACCESS_FORMAT,
        "logger_class": "fengqiao.ops.gunicorn_app.ProjectLogger",
        "child_exit": "fengqiao.ops.gunicorn_app.child_exit",
        "control_socket_disable": not options["control_socket"],
        "control_socket": options["control_socket"] or None,
        "proc_name": "fengqiao-web",
    }


class Command(BaseCommand):
    help = "Run the web process: gunicorn (gthread workers) serving fengqiao.wsgi, after a preflight check."
    requires_system_checks: list[str] = []  # the preflight runs them, with the deployment checks

    def add_arguments(self, parser: CommandParser) -> None:
        env = os.environ.get
        parser.add_argument("--bind", default=env("FENGQIAO_BIND", "127.0.0.1:8000"),
                            help="address:port or unix:/path (FENGQIAO_BIND; default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=int(env("FENGQIAO_WEB_WORKERS", "0")),
                            help="worker processes (FENGQIAO_WEB_WORKERS; default 2 × cores + 1, at most 9)")
        parser.add_argument("--threads", type=int, default=int(env("FENGQIAO_WEB_THREADS", "4")),
                            help="threads per worker (FENGQIAO_WEB_THREADS; default 4)")
        parser.add_argument("--timeout", type=int, default=30, help="seconds before a silent worker is restarted")
        parser.add_argument("--graceful-timeout", type=int, default=30,
                            help="seconds a worker gets to finish its requests after SIGTERM")
        parser.add_argument("--keepalive", type=int, default=5)
        parser.add_argument("--max-requests", type=int, default=2000,
                            help="restart a worker after this many requests (0: never)")
        parser.add_argument("--max-requests-jitter", type=int, default=200,
                            help="random extra requests so workers do not all restart at once")
        parser.add_argument("--forwarded-allow-ips", default=env("FENGQIAO_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
                            help="proxies whose X-Forwarded-* headers are trusted")
        parser.add_argument("--gunicorn-access-log", action="store_true",
                            help="also write gunicorn's own access line (path without query string)")
        parser.add_argument("--control-socket", default="", help="path of gunicorn's control socket (default off)")
        parser.add_argument("--no-check", action="store_true",
                            help="start without the preflight (system checks, migrations applied)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_check"]:
            preflight()
        if warning := uncollected_static():  # started anyway: the API and health checks need no static files
            self.stderr.write(f"WARNING: {warning}")
        reset_multiprocess_dir()
        config = gunicorn_options(options)
        self.stdout.write(f"fengqiao serve: {config['workers']} workers × {config['threads']} threads "
                          f"on {config['bind']}")
        self.stdout.flush()
        sys.stderr.flush()
        # a fresh interpreter for the master (same pid): see fengqiao.ops.gunicorn_app
        os.execv(sys.executable, [sys.executable, "-m", "fengqiao.ops.gunicorn_app", json.dumps(config)])
