"""``fengqiao restore``: put a backup back — database and uploaded files — after checking it.

Checked first: every member's SHA-256 against the manifest, the database vendor, and that the backup was
not made by newer code (a migration this code does not know).  PostgreSQL: ``pg_restore --clean
--if-exists`` as a script into ``psql --single-transaction`` (tables the backup did not have are dropped in
the same transaction), so a failed restore changes nothing.  SQLite: the online backup API copies the file
into the live database.  The current media directory is kept aside, not deleted.  Afterwards the row counts
must equal the manifest's.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from tqdm import tqdm

from fengqiao.ops import archive
from fengqiao.ops.dbtools import libpq_env, query_on, tool


@dataclass
class Restored:
    manifest: dict[str, Any]
    counts: dict[str, int]
    media_kept_at: Path | None


def check(file: Path, alias: str, work: Path) -> dict[str, Any]:
    """Unpack ``file`` into ``work`` and refuse what cannot be restored here; the manifest."""
    manifest = archive.unpack(file, work)
    vendor = connections[alias].vendor
    if manifest["database"]["vendor"] != vendor:
        raise CommandError(f"{file} is a {manifest['database']['vendor']} backup; this site runs on {vendor}.")
    newer = archive.unknown_migrations(manifest["migrations"])
    if newer:
        raise CommandError(f"{file} was made by newer code: its database has {len(newer)} migration(s) this "
                           f"code does not know ({', '.join(newer[:5])}). Install that version (or newer) first.")
    return manifest


def _dump_tables(dump: Path, env: dict[str, str]) -> set[str]:
    listing = subprocess.run([tool("pg_restore"), "--list", str(dump)], env=env, capture_output=True, text=True,
                             check=True).stdout
    tables = set()
    for line in listing.splitlines():
        parts = line.split()
        # "123; 1259 16390 TABLE public cases_case postgres"
        if not line.startswith(";") and len(parts) >= 6 and parts[3] == "TABLE":
            tables.add(parts[5])
    return tables


def _restore_postgres(alias: str, dump: Path, show: bool) -> None:
    connection = connections[alias]
    env = libpq_env(connection.settings_dict)
    with connection.cursor() as cursor:
        current = {row[0] for row in query_on(cursor)(archive.TABLES_SQL["postgresql"])}
    connections.close_all()
    extra = sorted(current - _dump_tables(dump, env))
    psql = subprocess.Popen([tool("psql"), "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                             "--output=/dev/null"], env=env, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    script = subprocess.Popen([tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                               "--file=-", str(dump)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errors: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda n=name, p=proc: errors.__setitem__(n, p.stderr.read()))
               for name, proc in (("psql", psql), ("pg_restore", script))]
    for reader in readers:
        reader.start()
    assert psql.stdin is not None
    assert script.stdout is not None
    try:
        for table in extra:  # made by migrations newer than the backup: they would block a later migrate
            psql.stdin.write(f'DROP TABLE IF EXISTS "{table}" CASCADE;\n'.encode())
        with tqdm(desc="database (pg_restore | psql)", unit="B", unit_scale=True, disable=not show) as bar:
            for block in iter(lambda: script.stdout.read(1 << 16), b""):  # type: ignore[union-attr]
                psql.stdin.write(block)
                bar.update(len(block))
        psql.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped at an error: its message says which
    script.wait()
    psql.wait()
    for reader in readers:
        reader.join()
    for name, proc in (("pg_restore", script), ("psql", psql)):
        if proc.returncode != 0:
            raise CommandError(f"{name} failed ({proc.returncode}); the database is unchanged: "
                               f"{errors.get(name, b'').decode(errors='replace')[-2000:]}")


def _restore_sqlite(alias: str, copy: Path, show: bool) -> None:
    target_path = str(connections[alias].settings_dict["NAME"])
    connections.close_all()
    source = sqlite3.connect(copy)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        with tqdm(desc="database (sqlite backup)", unit="page", disable=not show) as bar:
            def progress(status: int, remaining: int, total: int) -> None:
                bar.total = total
                bar.update(total - remaining - bar.n)

            source.backup(target, pages=-1, progress=progress)
    finally:
        source.close()
        target.close()


def _restore_media(media_tar: Path, work: Path, show: bool) -> Path | None:
    """Unpack beside, then swap in; the previous directory is kept (its path returned) for the operator."""
    media_root = Path(settings.MEDIA_ROOT)
    fresh = work / "media"
    fresh.mkdir()
    with tarfile.open(media_tar, "r:") as tar:
        for member in tqdm(tar.getmembers(), desc="media", unit="file", disable=not show):
            tar.extract(member, fresh, filter="data")
    kept = None
    if media_root.exists() and any(media_root.iterdir()):
        kept = media_root.with_name(f"{media_root.name}.before-restore-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}")
        shutil.move(str(media_root), str(kept))
    elif media_root.exists():
        media_root.rmdir()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(fresh), str(media_root))
    return kept


def restore(file: Path, *, alias: str = DEFAULT_DB_ALIAS, show: bool = True) -> Restored:
    if not file.is_file():
        raise CommandError(f"{file}: no such backup file.")
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.DATA_DIR))
    try:
        manifest = check(file, alias, work)
        db_file = work / manifest["database"]["file"]
        if manifest["database"]["vendor"] == "postgresql":
            _restore_postgres(alias, db_file, show)
        else:
            _restore_sqlite(alias, db_file, show)
        kept = _restore_media(work / manifest["media"]["file"], work, show)
        with connections[alias].cursor() as cursor:
            now = archive.counts(query_on(cursor), connections[alias].vendor, manifest["counts"])
        connections.close_all()
        if now != manifest["counts"]:
            differ = {t: (manifest["counts"][t], now.get(t)) for t in manifest["counts"] if now.get(t) !=
                      manifest["counts"][t]}
            raise CommandError(f"restored, but the row counts differ from the manifest (table: backup, now): "
                               f"{differ}")
        return Restored(manifest, now, kept)
    finally:
        shutil.rmtree(work, ignore_errors=True)
