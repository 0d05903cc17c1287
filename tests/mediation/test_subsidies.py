"""个案补贴: a month's statement per mediator with exact totals, who sees which, the workbook and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q
from openpyxl import load_workbook

from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions.models import Level, Unit, UnitKind
from fengqiao.kit.errors import PermissionDenied
from fengqiao.mediation import subsidies
from fengqiao.mediation.models import Mediator, SubsidyRate
from fengqiao.mediation.pool_access import subsidy_scope
from fengqiao.mediation.states import MState
from fengqiao.mediation.subsidy_excel import workbook
from tests.factories import build_city
from tests.mediation.factories import World, build_world
from tests.mediation.pool_kit import SH, account, at, mediation, mediator

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SH)
MAY = dt.date(2026, 5, 1)


@dataclass
class Month:
    world: World
    a: Mediator
    b: Mediator
    c: Mediator
    west: Unit


@pytest.fixture
def may() -> Iterator[Month]:
    with time_machine.travel(NOW, tick=False):
        world = build_world(build_city())
        a, b = world.mediators
        city = world.city
        west = Unit.objects.create(code="TJ-002", name="城西街道人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE,
                                   level=Level.STREET, area=city.other_street)
        c = mediator(world, "周律师", unit=west, area=city.other_street)
        day = iter(range(2, 29))

        def concluded(**kw: object) -> None:
            mediation(world, applied_at=at(2026, 4, 1), concluded_at=at(2026, 5, next(day)), **kw)  # type: ignore[arg-type]

        concluded(state=MState.AGREED, who=a, difficulty="normal", subsidy="200.00")
        concluded(state=MState.CONFIRMED, who=a, difficulty="normal", subsidy="200.00")
        concluded(state=MState.FAILED, who=a, difficulty="complex", subsidy="120.00")
        concluded(state=MState.PERFORMED, who=a, difficulty="simple")  # no stored amount: priced now, 100
        concluded(state=MState.REFERRED, who=b, difficulty="major", subsidy="800.00", agreement=True)
        concluded(state=MState.REFERRED, who=b, difficulty="normal", subsidy="60.00")
        concluded(state=MState.AGREED, who=c, kind="lawyer", street=city.other_street, subsidy="300.00")
        concluded(state=MState.FAILED, who=None)  # no mediator: no subsidy
        concluded(state=MState.WITHDRAWN, who=a, subsidy="0.00")  # not concluded
        mediation(world, state=MState.AGREED, who=a, applied_at=at(2026, 3, 1), concluded_at=at(2026, 4, 30, 23),
                  subsidy="200.00")  # April
        mediation(world, state=MState.AGREED, who=a, applied_at=at(2026, 5, 1),
                  concluded_at=dt.datetime(2026, 6, 1, 0, 10, tzinfo=SH), subsidy="200.00")  # June (local time)
        yield Month(world, a, b, c, west)


def test_the_months_statement(may: Month) -> None:
    with time_machine.travel(NOW, tick=False):
        found = subsidies.statement(Q(), MAY)
    assert [(r.name, r.total, r.cases, r.succeeded, r.failed) for r in found.rows] == [
        ("李建国", Decimal("860.00"), 2, 1, 1),  # the referral after a refused confirmation had an agreement
        ("王秀英", Decimal("620.00"), 4, 3, 1),
        ("周律师", Decimal("300.00"), 1, 1, 0),
    ]
    a = found.rows[1]
    assert a.cells() == [("simple", 1, 0), ("normal", 2, 0), ("complex", 0, 1), ("major", 0, 0)]
    assert a.priced_now == 1
    assert (found.total, found.cases, found.succeeded, found.failed) == (Decimal("1780.00"), 7, 5, 2)
    assert found.without_mediator == 1
    assert found.cells() == [("simple", 1, 0), ("normal", 3, 1), ("complex", 0, 1), ("major", 1, 0)]


def test_lines_say_the_rate_share_and_amount(may: Month) -> None:
    with time_machine.travel(NOW, tick=False):
        lines = list(subsidies.lines(Q(), MAY, mediator_id=may.a.pk))
    assert [(x.difficulty, x.succeeded, x.rate, x.share, x.amount, x.priced_now) for x in lines] == [
        ("一般", True, Decimal("200.00"), Decimal(1), Decimal("200.00"), False),
        ("一般", True, Decimal("200.00"), Decimal(1), Decimal("200.00"), False),
        ("疑难复杂", False, Decimal("400.00"), Decimal("0.30"), Decimal("120.00"), False),
        ("简易", True, Decimal("100.00"), Decimal(1), Decimal("100.00"), True),
    ]
    assert {x.mediator for x in lines} == {"王秀英"}


def test_the_schedule_changed_later_does_not_change_a_stored_amount(may: Month) -> None:
    SubsidyRate.objects.filter(kind__code="peoples", difficulty="normal").update(amount=Decimal("250.00"))
    SubsidyRate.objects.filter(kind__code="peoples", difficulty="simple").update(amount=Decimal("150.00"))
    with time_machine.travel(NOW, tick=False):
        a = next(r for r in subsidies.statement(Q(), MAY).rows if r.mediator_id == may.a.pk)
    assert a.total == Decimal("670.00")  # 200 + 200 + 120 stored, the unpriced one at today's 150


def test_who_sees_which_statement(may: Month) -> None:
    city = may.world.city
    with time_machine.travel(NOW, tick=False):
        west_leader = account("west_leader", Role.LEADER, area=city.other_street)
        unit_leader = account("unit_leader", Role.LEADER, unit=may.west)

        def seen(user: object) -> list[str]:
            return [r.name for r in subsidies.statement(subsidy_scope(user), MAY).rows]  # type: ignore[arg-type]

        assert seen(city.users["admin"]) == ["李建国", "王秀英", "周律师"]
        assert seen(city.users["leader"]) == ["李建国", "王秀英", "周律师"]
        assert seen(west_leader) == ["周律师"]
        assert seen(unit_leader) == ["周律师"]
        assert seen(may.world.users["mediator_a"]) == ["王秀英"]  # her own, not her colleague's
        assert seen(may.world.users["mediator_b"]) == ["李建国"]
        for role in ("handler", "dispatcher", "judge", "citizen"):
            with pytest.raises(PermissionDenied):
                subsidy_scope(city.users[role])


def test_the_workbook_has_the_totals(may: Month) -> None:
    with time_machine.travel(NOW, tick=False):
        body = workbook(subsidies.statement(Q(), MAY), subsidies.lines(Q(), MAY))
    book = load_workbook(io.BytesIO(body))
    summary, detail = book.worksheets
    assert (summary.title, detail.title) == ("汇总", "个案明细")
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][:2] == ("调解员", "调解组织")
    assert [r[0] for r in rows[1:]] == ["李建国", "王秀英", "周律师", "合计"]
    assert rows[-1][-1] == 1780.0
    assert rows[-1][-2] == 7
    assert [r[-1] for r in rows[1:-1]] == [860.0, 620.0, 300.0]
    lines = list(detail.iter_rows(min_row=2, values_only=True))
    assert len(lines) == 7
    assert sum(r[11] for r in lines) == pytest.approx(1780.0)
    assert {r[0] for r in lines} == set(subsidies.month_rows(Q(), MAY).filter(mediator__isnull=False)
                                        .values_list("code", flat=True))
    unpriced = [r for r in lines if r[12]]
    assert [(r[1], r[11], r[12]) for r in unpriced] == [("王秀英", 100.0, "无核定金额，按现行标准计算")]


def test_the_cli_prints_and_writes_the_workbook(may: Month, tmp_path: Path) -> None:
    out, path = io.StringIO(), tmp_path / "may.xlsx"
    with time_machine.travel(NOW, tick=False):
        call_command("mediation", "subsidies", "--month", "2026-05", "--json", "--xlsx", str(path), stdout=out,
                     stderr=io.StringIO())
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["mediator"], r["total"], r["cases"]) for r in records] == [
        ("李建国", "860.00", 2), ("王秀英", "620.00", 4), ("周律师", "300.00", 1)]
    assert records[1]["by_difficulty"]["complex"] == {"succeeded": 0, "failed": 1}
    book = load_workbook(path)
    assert list(book.worksheets[0].iter_rows(values_only=True))[-1][-1] == 1780.0
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("mediation", "subsidies", "--month", "May")
