"""Reads of the outbox: a user's in-app inbox, scoped to her own messages."""

from __future__ import annotations

from django.db.models import QuerySet

from fengqiao.accounts.models import User
from fengqiao.notifications.models import Channel, Outbox, Status

VISIBLE = [Status.QUEUED, Status.SENDING, Status.SENT]


def inbox(user: User) -> QuerySet[Outbox]:
    return (
        Outbox.objects.filter(recipient=user, channel=Channel.IN_APP, status__in=VISIBLE)
        .select_related("case")
        .order_by("-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    return Outbox.objects.filter(
        recipient=user, channel=Channel.IN_APP, status__in=VISIBLE, read_at__isnull=True
    ).count()
