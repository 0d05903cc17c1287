"""The rollup against the case table: every measure of every dimension, in every scope and month, equals
the count of the cases the drill-down lists (one definition, two implementations); re-runs are idempotent;
stale months are found; the command computes and reports."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from fengqiao.cases.models import Case
from fengqiao.cockpit import rollup, selectors
from fengqiao.cockpit.models import CITY_SCOPE, MEASURES, Dim, Fact, FactMonth, Grain
from fengqiao.kit import clock
from tests.factories import City

pytestmark = pytest.mark.django_db


def month_periods() -> list[selectors.Period]:
    this = clock.today().replace(day=1)
    last = (this - dt.timedelta(days=1)).replace(day=1)
    return [selectors.parse_period(f"{m:%Y-%m}") for m in (last, this)]


def test_every_figure_equals_the_cases_behind_it(city: City, cases: list[Case]) -> None:
    rollup.ensure(force=True)
    admin = city.users["admin"]
    scopes = selectors.scopes_for(admin)
    assert {s.id for s in scopes} >= {CITY_SCOPE, city.district.pk, city.street.pk, city.other_street.pk}
    checked = 0
    for period in month_periods():
        for scope in scopes:
            for dim in (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY, Dim.STREET, Dim.GRID, Dim.UNIT, Dim.H3):
                for row in selectors.breakdown(scope, period, dim):
                    for measure in MEASURES:
                        expected = getattr(row.totals, measure)
                        got = selectors.drill(admin, scope, period, dim, row.key, measure).count()
                        assert got == expected, (period.key, scope.name, dim, row.label, measure)
                        checked += 1
    assert checked > 500
    total = selectors.totals(selectors.scope_for(admin, CITY_SCOPE), selectors.parse_period("12m"))
    assert total.received == len(cases)
    assert total.valid == len(cases) - 1  # the cancelled one
    assert total.resolved == 2  # the closed one (last month) and the replied one; the reopened one is open again
    assert total.overdue >= 2  # the open one past its deadline, the one replied after it
    assert (total.evaluated, total.satisfied, total.unsatisfied) == (2, 1, 1)


def test_day_rows_add_up_to_the_month(city: City, cases: list[Case]) -> None:
    rollup.ensure(force=True)
    streets = [city.street.pk, city.other_street.pk]
    for dim in (Dim.ALL, Dim.CHANNEL, Dim.CATEGORY):
        month: dict[tuple[int, str], int] = {}
        monthly = Fact.objects.filter(grain=Grain.MONTH, dim=dim)
        if dim != Dim.ALL:
            monthly = monthly.exclude(scope__in=streets)  # a street keeps its daily total only
            assert not Fact.objects.filter(grain=Grain.DAY, dim=dim, scope__in=streets).exists()
        for f in monthly:
            month[(f.scope, f.key)] = month.get((f.scope, f.key), 0) + f.received
        days: dict[tuple[int, str], int] = {}
        for f in Fact.objects.filter(grain=Grain.DAY, dim=dim):
            days[(f.scope, f.key)] = days.get((f.scope, f.key), 0) + f.received
        assert days == month


def test_rerun_writes_the_same_rows(city: City, cases: list[Case]) -> None:
    rollup.ensure(force=True)
    first = sorted(Fact.objects.values_list("scope", "grain", "period", "dim", "key", *MEASURES))
    rollup.ensure(force=True)
    assert sorted(Fact.objects.values_list("scope", "grain", "period", "dim", "key", *MEASURES)) == first
    assert FactMonth.objects.count() == 2


def test_only_stale_months_are_recomputed(city: City, cases: list[Case]) -> None:
    rollup.ensure()
    assert rollup.ensure() == []  # both fresh
    this = clock.today().replace(day=1)
    FactMonth.objects.filter(month=this).update(computed_at=clock.now() - rollup.STALE_CURRENT)
    assert [r.month for r in rollup.ensure()] == [this]


def test_a_change_reaches_the_figures_on_the_next_run(city: City, cases: list[Case]) -> None:
    rollup.ensure(force=True)
    scope = selectors.scope_for(city.users["admin"], CITY_SCOPE)
    period = selectors.parse_period("12m")
    before = selectors.totals(scope, period).satisfied
    open_one = next(c for c in cases if c.status == "replied")
    Case.objects.filter(pk=open_one.pk).update(status="closed", satisfaction="satisfied")
    rollup.ensure(force=True)
    assert selectors.totals(scope, period).satisfied == before + 1


def test_the_command_computes_and_reports(city: City, cases: list[Case]) -> None:
    out = StringIO()
    call_command("cockpit", "rollup", stdout=out, stderr=StringIO())
    assert "汇总完成：2 个月" in out.getvalue()
    call_command("cockpit", "status", stdout=out)
    assert f"{clock.today():%Y-%m}" in out.getvalue()
    again = StringIO()
    call_command("cockpit", "rollup", stdout=again, stderr=StringIO())
    assert "汇总完成：0 个月" in again.getvalue()


def test_the_command_names_a_bad_month(city: City) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-13"):
        call_command("cockpit", "rollup", "--month", "2026-13", stdout=StringIO())
