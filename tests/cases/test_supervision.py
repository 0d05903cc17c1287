"""The supervision ladder on the working-day calendar, with frozen time: a reminder before the deadline,
催办 at it, 督办 after it (across the National Day holiday), each step once, its notifications once."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.cases import services, supervision, supervision_sweep
from fengqiao.cases.models import Case, CaseEvent, SupervisionLadder, SupervisionStep, TimeUnit
from fengqiao.cases.supervision_models import Relation, StepKind
from fengqiao.notifications.models import Outbox
from tests.cases.builders import dispatch, register
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")
REGISTERED = dt.datetime(2025, 9, 24, 10, 0, tzinfo=SH)  # a Wednesday; 5 working days → Tue 30 Sep
DEADLINE = dt.datetime(2025, 9, 30, 23, 59, 59, tzinfo=SH)


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=SH)


def steps_of(case: Case) -> list[tuple[str, object]]:
    return [(e.action, e.data.get("level")) for e in CaseEvent.objects.filter(case=case, actor_role="system")
            .exclude(action="mark_overdue").order_by("seq")]


def sent_to(case: Case, kind: str) -> set[tuple[str, str]]:
    return {(o.recipient.username, o.channel) for o in Outbox.objects.filter(case=case, kind=kind)
            .select_related("recipient")}


@pytest.fixture
def case(city: City) -> Case:
    with time_machine.travel(REGISTERED, tick=False):
        case = dispatch(city, register(city))
        services.accept(city.users["handler"], case.code)
    case.refresh_from_db()
    assert case.deadline == DEADLINE
    return case


def test_default_ladder_reminds_before_urges_at_and_supervises_after_the_deadline(city: City, case: Case) -> None:
    sweep = supervision_sweep.sweep
    assert sweep(at(9, 29, 23, 0)).events == 0  # a working day and an hour before: nothing yet
    assert steps_of(case) == []

    r = sweep(at(9, 30, 0, 5))  # one working day left: the reminder, to the lead unit's handler
    assert (r.reminded, r.escalated) == (1, {})
    assert steps_of(case) == [("remind", 0)]
    assert sent_to(case, "remind") == {("handler", "in_app")}

    assert sweep(at(9, 30, 23, 59)).events == 0  # before the deadline: nothing more
    r = sweep(at(10, 1, 0, 0))  # the deadline passed (a holiday): 催办, handler and the street's dispatcher
    assert r.escalated == {1: 1}
    case.refresh_from_db()
    assert (case.supervision_level, case.ladder_step, case.ladder_deadline) == (1, 2, DEADLINE)
    assert sent_to(case, "urge") == {("handler", "in_app"), ("handler", "sms"),
                                     ("street_dispatcher", "in_app"), ("street_dispatcher", "sms")}

    # 督办 is two WORKING days after: the National Day holiday (1–8 Oct) does not count
    assert sweep(at(10, 8, 23, 0)).events == 0
    assert sweep(at(10, 10, 12, 0)).events == 0  # 9 Oct is the first working day, 10 Oct the second
    r = sweep(at(10, 11, 0, 1))
    assert r.escalated == {2: 1}
    case.refresh_from_db()
    assert case.supervision_level == 2
    # the district has no leader: escalation goes up the tree to the city's leader
    assert sent_to(case, "supervise") == {(u, c) for u in ("handler", "street_dispatcher", "leader")
                                          for c in ("in_app", "sms")}
    assert steps_of(case) == [("remind", 0), ("escalate", 1), ("escalate", 2)]
    assert sweep(at(10, 20, 9, 0)).events == 0  # 挂牌督办 is never automatic


def test_the_sweep_twice_doubles_nothing_and_the_chain_holds(city: City, case: Case) -> None:
    first = supervision_sweep.sweep(at(10, 11, 0, 1))  # far past: only the latest due step (督办), once
    assert (first.reminded, first.escalated) == (0, {2: 1})
    outbox = Outbox.objects.count()
    again = supervision_sweep.sweep(at(10, 11, 0, 1))
    later = supervision_sweep.sweep(at(10, 15, 0, 1))
    assert (again.candidates, again.events, later.events) == (0, 0, 0)
    assert Outbox.objects.count() == outbox
    assert steps_of(case) == [("escalate", 2)]
    prev = GENESIS
    for event in CaseEvent.objects.filter(case=case).order_by("seq"):
        assert event.prev_hash == prev
        assert event.hash == event_digest(prev, event.chain_fields())
        prev = event.hash
    case.refresh_from_db()
    assert case.event_head == prev


def test_an_approved_extension_restarts_the_ladder_from_the_new_deadline(city: City, case: Case) -> None:
    supervision_sweep.sweep(at(9, 30, 0, 5))
    reminder = Outbox.objects.get(case=case, kind="remind")
    with time_machine.travel(at(9, 30, 9, 0), tick=False):
        services.request_extension(city.users["handler"], case.code, working_days=3, reason="等待配件到货")
        services.decide_extension(city.users["dispatcher"], case.code, approve=True)
    case.refresh_from_db()
    assert case.deadline == dt.datetime(2025, 10, 11, 23, 59, 59, tzinfo=SH)  # 9, 10 and 11 Oct (a make-up day)
    reminder.refresh_from_db()
    assert reminder.status == "cancelled"  # it was still queued: withdrawn
    assert supervision_sweep.sweep(at(10, 1, 0, 0)).events == 0  # no 催办 at the old deadline
    r = supervision_sweep.sweep(at(10, 11, 0, 1))  # one working day before the new one: a new reminder
    assert r.reminded == 1
    assert Outbox.objects.filter(case=case, kind="remind", status="queued").count() == 1
    assert supervision_sweep.sweep(at(10, 12, 0, 1)).escalated == {1: 1}


def test_a_ladder_per_category_and_urgency_wins_over_the_default(city: City) -> None:
    ladder = SupervisionLadder.objects.create(category=city.categories["mid"], urgency="")
    SupervisionStep.objects.create(ladder=ladder, kind=StepKind.REMIND, amount=4, unit=TimeUnit.HOURS,
                                   relation=Relation.BEFORE, email=True)
    SupervisionStep.objects.create(ladder=ladder, kind=StepKind.SUPERVISE, amount=0, relation=Relation.AFTER)
    with time_machine.travel(REGISTERED, tick=False):
        case = dispatch(city, register(city))  # category leaf, under mid
    r = supervision_sweep.sweep(at(9, 30, 19, 59))  # 4 natural hours before 23:59:59 is 19:59:59
    assert r.events == 0
    r = supervision_sweep.sweep(at(9, 30, 20, 0))
    assert r.reminded == 1
    assert sent_to(case, "remind") == {("handler", "in_app"), ("handler", "email")}
    r = supervision_sweep.sweep(at(10, 1, 0, 0))  # this ladder goes straight to 督办 at the deadline
    assert r.escalated == {2: 1}


def test_a_case_escalated_by_hand_is_not_urged_again(city: City, case: Case) -> None:
    with time_machine.travel(at(9, 29, 9, 0), tick=False):
        services.escalate(city.users["dispatcher"], case.code, note="多次来电，请加快办理")
    assert sent_to(case, "urge") == {("handler", "in_app")}
    r = supervision_sweep.sweep(at(10, 1, 0, 0))  # 催办 due, the case is already there: recorded only
    assert (r.events, r.recorded_only) == (0, 1)
    assert supervision_sweep.sweep(at(10, 1, 0, 0)).candidates == 0
    assert supervision_sweep.sweep(at(10, 11, 0, 1)).escalated == {2: 1}


def test_closed_cases_take_no_step(city: City, case: Case) -> None:
    with time_machine.travel(at(9, 26, 9, 0), tick=False):
        services.reply(city.users["handler"], case.code, text="已联系物业公司，电梯已于今日修复并恢复运行。")
    assert supervision_sweep.sweep(at(10, 11, 0, 1)).candidates == 0


CAL = supervision.Calendar()
STEPS = [
    supervision.Step("a", 1, StepKind.REMIND, 1, TimeUnit.WORKING_DAYS, Relation.BEFORE),
    supervision.Step("b", 2, StepKind.REMIND, 3, TimeUnit.WORKING_DAYS, Relation.BEFORE),
    supervision.Step("c", 3, StepKind.URGE, 0, TimeUnit.WORKING_DAYS, Relation.AFTER),
    supervision.Step("d", 4, StepKind.SUPERVISE, 2, TimeUnit.WORKING_DAYS, Relation.AFTER),
    supervision.Step("e", 5, StepKind.SUPERVISE, 5, TimeUnit.HOURS, Relation.AFTER),
]
MOMENTS = st.datetimes(min_value=dt.datetime(2025, 9, 1), max_value=dt.datetime(2025, 11, 1)).map(
    lambda d: d.replace(tzinfo=SH))


@pytest.mark.django_db
@settings(max_examples=300, deadline=None)
@given(deadline=MOMENTS, now=MOMENTS, index=st.integers(0, len(STEPS) - 1))
def test_due_ranges_select_exactly_the_deadlines_whose_step_is_due(deadline: dt.datetime, now: dt.datetime,
                                                                    index: int) -> None:
    """The sweep's SQL ranges and the per-case check agree, holidays and make-up days included."""
    step = STEPS[index]
    inside = any((low is None or low <= deadline) and deadline <= high for low, high in CAL.due_ranges(step, now))
    assert inside == (CAL.step_time(deadline, step) <= now)


def test_administrators_edit_the_ladder_in_the_admin(client: Any, city: City) -> None:
    client.force_login(city.users["admin"], backend="django.contrib.auth.backends.ModelBackend")
    ladder = SupervisionLadder.objects.create(category=city.categories["noise"], urgency="very_urgent")
    SupervisionStep.objects.create(ladder=ladder, kind=StepKind.SUPERVISE, amount=4, unit=TimeUnit.HOURS)
    page = client.get(f"/admin/cases/supervisionladder/{ladder.pk}/change/")
    assert page.status_code == 200
    assert "督办" in page.content.decode()
    assert client.get("/admin/cases/supervisionladder/add/").status_code == 200
    assert client.get("/admin/notifications/outbox/").status_code == 200
