from __future__ import annotations

import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.analytics.models import UnitMonth
from tests.analytics.month import COMPUTED_AT, Month


def _run(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(COMPUTED_AT, tick=False):
        call_command("ranking", *args, stdout=out)
    return out.getvalue()


def test_json_lines(month: Month) -> None:
    lines = _run("--month", "2026-11", "--json").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [(r["unit"], r["rank"]) for r in rows] == [("市生态环境局", 1), ("市住房和城乡建设局", 2)]
    d1 = rows[1]
    assert {k: d1[k] for k in ("unit", "response_rate", "resolution_rate", "satisfaction_rate", "score")} == {
        "unit": "市住房和城乡建设局", "response_rate": 0.6, "resolution_rate": 0.5, "satisfaction_rate": 0.6,
        "score": 55.5,
    }
    assert (d1["cases"], d1["response"], d1["resolution"], d1["month"]) == (5, [3, 5], [2, 4], "2026-11")


def test_table_and_recompute_only_when_stale(month: Month) -> None:
    text = _run("--month", "2026-11")
    assert "2026-11 考核排名" in text
    assert "市住房和城乡建设局" in text
    assert "60.0%" in text
    assert "55.50" in text
    assert "77.50" in text
    computed = UnitMonth.objects.values_list("computed_at", flat=True).first()
    _run("--month", "2026-11")
    assert UnitMonth.objects.values_list("computed_at", flat=True).first() == computed
    _run("--month", "2026-11", "--refresh")
    assert UnitMonth.objects.count() == 2


@pytest.mark.parametrize("bad", ["2026-13", "2026/11", "November"])
def test_bad_month_is_a_clear_error(db: None, bad: str) -> None:
    with pytest.raises(CommandError, match="YYYY-MM"):
        _run("--month", bad)
