"""About thirty mediations open today, in every state, whose current step is taken through the real
services (``mediation.services``: apply, choose, accept, schedule, record, agree, fail and refer, judicial
confirmation and the judge's ruling, follow-up, decline, withdraw), so that the workbench, the judges'
queue, the citizen app and the outbox show real work, with the agreements' and rulings' PDFs.

Their past — an application days ago, a session held yesterday — is simulated like the rest of the history
(``Draft.force`` holds the outcome and leaves the later steps to the services); a few are applied for
through the citizen app's service from scratch.  The applicants' phones are known (``PHONE``), so that a
visitor can track a dispute code and verify by the code sent to that phone (the outbox shows it)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from fengqiao.demo import mediation_docs as docs
from fengqiao.demo import mediation_texts as texts
from fengqiao.demo.geography import DISTRICTS
from fengqiao.demo.history import Grid
from fengqiao.demo.load import _codes, _points, load_grids
from fengqiao.demo.mediation_history import Context
from fengqiao.demo.mediation_plan import Timeline
from fengqiao.demo.mediation_pool import PoolMediator
from fengqiao.demo.mediation_run import Draft
from fengqiao.demo.names import person_name
from fengqiao.kit import clock
from fengqiao.mediation.models import ChosenBy, Difficulty
from fengqiao.mediation.services.apply import dispute_code

PHONE = "1395230{:04d}"
PER_MEDIATOR = 4  # the live applicants' phones: 13952300001 …


@dataclass(frozen=True)
class Scenario:
    key: str  # what a visitor finds: the state it ends in today
    kind: str
    dispute: str
    past: str  # how far the simulated past goes (see _line)
    then: tuple[str, ...]  # the service steps taken today (mediation_steps.STEPS)


# The first fourteen end in every state there is; a small demo makes only those.
SCENARIOS: list[Scenario] = [
    Scenario("applied", "peoples", "neighbour", "new", ("apply",)),
    Scenario("scheduled", "peoples", "family", "accepted", ("schedule",)),
    Scenario("agreed", "peoples", "debt", "in_progress", ("agree",)),
    Scenario("applied_chosen", "peoples", "family", "new", ("apply", "choose")),
    Scenario("accepted", "peoples", "neighbour", "applied", ("accept",)),
    Scenario("in_progress", "peoples", "property", "session_due", ("record",)),
    Scenario("confirming", "peoples", "debt", "agreed", ("apply_confirmation",)),
    Scenario("confirmed", "lawyer", "debt", "confirm_applied", ("confirm",)),
    Scenario("refused", "pre_litigation", "traffic", "confirm_applied", ("refuse",)),
    Scenario("performed", "peoples", "neighbour", "agreed_long_ago", ("follow_up", "fulfil")),
    Scenario("failed", "peoples", "inheritance", "in_progress", ("fail",)),
    Scenario("referred", "pre_litigation", "company", "in_progress", ("fail_refer",)),
    Scenario("declined", "peoples", "debt", "applied", ("decline",)),
    Scenario("withdrawn", "peoples", "family", "scheduled", ("withdraw",)),
    *[Scenario("scheduled", k, d, "accepted", ("schedule",)) for k, d in (
        ("peoples", "neighbour"), ("lawyer", "company"), ("pre_litigation", "debt"), ("peoples", "traffic"),
        ("peoples", "family"), ("lawyer", "consumer"))],
    *[Scenario("confirming", k, d, "agreed", ("apply_confirmation",)) for k, d in (
        ("peoples", "family"), ("lawyer", "debt"), ("pre_litigation", "traffic"), ("peoples", "property"))],
    Scenario("accepted", "lawyer", "debt", "applied", ("accept",)),
    Scenario("accepted", "pre_litigation", "family", "applied", ("accept",)),
    Scenario("applied", "peoples", "family", "new", ("apply",)),
    Scenario("in_progress", "peoples", "neighbour", "session_due", ("record",)),
    Scenario("agreed", "peoples", "consumer", "in_progress", ("agree",)),
    Scenario("agreed", "pre_litigation", "debt", "in_progress", ("agree",)),
]


def how_many(mediations: int) -> int:
    if mediations <= 0:
        return 0
    return min(len(SCENARIOS), max(14, mediations // 10))


@dataclass
class Live:
    """One live mediation: its scenario, its draft (its past, unless it starts today), its applicant."""

    scenario: Scenario
    draft: Draft
    phone: str
    mediator: PoolMediator
    notes: dict[str, Any] = field(default_factory=dict)


def _at(now: dt.datetime, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    day = clock.localtime(now).date() - dt.timedelta(days=days_ago)
    return clock.at_local(day, dt.time(hour, minute)).astimezone(dt.UTC)


def _line(now: dt.datetime, past: str) -> tuple[dt.datetime, Timeline, dict[str, Any]]:
    """(applied, the timeline, the forced outcome) of a simulated past that stops where ``past`` says."""
    late = now + dt.timedelta(days=30)
    days = {"applied": 1, "accepted": 3, "session_due": 4, "scheduled": 5, "in_progress": 8, "agreed": 12,
            "confirm_applied": 16, "agreed_long_ago": 40}[past]
    applied = _at(now, days, 9, 40)
    line = Timeline(dispatch=applied + dt.timedelta(seconds=2), opened=applied + dt.timedelta(seconds=1),
                    accept=late if past == "applied" else _at(now, days - 1, 10, 5))
    force: dict[str, Any] = {}
    if past == "session_due":  # a session that began two hours ago, not yet recorded
        line.sessions.append((_at(now, 3, 15), now - dt.timedelta(hours=2), 90, late))
    elif past == "scheduled":  # a session in three days
        line.sessions.append((_at(now, 4, 15), _at(now, -3, 9, 30), 90, late))
    elif past in ("in_progress", "agreed", "confirm_applied", "agreed_long_ago"):
        held = {"in_progress": 2, "agreed": 7, "confirm_applied": 12, "agreed_long_ago": 30}[past]
        line.sessions.append((_at(now, days - 2, 16), _at(now, held, 9, 30), 120, _at(now, held, 11, 50)))
        if past == "in_progress":
            line.conclude = late
        else:
            line.conclude = _at(now, held, 11, 55)
            force = {"agreed": True, "evaluate": past == "agreed_long_ago", "follow_up": False,
                     "confirm": "apply" if past == "confirm_applied" else "skip"}
    return applied, line, force


def _mediators(ctx: Context, kind: str, streets: list[str]) -> list[PoolMediator]:
    """The first district's mediators with an account who may take ``kind`` and have room today."""
    orgs = ctx.orgs
    district = streets[0][:6]
    units = {"lawyer": orgs.studios[district], "pre_litigation": [orgs.court_centres[district]]}.get(
        kind, [*[orgs.street_committees[s][0] for s in streets], orgs.district_committees[district]])
    allowed = ctx.catalog.kinds[kind].mediator_kinds
    at = ctx.now.timestamp()
    return [m for u in units for m in ctx.pool.by_unit.get(u, []) if m.user is not None and m.away_from is None
            and (not allowed or m.kind in allowed) and ctx.loads.load(m, at) < m.max_load - 1]


