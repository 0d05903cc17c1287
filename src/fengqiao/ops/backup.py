"""``fengqiao backup``: a consistent copy of the database and the uploaded files, with a manifest.

PostgreSQL: ``pg_dump -Fc`` inside a REPEATABLE READ snapshot that the row counts and migrations of the
manifest are read from too, so all agree.  SQLite: the online backup API (consistent while the site runs),
counted from the copy.  The media directory is archived file by file.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from tqdm import tqdm

from fengqiao.ops import archive
from fengqiao.ops.dbtools import libpq_env, query_on, run_watching, tool


def _dump_postgres(alias: str, out: Path, show: bool) -> dict[str, Any]:
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        query = query_on(cursor)
        snapshot = query("SELECT pg_export_snapshot()")[0][0]
        facts = {"migrations": archive.applied_migrations(query), "counts": archive.counts(query, "postgresql")}
        cmd = [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
               f"--file={out}"]
        run_watching(cmd, libpq_env(connection.settings_dict), out, "database (pg_dump)", show=show)
    return facts


def _dump_sqlite(alias: str, out: Path, show: bool) -> dict[str, Any]:
    source_path = str(connections[alias].settings_dict["NAME"])
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(out)
    try:
        with tqdm(desc="database (sqlite backup)", unit="page", disable=not show) as bar:
            def progress(status: int, remaining: int, total: int) -> None:
                bar.total = total
                bar.update(total - remaining - bar.n)

            # one step: a read transaction over the whole copy, so writers (WAL) go on and it never restarts
            source.backup(target, pages=-1, progress=progress)
        target.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        query = query_on(target.cursor())
        return {"migrations": archive.applied_migrations(query), "counts": archive.counts(query, "sqlite")}
    finally:
        source.close()
        target.close()


def _archive_media(media_root: Path, out: Path, show: bool) -> dict[str, Any]:
    files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    total = 0
    with tarfile.open(out, "w:") as tar, tqdm(files, desc="media", unit="file", disable=not show) as bar:
        for path in bar:
            tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
            total += path.stat().st_size
    return {"files": len(files), "bytes": total}


def backup(target_dir: Path, *, alias: str = DEFAULT_DB_ALIAS, show: bool = True) -> Path:
    """Write ``fengqiao-<UTC time>.tar`` (and its ``.sha256``) into ``target_dir``; the archive's path."""
    vendor = connections[alias].vendor
    if vendor not in archive.DATABASE:
        raise CommandError(f"backups support PostgreSQL and SQLite, not {vendor}.")
    target_dir.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    final = target_dir / f"fengqiao-{started:%Y%m%dT%H%M%SZ}.tar"
    if final.exists():
        raise CommandError(f"{final} exists already; wait a second or choose another directory.")
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=target_dir))
    try:
        db_file = work / archive.DATABASE[vendor]
        dump = _dump_postgres if vendor == "postgresql" else _dump_sqlite
        facts = dump(alias, db_file, show)
        media = _archive_media(Path(settings.MEDIA_ROOT), work / archive.MEDIA, show)
        manifest = {
            "app": "fengqiao", "format": archive.FORMAT, "version": archive.fengqiao_version(),
            "django": django.get_version(), "created_at": started.isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "file": db_file.name, "bytes": db_file.stat().st_size,
                         "sha256": archive.sha256_of(db_file)},
            "media": {"file": archive.MEDIA, "sha256": archive.sha256_of(work / archive.MEDIA), **media},
            "migrations": facts["migrations"], "heads": archive.heads(facts["migrations"]),
            "counts": facts["counts"],
        }
        archive.write_manifest(work / archive.MANIFEST, manifest)
        partial = work / final.name
        with tarfile.open(partial, "w:") as tar:
            for name in (archive.MANIFEST, db_file.name, archive.MEDIA):
                tar.add(work / name, arcname=name)
        partial.replace(final)
        final.with_name(final.name + ".sha256").write_text(f"{archive.sha256_of(final)}  {final.name}\n")
        return final
    finally:
        shutil.rmtree(work, ignore_errors=True)
