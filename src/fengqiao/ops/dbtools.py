"""The database side of backup and restore: libpq's environment for pg_dump / pg_restore / psql, running
them with a progress bar, and a SELECT helper over a DB-API cursor."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from tqdm import tqdm

from fengqiao.ops.archive import Query


def libpq_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection of ``settings_dict`` as libpq variables (the password never on a command line)."""
    env = dict(os.environ)
    mapping = {"PGDATABASE": "NAME", "PGUSER": "USER", "PGPASSWORD": "PASSWORD", "PGHOST": "HOST", "PGPORT": "PORT"}
    for var, key in mapping.items():
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
    options = settings_dict.get("OPTIONS") or {}
    for var, key in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert")):
        if options.get(key):
            env[var] = str(options[key])
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def tool(name: str) -> str:
    """The path of a PostgreSQL client program (FENGQIAO_PG_BIN_DIR first, then PATH)."""
    bin_dir = os.environ.get("FENGQIAO_PG_BIN_DIR")
    found = str(Path(bin_dir) / name) if bin_dir else shutil.which(name)
    if not found or not Path(found).exists():
        raise CommandError(f"{name} was not found: install the PostgreSQL client programs (Debian: "
                           "postgresql-client) or set FENGQIAO_PG_BIN_DIR.")
    return found


def run_watching(cmd: list[str], env: dict[str, str], output: Path, desc: str, *, show: bool) -> None:
    """Run ``cmd``; while it runs, show how many bytes it has written to ``output``."""
    with tqdm(desc=desc, unit="B", unit_scale=True, disable=not show) as bar:
        process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stderr: list[bytes] = []
        reader = threading.Thread(target=lambda: stderr.append(process.stderr.read() if process.stderr else b""))
        reader.start()
        while process.poll() is None:
            time.sleep(0.2)
            if output.exists():
                bar.update(output.stat().st_size - bar.n)
        reader.join()
        if output.exists():
            bar.update(output.stat().st_size - bar.n)
    if process.returncode != 0:
        raise CommandError(f"{Path(cmd[0]).name} failed ({process.returncode}): "
                           f"{b''.join(stderr).decode(errors='replace')[-2000:]}")


def query_on(cursor: Any) -> Query:
    def query(sql: str) -> list[tuple[Any, ...]]:
        cursor.execute(sql)
        return list(cursor.fetchall())

    return query
