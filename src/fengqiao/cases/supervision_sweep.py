"""The supervision sweep: every few minutes, take each open case to the ladder step it is due for.

One query finds the candidates (open cases whose deadline lies in a step's due range and whose recorded
progress is short of that step — see ``supervision.due_ranges``); each batch is then locked, re-read and
planned again, and in ONE transaction gets its chained events (one per step: ``remind``, or ``escalate``
with the new ``supervision_level``), its progress (``ladder_step`` counted against ``ladder_deadline``) and
its notifications in the outbox (unique dedup keys).  A sweep killed mid-way leaves whole batches done
and the rest untouched; the re-run finds only what is left.  Notifications go out after commit.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q

from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.audit.models import Audience
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.states import CLOCK_STATES, Action
from fengqiao.cases.supervision import Calendar, LadderBook, Plan, plan
from fengqiao.cases.supervision_models import StepKind
from fengqiao.cases.supervision_notify import CaseFacts, Directory, step_drafts
from fengqiao.kit import bulk, clock
from fengqiao.notifications import services as notifications

BATCH = 1000
FIELDS = ("pk", "code", "title", "status", "deadline", "category_id", "urgency", "lead_unit_id", "street_id",
          "district_id", "supervision_level", "ladder_step", "ladder_deadline", "event_seq", "event_head")


@dataclass
class SweepResult:
    candidates: int = 0
    reminded: int = 0
    escalated: dict[int, int] = field(default_factory=dict)
    recorded_only: int = 0
    notifications: int = 0
    batches: int = 0
    seconds: float = 0.0

    @property
    def events(self) -> int:
        return self.reminded + sum(self.escalated.values())


def candidates_filter(book: LadderBook, calendar: Calendar, now: dt.datetime) -> Q:
    """Open cases for which some step (of any ladder) is due and not yet taken for this deadline: a superset
    of what is due (a case's own ladder is checked in Python), exact when there is one ladder."""
    fresh = Q(ladder_deadline__isnull=True) | ~Q(ladder_deadline=F("deadline"))
    parts = []
    seen: set[tuple[int, str, int]] = set()
    for step in book.all_steps():
        key = (*step.timing, step.ordinal)
        if key in seen:
            continue
        seen.add(key)
        due = reduce(or_, [Q(deadline__lte=high) if low is None else Q(deadline__gte=low, deadline__lte=high)
                           for low, high in calendar.due_ranges(step, now)], Q(pk__in=[]))
        parts.append(due & (fresh | Q(ladder_step__lt=step.ordinal)))
    if not parts:
        return Q(pk__in=[])
    return Q(status__in=[s.value for s in CLOCK_STATES], deadline__isnull=False) & reduce(or_, parts)


def candidate_ids(now: dt.datetime, book: LadderBook, calendar: Calendar) -> list[int]:
    return list(Case.objects.filter(candidates_filter(book, calendar, now)).order_by("pk")
                .values_list("pk", flat=True))


def _adapt(value: dt.datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _write_progress(rows: list[tuple[int, int, str, int, int, dt.datetime, int]]) -> None:
    """One UPDATE … FROM (VALUES …): chain head, level, ladder progress; version bumped where an event was
    written (a step only recorded changes nothing a user sees)."""
    table = Case._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for pk, seq, head, level, step, basis, bump in rows:
        params += [pk, seq, head, level, step, _adapt(basis), bump]
    cast = "CAST(v.column6 AS timestamptz)" if connection.vendor == "postgresql" else "v.column6"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET event_seq = v.column2, event_head = v.column3, supervision_level = v.column4, "
            f"ladder_step = v.column5, ladder_deadline = {cast}, version = version + v.column7 "
            f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
            params,
        )


def _event(row: dict[str, Any], step_plan: Plan, now: dt.datetime) -> CaseEvent:
    remind = step_plan.step.kind == StepKind.REMIND
    event = CaseEvent(
        case_id=row["pk"], seq=row["event_seq"] + 1, action=(Action.REMIND if remind else Action.ESCALATE).value,
        from_state=row["status"], to_state=row["status"], at=now, actor=None, actor_role="system", unit=None,
        audience=Audience.INTERNAL.value, note="",
        data={"step": step_plan.step.kind, "level": step_plan.level, "auto": True,
              "deadline": row["deadline"].isoformat()},
        prev_hash=row["event_head"] or GENESIS,
    )
    event.hash = event_digest(event.prev_hash, event.chain_fields())
    return event


def _sweep_batch(ids: list[int], now: dt.datetime, book: LadderBook, calendar: Calendar, directory: Directory,
                 result: SweepResult, on_batch: Callable[[int], None] | None) -> None:
    with transaction.atomic():
        qs = Case.objects.filter(pk__in=ids, status__in=[s.value for s in CLOCK_STATES], deadline__isnull=False)
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)  # a case a user is changing now: the next run
        events: list[CaseEvent] = []
        progress = []
        drafts = []
        for values in qs.values_list(*FIELDS):
            row = dict(zip(FIELDS, values, strict=True))
            step_plan = plan(book.resolve(row["category_id"], row["urgency"]), calendar, deadline=row["deadline"],
                             now=now, ladder_step=row["ladder_step"], ladder_deadline=row["ladder_deadline"],
                             supervision_level=row["supervision_level"])
            if step_plan is None:
                continue
            seq, head, bump = row["event_seq"], row["event_head"], 0
            if step_plan.acts:
                event = _event(row, step_plan, now)
                events.append(event)
                seq, head, bump = event.seq, event.hash, 1
                facts = CaseFacts(row["pk"], row["code"], row["title"], row["deadline"], row["lead_unit_id"],
                                  row["street_id"], row["district_id"])
                drafts += step_drafts(facts, step_plan.step, directory)
                if step_plan.step.kind == StepKind.REMIND:
                    result.reminded += 1
                else:
                    result.escalated[step_plan.level] = result.escalated.get(step_plan.level, 0) + 1
            else:
                result.recorded_only += 1
            progress.append((row["pk"], seq, head, step_plan.level, step_plan.step.ordinal, row["deadline"], bump))
        if progress:
            _write_progress(progress)
            bulk.insert(CaseEvent, events)
            result.notifications += notifications.queue(drafts)
        if on_batch is not None:
            on_batch(result.batches + 1)  # inside the transaction: a test kills the process here
    result.batches += 1


def sweep(now: dt.datetime | None = None, *, batch: int = BATCH,
          on_batch: Callable[[int], None] | None = None) -> SweepResult:
    """Take every open case to the step it is due for.  Idempotent: a second run does nothing new."""
    started = time.perf_counter()
    moment = now or clock.now()
    book, calendar = LadderBook(), Calendar()
    ids = candidate_ids(moment, book, calendar)
    result = SweepResult(candidates=len(ids))
    if ids:
        directory = Directory()
        for start in range(0, len(ids), batch):
            _sweep_batch(ids[start : start + batch], moment, book, calendar, directory, result, on_batch)
    result.seconds = time.perf_counter() - started
    return result
