"""The intake pipeline: parse → validate → enrich → write, in batches of one transaction each.

Each batch's transaction also writes its :class:`ImportBatch` record (the rows it covered) and adds to the
job's counters, so a process killed at any moment (``kill -9``) leaves either the whole batch and its
record, or neither; the re-run skips the recorded batches.  (channel, external id) makes a replay register
nothing twice.  Large files can be split over several worker processes (``workers``): each takes every
n-th batch of the same deterministic sequence, so both cores of a small server work — one preparing rows
while the database writes another's.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import itertools
import logging
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from fengqiao.accounts.models import User
from fengqiao.cases.models import Case, Channel
from fengqiao.cases.services import Registered
from fengqiao.cases.services._core import Acting, authorize
from fengqiao.cases.services.register_bulk import BulkCase, TermsCache, register_bulk
from fengqiao.cases.states import Action
from fengqiao.intake import enrich, mapping, readers
from fengqiao.intake.models import ImportBatch, ImportJob, ImportRowError, JobStatus
from fengqiao.intake.rows import Context, RowError, place, validate
from fengqiao.kit import bulk, clock
from fengqiao.kit.errors import DomainError, ValidationFailed

logger = logging.getLogger(__name__)
DEFAULT_BATCH = 1000
Progress = Callable[[ImportJob], None]
Row = tuple[int, dict[str, str]]


def _batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def open_source(job: ImportJob, parsed: mapping.Mapping) -> readers.Source:
    path = Path(job.file_path)
    return readers.Source(path, readers.file_format(path, parsed.format), sheet=parsed.sheet)


@dataclass(frozen=True)
class Plan:
    """What every worker of one run agrees on: the batches still to do are the rows outside ``done``
    (sorted (first, last) ranges, read once when the run starts), cut into ``batch_size`` chunks."""

    job_id: int
    batch_size: int
    done: tuple[tuple[int, int], ...]

    def pending(self, source: readers.Source) -> Iterator[Row]:
        firsts = [first for first, _last in self.done]
        for number, raw in source.rows():
            i = bisect.bisect_right(firsts, number) - 1
            if i >= 0 and self.done[i][1] >= number:
                continue
            yield number, raw


def default_workers(total_rows: int | None, batch_size: int) -> int:
    """Two workers on PostgreSQL for files of more than a few batches (this is a 2-core class of
    machine: one process prepares while the other's batch is written); one on SQLite, whose writes
    are serialised anyway."""
    if connection.vendor != "postgresql" or (total_rows or 0) < 4 * batch_size:
        return 1
    return 2


def run_job(job_id: int, *, batch_size: int = DEFAULT_BATCH, progress: Progress | None = None,
            workers: int | None = 1) -> ImportJob:
    """Run (or resume) an import job to the end.  Bad input fails the job with a clear message.
    ``workers=None`` chooses (see :func:`default_workers`)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job
    try:
        parsed = mapping.parse(job.mapping)
        source = open_source(job, parsed)
        extra = readers.check_columns(source, parsed.columns)
        authorize(job.created_by, None, Action.REGISTER)
    except DomainError as e:
        _finish(job, JobStatus.FAILED, e.message)
        raise
    if job.total_rows is None:
        job.total_rows = source.count()
    job.status, job.started_at = JobStatus.RUNNING, job.started_at or clock.now()
    job.message = f"已忽略文件中未映射的列：{', '.join(extra)}" if extra else ""
    job.heartbeat_at = clock.now()
    job.save(update_fields=["total_rows", "status", "started_at", "message", "heartbeat_at"])
    done = tuple(ImportBatch.objects.filter(job=job).order_by("first_row").values_list("first_row", "last_row"))
    plan = Plan(job.pk, batch_size, done)
    if workers is None:
        workers = default_workers(job.total_rows, batch_size)
    if workers > 1:
        _run_parallel(plan, workers, job, progress)
    else:
        for _ in work(plan, 0, 1):
            if progress:
                job.refresh_from_db(fields=["next_row", "done_rows", "created", "duplicates", "failed"])
                progress(job)
    job.refresh_from_db()
    _finish(job, JobStatus.DONE, job.message)
    return job


def work(plan: Plan, worker: int, workers: int) -> Iterator[int]:
    """Do this worker's share of the plan's batches (every ``workers``-th); yields after each batch."""
    job = ImportJob.objects.select_related("created_by").get(pk=plan.job_id)
    parsed = mapping.parse(job.mapping)
    acting = authorize(job.created_by, None, Action.REGISTER)
    ctx, terms = Context(channel=job.channel, mapping=parsed), TermsCache()
    for n, chunk in enumerate(_batched(plan.pending(open_source(job, parsed)), plan.batch_size)):
        if n % workers == worker:
            process_batch(job, ctx, acting, terms, chunk)
            yield n


def _child_start() -> None:
    """A worker dies with its parent (``kill -9`` of the command kills the whole import) and opens its
    own database connection."""
    # not Linux: no such call; the worker then finishes its batch and stops with the pool
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    for alias in connections:
        connections[alias].close()


def _child_work(plan: Plan, worker: int, workers: int) -> int:
    try:
        return sum(1 for _ in work(plan, worker, workers))
    except Exception as e:  # re-raised in the parent by message: a domain error may not pickle
        logger.exception("import worker %s failed", worker)
        raise RuntimeError(f"{type(e).__name__}: {e}") from None
    finally:
        connections.close_all()


def _run_parallel(plan: Plan, workers: int, job: ImportJob, progress: Progress | None) -> None:
    connections.close_all()  # children must not share the parent's connection
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_child_start) as pool:
        futures = [pool.submit(_child_work, plan, w, workers) for w in range(workers)]
        pending: Any = futures
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
            if any(f.exception() for f in finished):
                break
            if progress:
                job.refresh_from_db(fields=["next_row", "done_rows", "created", "duplicates", "failed"])
                progress(job)
        for future in futures:
            future.result()


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


