"""调解统计: exact figures for a small known history, the reader's scope, the filters."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Q

from fengqiao.accounts.roles import Role
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit.errors import PermissionDenied
from fengqiao.mediation import figures
from fengqiao.mediation.models import MediationKind, Mediator
from fengqiao.mediation.pool_access import figures_scope
from fengqiao.mediation.states import MState
from tests.factories import build_city
from tests.mediation.factories import World, build_world
from tests.mediation.pool_kit import SH, account, at, mediation, mediator

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SH)
YEAR = figures.Filters(start=dt.date(2025, 7, 1), end=dt.date(2026, 6, 1))


@dataclass
class History:
    world: World
    a: Mediator
    b: Mediator
    c: Mediator
    west: Unit


@pytest.fixture
def history() -> Iterator[History]:
    """Eight mediations concluded in the last twelve months (six with an agreement), one older, one
    withdrawn, three open."""
    with time_machine.travel(NOW, tick=False):
        world = build_world(build_city())
        a, b = world.mediators
        city = world.city
        west = Unit.objects.create(code="TJ-002", name="城西街道人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE,
                                   level=Level.STREET, area=city.other_street)
        c = mediator(world, "周调解", unit=west, area=city.other_street)
        may = [(MState.AGREED, 5), (MState.CONFIRMED, 4), (MState.PERFORMED, 5), (MState.FAILED, 2)]
        for i, (state, stars) in enumerate(may):
            mediation(world, state=state, who=a, applied_at=at(2026, 4, 25 + i), concluded_at=at(2026, 5, 5 + i),
                      rating=stars)
        for i, state in enumerate([MState.PERFORMED, MState.PERFORMED, MState.REFERRED]):
            mediation(world, state=state, who=b, applied_at=at(2026, 3, 28 + i), concluded_at=at(2026, 4, 7 + i))
        mediation(world, state=MState.AGREED, who=c, kind="administrative", street=city.other_street,
                  applied_at=at(2026, 3, 1), concluded_at=at(2026, 3, 11))
        mediation(world, state=MState.AGREED, who=a, applied_at=at(2025, 5, 1), concluded_at=at(2025, 6, 10))
        mediation(world, state=MState.WITHDRAWN, who=a, applied_at=at(2026, 5, 1), concluded_at=at(2026, 5, 20))
        for _i in range(2):
            mediation(world, state=MState.SCHEDULED, who=a, applied_at=at(2026, 6, 1))
        mediation(world, state=MState.APPLIED, applied_at=at(2026, 6, 10))
        yield History(world, a, b, c, west)


def test_the_years_figures(history: History, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "MIN_RANKED", 2)
    with time_machine.travel(NOW, tick=False):
        found = figures.figures(Q(), YEAR)
    total = found.total
    assert (total.concluded, total.succeeded, total.rate) == (8, 6, 0.75)
    assert total.days == pytest.approx(10.0)
    assert (total.rating, total.rated) == (pytest.approx(4.0), 4)
    assert [(r.label, r.concluded, r.succeeded) for r in found.by_kind] == [("行政调解", 1, 1), ("人民调解", 7, 5)]
    assert found.area_level == Level.STREET  # one district only: by street
    assert [(r.label, r.concluded, r.succeeded) for r in found.by_area] == [("城西街道", 1, 1), ("城东街道", 7, 5)]
    assert [(r.label, r.concluded, r.succeeded) for r in found.by_mediator] == [("王秀英", 4, 3), ("李建国", 3, 2)]
    assert found.unranked_mediators == 1
    months = {p.month: p for p in found.trend}
    assert len(found.trend) == 12
    assert (months[dt.date(2026, 5, 1)].concluded, months[dt.date(2026, 5, 1)].succeeded) == (4, 3)
    assert (months[dt.date(2026, 4, 1)].concluded, months[dt.date(2026, 4, 1)].succeeded) == (3, 2)
    assert (months[dt.date(2026, 3, 1)].concluded, months[dt.date(2026, 3, 1)].applied) == (1, 4)
    assert (months[dt.date(2026, 4, 1)].applied, months[dt.date(2026, 5, 1)].applied) == (4, 1)
    assert months[dt.date(2026, 6, 1)].applied == 3
    assert sum(p.concluded for p in found.trend) == 8
    assert [(w.name, w.open, w.max_load) for w in found.workload] == [("王秀英", 2, 8)]
    assert (found.open_total, found.open_unassigned) == (3, 1)
    assert found.ratings == [0, 1, 0, 1, 2]


def test_filters_by_kind_district_and_months(history: History) -> None:
    people = MediationKind.objects.get(code="peoples")
    with time_machine.travel(NOW, tick=False):
        assert figures.figures(Q(), figures.Filters(YEAR.start, YEAR.end, kind=people)).total.concluded == 7
        may = figures.figures(Q(), figures.Filters(dt.date(2026, 5, 1), dt.date(2026, 5, 1)))
        assert (may.total.concluded, may.total.succeeded, [p.month for p in may.trend]) == (4, 3, [dt.date(2026, 5, 1)])
        older = figures.figures(Q(), figures.Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 1)))
        assert older.total.concluded == 1
        district = figures.figures(Q(), figures.Filters(YEAR.start, YEAR.end, district=history.world.city.district))
        assert district.total.concluded == 8


def test_a_month_is_counted_in_local_time(history: History) -> None:
    """A mediation concluded at 00:30 on 1 June in Shanghai (16:30 UTC on 31 May) belongs to June."""
    with time_machine.travel(NOW, tick=False):
        mediation(history.world, state=MState.AGREED, who=history.a, applied_at=at(2026, 5, 20),
                  concluded_at=dt.datetime(2026, 6, 1, 0, 30, tzinfo=SH))
        june = figures.figures(Q(), figures.Filters(dt.date(2026, 6, 1), dt.date(2026, 6, 1)))
        may = figures.figures(Q(), figures.Filters(dt.date(2026, 5, 1), dt.date(2026, 5, 1)))
    assert (june.total.concluded, may.total.concluded) == (1, 4)


def test_by_district_when_the_reader_sees_several(history: History) -> None:
    city = history.world.city
    with time_machine.travel(NOW, tick=False):
        east = Area.objects.create(code="321203", name="高港区", level=Level.DISTRICT, parent=city.city)
        port = Area.objects.create(code="321203001", name="口岸街道", level=Level.STREET, parent=east)
        mediation(history.world, state=MState.FAILED, who=history.c, street=port, applied_at=at(2026, 5, 1),
                  concluded_at=at(2026, 5, 21))
        found = figures.figures(Q(), YEAR)
        assert found.area_level == Level.DISTRICT
        assert [(r.key, r.concluded, r.succeeded) for r in found.by_area] == [("321202", 8, 6), ("321203", 1, 0)]
        drilled = figures.figures(Q(), figures.Filters(YEAR.start, YEAR.end, district=east))
        assert [(r.label, r.concluded) for r in drilled.by_area] == [("口岸街道", 1)]
        assert drilled.total.concluded == 1


def test_each_reader_sees_her_area_or_organisation(history: History) -> None:
    world, city = history.world, history.world.city
    with time_machine.travel(NOW, tick=False):
        west_leader = account("west_leader", Role.LEADER, area=city.other_street)
        district_leader = account("district_leader", Role.LEADER, area=city.district)
        unit_leader = account("unit_leader", Role.LEADER, unit=history.west)
        west_mediator = account("west_mediator", Role.MEDIATOR, unit=history.west)

        def concluded(user: object) -> int:
            return figures.figures(figures_scope(user), YEAR).total.concluded  # type: ignore[arg-type]

        assert concluded(city.users["admin"]) == 8
        assert concluded(city.users["leader"]) == 8  # the city's leader
        assert concluded(district_leader) == 8
        assert concluded(west_leader) == 1
        assert concluded(unit_leader) == 1
        assert concluded(west_mediator) == 1
        assert concluded(world.users["mediator_a"]) == 7  # her committee's, both mediators'
        for role in ("handler", "dispatcher", "grid_worker", "citizen", "judge"):
            with pytest.raises(PermissionDenied):
                figures_scope(city.users[role])
        west_open = figures.figures(figures_scope(west_leader), YEAR)
        assert (west_open.open_total, west_open.workload) == (0, [])


def test_mediator_year_counts_her_last_twelve_months(history: History) -> None:
    with time_machine.travel(NOW, tick=False):
        year, months = figures.mediator_year(history.a.pk)
    assert (year.concluded, year.succeeded, year.rated) == (4, 3, 4)
    assert next(p.month for p in months) == dt.date(2025, 7, 1)
    assert [p.month for p in months][-1] == dt.date(2026, 6, 1)


def test_the_command_prints_the_figures(history: History) -> None:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("mediation", "figures", "--json", "--from", "2025-07", "--to", "2026-06", stdout=out)
        record = json.loads(out.getvalue())
        assert (record["total"]["concluded"], record["total"]["succeeded"], record["total"]["rate"]) == (8, 6, 0.75)
        assert [(k["key"], k["concluded"]) for k in record["by_kind"]] == [("administrative", 1), ("peoples", 7)]
        assert (record["open"], record["ratings"]) == (3, {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2})
        with pytest.raises(CommandError, match="调解类型：没有「nope」这一类型"):
            call_command("mediation", "figures", "--kind", "nope")
