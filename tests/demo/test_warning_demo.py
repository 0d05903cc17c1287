"""The demo's early-warning part (demo/ew_warning.py) on a small city: the simulated escalations are real
cases of the same party at the same place, later than the matter they follow, with verified chains; the
model is trained on the demo and today's cases are scored; ``--reset`` wipes the scores."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from fengqiao.audit import verify
from fengqiao.cases.models import Case, CaseEvent, Channel, Party
from fengqiao.warning import model as escalation
from fengqiao.warning.features import place_key
from fengqiao.warning.models import Score, ScoreEvent

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
CASES = 3000


def build(*extra: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--scale", "small", "--cases", str(CASES), "--mediations", "30", "--workers", "1",
                     *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> str:
    settings.DATA_DIR = tmp_path
    escalation.forget()
    return build()


def test_escalations_are_real_cases_that_follow_earlier_matters(demo: str) -> None:
    assert "模拟激化" in demo
    followers = Case.objects.filter(title__regex=r"^(再次反映|集体访)：")
    assert followers.count() > 20
    assert set(followers.values_list("channel", flat=True)) <= {Channel.PETITION, Channel.POLICE_110}
    assert followers.filter(channel=Channel.POLICE_110).exists()
    assert followers.filter(title__startswith="集体访").exists()
    assert verify.verify().ok
    assert not CaseEvent.objects.filter(at__gt=NOW).exists()
    for case in followers[:60]:
        assert case.events.filter(action="register").count() == 1
        assert case.deadline is not None
        assert case.street_id is not None
        hashes = set(Party.objects.filter(case=case).exclude(phone_hash="").values_list("phone_hash", flat=True))
        earlier = Case.objects.filter(registered_at__lt=case.registered_at,
                                      registered_at__gte=case.registered_at - dt.timedelta(days=161))
        by_party = earlier.filter(parties__phone_hash__in=hashes).exists() if hashes else False
        by_place = bool(place_key(case.address)) and earlier.filter(address=case.address).exists()
        assert by_party or by_place or earlier.filter(grid=case.grid, title__contains=case.title.split("：", 1)[1][:10]
                                                      ).exists(), case.code


def test_the_model_is_trained_on_the_demo_and_todays_cases_are_scored(demo: str) -> None:
    installed = escalation.load()
    assert installed is not None
    assert installed.version.startswith("demo-")
    recent = Case.objects.filter(registered_at__gte=NOW - dt.timedelta(days=45)).count()
    assert Score.objects.count() == recent
    assert ScoreEvent.objects.filter(action="score").count() == recent
    assert Score.objects.exclude(grade="").exists()
    assert Score.objects.filter(rental=True).exists() or Score.objects.filter(family=True).exists()


def test_reset_wipes_the_scores_and_the_demo_model(demo: str) -> None:
    first = Score.objects.count()
    build("--reset")
    assert Score.objects.count() == first  # the same seed scores the same cases again
    assert escalation.load() is not None
