"""The three rates against the hand-computed month in tests/analytics/month.py (docs/ranking.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from fengqiao.analytics import appeals, rollup
from fengqiao.analytics.formula import Counts, Weights, parse_month, ranks, rates
from fengqiao.analytics.models import AppealEvent, AssessmentFormula, RollupMonth, UnitMonth
from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.cases import services
from tests.analytics.month import COMPUTED_AT, NOV, Month, at
from tests.cases.builders import register
from tests.factories import City


def _rows(month: Month) -> dict[str, UnitMonth]:
    return {row.unit.code: row for row in UnitMonth.objects.filter(month=NOV).select_related("unit")}


def _compute(now: dt.datetime = COMPUTED_AT) -> None:
    with time_machine.travel(now, tick=False):
        rollup.compute_month(NOV)


def test_hand_computed_month(month: Month) -> None:
    _compute()
    rows = _rows(month)
    assert sorted(rows) == ["D1", "D2"]
    d1, d2 = rows["D1"], rows["D2"]
    assert (d1.cases, d1.response_due, d1.responded) == (5, 5, 3)  # A, C on time, D returned in time
    assert (d1.resolution_due, d1.resolved) == (4, 2)  # A, C on time; B late; E never signed for
    assert (d1.satisfied, d1.basically, d1.unsatisfied) == (1, 1, 1)
    assert (d1.response_rate, d1.resolution_rate, d1.satisfaction_rate) == (0.6, 0.5, 0.6)
    assert d1.score == 55.5  # 100 × (0.1×0.6 + 0.45×0.5 + 0.45×0.6)
    assert (d2.cases, d2.response_due, d2.responded, d2.resolution_due, d2.resolved) == (2, 2, 2, 2, 1)
    assert (d2.satisfied, d2.basically, d2.unsatisfied) == (1, 0, 0)
    assert (d2.response_rate, d2.resolution_rate, d2.satisfaction_rate, d2.score) == (1.0, 0.5, 1.0, 77.5)
    assert (d2.rank, d1.rank) == (1, 2)
    assert d1.formula.name == "测试办法"


def test_pending_within_its_time_is_not_yet_due(city: City, formula: AssessmentFormula) -> None:
    with time_machine.travel(at(2, 9), tick=False):
        case = register(city)
        services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
    _compute(at(2, 12))  # within its 24 hours to sign for: not yet due
    d1 = UnitMonth.objects.get(month=NOV, unit=city.departments[0])
    assert (d1.cases, d1.response_due, d1.responded, d1.response_rate, d1.score) == (1, 0, 0, None, None)
    _compute(at(3, 9, 1))  # one minute late
    d1 = UnitMonth.objects.get(month=NOV, unit=city.departments[0])
    assert (d1.response_due, d1.responded, d1.response_rate, d1.resolution_due) == (1, 0, 0.0, 0)
    _compute(at(10, 0, 1))  # past its deadline to resolve (end of the 5th working day), not signed for
    d1 = UnitMonth.objects.get(month=NOV, unit=city.departments[0])
    assert (d1.resolution_due, d1.resolved, d1.score) == (1, 0, 0.0)


def test_a_case_merged_while_waiting_asks_nothing_of_the_unit(city: City, formula: AssessmentFormula) -> None:
    with time_machine.travel(at(2, 9), tick=False) as t:
        primary, duplicate = register(city), register(city)
        for case in (primary, duplicate):
            services.dispatch(city.users["dispatcher"], case.code, lead_unit_id=city.departments[0].pk)
        t.move_to(at(2, 10))
        services.merge(city.users["dispatcher"], duplicate.code, into=primary.code)
    _compute(at(20, 9))  # both past their time to sign for and to resolve; only the primary counts
    d1 = UnitMonth.objects.get(month=NOV, unit=city.departments[0])
    assert (d1.cases, d1.response_due, d1.responded, d1.resolution_due, d1.resolved) == (2, 1, 0, 1, 0)


def test_weights_change_the_score(month: Month, formula: AssessmentFormula) -> None:
    AssessmentFormula.objects.create(name="只看响应", effective_from=NOV, response_weight=1,
                                     resolution_weight=0, satisfaction_weight=0, min_cases=1)
    _compute()
    rows = _rows(month)
    assert (rows["D1"].score, rows["D2"].score) == (60.0, 100.0)
    assert rows["D1"].formula.name == "只看响应"
    assert RollupMonth.objects.get(month=NOV).formula.name == "只看响应"


def test_min_cases_leaves_small_units_unranked(month: Month, formula: AssessmentFormula) -> None:
    formula.min_cases = 3
    formula.save()
    _compute()
    rows = _rows(month)
    assert (rows["D1"].rank, rows["D2"].rank) == (1, None)
    assert rows["D2"].score == 77.5


def test_an_approved_appeal_leaves_the_denominators(month: Month) -> None:
    city = month.city
    with time_machine.travel(at(25, 9), tick=False):
        appeal = appeals.file_appeal(city.users["handler"], month.cases["B"].code, kind="outside_duty",
                                     reason="该楼盘电梯属开发商质保期内责任，非本局职责")
        appeals.decide_appeal(city.users["leader"], appeal.pk, approve=True, note="情况属实，予以核减")
    _compute()
    d1 = _rows(month)["D1"]
    assert (d1.cases, d1.exempted) == (4, 1)
    assert (d1.response_due, d1.responded, d1.resolution_due, d1.resolved) == (4, 3, 3, 2)
    assert (d1.satisfied, d1.basically, d1.unsatisfied) == (1, 0, 1)
    assert (d1.response_rate, d1.resolution_rate, d1.satisfaction_rate) == (0.75, 0.666667, 0.5)
    assert d1.score == 60.0
    events = list(AppealEvent.objects.filter(appeal=appeal).order_by("seq"))
    assert [(e.action, e.actor.username) for e in events] == [("file", "handler"), ("approve", "leader")]
    assert events[0].prev_hash == GENESIS
    assert events[1].hash == event_digest(events[0].hash, events[1].chain_fields())


def test_a_refused_appeal_changes_nothing(month: Month) -> None:
    city = month.city
    appeal = appeals.file_appeal(city.users["handler"], month.cases["E"].code, kind="unreasonable",
                                 reason="诉求人要求不合理")
    appeals.decide_appeal(city.users["admin"], appeal.pk, approve=False, note="属本单位职责，不予核减")
    _compute()
    d1 = _rows(month)["D1"]
    assert (d1.exempted, d1.response_due, d1.score) == (0, 5, 55.5)


def test_recompute_is_idempotent(month: Month) -> None:
    _compute()
    first = list(UnitMonth.objects.order_by("unit_id").values_list(
        "unit_id", "cases", "responded", "response_due", "resolved", "resolution_due", "score", "rank"))
    _compute()
    _compute()
    again = list(UnitMonth.objects.order_by("unit_id").values_list(
        "unit_id", "cases", "responded", "response_due", "resolved", "resolution_due", "score", "rank"))
    assert first == again
    assert UnitMonth.objects.count() == 2
    assert RollupMonth.objects.count() == 1


def test_staleness(month: Month, formula: AssessmentFormula) -> None:
    with time_machine.travel(COMPUTED_AT, tick=False) as t:
        assert rollup.ensure_month(NOV) is True  # never computed
        assert rollup.ensure_month(NOV) is False  # fresh
        t.move_to(COMPUTED_AT + dt.timedelta(hours=2))
        assert rollup.ensure_month(NOV) is True  # recent month, older than an hour
        assert rollup.ensure_month(NOV, force=True) is True
        AssessmentFormula.objects.create(name="新办法", effective_from=dt.date(2026, 11, 1), response_weight=1,
                                         resolution_weight=1, satisfaction_weight=1)
        assert rollup.is_stale(NOV) is True  # another formula applies now
        rollup.ensure_month(NOV)
        t.move_to(dt.datetime(2027, 6, 1, tzinfo=dt.UTC))
        assert rollup.is_stale(NOV) is True  # computed before the month settled
        rollup.ensure_month(NOV)
        t.move_to(dt.datetime(2027, 9, 1, tzinfo=dt.UTC))
        assert rollup.is_stale(NOV) is False  # settled months stay


def test_formula_arithmetic() -> None:
    w = Weights(0.2, 0.3, 0.5, 0.8, 2)
    r = rates(Counts(cases=4, response_due=4, responded=3, resolution_due=0, satisfied=2, basically=1,
                     unsatisfied=1), w)
    assert (r.response, r.resolution, r.satisfaction) == (0.75, None, 0.7)
    assert r.score == 71.43  # 100 × (0.2×0.75 + 0.5×0.7) / 0.7: weights re-normalised over rates that exist
    assert rates(Counts(), w).score is None
    assert ranks([(1, "A", 5, 80.0), (2, "B", 5, 90.0), (3, "C", 5, 80.0), (4, "D", 1, 99.0),
                  (5, "E", 5, None)], 2) == {2: 1, 1: 2, 3: 2}


@pytest.mark.parametrize("text", ["2026-13", "2026/10", "", "10-2026", "1999-01"])
def test_bad_months(text: str) -> None:
    with pytest.raises(ValueError, match="月"):
        parse_month(text)
