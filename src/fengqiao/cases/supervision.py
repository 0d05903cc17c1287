"""The supervision ladder (跟踪督办): which steps a case takes and when, on the working-day calendar.

No writes here.  A ladder (rows in ``SupervisionLadder`` / ``SupervisionStep``, edited by administrators)
is resolved per category × urgency like a deadline policy; each step is due at an offset from the case's
deadline — natural hours, or working days (the same wall-clock time on the N-th working day before or
after the deadline's date).  :func:`due_ranges` turns "step due now" into ranges of deadlines, so the
sweep finds due cases with one indexed query instead of computing every case's steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fengqiao.cases.models import Category, TimeUnit
from fengqiao.cases.supervision_models import (
    STEP_LEVELS,
    LeaderLevel,
    Relation,
    StepKind,
    SupervisionLadder,
    SupervisionStep,
)
from fengqiao.kit import clock, working_days

ONE_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class Step:
    key: str  # the step row's id, or the built-in default's name
    ordinal: int  # 1-based position in its ladder
    kind: str
    amount: int
    unit: str
    relation: str
    to_handlers: bool = True
    to_dispatchers: bool = False
    to_unit_leaders: bool = False
    area_leaders: str = ""
    channels: tuple[str, ...] = ("in_app",)

    @property
    def level(self) -> int:
        return STEP_LEVELS[StepKind(self.kind)]

    @property
    def offset(self) -> int:
        """Signed amount: negative before the deadline."""
        return -self.amount if self.relation == Relation.BEFORE else self.amount

    @property
    def timing(self) -> tuple[int, str]:
        return self.offset, self.unit


@dataclass(frozen=True)
class Ladder:
    key: str
    steps: tuple[Step, ...]


# When an administrator configured nothing: remind one working day before, 催办 at the deadline, 督办 two
# working days after it (with the unit's and the district's leaders told).
DEFAULT_LADDER = Ladder("default", (
    Step("default-remind", 1, StepKind.REMIND, 1, TimeUnit.WORKING_DAYS, Relation.BEFORE),
    Step("default-urge", 2, StepKind.URGE, 0, TimeUnit.WORKING_DAYS, Relation.AFTER, to_dispatchers=True,
         channels=("in_app", "sms")),
    Step("default-supervise", 3, StepKind.SUPERVISE, 2, TimeUnit.WORKING_DAYS, Relation.AFTER,
         to_dispatchers=True, to_unit_leaders=True, area_leaders=LeaderLevel.DISTRICT, channels=("in_app", "sms")),
))


def _step(row: SupervisionStep, ordinal: int) -> Step:
    channels = tuple(name for name, on in (("in_app", row.in_app), ("sms", row.sms), ("email", row.email)) if on)
    return Step(str(row.pk), ordinal, row.kind, row.amount, row.unit, row.relation, row.to_handlers,
                row.to_dispatchers, row.to_unit_leaders, row.area_leaders, channels)


class LadderBook:
    """Every active ladder, loaded once per sweep; :meth:`resolve` picks a case's ladder."""

    def __init__(self) -> None:
        self.parents: dict[int, int | None] = dict(Category.objects.values_list("pk", "parent_id"))
        self.ladders: dict[tuple[int | None, str], Ladder] = {}
        rows = SupervisionLadder.objects.filter(active=True).prefetch_related("steps")
        for ladder in rows:
            ordered = sorted(ladder.steps.all(), key=lambda s: (s.signed_hours(), STEP_LEVELS[StepKind(s.kind)]))
            steps = tuple(_step(row, i) for i, row in enumerate(ordered, start=1))
            self.ladders[(ladder.category_id, ladder.urgency)] = Ladder(str(ladder.pk), steps)
        self._resolved: dict[tuple[int | None, str], Ladder] = {}

    def resolve(self, category_id: int | None, urgency: str) -> Ladder:
        key = (category_id, urgency)
        found = self._resolved.get(key)
        if found is None:
            found = self._lookup(category_id, urgency)
            self._resolved[key] = found
        return found

    def _lookup(self, category_id: int | None, urgency: str) -> Ladder:
        node = category_id
        chain: list[int | None] = []
        while node is not None and node not in chain:
            chain.append(node)
            node = self.parents.get(node)
        chain.append(None)
        for category in chain:
            for wanted in (urgency, ""):
                ladder = self.ladders.get((category, wanted))
                if ladder is not None:
                    return ladder
        return DEFAULT_LADDER

    def all_steps(self) -> list[Step]:
        return [step for ladder in (*self.ladders.values(), DEFAULT_LADDER) for step in ladder.steps]


