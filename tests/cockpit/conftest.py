"""A small city with cases in every state, spread over channels, grids, months and outcomes."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.analytics import rollup as assessment
from fengqiao.analytics.models import AssessmentFormula
from fengqiao.cases.models import Case, Channel
from fengqiao.cases.states import State
from fengqiao.cockpit import rollup
from fengqiao.kit import clock
from tests.cases.builders import case_in, register
from tests.factories import City


def spread(city: City) -> list[Case]:
    """Cases in several states and places; some moved to last month, some overdue, one without a place."""
    made = [
        case_in(city, State.CLOSED, grid=0),
        case_in(city, State.REOPENED, grid=1),
        case_in(city, State.REPLIED, grid=2, lead=1),
        case_in(city, State.ACCEPTED, grid=0),
        case_in(city, State.DISPATCHED, grid=3, lead=2),
        case_in(city, State.CANCELLED, grid=2),
        register(city, grid=1, channel=Channel.POLICE_110, title="邻居深夜装修噪声扰民"),
        register(city, grid=3, channel=Channel.PETITION, category="noise", title="工厂夜间噪声"),
        register(city, grid=0, channel=Channel.GRID_PATROL, by="grid_worker", category=None, title="路灯损坏"),
    ]
    now = clock.now()
    # two cases were registered last month; one is overdue and still open; one replied late
    last_month = (clock.today().replace(day=1) - dt.timedelta(days=3))
    Case.objects.filter(pk=made[0].pk).update(registered_at=clock.at_local(last_month, dt.time(10)))
    Case.objects.filter(pk=made[6].pk).update(registered_at=clock.at_local(last_month, dt.time(15)))
    Case.objects.filter(pk=made[3].pk).update(deadline=now - dt.timedelta(days=1))
    replied = Case.objects.get(pk=made[2].pk).replied_at
    assert replied is not None
    Case.objects.filter(pk=made[2].pk).update(deadline=replied - dt.timedelta(hours=1))
    Case.objects.filter(pk=made[8].pk).update(lat=None, lng=None)
    return list(Case.objects.filter(pk__in=[c.pk for c in made]))


def assessed_month(city: City, month: dt.date) -> list[Case]:
    """``spread``'s cases with the cockpit's rollups and ``month``'s assessment (a formula from January)."""
    AssessmentFormula.objects.create(name="测试办法", effective_from=dt.date(2026, 1, 1), response_weight=0.1,
                                     resolution_weight=0.45, satisfaction_weight=0.45, basically_weight=0.8,
                                     min_cases=1)
    made = spread(city)
    rollup.ensure(force=True)
    assessment.compute_month(month)
    return made


@pytest.fixture
def cases(city: City) -> list[Case]:
    return spread(city)
