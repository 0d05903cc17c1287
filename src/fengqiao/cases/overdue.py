"""The overdue sweep: set-based, batched, idempotent.

One indexed query finds the open cases whose deadline passed and that are not yet flagged; each batch
is flagged with one UPDATE and gets its ``mark_overdue`` events (one per case, chained) in one
bulk INSERT, in one transaction.  Re-running finds nothing new: it sends nothing twice.  On PostgreSQL
rows being changed by a user at that moment are skipped (SKIP LOCKED) and caught by the next run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.audit.models import Audience
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.states import CLOCK_STATES, Action
from fengqiao.kit import clock

BATCH = 2000


@dataclass(frozen=True)
class SweepResult:
    flagged: int
    batches: int
    seconds: float


def due_ids(now: dt.datetime) -> list[int]:
    return list(
        Case.objects.filter(status__in=[s.value for s in CLOCK_STATES], overdue=False, deadline__lt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _advance_heads(heads: dict[int, tuple[int, str]]) -> None:
    """One UPDATE … FROM (VALUES …) for the batch (SQLite ≥ 3.33 and PostgreSQL): flag, advance each
    chain head, bump the version."""
    table = Case._meta.db_table
    rows = ", ".join(["(%s, %s, %s)"] * len(heads))
    params: list[Any] = []
    for pk, (seq, head) in heads.items():
        params += [pk, seq, head]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET overdue = TRUE, overdue_since = deadline, event_seq = v.column2, "
            f"event_head = v.column3, version = version + 1 FROM (VALUES {rows}) AS v "
            f"WHERE {table}.id = v.column1",
            params,
        )


def _flag_batch(ids: list[int], now: dt.datetime) -> int:
    with transaction.atomic():
        qs = Case.objects.filter(pk__in=ids, overdue=False, deadline__lt=now,
                                 status__in=[s.value for s in CLOCK_STATES])
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        rows = list(qs.values_list("pk", "status", "event_seq", "event_head", "deadline", "version"))
        if not rows:
            return 0
        events = []
        heads: dict[int, tuple[int, str]] = {}
        for pk, status, seq, head, deadline, _version in rows:
            event = CaseEvent(
                case_id=pk, seq=seq + 1, action=Action.MARK_OVERDUE.value, from_state=status, to_state=status,
                at=now, actor=None, actor_role="system", unit=None, audience=Audience.INTERNAL.value,
                note="", data={"deadline": deadline.isoformat() if deadline else None}, prev_hash=head or GENESIS,
            )
            event.hash = event_digest(event.prev_hash, event.chain_fields())
            events.append(event)
            heads[pk] = (event.seq, event.hash)
        _advance_heads(heads)
        CaseEvent.objects.bulk_create(events, batch_size=1000)
        return len(events)


def sweep(now: dt.datetime | None = None, *, batch: int = BATCH) -> SweepResult:
    """Flag every open case past its deadline; returns how many were newly flagged."""
    started = clock.now()
    moment = now or started
    flagged = batches = 0
    ids = due_ids(moment)
    for start in range(0, len(ids), batch):
        # rows locked by a user at this moment are skipped here and taken by the next run
        flagged += _flag_batch(ids[start : start + batch], moment)
        batches += 1
    return SweepResult(flagged=flagged, batches=batches, seconds=(clock.now() - started).total_seconds())
