"""The overdue sweep: exactly the open cases past their deadline, one chained event each, idempotent."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from fengqiao.audit import verify
from fengqiao.cases import overdue, selectors
from fengqiao.cases.models import Case, CaseEvent
from fengqiao.cases.states import State
from tests.cases.builders import case_in
from tests.factories import City

SH = ZoneInfo("Asia/Shanghai")


def test_sweep_flags_exactly_the_open_cases_past_deadline(city: City) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False) as traveller:
        # deadline Mon 9 March 23:59:59 for all of these
        late = {state: case_in(city, state) for state in (State.REGISTERED, State.DISPATCHED, State.RETURNED,
                                                         State.ACCEPTED, State.REOPENED)}
        finished = {state: case_in(city, state) for state in (State.REPLIED, State.CLOSED, State.CANCELLED,
                                                             State.MERGED)}
        traveller.move_to(dt.datetime(2026, 3, 6, 10, 0, tzinfo=SH))
        on_time = case_in(city, State.ACCEPTED)  # deadline Fri 13 March
        reopened = late[State.REOPENED]
        assert reopened.deadline == dt.datetime(2026, 3, 9, 23, 59, 59, tzinfo=SH)

        assert overdue.sweep().flagged == 0  # nothing is late yet
        traveller.move_to(dt.datetime(2026, 3, 10, 0, 0, 1, tzinfo=SH))
        result = overdue.sweep(batch=2)
        assert (result.flagged, result.batches) == (6, 3)

    primary = finished[State.MERGED].duplicate_of  # the merged case's primary is open and late too
    assert primary is not None
    assert primary.status == "registered"
    flagged = set(Case.objects.filter(overdue=True).values_list("pk", flat=True))
    assert flagged == {c.pk for c in late.values()} | {primary.pk}
    for state, case in late.items():
        event = CaseEvent.objects.get(case=case, action="mark_overdue")
        assert (event.from_state, event.to_state, event.actor_id, event.actor_role, event.audience) == (
            state.value, state.value, None, "system", "internal")
        assert event.data == {"deadline": "2026-03-09T15:59:59+00:00"}
        assert event.at == dt.datetime(2026, 3, 10, 0, 0, 1, tzinfo=SH)
        row = Case.objects.get(pk=case.pk)
        assert (row.status, row.overdue_since, row.version) == (state.value, case.deadline, case.version + 1)
    for case in [*finished.values(), on_time]:
        assert Case.objects.get(pk=case.pk).overdue is False
        assert not CaseEvent.objects.filter(case=case, action="mark_overdue").exists()
    assert verify.verify().ok
    # the 'overdue' tab shows them to the dispatcher, earliest deadline first
    assert set(selectors.inbox(city.users["dispatcher"], "overdue").values_list("pk", flat=True)) == flagged


def test_sweep_is_idempotent(city: City) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False) as traveller:
        case_in(city, State.ACCEPTED)
        traveller.move_to(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH))
        assert overdue.sweep().flagged == 1
        events = CaseEvent.objects.count()
        assert overdue.sweep().flagged == 0
        assert CaseEvent.objects.count() == events


def test_sweep_command(city: City, capsys: object) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False) as traveller:
        case_in(city, State.REGISTERED)
        case_in(city, State.DISPATCHED)
        traveller.move_to(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH))
        call_command("sweep_overdue")
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out.startswith("flagged 2 cases in 1 batches")
