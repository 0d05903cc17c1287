"""What backup and restore share: the archive's layout, its manifest, checksums, row counts, migrations.

A backup is one uncompressed tar holding three members:

- ``manifest.json`` — format, versions, the database vendor, the migrations applied (``migrations``, and the
  last one per app as ``heads``), row counts of the main tables, and each member's size and SHA-256;
- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite's online backup);
- ``media.tar`` — the uploaded files (``MEDIA_ROOT``: attachments, photos, generated documents).
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db.migrations.loader import MigrationLoader

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DATABASE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}

# the tables whose row counts the manifest records and the restore compares
MAIN_TABLES = [
    "accounts_user", "jurisdictions_area", "jurisdictions_unit", "cases_category", "cases_case",
    "cases_caseevent", "cases_party", "cases_assignment", "cases_attachment", "cases_evaluation",
    "notifications_outbox", "mediation_mediation", "risk_riskentry", "audit_anchor", "audit_personaldataview",
]

Query = Callable[[str], list[tuple[Any, ...]]]  # runs one SELECT, returns its rows


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fengqiao_version() -> str:
    try:
        return package_version("fengqiao")
    except PackageNotFoundError:
        return "unknown"


TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
}


def counts(query: Query, vendor: str, tables: Iterable[str] = MAIN_TABLES) -> dict[str, int]:
    """Row counts of the main tables present (a table a later migration adds may be missing)."""
    present = {row[0] for row in query(TABLES_SQL[vendor])}
    return {t: int(query(f'SELECT COUNT(*) FROM "{t}"')[0][0]) for t in tables if t in present}


def applied_migrations(query: Query) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in query("SELECT app, name FROM django_migrations ORDER BY app, name"):
        applied.setdefault(app, []).append(name)
    return applied


def heads(migrations: dict[str, list[str]]) -> dict[str, str]:
    return {app: names[-1] for app, names in migrations.items() if names}


def unknown_migrations(migrations: dict[str, list[str]]) -> list[str]:
    """Migrations the backup's database had that this code does not know: it was made by newer code."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, names in migrations.items() for name in names
                  if (app, name) not in known)


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")


def unpack(archive: Path, into: Path) -> dict[str, Any]:
    """Extract the archive's members into ``into`` and check them against the manifest; the manifest."""
    try:
        with tarfile.open(archive, "r:") as tar:
            members = {m.name: m for m in tar.getmembers()}
            allowed = {MANIFEST, MEDIA, *DATABASE.values()}
            strange = [name for name, m in members.items() if name not in allowed or not m.isfile()]
            if strange or MANIFEST not in members:
                raise CommandError(f"{archive} is not a fengqiao backup (unexpected members: {strange[:5]}).")
            for member in members.values():
                tar.extract(member, into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise CommandError(f"{archive} cannot be read as a backup: {exc}") from exc
    try:
        manifest: dict[str, Any] = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CommandError(f"{archive}: the manifest is not valid JSON ({exc}).") from exc
    if manifest.get("app") != "fengqiao" or manifest.get("format") != FORMAT:
        raise CommandError(f"{archive}: backup format {manifest.get('format')!r} of {manifest.get('app')!r}; "
                           f"this code reads format {FORMAT} of 'fengqiao'.")
    for part in ("database", "media"):
        entry = manifest[part]
        path = into / entry["file"]
        if not path.exists():
            raise CommandError(f"{archive}: {entry['file']} is missing.")
        if sha256_of(path) != entry["sha256"]:
            raise CommandError(f"{archive}: {entry['file']} does not match its SHA-256 in the manifest "
                               "(the backup is damaged).")
    return manifest