def live_drafts(ctx: Context, rng: random.Random, count: int, first_case: int, first_mediation: int) -> list[Live]:
    """The live mediations, in the first district (whose logins the demo prints); those with a past have
    their case and mediation ids from ``first_case`` and ``first_mediation`` on."""
    every, shapes, _population = load_grids()
    district = DISTRICTS[0].code
    picked = [i for i, g in enumerate(every) if g.district[2] == district]
    streets = sorted({every[i].street[2] for i in picked})
    taken: dict[int, int] = {}
    out: list[Live] = []
    street_of = {unit: code for code, (unit, _area) in ctx.orgs.street_committees.items()}
    for n, scenario in enumerate(SCENARIOS[:count]):
        home = every[picked[n % len(picked)]].street[2]
        nearest = [home, *[s for s in streets if s != home]]
        candidates = [m for m in _mediators(ctx, scenario.kind, nearest)
                      if taken.get(m.pk, 0) < PER_MEDIATOR and ctx.loads.load(m, ctx.now.timestamp()) < m.max_load]
        if not candidates:
            continue
        mediator = candidates[0]
        taken[mediator.pk] = taken.get(mediator.pk, 0) + 1
        ctx.loads.take(mediator, float("inf"))
        street = street_of.get(mediator.unit, home)  # a street committee's mediator mediates in her street
        grid = every[next(i for i in picked if every[i].street[2] == street)]
        out.append(_live(ctx, rng, scenario, grid, mediator, PHONE.format(n + 1)))
    written = [live for live in out if live.scenario.past != "new"]
    codes = _codes(rng, [live.draft.applied for live in written])
    points = _points(rng, shapes, [every.index(live.draft.grid) for live in written])
    for i, live in enumerate(written):
        live.draft.case_id, live.draft.mediation_id = first_case + i, first_mediation + i
        live.draft.case_code, live.draft.point = codes[i], points[i]
    return out


def _live(ctx: Context, rng: random.Random, scenario: Scenario, grid: Grid, mediator: PoolMediator,
          phone: str) -> Live:
    applied, line, force = _line(ctx.now, "applied" if scenario.past == "new" else scenario.past)
    kind, dtype = ctx.catalog.kinds[scenario.kind], ctx.catalog.types[scenario.dispute]
    unit = mediator.unit
    channel = "court_12368" if scenario.kind == "pre_litigation" else "mini_program"
    draft = Draft(
        case_id=0, mediation_id=0, case_code="", code=dispute_code(), applied=applied, kind=kind, dtype=dtype,
        channel=channel, grid=grid, point=(0.0, 0.0), difficulty=Difficulty.NORMAL.value,
        amount=docs.amount(rng, dtype.code), unit=unit, line=line,
        applicant=(person_name(rng), phone, "", ""), respondent=(person_name(rng), "", "", ""),
        story=texts.pick(rng, ctx.stories, dtype.name), mediator=mediator, chosen_by=ChosenBy.SUGGESTED.value,
        force=force)
    return Live(scenario, draft, phone, mediator)
