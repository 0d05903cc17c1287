"""`fengqiao coverage`: one JSON object per grid per line, a table, a street filter, bad months refused."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from fengqiao.kit import clock
from tests.factories import City
from tests.gridwork.coverage_month import AFTER_JUNE, Month, build_june

NEXT_MONTH = f"{(clock.today().replace(day=1) + dt.timedelta(days=32)):%Y-%m}"  # always in the future

pytestmark = pytest.mark.django_db


@pytest.fixture
def june(city: City) -> Month:
    return build_june(city)


def _run(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(AFTER_JUNE, tick=False):
        call_command("coverage", *args, stdout=out)
    return out.getvalue()


def test_json_lines(june: Month) -> None:
    rows = [json.loads(line) for line in _run("--month", "2026-06", "--json").splitlines()]
    city = june.city
    assert [(r["grid"], r["planned"], r["visited"], r["coverage"]) for r in rows] == [
        (city.grids[0].code, 8, 5, 0.625), (city.grids[1].code, 1, 1, 1.0), (city.grids[2].code, 0, 0, None),
        (city.grids[3].code, 1, 1, 1.0)]
    first = rows[0]
    assert {k: first[k] for k in ("grid_name", "street", "street_name", "overdue", "visits", "blind_spot",
                                  "month", "report_p50_s")} == {
        "grid_name": "东风社区第1网格", "street": city.street.code, "street_name": "城东街道", "overdue": 5,
        "visits": 9, "blind_spot": True, "month": "2026-06", "report_p50_s": 120.0}


def test_a_street_only(june: Month) -> None:
    rows = [json.loads(line) for line in
            _run("--month", "2026-06", "--json", "--street", june.city.other_street.code).splitlines()]
    assert [r["grid"] for r in rows] == [g.code for g in june.city.grids[2:]]


def test_the_table(june: Month) -> None:
    text = _run("--month", "2026-06")
    assert "2026-06 网格巡查覆盖率，盲区线 80%" in text
    assert "62.5%" in text
    assert "合计 4 个网格：应巡 10，已巡 7，覆盖率 70.0%，盲区 2 个（其中无走访 1 个），超期点位 5，走访 13 次" in text


@pytest.mark.parametrize(("args", "says"), [
    (("--month", "2026-6"), "YYYY-MM"), (("--month", "2026-00"), "YYYY-MM"),
    (("--month", NEXT_MONTH), "还没有到"), (("--month", "2026-06", "--street", "nowhere"), "--street"),
])
def test_bad_input_exits_with_a_message(city: City, args: tuple[str, ...], says: str) -> None:
    with pytest.raises(CommandError, match=says):
        _run(*args)
