"""gunicorn, embedded: after its preflight ``fengqiao serve`` replaces itself (exec) with
``python -m fengqiao.ops.gunicorn_app '<options as JSON>'``, a gunicorn master that has loaded the settings
and the logging but not the apps — so SIGHUP starts workers that import the code anew (a reload picks up an
upgrade), and no database connection or app state crosses the fork.

gunicorn's own log lines go through the project's logging (same format, same scrubber); its access log is
off by default because ``fengqiao.request`` already writes one line per request with the request id, the
user id, the route and the path without its query string.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication

# gunicorn's access log, when asked for: no query string (%(U)s is the path only), the request id
ACCESS_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'


class ProjectLogger(glogging.Logger):
    """gunicorn's loggers without gunicorn's handlers: records propagate to the project's console handler."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True
        self.error_log.setLevel(logging.INFO)


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited: fold its live gauges away (prometheus_client's multi-process mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def reset_multiprocess_dir() -> Path | None:
    """Empty ``PROMETHEUS_MULTIPROC_DIR`` (counters from a previous run must not be added to this one's)."""
    raw = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not raw:
        return None
    directory = Path(raw)
    if directory.exists():
        for entry in directory.iterdir():
            if entry.is_file() and entry.suffix == ".db":
                entry.unlink()
            elif entry.is_dir():
                shutil.rmtree(entry)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class FengqiaoApplication(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from fengqiao.wsgi import application

        return application


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)  # the settings only: the apps load in each worker
    FengqiaoApplication(json.loads(argv[1])).run()


if __name__ == "__main__":
    main(sys.argv)
