"""The one place that tells the time.  Aware datetimes only (DESIGN rule 6); tests freeze time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def localtime(value: dt.datetime | None = None) -> dt.datetime:
    return timezone.localtime(value or now(), local_tz())


def today() -> dt.date:
    return localtime().date()


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    """An aware datetime for a local wall-clock time on ``day``."""
    return dt.datetime.combine(day, time, tzinfo=local_tz())
