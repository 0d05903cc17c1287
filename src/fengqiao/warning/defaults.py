"""The thresholds a city starts with, installed after migrate, idempotently; a row an administrator changed
is never overwritten.  Calibrated probability of an escalation within the horizon: 关注 ≥ 15 %, 一般 ≥ 30 %,
重点 ≥ 50 % (several times a city's usual share of escalations, about 5–10 %)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

THRESHOLDS = {"watch": 0.15, "general": 0.30, "key": 0.50}


@transaction.atomic
def install(**_: Any) -> None:
    from fengqiao.warning.models import Threshold

    for grade, low in THRESHOLDS.items():
        Threshold.objects.get_or_create(grade=grade, defaults={"min_probability": low})
