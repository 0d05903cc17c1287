"""Writes to the outbox: queue messages (once per dedup key), cancel them, mark in-app messages read.

Queueing happens inside the caller's transaction; the sender job is enqueued on commit (DESIGN rule 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from fengqiao.accounts.models import User
from fengqiao.kit import clock
from fengqiao.notifications.models import Channel, Outbox, Status


@dataclass(frozen=True)
class Draft:
    dedup_key: str
    channel: str
    subject: str
    body: str = ""
    kind: str = ""
    recipient_id: int | None = None
    unit_id: int | None = None
    case_id: int | None = None
    to: str = ""  # a phone number or address for someone without an account (stored encrypted)


# SMS kinds that may not wait for the morning: a one-time code is asked for now and expires in minutes
NOT_HELD_AT_NIGHT = frozenset({"verification"})

COLUMNS = ("dedup_key", "channel", "subject", "body", "kind", "recipient_id", "unit_id", "case_id", "to_address",
           "created_at", "next_attempt_at", "status", "attempts", "last_error")


def after_quiet_hours(moment: dt.datetime) -> dt.datetime:
    """SMS waits out the night (``settings.SMS_QUIET_HOURS``, local time, default 22–8): a reminder due at
    23:59:59 reaches the phone at 08:00; in-app messages and e-mail are not held."""
    start, end = settings.SMS_QUIET_HOURS
    local = clock.localtime(moment)
    if start == end or (start < end and not start <= local.hour < end) or (
        start > end and end <= local.hour < start
    ):
        return moment
    day = local.date() if local.hour < end else local.date() + dt.timedelta(days=1)
    return clock.at_local(day, dt.time(end))


def queue(drafts: Iterable[Draft]) -> int:
    """Queue the drafts whose dedup key is new; returns how many were offered.  A key already in the
    outbox (queued, sent or failed) is left alone: the same notification never queues twice.

    One ``INSERT … ON CONFLICT (dedup_key) DO NOTHING`` per row, sent with executemany (pipelined on
    PostgreSQL): a sweep queues hundreds of thousands of rows, and Django's bulk_create costs three times
    as much here."""
    moment = clock.now()
    now = connection.ops.adapt_datetimefield_value(moment)
    quiet = connection.ops.adapt_datetimefield_value(after_quiet_hours(moment))
    rows = [
        (d.dedup_key[:200], d.channel, d.subject[:200], d.body, d.kind, d.recipient_id, d.unit_id, d.case_id,
         Outbox._meta.get_field("to_address").get_db_prep_value(d.to, connection), now,
         quiet if d.channel == Channel.SMS and d.kind not in NOT_HELD_AT_NIGHT else now, Status.QUEUED.value, 0, "")
        for d in drafts
    ]
    if not rows:
        return 0
    table = connection.ops.quote_name(Outbox._meta.db_table)
    marks = ", ".join(["%s"] * len(COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({marks}) ON CONFLICT (dedup_key) DO NOTHING", rows
        )
    transaction.on_commit(_kick_sender, robust=True)  # queue down: the periodic sender finds the rows (Faults)
    return len(rows)


def _kick_sender() -> None:
    from fengqiao.notifications.tasks import send_outbox

    send_outbox()


def cancel_queued(case_id: int, kinds: Iterable[str], *, reason: str = "withdrawn: the deadline changed") -> int:
    """Withdraw messages of these kinds for a case that are not sent yet (e.g. reminders of a deadline
    that an approved extension replaced, an evaluation SMS whose invitation a resent one replaced).  The
    rows are locked first, so the sender cannot claim one meanwhile; one-time codes in them are masked."""
    from fengqiao.notifications.sending import SECRET_KINDS, redact

    rows = list(Outbox.objects.select_for_update()
                .filter(case_id=case_id, kind__in=list(kinds), status=Status.QUEUED).values_list("pk", "kind", "body"))
    for pk, kind, body in rows:
        if kind in SECRET_KINDS:
            Outbox.objects.filter(pk=pk).update(body=redact(body))
    return Outbox.objects.filter(pk__in=[pk for pk, _kind, _body in rows], status=Status.QUEUED).update(
        status=Status.CANCELLED, last_error=reason[:300]
    )


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own in-app messages read (all of them when ``ids`` is None)."""
    qs = Outbox.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=clock.now())
