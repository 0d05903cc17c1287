"""``fengqiao import CHANNEL FILE --mapping MAPPING``: load a file through the intake pipeline.

Running it again on the same file (same sha256) and channel resumes the unfinished job at its checkpoint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fengqiao.accounts.models import User
from fengqiao.intake import mapping, pipeline, services
from fengqiao.intake.models import ImportJob
from fengqiao.kit.errors import DomainError


class Command(BaseCommand):
    help = "Import a CSV / XLSX / JSON Lines file of one channel through a column mapping (TOML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("channel")
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, help="a TOML file, or a shipped mapping's name")
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="resume this job")
        parser.add_argument("--batch", type=int, default=pipeline.DEFAULT_BATCH)
        parser.add_argument("--workers", type=int, default=None,
                            help="worker processes (default: 2 on PostgreSQL for large files, else 1)")
        parser.add_argument("--as", dest="username", help="register as this user (default: first admin)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            job = self._job(options)
        except DomainError as e:
            raise CommandError(e.message) from e
        bar = tqdm(total=job.total_rows, initial=job.done_rows, unit="行",
                   disable=options["no_progress"], dynamic_ncols=True)
        done = [job.done_rows]

        def progress(current: ImportJob) -> None:
            if bar.total is None:
                bar.total = current.total_rows
            bar.update(max(current.done_rows - done[0], 0))
            done[0] = current.done_rows
            bar.set_postfix(created=current.created, dup=current.duplicates, bad=current.failed)

        workers = options["workers"]
        if workers is not None and workers < 1:
            raise CommandError("--workers 至少为 1")
        try:
            job = pipeline.run_job(job.pk, batch_size=options["batch"], progress=progress, workers=workers)
        except DomainError as e:
            raise CommandError(e.message) from e
        finally:
            bar.close()
        self.stdout.write(json.dumps({
            "job": job.pk, "status": job.status, "rows": job.total_rows, "created": job.created,
            "duplicates": job.duplicates, "failed": job.failed, "message": job.message,
        }, ensure_ascii=False))

    def _job(self, options: dict[str, Any]) -> ImportJob:
        if options["resume"]:
            job = ImportJob.objects.filter(pk=options["resume"]).first()
            if job is None:
                raise CommandError(f"没有编号为 {options['resume']} 的导入任务")
            return job
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"找不到文件 {path}")
        raw, _parsed = mapping.load(options["mapping"])
        job, resumed = services.start_job(self._user(options["username"]), options["channel"], path, raw)
        if resumed:
            self.stderr.write(f"继续未完成的导入任务 #{job.pk}（已完成 {job.done_rows} 行）")
        return job

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
        else:
            user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("找不到登记人账号：请用 --as 指定一个分拨员、话务员或管理员的用户名")
        return user