class Calendar:
    """Working-day shifts of dates, memoised for one sweep."""

    def __init__(self) -> None:
        self._shifts: dict[tuple[dt.date, int], dt.date] = {}

    def shift(self, day: dt.date, n: int) -> dt.date:
        """The |n|-th working day strictly after (n > 0) or before (n < 0) ``day``; ``day`` for 0."""
        key = (day, n)
        found = self._shifts.get(key)
        if found is None:
            found, counted, step = day, 0, (1 if n > 0 else -1)
            while counted < abs(n):
                found += dt.timedelta(days=step)
                if working_days.is_workday(found):
                    counted += 1
            self._shifts[key] = found
        return found

    def step_time(self, deadline: dt.datetime, step: Step) -> dt.datetime:
        """When ``step`` is due for a case with this deadline."""
        if step.unit == TimeUnit.HOURS or step.amount == 0:
            return deadline + dt.timedelta(hours=step.offset)
        local = clock.localtime(deadline)
        return clock.at_local(self.shift(local.date(), step.offset), local.time())

    def due_ranges(self, step: Step, now: dt.datetime) -> list[tuple[dt.datetime | None, dt.datetime]]:
        """The deadlines for which ``step`` is due at ``now``, as inclusive ranges ``(low, high)`` (``low``
        None: unbounded): exactly the deadlines with ``step_time(deadline) <= now``."""
        if step.unit == TimeUnit.HOURS or step.amount == 0:
            return [(None, now - dt.timedelta(hours=step.offset))]
        local = clock.localtime(now)
        today, time_now = local.date(), local.time()
        n = step.offset
        span = abs(n) * 3 + 45  # further than any run of holidays
        days = [today + dt.timedelta(days=i) for i in range(-span, span + 1)]
        # shift is monotone in the date: a prefix of days shifts before today, then some days onto today
        before = [day for day in days if self.shift(day, n) < today]
        onto = [day for day in days if self.shift(day, n) == today]
        ranges: list[tuple[dt.datetime | None, dt.datetime]] = []
        if before:
            ranges.append((None, clock.at_local(before[-1] + dt.timedelta(days=1), dt.time()) - ONE_MICROSECOND))
        ranges += [(clock.at_local(day, dt.time()), clock.at_local(day, time_now)) for day in onto]
        return ranges


@dataclass(frozen=True)
class Plan:
    """What the sweep does to one case now: take ``step`` (the latest step it is due for; earlier ones it
    missed are not sent late), with an event and notifications when ``acts``, else only record it."""

    step: Step
    acts: bool
    level: int


def plan(ladder: Ladder, calendar: Calendar, *, deadline: dt.datetime, now: dt.datetime, ladder_step: int,
         ladder_deadline: dt.datetime | None, supervision_level: int) -> Plan | None:
    done = ladder_step if ladder_deadline == deadline else 0
    due = [s for s in ladder.steps if s.ordinal > done and calendar.step_time(deadline, s) <= now]
    if not due:
        return None
    step = due[-1]
    if step.kind == StepKind.REMIND:
        return Plan(step, acts=True, level=supervision_level)
    if step.level > supervision_level:
        return Plan(step, acts=True, level=step.level)
    return Plan(step, acts=False, level=supervision_level)  # already at that level (by hand): only recorded
