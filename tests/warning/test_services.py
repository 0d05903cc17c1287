"""Scoring a case with an installed model: probability, grade by the thresholds (data), reasons in Chinese,
an event per change; alerts to the lead unit and the street office once per case per grade; the periodic
job scores what changed; an alert is on the case's own chain; the cockpit's selectors are scoped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

from fengqiao.cases import services as case_services
from fengqiao.cases.models import Case, Channel
from fengqiao.notifications.models import Outbox
from fengqiao.warning import data, selectors, services
from fengqiao.warning import model as escalation
from fengqiao.warning.features import History
from fengqiao.warning.models import Alert, Grade, Score, ScoreEvent, Threshold
from tests.cases.builders import dispatch, register
from tests.factories import City
from tests.warning.planted import NOW, plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed(city: City, data_dir: Path) -> escalation.EscalationModel:
    plant(city, people=300)
    history = History(data.everything())
    found = escalation.train_all(history, NOW.timestamp(), "test")
    escalation.save(found)
    return found


def threatening(city: City, grid: int = 0) -> Case:
    with time_machine.travel(NOW, tick=False):
        case = register(city, grid=grid, title="邻里纠纷，对方扬言要报复", channel=Channel.HOTLINE_12345,
                        parties=[case_services.PartyInput(name="王五", phone="13900000001")])
        return dispatch(city, case, lead=0, assisting=())


def test_a_score_has_a_grade_reasons_and_an_event(city: City, installed: escalation.EscalationModel) -> None:
    case = threatening(city)
    with time_machine.travel(NOW, tick=False):
        score = services.score_case(case)
    assert score is not None
    assert 0 <= score.probability <= 1
    assert score.grade == services.grade_for(score.probability).value
    assert any(r["key"] == "threat" and "报复" in r["text"] for r in score.reasons)
    events = list(ScoreEvent.objects.filter(case=case, action="score"))
    assert len(events) == 1
    assert events[0].to_grade == score.grade


def test_grades_follow_the_thresholds_rows(city: City) -> None:
    table = services.thresholds()
    assert [g for g, _p in table] == [Grade.KEY, Grade.GENERAL, Grade.WATCH]
    assert services.grade_for(0.55) == Grade.KEY
    assert services.grade_for(0.35) == Grade.GENERAL
    assert services.grade_for(0.16) == Grade.WATCH
    assert services.grade_for(0.05) == Grade.NONE
    Threshold.objects.filter(grade="key").update(min_probability=0.9)
    assert services.grade_for(0.55) == Grade.GENERAL


def test_alerts_go_once_per_case_and_grade_to_the_lead_unit_and_street_office(
        city: City, installed: escalation.EscalationModel) -> None:
    case = threatening(city)
    Threshold.objects.filter(grade="general").update(min_probability=0.0)  # whatever it scores: 一般 at least
    Threshold.objects.filter(grade="key").update(min_probability=0.999)
    with time_machine.travel(NOW, tick=False):
        first = services.score_case(case)
        assert first is not None
        assert first.grade == Grade.GENERAL
        alerts = set(Alert.objects.filter(case=case).values_list("unit_id", "grade"))
        assert alerts == {(city.departments[0].pk, "general"), (city.departments[2].pk, "general")}
        sent = Outbox.objects.filter(kind="warning", case_id=case.pk)
        recipients = set(sent.values_list("recipient_id", flat=True))
        assert recipients == {city.users[u].pk for u in ("handler", "mediator", "judge")}  # D1's and D3's staff
        assert "激化预警（一般）" in sent.first().subject  # type: ignore[union-attr]
        count = sent.count()
        services.score_case(case)
        services.score_case(case)
        assert sent.count() == count
        assert Alert.objects.filter(case=case).count() == 2
        Threshold.objects.filter(grade="key").update(min_probability=0.0)
        services.score_case(case)
    assert Alert.objects.filter(case=case, grade="key").count() == 2
    assert sent.count() == 2 * count
    assert ScoreEvent.objects.filter(case=case, action="regrade", to_grade="key").count() == 1


def test_the_periodic_job_scores_new_and_changed_cases(city: City, installed: escalation.EscalationModel) -> None:
    case = threatening(city)
    with time_machine.travel(NOW, tick=False):
        assert case.pk in services.due()
        done = services.score_due()
        assert done >= 1
        assert case.pk not in services.due()
        case_services.accept(city.users["handler"], case.code)
        assert case.pk in services.due()


def test_without_a_model_nothing_is_scored(city: City, data_dir: Path) -> None:
    case = threatening(city)
    assert services.score_case(case) is None
    assert services.score_due() == 0
    assert not Score.objects.exists()


def test_cockpit_selectors_are_scoped(city: City, installed: escalation.EscalationModel) -> None:
    Threshold.objects.filter(grade="watch").update(min_probability=0.0)
    near, far = threatening(city, grid=0), threatening(city, grid=2)
    with time_machine.travel(NOW, tick=False):
        for case in (near, far):
            services.score_case(case)
    since = NOW - dt.timedelta(days=1)
    everyone = selectors.grade_counts(city.users["leader"], since)
    assert sum(everyone.values()) == 2
    assert set(everyone) == {"watch", "general", "key"}
    mine = selectors.grade_counts(city.users["grid_worker"], since)
    assert sum(mine.values()) == 1
    assert selectors.grade_counts(city.users["other_citizen"], since) == {"watch": 0, "general": 0, "key": 0}
    points = selectors.scored_points(city.users["grid_worker"], since)
    assert len(points) == 1
    lng, lat, grade = points[0]
    assert (lng, lat) == city.point_in(0)
    assert grade in {"watch", "general", "key"}
    assert selectors.scored_points(city.users["leader"], NOW + dt.timedelta(days=1)) == []


def test_an_alert_is_written_on_the_case_chain_once_per_grade(city: City,
                                                             installed: escalation.EscalationModel) -> None:
    """The case's own history shows the alert (an internal event, 激化预警：一般 / 重点), on its hash chain; the
    event moves the case's version, and the score stays current (not scored again for its own alert)."""
    from django.test import Client

    from fengqiao.audit import verify
    from fengqiao.cases.models import CaseEvent

    case = threatening(city)
    Threshold.objects.filter(grade="general").update(min_probability=0.0)
    Threshold.objects.filter(grade="key").update(min_probability=0.999)
    with time_machine.travel(NOW, tick=False):
        score = services.score_case(case)
        assert score is not None
        case.refresh_from_db()
        alerted = CaseEvent.objects.get(case=case, action="w_general")
        assert (alerted.seq, alerted.audience, alerted.actor) == (case.event_seq, "internal", None)
        assert alerted.data["grade"] == "general"
        assert sorted(alerted.data["alerted_unit_names"]) == sorted(
            [city.departments[0].name, city.departments[2].name])
        assert alerted.note.startswith(f"激化几率 {score.probability:.0%}。原因：")
        assert Score.objects.get(case=case).case_version == case.version
        assert case.pk not in services.due()
        services.score_case(case)  # the same grade again: no second alert, no second event
        assert CaseEvent.objects.filter(case=case, action__startswith="w_").count() == 1
        Threshold.objects.filter(grade="key").update(min_probability=0.0)
        case.refresh_from_db()
        services.score_case(case)
    assert list(CaseEvent.objects.filter(case=case, action__startswith="w_").order_by("seq")
                .values_list("action", flat=True)) == ["w_general", "w_key"]
    assert verify.verify().ok
    client = Client()
    client.force_login(city.users["dispatcher"])
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "激化预警：一般" in page
    assert "激化预警：重点" in page
