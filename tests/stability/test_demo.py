"""The demo's assessments (demo/ew_stability.py) on the test city: sixteen decisions in the stages they were
planned to reach, made through the services (their events replay through the state table), dated back in
order and never in the future, consulting ones open with citizens' opinions, a report that renders, wipe."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache import cache

from fengqiao.demo import ew_stability
from fengqiao.jurisdictions.models import Area
from fengqiao.stability import pdf
from fengqiao.stability.models import Decision, DecisionEvent, Opinion
from fengqiao.stability.states import TRANSITIONS, DAction, DState
from tests.factories import City

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def test_the_demo_assessments(city: City) -> None:
    cache.clear()
    org = SimpleNamespace(city={"zjj": city.departments[0], "sthj": city.departments[1]},
                          streets={city.street.code: city.departments[2], city.other_street.code: city.departments[2]})
    staff = SimpleNamespace(handlers={city.departments[0].pk: (city.users["handler"].pk, "handler")})
    said: list[str] = []
    with time_machine.travel(NOW, tick=False):
        counts = ew_stability.create(org, staff, {a.code: a for a in Area.objects.all()}, random.Random(7), NOW,
                                     said.append)
    decisions = list(Decision.objects.all())
    assert counts["stability.decisions"] == len(decisions) == len(ew_stability.PLANS) == 16
    wanted = Counter(p.to.value if not p.withdraw else "withdrawn" for p in ew_stability.PLANS)
    assert Counter(d.status for d in decisions) == wanted
    assert said == [f"  稳评 16 项，意见记录 {Opinion.objects.count()} 条"]
    for d in decisions:
        events = list(DecisionEvent.objects.filter(decision=d).order_by("seq"))
        assert events[0].action == "create"
        assert events[-1].to_state == d.status
        assert d.created_at == events[0].at
        assert d.code.startswith(f"WP{events[0].at.astimezone(dt.timezone(dt.timedelta(hours=8))):%y%m%d}-")
        for before, event in itertools.pairwise(events):
            assert event.at > before.at
            assert event.at <= NOW
            assert TRANSITIONS[(DState(event.from_state), DAction(event.action))] == DState(event.to_state)
        if d.state == DState.CONSULTING:
            assert d.consultation_closes_at is not None
            assert d.consultation_closes_at > NOW
        if d.state in (DState.REPORTED, DState.TRACKING, DState.CLOSED):
            assert d.reported_at is not None
            assert d.reported_at <= NOW
    assert Opinion.objects.filter(public=True).count() == 7
    for opinion in Opinion.objects.select_related("decision"):
        assert opinion.decision.consultation_opened_at is not None
        assert opinion.decision.consultation_opened_at <= opinion.recorded_at <= NOW
    tracked = Decision.objects.get(title="国有纺织厂破产重整职工安置").measures.exclude(progress="")
    assert tracked.count() == 3
    for measure in tracked:  # each progress line carries the day it was written, not the day the demo ran
        assert not any(line.startswith("2026-11-20") for line in measure.progress.splitlines())
    # 变电站 and 化工园区 by their items; 学区调整 raised by a third of its opinions opposing
    assert Decision.objects.filter(grade="high").count() == 3
    assert set(Decision.objects.exclude(conclusion="").values_list("conclusion", flat=True)) == {
        "go", "conditional", "postpone", "stop"}
    reported = Decision.objects.filter(status=DState.CLOSED).select_related("assessing_unit", "proposing_unit").first()
    assert reported is not None
    assert pdf.ensure_report_pdf(reported).report_sha256
    ew_stability.wipe(said.append)
    assert not Decision.objects.exists()
    assert not DecisionEvent.objects.exists()
    cache.clear()
