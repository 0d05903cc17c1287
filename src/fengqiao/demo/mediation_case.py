"""A mediation's case, simulated: the case's own events (``demo.lifecycle.CaseState``) and the mediation's
``m_…`` events on the same hash chain, each as the services write it (``cases.services.hosted`` and
``mediation.services._core.step``): the case's state unchanged, audience parties, data naming the
mediation and its states before and after.  The mediation's own state table is enforced here too."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fengqiao.cases.models import AssignmentRole, AssignmentStatus
from fengqiao.cases.services._core import DEFAULT_AUDIENCE
from fengqiao.cases.states import CLOCK_STATES, Action, State
from fengqiao.cases.states import next_state as next_case_state
from fengqiao.demo.lifecycle import Actor, AssignmentRow, CaseState
from fengqiao.kit import clock, working_days
from fengqiao.mediation.states import STEP_OF, MAction, MState, event_action, next_state

CITIZEN = Actor(None, "citizen", None)
SLOTS = (dt.time(9), dt.time(9, 30), dt.time(10), dt.time(14), dt.time(14, 30), dt.time(15))


@dataclass
class MCase(CaseState):
    """The case of one mediation, with the mediation's state, version and the kind's steps."""

    code: str = ""
    mstate: MState = MState.APPLIED
    version: int = 0
    steps: frozenset[str] = frozenset()
    fields_m: dict[str, Any] = field(default_factory=dict)

    @property
    def t(self) -> dt.datetime:
        """The time of the newest event."""
        assert self.at is not None
        return self.at

    def event(self, action: Action, when: dt.datetime, actor: Actor, *, note: str = "",
              data: dict[str, Any] | None = None, audience: str | None = None) -> None:
        """``CaseState.event`` with the faster digest (the same hash: tests/demo compare them)."""
        before = self.state
        after = next_case_state(before, action)
        when = when.replace(microsecond=0)
        self.seq += 1
        chain = {"case": self.id, "seq": self.seq, "action": action.value, "from": before.value, "to": after.value,
                 "at": when, "actor": actor.user, "role": actor.role, "unit": actor.unit,
                 "audience": audience or DEFAULT_AUDIENCE[action].value, "note": note, "data": data or {}}
        digest = chain_digest(self.head, chain)
        self.events.append((self.id, self.seq, action.value, before.value, after.value, when, actor.user,
                            actor.role, actor.unit, chain["audience"], note, chain["data"], self.head, digest))
        self.head, self.state, self.at = digest, after, when

    def append(self, action: str, when: dt.datetime, actor: Actor, *, note: str = "",
               data: dict[str, Any] | None = None, audience: str = "parties") -> None:
        """One event that leaves the case's state as it is (another domain's, as ``event_for``)."""
        when = when.replace(microsecond=0)
        if self.state in CLOCK_STATES:
            self.mark_overdue_before(when)
        when = max(when, self.at) if self.at else when
        self.seq += 1
        state = self.state.value
        chain = {"case": self.id, "seq": self.seq, "action": action, "from": state, "to": state, "at": when,
                 "actor": actor.user, "role": actor.role, "unit": actor.unit, "audience": audience,
                 "note": note[:4000], "data": data or {}}
        digest = chain_digest(self.head, chain)
        self.events.append((self.id, self.seq, action, state, state, when, actor.user, actor.role, actor.unit,
                            audience, chain["note"], chain["data"], self.head, digest))
        self.head, self.at = digest, when

    def case_event(self, action: Action, when: dt.datetime, actor: Actor, *, note: str = "",
                   data: dict[str, Any] | None = None) -> None:
        """A case action (with the overdue sweep run up to it first, as the every-minute job would)."""
        when = when.replace(microsecond=0)
        if self.state in CLOCK_STATES:
            self.mark_overdue_before(when)
        self.event(action, max(when, self.at) if self.at else when, actor, note=note, data=data)

    def m(self, action: MAction, when: dt.datetime, actor: Actor, *, note: str = "",
          data: dict[str, Any] | None = None) -> None:
        """A mediation action: the mediation's next state (the kind must have the step), one event."""
        step = STEP_OF.get(action)
        if step is not None and step not in self.steps:
            raise ValueError(f"the kind has no step {step} for {action}")
        before = self.mstate
        after = next_state(before, action)
        payload = {"mediation": self.code, "from": before.value, "to": after.value, **(data or {})}
        self.append(event_action(action), when, actor, note=note, data=payload)
        self.mstate = after
        self.version += 1

    def dispatch_to(self, when: dt.datetime, actor: Actor, lead: int, lead_name: str, accept_hours: int,
                    note: str = "") -> None:
        """分流 (or re-dispatch) to the mediating unit, as ``cases.services.dispatch.do_dispatch``."""
        for row in self.assignments:
            if row.status in (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED):
                row.status, row.closed_at = AssignmentStatus.WITHDRAWN.value, when.replace(microsecond=0)
        action = Action.DISPATCH if self.state in (State.REGISTERED, State.REOPENED) else Action.REDISPATCH
        self.case_event(action, when, actor, note=note, data={
            "lead_unit": lead, "lead_unit_name": lead_name, "assisting_units": [], "assisting_unit_names": []})
        at: dt.datetime = self.at  # type: ignore[assignment]
        self.assignments.append(AssignmentRow(lead, AssignmentRole.LEAD.value, AssignmentStatus.PENDING.value, at))
        self.fields.update(lead_unit_id=lead, dispatched_at=at, accepted_at=None,
                           accept_deadline=at + dt.timedelta(hours=accept_hours))

    def assist(self, unit: int, when: dt.datetime) -> None:
        """A court reviewing the agreement joins the case (``hosted.assist_for``: no event)."""
        at = when.replace(microsecond=0)
        self.assignments.append(AssignmentRow(unit, AssignmentRole.ASSIST.value, AssignmentStatus.ACCEPTED.value,
                                              at, accepted_at=at))


