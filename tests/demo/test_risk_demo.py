"""The demo's risk register (demo/ew_risk_register.py) on a small city: a year of monthly campaigns per
district with most grids screened and some missed, entries whose events replay through the state table to
their state, evidence on write-offs, follow-ups after them, overdue reviews, case entries on intact hash
chains, indicators that are neither empty nor perfect, and the wipe."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command

from fengqiao.audit import verify
from fengqiao.cases.models import CaseEvent
from fengqiao.demo import ew_risk_register
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.risk import indicators
from fengqiao.risk.models import Campaign, CampaignEvent, RiskEntry, RiskEvent, Screening
from fengqiao.risk.states import CREATED_IN, REVIEWED, RAction, RState, next_state

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def demo(db: None) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--scale", "small", "--cases", "400", "--mediations", "20", "--workers", "1", stdout=out)
    return out.getvalue()


def test_the_risk_register_of_the_demo(demo: str) -> None:
    districts = Area.objects.filter(level=Level.DISTRICT, parent__code="3212").count()
    grids = Area.objects.filter(level=Level.GRID).count()
    campaigns = list(Campaign.objects.select_related("area"))
    assert len(campaigns) == 12 * districts
    assert {c.area.level for c in campaigns} == {Level.DISTRICT}
    assert sum(c.grid_count for c in campaigns) == 12 * grids
    past = [c for c in campaigns if c.ends_on < dt.date(2026, 11, 1)]
    screened = Screening.objects.filter(campaign__in=past).count()
    covered = sum(c.grid_count for c in past)
    assert 0.85 * covered < screened < covered  # most grids screened, some missed
    assert CampaignEvent.objects.count() == len(campaigns) + Screening.objects.count()
    for s in Screening.objects.select_related("grid", "campaign__area")[:200]:
        assert s.grid.path.startswith(s.campaign.area.path + "/")
        assert s.screened_at <= NOW

    entries = list(RiskEntry.objects.all())
    assert 60 <= len(entries) <= 1000
    states = Counter(e.status for e in entries)
    assert states[RState.TACKLING] > 0
    assert states[RState.WRITTEN_OFF] + states[RState.APPLIED] > 0
    assert states[RState.DISMISSED] > 0
    events: dict[int, list[RiskEvent]] = {}
    for ev in RiskEvent.objects.order_by("entry_id", "seq"):
        events.setdefault(ev.entry_id, []).append(ev)
    for e in entries:
        chain = events[e.pk]
        assert [ev.seq for ev in chain] == list(range(1, len(chain) + 1))
        state = CREATED_IN[RAction(chain[0].action)]
        for ev in chain[1:]:
            assert ev.from_state == state.value
            state = next_state(state, RAction(ev.action))
            assert ev.to_state == state.value
        assert state.value == e.status
        assert e.version == len(chain) - 1
        assert all(a.at <= b.at for a, b in itertools.pairwise(chain)), e.code
        assert chain[-1].at <= NOW
        if e.written_off_at:
            assert [ev.at for ev in chain if ev.action == "write_off"] == [e.written_off_at]
            assert e.write_off_evidence
            assert e.measures
        if e.consolidated_at:
            assert e.written_off_at is not None
            assert e.consolidated_at > e.written_off_at
    overdue = [e for e in entries if e.status in REVIEWED and e.next_review_at and e.next_review_at < NOW]
    live = [e for e in entries if e.status in REVIEWED]
    assert 0 < len(overdue) < len(live) / 2

    from_cases = [e for e in entries if e.case_id is not None]
    assert from_cases
    assert CaseEvent.objects.filter(action="r_listed").count() == len(from_cases)
    with time_machine.travel(NOW, tick=False):
        assert verify.verify().ok  # r_listed appended to intact chains
        year = indicators.compute(None, dt.date(2025, 12, 1), dt.date(2026, 12, 1))
    for rate in year.rates():
        assert rate.denominator > 0, rate.key
        assert 0.5 < rate.rate < 1.0, (rate.key, rate.rate)  # type: ignore[operator]

    ew_risk_register.wipe(lambda _s: None)
    assert (RiskEntry.objects.count(), Campaign.objects.count(), Screening.objects.count()) == (0, 0, 0)
