"""The sender job's work: claim due rows, send each once, record the outcome, back off on failure.

A row is claimed by moving it from ``queued`` to ``sending`` in a committed transaction before anything is
sent (on PostgreSQL the candidates are locked with ``FOR UPDATE SKIP LOCKED``, so two workers never claim
the same row; SQLite has a single writer).  After the attempt it becomes ``sent``, or ``queued`` again with
a later ``next_attempt_at`` (exponential back-off), or ``failed`` after ``MAX_ATTEMPTS``.  Just before the
sender is called the row's ``next_attempt_at`` is cleared (committed): the attempt is in flight.  A worker
killed meanwhile leaves its claimed rows in ``sending``; after ``STALE`` the ones it never reached (their
``next_attempt_at`` still set) and in-app ones (the row is the message: nothing left the building) go back
to the queue, and an SMS or e-mail whose attempt was in flight is marked ``failed`` (delivery unknown),
never sent again, so no message reaches anyone twice (docs/operations.md#faults).

A message that carries a secret (an evaluation invitation's link code and SMS code) keeps it only while it
may still be sent: once it is sent or has failed for good, the codes in its body are masked (``redact``),
so the outbox and the admin never show a usable code.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.db import connection, transaction

from fengqiao.kit import bulk, clock
from fengqiao.notifications.models import Channel, Outbox, Status
from fengqiao.notifications.senders import SendError, sender_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BASE_DELAY = dt.timedelta(minutes=1)
STALE = dt.timedelta(minutes=15)
CLAIM = 200

# kinds whose bodies carry one-time codes, and the codes in them: /e/<link code>/ and a digit SMS code
SECRET_KINDS = frozenset({"evaluation", "verification"})
_SECRETS = re.compile(r"(?P<lead>/e/)[A-Za-z0-9]+|(?P<code>验证码\s*)\d+")


def redact(body: str) -> str:
    """The body with its one-time codes masked."""
    return _SECRETS.sub(lambda m: f"{m['lead']}********" if m["lead"] else f"{m['code']}******", body)


def _final_fields(message: Outbox) -> dict[str, str]:
    """What a message sent or failed for good no longer keeps: its codes, and the address given for it."""
    fields = {"body": redact(message.body)} if message.kind in SECRET_KINDS else {}
    if message.to_address:
        fields["to_address"] = ""
    return fields


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
    """Rows left in ``sending`` by a killed worker.  Never attempted, or in-app: queued again.  An SMS or
    e-mail whose attempt was in flight: delivery unknown, marked failed, not resent.  The count failed."""
    now = clock.now()
    stale = Outbox.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE)
    stale.filter(next_attempt_at__isnull=False).update(status=Status.QUEUED)
    stale.filter(channel=Channel.IN_APP).update(status=Status.QUEUED, next_attempt_at=now)
    for pk, body in stale.filter(kind__in=SECRET_KINDS).values_list("pk", "body"):
        Outbox.objects.filter(pk=pk).update(body=redact(body))
    return stale.update(status=Status.FAILED, last_error="interrupted while sending; delivery unknown (not retried)")


def deliver(pk: int) -> str:
    message = Outbox.objects.select_related("recipient", "unit").get(pk=pk)
    if message.status != Status.SENDING:
        return message.status
    attempts = message.attempts + 1
    # in flight from here: a worker killed before the outcome is written leaves a row give_up_stale fails.
    # Committed without waiting for the disk (one fsync a message is enough): only a crash of the database
    # server itself could lose the mark, and then the message might be sent again.
    with transaction.atomic():
        bulk.relax_commit_flush()
        marked = Outbox.objects.filter(pk=pk, status=Status.SENDING).update(next_attempt_at=None)
    if not marked:
        return Status.SENDING  # taken back meanwhile (a stale claim re-queued): not ours to send
    try:
        sender_for(message.channel).send(message)
    except SendError as e:
        now = clock.now()
        if attempts >= MAX_ATTEMPTS:
            status, next_at, final = Status.FAILED, None, _final_fields(message)
        else:
            status, next_at, final = Status.QUEUED, now + backoff(attempts), {}
        Outbox.objects.filter(pk=pk, status=Status.SENDING).update(
            status=status, attempts=attempts, next_attempt_at=next_at, last_error=str(e)[:300], **final
        )
        log.warning("notification #%s attempt %s failed: %s", pk, attempts, e)
        return status
    Outbox.objects.filter(pk=pk, status=Status.SENDING).update(
        status=Status.SENT, attempts=attempts, sent_at=clock.now(), last_error="", **_final_fields(message)
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
