"""The sender job's work: claim due rows, send each once, record the outcome, back off on failure.

A row is claimed by moving it from ``queued`` to ``sending`` in a committed transaction before anything is
sent (on PostgreSQL the candidates are locked with ``FOR UPDATE SKIP LOCKED``, so two workers never claim
the same row; SQLite has a single writer).  After the attempt it becomes ``sent``, or ``queued`` again with
a later ``next_attempt_at`` (exponential back-off), or ``failed`` after ``MAX_ATTEMPTS``.  A worker killed
while sending leaves the row in ``sending``: after ``STALE`` it is marked ``failed`` (delivery unknown),
never sent again, so no message reaches anyone twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction

from fengqiao.kit import clock
from fengqiao.notifications.models import Outbox, Status
from fengqiao.notifications.senders import SendError, sender_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BASE_DELAY = dt.timedelta(minutes=1)
STALE = dt.timedelta(minutes=15)
CLAIM = 200


@dataclass(frozen=True)
class SendResult:
    sent: int
    retrying: int
    failed: int


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt."""
    return BASE_DELAY * (2 ** max(0, attempts - 1))


@transaction.atomic
def claim(limit: int = CLAIM) -> list[int]:
    now = clock.now()
    qs = Outbox.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now).order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    ids = list(qs.values_list("pk", flat=True)[:limit])
    if ids:
        Outbox.objects.filter(pk__in=ids, status=Status.QUEUED).update(status=Status.SENDING, claimed_at=now)
    return ids


def give_up_stale() -> int:
    """Rows left in ``sending`` by a killed worker: delivery unknown, marked failed, not resent."""
    return Outbox.objects.filter(status=Status.SENDING, claimed_at__lt=clock.now() - STALE).update(
        status=Status.FAILED, last_error="interrupted while sending; delivery unknown (not retried)"
    )


def deliver(pk: int) -> str:
    message = Outbox.objects.select_related("recipient", "unit").get(pk=pk)
    if message.status != Status.SENDING:
        return message.status
    attempts = message.attempts + 1
    try:
        sender_for(message.channel).send(message)
    except SendError as e:
        now = clock.now()
        if attempts >= MAX_ATTEMPTS:
            status, next_at = Status.FAILED, None
        else:
            status, next_at = Status.QUEUED, now + backoff(attempts)
        Outbox.objects.filter(pk=pk, status=Status.SENDING).update(
            status=status, attempts=attempts, next_attempt_at=next_at, last_error=str(e)[:300]
        )
        log.warning("notification #%s attempt %s failed: %s", pk, attempts, e)
        return status
    Outbox.objects.filter(pk=pk, status=Status.SENDING).update(
        status=Status.SENT, attempts=attempts, sent_at=clock.now(), last_error=""
    )
    return Status.SENT


def send_due(limit: int = 5000) -> SendResult:
    """Send what is due, in claims of ``CLAIM`` rows, until nothing is due or ``limit`` rows were tried."""
    give_up_stale()
    counts = {Status.SENT: 0, Status.QUEUED: 0, Status.FAILED: 0}
    tried = 0
    while tried < limit:
        ids = claim(min(CLAIM, limit - tried))
        if not ids:
            break
        for pk in ids:
            outcome = deliver(pk)
            counts[Status(outcome)] = counts.get(Status(outcome), 0) + 1
        tried += len(ids)
    return SendResult(sent=counts[Status.SENT], retrying=counts[Status.QUEUED], failed=counts[Status.FAILED])
