"""Import jobs: who may start one, and how the same file for the same channel resumes its unfinished job."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Channel
from fengqiao.intake import mapping, readers
from fengqiao.intake.models import ImportJob, JobStatus
from fengqiao.kit import clock
from fengqiao.kit.errors import PermissionDenied, ValidationFailed

IMPORT_ROLES = frozenset({Role.DISPATCHER, Role.OPERATOR, Role.ADMIN})


def can_import(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.role_set() & IMPORT_ROLES))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def uploads_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def unfinished(channel: str, sha256: str) -> ImportJob | None:
    return (ImportJob.objects.filter(channel=channel, file_sha256=sha256)
            .exclude(status=JobStatus.DONE).order_by("-created_at").first())


def start_job(user: User, channel: str, path: Path, raw_mapping: dict[str, Any], *,
              file_name: str | None = None, keep_copy: bool = False) -> tuple[ImportJob, bool]:
    """A job for ``path`` (validated mapping and readable columns), or the unfinished job of the same file
    and channel, to resume.  Returns (job, resumed).  With ``keep_copy`` the file is copied under DATA_DIR
    (uploads), so the job can run — and resume — after the request is gone."""
    if not can_import(user):
        raise PermissionDenied("只有分拨员、话务员或管理员可以导入。")
    if channel not in Channel.values:
        raise ValidationFailed(f"未知的受理渠道 {channel!r}（可用：{', '.join(Channel.values)}）",
                               fields={"channel": "未知的受理渠道"})
    parsed = mapping.parse(raw_mapping)
    digest = sha256_of(path)
    existing = unfinished(channel, digest)
    if existing is not None and Path(existing.file_path).exists():
        return existing, True
    source = readers.Source(path, readers.file_format(path, parsed.format), sheet=parsed.sheet)
    readers.check_columns(source, parsed.columns)
    stored = path
    if keep_copy:
        stored = uploads_dir() / f"{digest}{path.suffix.lower()}"
        if not stored.exists():
            shutil.copyfile(path, stored)
    job = ImportJob.objects.create(
        channel=channel, file_name=(file_name or path.name)[:200], file_path=str(stored.resolve()),
        file_sha256=digest, mapping=raw_mapping, created_by=user, created_at=clock.now(),
    )
    return job, False
