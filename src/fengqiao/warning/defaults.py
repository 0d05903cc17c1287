"""The thresholds a city starts with, installed after migrate, idempotently; a row an administrator changed
is never overwritten.  Calibrated probability of an escalation within the horizon: 关注 ≥ 20 %, 一般 ≥ 40 %,
重点 ≥ 60 %."""

from __future__ import annotations

from typing import Any

from django.db import transaction

THRESHOLDS = {"watch": 0.20, "general": 0.40, "key": 0.60}


@transaction.atomic
def install(**_: Any) -> None:
    from fengqiao.warning.models import Threshold

    for grade, low in THRESHOLDS.items():
        Threshold.objects.get_or_create(grade=grade, defaults={"min_probability": low})
