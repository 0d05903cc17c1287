"""The demo's administrative disputes (demo/ew_legal.py) on a small city: offices per district, disputes
found by the detector whose events replay through the state table, interventions and outcomes in the past,
the case chains still verifying, and the wipe."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from fengqiao.audit import verify
from fengqiao.cases.models import AssignmentRole, CaseEvent
from fengqiao.demo import ew_risk_register, ew_stability, ew_warning
from fengqiao.legal import reading
from fengqiao.legal.detector import Matter, detect
from fengqiao.legal.models import Dispute, DisputeEvent, Intervention, LegalOffice
from fengqiao.legal.reasons import texts
from fengqiao.legal.states import LAction, LState, next_state

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
CJK_REASON = re.compile(r"[\u4e00-\u9fff]+(?![^“]*”)")  # Chinese outside the quoted word found in the text


def _only_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    """The other early-warning parts are built and tested by their owners; this test builds ours alone."""
    for part in (ew_warning, ew_risk_register, ew_stability):
        monkeypatch.setattr(part, "create", lambda *args, **kwargs: Counter())


@pytest.fixture
def demo(db: None, monkeypatch: pytest.MonkeyPatch) -> str:
    _only_ours(monkeypatch)
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--scale", "small", "--cases", "600", "--mediations", "20", "--workers", "1", stdout=out)
    return out.getvalue()


def test_the_demo_disputes(demo: str) -> None:
    assert "行政争议" in demo
    offices = list(LegalOffice.objects.select_related("area", "unit"))
    assert {o.area.level for o in offices} == {"city", "district"}
    disputes = list(Dispute.objects.select_related("case"))
    assert len(disputes) >= 30
    paths = reading.category_paths()
    for d in disputes[:200]:  # the detector agrees with what the demo wrote
        found = detect(Matter(title=d.case.title, text=d.case.description, channel=d.case.channel,
                              categories=paths.get(d.case.category_id or 0, ())))
        assert found is not None, d.case.code
        assert found.act_type == d.act_type
        assert found.evidence[0] == d.evidence[0]  # the act's words, as data
    states = Counter(d.status for d in disputes)
    assert states[LState.ROUTED] + states[LState.INTERVENING] + states[LState.CONCLUDED] > 0
    assert states[LState.CONCLUDED] > 0
    for d in disputes:
        events = list(DisputeEvent.objects.filter(dispute=d).order_by("seq"))
        state = LState.FLAGGED
        assert events[0].action == "flag"
        for e in events[1:]:
            state = next_state(state, LAction(e.action))
            assert e.at <= NOW
        assert state == d.state
        if d.office_id is not None:
            assert d.case.assignments.filter(unit_id=d.office_id, role=AssignmentRole.ASSIST).exists()
        assert CaseEvent.objects.filter(case=d.case, action__startswith="l_").count() == len(events)
        assert all(isinstance(x, dict) for x in [*d.evidence, *d.risk_reasons])
        with translation.override("en"):
            assert not any(CJK_REASON.search(t) for t in texts(d.risk_reasons)), d.risk_reasons
        flag = CaseEvent.objects.get(case=d.case, action="l_flagged")
        assert flag.note == "；".join(texts(d.evidence, translate=False))  # the chain keeps the Chinese sentence
    assert Intervention.objects.count() == DisputeEvent.objects.filter(action="intervene").count()
    report = verify.verify()
    assert report.ok, report.problems[:5]
    assert not CaseEvent.objects.filter(at__gt=NOW).exists()

    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--scale", "small", "--cases", "600", "--mediations", "20", "--workers", "1", "--reset",
                     stdout=io.StringIO())
    assert Dispute.objects.count() == len(disputes)  # same seed, same disputes
