"""The intake pipeline: parse → validate → enrich → write, in batches of one transaction each.

Each batch's transaction also writes the job's checkpoint (``next_row``) and counters, so a process
killed at any moment (``kill -9``) leaves either the whole batch and its checkpoint, or neither; the
re-run starts at the checkpoint.  (channel, external id) makes a replay register nothing twice.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.db import transaction

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Channel
from fengqiao.cases.services import Registered
from fengqiao.cases.services._core import Acting, authorize
from fengqiao.cases.services.register_bulk import BulkCase, TermsCache, register_bulk
from fengqiao.cases.states import Action
from fengqiao.intake import enrich, mapping, readers
from fengqiao.intake.models import ImportJob, ImportRowError, JobStatus
from fengqiao.intake.rows import Context, RowError, place, validate
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, ValidationFailed

logger = logging.getLogger(__name__)
DEFAULT_BATCH = 1000
Progress = Callable[[ImportJob], None]


def _batched(rows: Iterable[tuple[int, dict[str, str]]], size: int) -> Iterator[list[tuple[int, dict[str, str]]]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def open_source(job: ImportJob, parsed: mapping.Mapping) -> readers.Source:
    path = Path(job.file_path)
    return readers.Source(path, readers.file_format(path, parsed.format), sheet=parsed.sheet)


def run_job(job_id: int, *, batch_size: int = DEFAULT_BATCH, progress: Progress | None = None) -> ImportJob:
    """Run (or resume) an import job to the end.  Bad input fails the job with a clear message."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job
    try:
        parsed = mapping.parse(job.mapping)
        source = open_source(job, parsed)
        extra = readers.check_columns(source, parsed.columns)
        acting = authorize(job.created_by, None, Action.REGISTER)
    except DomainError as e:
        _finish(job, JobStatus.FAILED, e.message)
        raise
    if job.total_rows is None:
        job.total_rows = source.count()
    job.status, job.started_at = JobStatus.RUNNING, job.started_at or clock.now()
    job.message = f"已忽略文件中未映射的列：{', '.join(extra)}" if extra else ""
    job.heartbeat_at = clock.now()
    job.save(update_fields=["total_rows", "status", "started_at", "message", "heartbeat_at"])
    ctx, terms = Context(channel=job.channel, mapping=parsed), TermsCache()
    for chunk in _batched(source.rows(start=job.next_row), batch_size):
        process_batch(job, ctx, acting, terms, chunk)
        if progress:
            progress(job)
    _finish(job, JobStatus.DONE, job.message)
    return job


def _finish(job: ImportJob, status: str, message: str) -> None:
    job.status, job.message, job.finished_at = status, message, clock.now()
    job.save(update_fields=["status", "message", "finished_at"])


def _enrich(ctx: Context, items: list[BulkCase]) -> None:
    """Classify what has no category; locate by address what has no point (both optional)."""
    unclassified = [i for i in items if i.category_id is None]
    for item, category_id in zip(unclassified, enrich.classify_many([i.description for i in unclassified]),
                                 strict=False):
        item.category_id = category_id
    unlocated = [i for i in items if i.grid_id is None and i.address]
    for item, found in zip(unlocated, enrich.locate_many([i.address for i in unlocated]), strict=False):
        if found is not None and getattr(found, "grid_id", None):
            place(ctx, item, int(found.grid_id))
            item.lng, item.lat = found.lng, found.lat


@transaction.atomic
def process_batch(job: ImportJob, ctx: Context, acting: Acting, terms: TermsCache,
                  chunk: list[tuple[int, dict[str, str]]]) -> None:
    """One batch, one transaction: cases, parties, events, row errors and the checkpoint together."""
    items: list[BulkCase] = []
    errors: list[RowError] = []
    for number, raw in chunk:
        checked = validate(ctx, number, raw)
        if isinstance(checked, list):
            errors.extend(checked)
        else:
            items.append(checked)
    _enrich(ctx, items)
    result = register_bulk(job.created_by, acting, items, terms)
    enrich.index_cases([pk for _row, pk in result.created])
    ImportRowError.objects.bulk_create(
        [ImportRowError(job=job, row=e.row, field=e.field, message=e.message[:500], raw=e.raw) for e in errors],
        ignore_conflicts=True,
    )
    job.next_row = chunk[-1][0] + 1
    job.created += len(result.created)
    job.duplicates += len(result.duplicates)
    job.failed += len({e.row for e in errors})
    job.heartbeat_at = clock.now()
    job.save(update_fields=["next_row", "created", "duplicates", "failed", "heartbeat_at"])


_PAYLOAD_MAPPING = mapping.parse({"columns": {f: f for f in mapping.FIELDS}, "title_from_description": 30})


@transaction.atomic
def register_one(channel: str, payload: dict[str, Any], actor: User) -> Registered:
    """One matter from a push endpoint, through the same validation, enrichment and write as a file row.

    ``payload`` uses our field names (see mapping.FIELDS).  Replaying an external id returns the case
    registered first (``created=False``).  Bad fields raise ValidationFailed naming each field.
    """
    if channel not in Channel.values:
        raise ValidationFailed("未知的受理渠道。", fields={"channel": "未知的受理渠道"})
    acting = authorize(actor, None, Action.REGISTER)
    raw = {k: "" if v is None else str(v) for k, v in payload.items() if k in mapping.FIELDS}
    ctx = Context(channel=channel, mapping=_PAYLOAD_MAPPING)
    checked = validate(ctx, 1, raw)
    if isinstance(checked, list):
        fields = {e.field: e.message.split("：", 1)[-1] for e in checked}
        raise ValidationFailed("登记信息有误：" + "；".join(f"{k} {v}" for k, v in fields.items()) + "。",
                               fields=fields)
    _enrich(ctx, [checked])
    result = register_bulk(actor, acting, [checked], TermsCache())
    if result.created:
        enrich.index_cases([result.created[0][1]])
        return Registered(case=Case.objects.get(pk=result.created[0][1]), created=True)
    return Registered(case=Case.objects.get(channel=channel, external_ref=checked.external_ref), created=False)
