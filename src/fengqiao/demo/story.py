"""How one case goes, step by step, from registration to wherever it is now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fengqiao.cases.deadlines import Terms
from fengqiao.cases.models import Channel, PartyRole, Satisfaction
from fengqiao.cases.states import Action, State
from fengqiao.demo import texts as T
from fengqiao.demo.categories import Leaf
from fengqiao.demo.history import Grid, Simulation, _later, evaluation_deadline, resolve_deadline
from fengqiao.demo.lifecycle import SYSTEM_ROLE, Actor, CaseState, pick_rating
from fengqiao.demo.names import mobile, person_name

H = dt.timedelta(hours=1)
CANCEL_REASONS = ["测试来电，无实际诉求。", "诉求人表示问题已自行解决，撤回诉求。", "内容无法核实，不予受理。"]
DISPUTE_CHANNELS = {Channel.PETITION, Channel.WALK_IN, Channel.COURT_12368, Channel.PROCURATORATE_12309}


@dataclass
class Facts:
    """What is known at registration."""

    code: str
    channel: str
    leaf: Leaf
    urgency: str
    grid: Grid
    lng: float
    lat: float
    registered_at: dt.datetime
    title: str = ""
    description: str = ""
    reply: str = ""
    address: str = ""
    registrar: Actor | None = None
    citizen: int | None = None
    terms: Terms | None = None
    duplicate_of: tuple[int, str] | None = None
    parties: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # role, name, phone, id, addr


ROAD_ENDINGS = ("路", "街", "大道", "巷")


def address(rng: Any, grid: Grid) -> str:
    """Where the matter is, as a caller says it: mostly a road and number or a landmark in the grid."""
    number = f"{rng.randint(1, 199)}号" if rng.random() < 0.6 else "附近"
    if not grid.roads or rng.random() < 0.2:
        return f"{grid.district[1]}{grid.street[1]}{grid.community[1]}{number}"
    road = rng.choice(grid.roads)
    where = f"{grid.district[1]}{grid.street[1]}" if rng.random() < 0.6 else grid.district[1]
    if road.endswith(ROAD_ENDINGS):
        return f"{where}{road}{number}"
    return f"{where}{road}" + rng.choice(["附近", "旁边", "对面", "门口", ""])


def run_case(sim: Simulation, case: CaseState, facts: Facts) -> None:
    w, rng = sim.w, sim.rng
    terms = facts.terms = w.terms(facts.leaf.id, facts.urgency)
    grid = facts.grid
    place = f"{grid.street[1]}{grid.community[1]}"
    facts.address = address(rng, grid)
    facts.title, facts.description, facts.reply = w.texts.case_text(
        rng, facts.leaf.top, facts.leaf.second, facts.leaf.name, grid.district[1], place)
    facts.registrar, facts.citizen = sim.registrar(facts.channel, grid)
    facts.parties = _parties(sim, facts)
    case.fields.update(deadline=resolve_deadline(facts.registered_at, terms), overdue=False, overdue_since=None,
                       reopen_count=0, supervision_level=0, satisfaction="", reply="", closed_at=None,
                       lead_unit_id=None, dispatched_at=None, accepted_at=None, replied_at=None,
                       accept_deadline=None, evaluation_deadline=None)
    case.event(Action.REGISTER, facts.registered_at, facts.registrar,
               data={"channel": facts.channel, "terms": terms.describe()})
    r = rng.random()
    previous = sim.last_in_grid.get(grid.id)
    if r < 0.012 and previous is not None:
        return _merge(sim, case, facts, previous)
    if r < 0.022:
        return _cancel(sim, case, facts)
    sim.last_in_grid[grid.id] = (case.id, facts.code)  # what a later duplicate in this grid merges into
    if facts.channel == Channel.HOTLINE_12345 and r < 0.15:
        when = _later(case.at, rng, 0.05, 0.3)  # type: ignore[arg-type]
        if not case.can(when):
            return None
        operator = Actor(facts.registrar.user, "operator", w.org.hotline.pk, w.org.hotline.name)
        text = facts.reply or T.Texts.reply_text(rng, facts.leaf.second, facts.leaf.name, w.org.hotline.name, place)
        case.reply(when, operator, text, evaluation_deadline(when, terms))
        if not _evaluation(sim, case, facts, place):
            return None  # closed, or waiting for the evaluation; reopened: handled by a unit below
    for _round in range(3):
        if not _handle(sim, case, facts, place) or not _evaluation(sim, case, facts, place):
            return None
    return None


def _merge(sim: Simulation, case: CaseState, facts: Facts, into: tuple[int, str]) -> None:
    when = _later(case.at, sim.rng, 0.1, 3)  # type: ignore[arg-type]
    if case.can(when):
        case.event(Action.MERGE, when, sim.dispatcher(facts.grid), data={"into": into[0], "into_code": into[1]})
        facts.duplicate_of = into
        case.fields["closed_at"] = case.at


def _cancel(sim: Simulation, case: CaseState, facts: Facts) -> None:
    when = _later(case.at, sim.rng, 0.2, 2)  # type: ignore[arg-type]
    if case.can(when):
        reason = sim.rng.choice(CANCEL_REASONS)
        case.event(Action.CANCEL, when, sim.dispatcher(facts.grid), note=reason)
        case.fields["closed_at"] = case.at


def _handle(sim: Simulation, case: CaseState, facts: Facts, place: str) -> bool:
    """Dispatch (with a possible return and re-dispatch), accept, notes, overdue, supervision, reply.
    True when the reply was given (before now)."""
    rng, terms = sim.rng, facts.terms
    assert terms is not None
    when = _later(case.at, rng, 0.2, 6)  # type: ignore[arg-type]
    if not _step(case, when):
        return False
    dispatcher = sim.dispatcher(facts.grid)
    lead, assists = sim.choose_units(facts.leaf, facts.grid)
    case.dispatch(when, dispatcher, lead, assists, terms.accept_hours)
    if case.fields["reopen_count"] == 0 and rng.random() < 0.07:
        when = _later(case.at, rng, 0.5, 20)  # type: ignore[arg-type]
        if not _step(case, when):
            return False
        case.return_case(when, lead, rng.choice(T.RETURN_REASONS))
        when = _later(case.at, rng, 0.3, 8)  # type: ignore[arg-type]
        if not _step(case, when):
            return False
        lead, assists = sim.choose_units(facts.leaf, facts.grid, avoid=lead.unit)
        case.dispatch(when, dispatcher, lead, assists, terms.accept_hours)
    late = rng.random() < 0.05
    when = _later(case.at, rng, terms.accept_hours, terms.accept_hours * 2) if late else _later(  # type: ignore[arg-type]
        case.at, rng, 0.1, min(terms.accept_hours, 8) * 0.9)  # type: ignore[arg-type]
    if not _step(case, when):
        return False
    case.accept(when, lead)
    reply_at = _reply_time(sim, case, facts)
    if rng.random() < 0.25:
        accepted: dt.datetime = case.at  # type: ignore[assignment]
        note_at: dt.datetime = accepted + (reply_at - accepted) * rng.uniform(0.2, 0.8)
        if _step(case, note_at):
            actor = rng.choice([lead, *assists])
            case.event(Action.NOTE, note_at, actor, note=rng.choice(T.NOTES), audience="parties"
                       if rng.random() < 0.5 else "internal")
    _supervise(sim, case, facts, reply_at)
    if not _step(case, reply_at):
        return False
    text = facts.reply if facts.reply and case.fields["reopen_count"] == 0 else T.Texts.reply_text(
        rng, facts.leaf.second, facts.leaf.name, lead.unit_name, place)
    case.reply(reply_at, lead, text, evaluation_deadline(reply_at, terms))
    return True


def _step(case: CaseState, when: dt.datetime) -> bool:
    """Let the overdue sweep run up to ``when``; True when the step at ``when`` has happened."""
    case.mark_overdue_before(when)
    return case.can(when)


def _reply_time(sim: Simulation, case: CaseState, facts: Facts) -> dt.datetime:
    deadline: dt.datetime = case.fields["deadline"]
    start: dt.datetime = case.at  # type: ignore[assignment]
    if deadline > start and sim.rng.random() < 0.9:
        return start + (deadline - start) * sim.rng.uniform(0.05, 0.95)
    return max(deadline, start) + dt.timedelta(hours=sim.rng.uniform(2, 120))


def _supervise(sim: Simulation, case: CaseState, facts: Facts, until: dt.datetime) -> None:
    """Overdue cases are often escalated (催办 → 督办) before the reply."""
    case.mark_overdue_before(until)
    if not case.fields["overdue"] or sim.rng.random() > 0.4:
        return
    when: dt.datetime = case.at  # type: ignore[assignment]
    for level, note in ((1, "请加快办理进度，尽快答复诉求人。"), (2, "该件已超期，请主要负责人督办落实。")):
        when = when + (until - when) * sim.rng.uniform(0.2, 0.6)
        if case.fields["supervision_level"] >= level or not case.can(when) or sim.rng.random() < 0.5 * level - 0.5:
            return
        case.event(Action.ESCALATE, when, sim.dispatcher(facts.grid), note=note, data={"level": level})
        case.fields["supervision_level"] = level


def _evaluation(sim: Simulation, case: CaseState, facts: Facts, place: str) -> bool:
    """The evaluation after a reply; True when it reopened the case (another round follows)."""
    rng, terms = sim.rng, facts.terms
    assert terms is not None
    rating = pick_rating(rng, case.fields["reopen_count"])
    due: dt.datetime = case.fields["evaluation_deadline"]
    if rating is None:
        when = due + dt.timedelta(minutes=rng.uniform(5, 120))
        if case.can(when):
            case.event(Action.CLOSE_UNEVALUATED, when, Actor(None, SYSTEM_ROLE, None))
            case.fields["closed_at"] = case.at
        return False
    when = min(_later(case.at, rng, 2, 72), due - dt.timedelta(minutes=5))  # type: ignore[arg-type]
    if not case.can(when):
        return False
    if facts.citizen is not None:
        actor = Actor(facts.citizen, "citizen", None)
    else:
        actor = Actor(rng.choice(sim.w.staff.operators), "operator", sim.w.org.hotline.pk)
    unsatisfied = rating == Satisfaction.UNSATISFIED
    comment = rng.choice(T.UNSATISFIED) if unsatisfied else rng.choice(T.SATISFIED)
    new_deadline = resolve_deadline(when, terms) if unsatisfied else None
    case.evaluate(when, actor, rating, comment, new_deadline)
    return case.state == State.REOPENED


def _parties(sim: Simulation, facts: Facts) -> list[tuple[str, str, str, str, str]]:
    rng = sim.rng
    if facts.channel == Channel.GRID_PATROL and rng.random() < 0.7:
        return []
    name, phone = rng.choice(sim.people) if rng.random() < 0.3 else (person_name(rng), mobile(rng))
    address = facts.address if rng.random() < 0.4 else ""
    dispute = facts.channel in DISPUTE_CHANNELS or "纠纷" in facts.leaf.name
    id_number = sim.id_number() if dispute and rng.random() < 0.6 else ""
    if not dispute:
        return [(PartyRole.REPORTER.value, name, phone, id_number, address)]
    other = (PartyRole.RESPONDENT.value, person_name(rng), mobile(rng) if rng.random() < 0.5 else "", "", "")
    return [(PartyRole.APPLICANT.value, name, phone, id_number, address), other]


def case_row(case: CaseState, facts: Facts) -> dict[str, Any]:
    """The case's columns once its life so far has been simulated."""
    registrar = facts.registrar
    assert registrar is not None
    return {
        **case.fields,
        "id": case.id, "code": facts.code, "channel": facts.channel, "external_ref": None,
        "title": facts.title[:200], "description": facts.description, "category_id": facts.leaf.id,
        "urgency": facts.urgency, "status": case.state.value, "address": facts.address[:200],
        "lng": facts.lng, "lat": facts.lat, "grid_id": facts.grid.id, "community_id": facts.grid.community[0],
        "street_id": facts.grid.street[0], "district_id": facts.grid.district[0],
        "registered_by_id": registrar.user, "registered_unit_id": registrar.unit, "citizen_id": facts.citizen,
        "registered_at": facts.registered_at, "duplicate_of_id": facts.duplicate_of[0] if facts.duplicate_of else None,
        "event_seq": case.seq, "event_head": case.head, "version": max(0, case.seq - 1),
    }
