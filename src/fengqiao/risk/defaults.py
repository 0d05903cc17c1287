"""The review cadence a city starts with (key 7 days, general 15, watch 30), installed after migrate,
idempotently; a row an administrator changed is never overwritten."""

from __future__ import annotations

from typing import Any

from django.db import transaction

CADENCE_DAYS = {"key": 7, "general": 15, "watch": 30}


@transaction.atomic
def install(**_: Any) -> None:
    from fengqiao.risk.models import ReviewCadence

    for grade, days in CADENCE_DAYS.items():
        ReviewCadence.objects.get_or_create(grade=grade, defaults={"days": days})