def process_batch(job: ImportJob, ctx: Context, acting: Acting, terms: TermsCache, chunk: list[Row]) -> None:
    """Validate and enrich outside the transaction (no lock held: another worker may write meanwhile),
    then one transaction: cases, parties, events, fingerprints, row errors, the batch record and the
    job's counters together."""
    items: list[BulkCase] = []
    errors: list[RowError] = []
    for number, raw in chunk:
        checked = validate(ctx, number, raw)
        if isinstance(checked, list):
            errors.extend(checked)
        else:
            items.append(checked)
    _enrich(ctx, items)
    with transaction.atomic():
        bulk.relax_commit_flush()
        result = register_bulk(job.created_by, acting, items, terms)
        enrich.index_new(result.cases)
        ImportRowError.objects.bulk_create(
            [ImportRowError(job=job, row=e.row, field=e.field, message=e.message[:500], raw=e.raw)
             for e in errors],
            ignore_conflicts=True,
        )
        ImportBatch.objects.create(job=job, first_row=chunk[0][0], last_row=chunk[-1][0])
        ImportJob.objects.filter(pk=job.pk).update(
            next_row=Greatest(F("next_row"), chunk[-1][0] + 1), done_rows=F("done_rows") + len(chunk),
            created=F("created") + len(result.created), duplicates=F("duplicates") + len(result.duplicates),
            failed=F("failed") + len({e.row for e in errors}), heartbeat_at=clock.now(),
        )


_PAYLOAD_MAPPING = mapping.parse({"columns": {f: f for f in mapping.FIELDS}, "title_from_description": 30})
# per (channel, account): the account's registering role and the look-ups a push needs (category codes,
# grid ancestors, deadline terms), kept SESSION_SECONDS so a stream of pushes does not repeat them —
# a role taken away, a new category or a changed deadline policy reaches pushes within that time.  The
# key itself is checked on every request (a revoked key is refused at once).
SESSION_SECONDS = 60.0
_sessions: dict[tuple[str, int], tuple[float, Acting, Context, TermsCache]] = {}


def _push_session(channel: str, actor: User) -> tuple[Acting, Context, TermsCache]:
    now = time.monotonic()
    found = _sessions.get((channel, actor.pk))
    if found is not None and now - found[0] < SESSION_SECONDS:
        return found[1], found[2], found[3]
    acting = authorize(actor, None, Action.REGISTER)
    session = (now, acting, Context(channel=channel, mapping=_PAYLOAD_MAPPING), TermsCache())
    _sessions[(channel, actor.pk)] = session
    return session[1], session[2], session[3]


def forget_sessions() -> None:
    """Drop the cached push sessions (tests; after an administrator's change, to apply it at once)."""
    _sessions.clear()


@transaction.atomic
def register_one(channel: str, payload: dict[str, Any], actor: User) -> Registered:
    """One matter from a push endpoint, through the same validation, enrichment and write as a file row.

    ``payload`` uses our field names (see mapping.FIELDS).  Replaying an external id returns the case
    registered first (``created=False``).  Bad fields raise ValidationFailed naming each field.
    """
    if channel not in Channel.values:
        raise ValidationFailed("未知的受理渠道。", fields={"channel": "未知的受理渠道"})
    acting, ctx, terms = _push_session(channel, actor)
    raw = {k: "" if v is None else str(v) for k, v in payload.items() if k in mapping.FIELDS}
    checked = validate(ctx, 1, raw)
    if isinstance(checked, list):
        fields = {e.field: e.message.split("：", 1)[-1] for e in checked}
        raise ValidationFailed("登记信息有误：" + "；".join(f"{k} {v}" for k, v in fields.items()) + "。",
                               fields=fields)
    _enrich(ctx, [checked])
    result = register_bulk(actor, acting, [checked], terms)
    if result.created:
        enrich.index_new(result.cases)
        from fengqiao.cases import flow  # the flow list and auto-dispatch rules (docs/routing.md)

        if flow.apply_to_registered([c.pk for c in result.cases]):
            return Registered(case=Case.objects.get(pk=result.cases[0].pk), created=True)
        return Registered(case=result.cases[0], created=True)
    return Registered(case=Case.objects.get(channel=channel, external_ref=checked.external_ref), created=False)