def chain_digest(prev_hash: str, chain: dict[str, Any]) -> str:
    """``audit.chain.event_digest`` for the demo's events, whose only non-JSON value is the aware ``at`` (the
    data hold strings, numbers and lists): the same canonical JSON without walking every value."""
    body = dict(chain)
    body["at"] = chain["at"].astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{text}".encode()).hexdigest()


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    return working_days.is_workday(day)


@lru_cache(maxsize=65536)
def working_days_after(day: dt.date, days: int) -> dt.datetime:
    """``working_days.add_working_days`` from a local date, on the memoised calendar."""
    end, counted = day, 0
    while counted < days:
        end += dt.timedelta(days=1)
        counted += is_workday(end)
    return clock.at_local(end, working_days.END_OF_DAY)


def later(at: dt.datetime, rng: random.Random, low_h: float, high_h: float) -> dt.datetime:
    return (at + dt.timedelta(seconds=rng.uniform(low_h, high_h) * 3600)).replace(microsecond=0)


def office_hours(at: dt.datetime) -> dt.datetime:
    """``at``, or the next working morning when it falls outside office hours."""
    local = clock.localtime(at)
    day = local.date()
    if is_workday(day) and 8 <= local.hour < 18:
        return at
    if local.hour >= 18 or not is_workday(day):
        day += dt.timedelta(days=1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return clock.at_local(day, dt.time(8, 30)) + dt.timedelta(minutes=(local.minute * 7) % 90)


def session_slot(after: dt.datetime, rng: random.Random, low_days: int = 1, high_days: int = 6) -> dt.datetime:
    """A session's start: a working day a few days after ``after``, at a usual hour."""
    day = clock.localtime(after).date() + dt.timedelta(days=rng.randint(low_days, high_days))
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return clock.at_local(day, rng.choice(SLOTS)).astimezone(dt.UTC)
