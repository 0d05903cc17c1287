"""One case's life, simulated: the events the services would have written, in order, hash-chained.

Each step happens only if its time is before ``now``; a recent case therefore stops in an open state
(registered, dispatched, returned, accepted, replied, reopened) exactly as a real one would.  The events
and field changes follow the services in ``cases/services`` (same actions, states, data and audiences);
the chain is built with ``audit.chain.event_digest`` over the same fields as ``CaseEvent.chain_fields``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.cases.models import AssignmentRole, AssignmentStatus, Satisfaction
from fengqiao.cases.services._core import DEFAULT_AUDIENCE
from fengqiao.cases.states import CLOCK_STATES, Action, State, next_state

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
# CaseEvent columns, in the order the rows hold them (see demo.load.EVENT_COLUMNS)
SYSTEM_ROLE = "system"


@dataclass
class Actor:
    user: int | None
    role: str
    unit: int | None
    unit_name: str = ""


@dataclass
class AssignmentRow:
    unit: int
    role: str
    status: str
    dispatched_at: dt.datetime
    accepted_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    return_reason: str = ""


@dataclass
class CaseState:
    """A case being simulated: its changing fields, events, assignments and evaluations."""

    id: int
    now: dt.datetime
    state: State = State.NEW
    seq: int = 0
    head: str = GENESIS
    at: dt.datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[AssignmentRow] = field(default_factory=list)
    evaluations: list[tuple[Any, ...]] = field(default_factory=list)

    def can(self, when: dt.datetime) -> bool:
        """Whether a step at ``when`` has happened yet."""
        return when <= self.now

    def event(self, action: Action, when: dt.datetime, actor: Actor, *, note: str = "",
              data: dict[str, Any] | None = None, audience: str | None = None) -> None:
        before = self.state
        after = next_state(before, action)
        when = when.replace(microsecond=0)
        self.seq += 1
        chain = {
            "case": self.id, "seq": self.seq, "action": action.value, "from": before.value, "to": after.value,
            "at": when, "actor": actor.user, "role": actor.role, "unit": actor.unit,
            "audience": audience or DEFAULT_AUDIENCE[action].value, "note": note, "data": data or {},
        }
        digest = event_digest(self.head, chain)
        self.events.append((self.id, self.seq, action.value, before.value, after.value, when, actor.user,
                            actor.role, actor.unit, chain["audience"], note, chain["data"], self.head, digest))
        self.head, self.state, self.at = digest, after, when

    # -- the steps the services take ------------------------------------------------------------------

    def dispatch(self, when: dt.datetime, dispatcher: Actor, lead: Actor, assists: list[Actor],
                 accept_hours: int) -> None:
        for row in self.assignments:
            if row.status in (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED):
                row.status, row.closed_at = AssignmentStatus.WITHDRAWN.value, when
        action = Action.DISPATCH if self.state in (State.REGISTERED, State.REOPENED) else Action.REDISPATCH
        self.event(action, when, dispatcher, data={
            "lead_unit": lead.unit, "lead_unit_name": lead.unit_name,
            "assisting_units": [a.unit for a in assists], "assisting_unit_names": [a.unit_name for a in assists],
        })
        self.assignments.append(AssignmentRow(lead.unit, AssignmentRole.LEAD.value,  # type: ignore[arg-type]
                                              AssignmentStatus.PENDING.value, self.at))  # type: ignore[arg-type]
        self.assignments += [AssignmentRow(a.unit, AssignmentRole.ASSIST.value,  # type: ignore[arg-type]
                                           AssignmentStatus.PENDING.value, self.at)  # type: ignore[arg-type]
                             for a in assists]
        self.fields.update(lead_unit_id=lead.unit, dispatched_at=self.at, accepted_at=None,
                           accept_deadline=self.at + dt.timedelta(hours=accept_hours))  # type: ignore[operator]

    def accept(self, when: dt.datetime, handler: Actor) -> None:
        self.event(Action.ACCEPT, when, handler, data={"unit_name": handler.unit_name})
        for row in self.assignments:
            if row.status == AssignmentStatus.PENDING:
                row.status, row.accepted_at = AssignmentStatus.ACCEPTED.value, self.at
        self.fields["accepted_at"] = self.at

    def return_case(self, when: dt.datetime, handler: Actor, reason: str) -> None:
        self.event(Action.RETURN, when, handler, note=reason, data={"unit_name": handler.unit_name})
        for row in self.assignments:
            if row.status in (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED):
                is_lead = row.role == AssignmentRole.LEAD
                row.status = (AssignmentStatus.RETURNED if is_lead else AssignmentStatus.WITHDRAWN).value
                row.closed_at = self.at
                row.return_reason = reason if is_lead else ""
        self.fields.update(lead_unit_id=None, accept_deadline=None)

    def reply(self, when: dt.datetime, actor: Actor, text: str, evaluation_deadline: dt.datetime) -> None:
        self.event(Action.REPLY, when, actor, note=text, data={"unit_name": actor.unit_name})
        for row in self.assignments:
            if row.status == AssignmentStatus.ACCEPTED:
                row.status, row.closed_at = AssignmentStatus.DONE.value, self.at
        self.fields.update(reply=text, replied_at=self.at, evaluation_deadline=evaluation_deadline)

    def evaluate(self, when: dt.datetime, actor: Actor, rating: str, comment: str,
                 new_deadline: dt.datetime | None) -> None:
        round_ = self.fields["reopen_count"] + 1
        action = Action.REOPEN if rating == Satisfaction.UNSATISFIED else Action.EVALUATE
        self.event(action, when, actor, note=comment, data={"rating": rating, "round": round_})
        via = "citizen" if actor.role == "citizen" else "callback"
        self.evaluations.append((self.id, round_, rating, comment, via, actor.user, self.at))
        self.fields["satisfaction"] = rating
        if action == Action.REOPEN:
            self.fields.update(reopen_count=round_, lead_unit_id=None, overdue=False, overdue_since=None,
                               deadline=new_deadline)
        else:
            self.fields["closed_at"] = self.at

    def mark_overdue_before(self, when: dt.datetime) -> None:
        """The overdue sweep, if the deadline passed before ``when`` (and before now) in a clock state."""
        deadline = self.fields.get("deadline")
        if deadline is None or self.fields["overdue"] or self.state not in CLOCK_STATES:
            return
        limit = min(when, self.now)
        if deadline >= limit:
            return
        swept = min(deadline + 10 * MIN, deadline + (limit - deadline) / 2)
        self.event(Action.MARK_OVERDUE, swept, Actor(None, SYSTEM_ROLE, None),
                   data={"deadline": deadline.astimezone(dt.UTC).isoformat()})
        self.fields.update(overdue=True, overdue_since=deadline)


def pick_rating(rng: random.Random, reopen_count: int) -> str | None:
    """A citizen's evaluation; None when nobody evaluates in time."""
    r = rng.random()
    if r < 0.06:
        return None
    if r < 0.13 and reopen_count < 2:
        return Satisfaction.UNSATISFIED.value
    return (Satisfaction.BASICALLY if r < 0.24 else Satisfaction.SATISFIED).value
