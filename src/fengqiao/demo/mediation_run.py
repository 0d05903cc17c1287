"""One mediation's life, simulated from its application to wherever it is now: the events the services
would have written on its case's chain, and its rows (the mediation, sessions with their records, the
agreement, a judicial confirmation, follow-ups, a referral).  Every step happens only if its time is
before ``now``; a recent mediation stops in an open state, exactly as a real one would."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fengqiao.cases.models import Channel
from fengqiao.cases.states import Action
from fengqiao.demo import mediation_after as after
from fengqiao.demo import mediation_docs as docs
from fengqiao.demo import mediation_texts as texts
from fengqiao.demo.history import Grid
from fengqiao.demo.lifecycle import Actor
from fengqiao.demo.mediation_case import CITIZEN, MCase, later
from fengqiao.demo.mediation_plan import KindInfo, Timeline, TypeInfo
from fengqiao.demo.mediation_pool import PoolMediator
from fengqiao.mediation.models import ChosenBy, RequestType, SessionStatus
from fengqiao.mediation.services.workflow import DECLINE_ADVICE
from fengqiao.mediation.states import MAction, MState

A = MAction
ONLINE = Channel.MINI_PROGRAM.value


@dataclass
class Draft:
    """A mediation as drawn before its mediator is chosen."""

    case_id: int
    mediation_id: int
    case_code: str
    code: str
    applied: dt.datetime
    kind: KindInfo
    dtype: TypeInfo
    channel: str
    grid: Grid
    point: tuple[float, float]
    difficulty: str
    amount: Decimal | None
    unit: int
    line: Timeline
    applicant: tuple[str, str, str, str]  # name, phone, ID number, address
    respondent: tuple[str, str, str, str]
    story: texts.Story
    mediator: PoolMediator | None = None  # chosen in the order of application (mediation_history.assign_all)
    chosen_by: str = ""
    # a live mediation's past (mediation_live): its outcome, and the steps after it left to the services
    force: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """Everything one mediation wrote, as column dicts (the writer turns them into rows)."""

    case: MCase
    mediation: dict[str, Any]
    facts: str
    sessions: list[dict[str, Any]] = field(default_factory=list)
    agreement: dict[str, Any] | None = None
    confirmation: dict[str, Any] | None = None
    follow_ups: list[dict[str, Any]] = field(default_factory=list)
    referral: dict[str, Any] | None = None
    mediator: PoolMediator | None = None


class Run:
    """Runs one draft; ``ctx`` is the simulation (``mediation_history.Context``)."""

    def __init__(self, ctx: Any, rng: random.Random, draft: Draft) -> None:
        self.ctx, self.rng, self.d = ctx, rng, draft
        self.case = MCase(id=draft.case_id, now=ctx.now, code=draft.code, steps=draft.kind.steps)
        self.unit = draft.unit
        self.mediator: PoolMediator | None = None
        self.agreed = True
        district, street = draft.grid.district[1], draft.grid.street[1]
        self.words = texts.Localised(draft.story, texts.Cast(draft.applicant[0], draft.respondent[0], street,
                                                             district, draft.applied.year))
        self.out = Outcome(self.case, self._mediation_fields(), self.words.facts())
        self.case.fields.update(
            deadline=self.out.mediation["deadline"], overdue=False, overdue_since=None, reopen_count=0,
            supervision_level=0, satisfaction="", reply="", closed_at=None, lead_unit_id=None, dispatched_at=None,
            accepted_at=None, replied_at=None, accept_deadline=None, evaluation_deadline=None)

    def _mediation_fields(self) -> dict[str, Any]:
        d = self.d
        request = RequestType.FILING if d.kind.code == "pre_litigation" else RequestType.MEDIATION
        return {"id": d.mediation_id, "case_id": d.case_id, "code": d.code, "request_type": request.value,
                "kind_id": d.kind.pk, "dispute_type_id": d.dtype.pk, "status": MState.APPLIED.value,
                "difficulty": d.difficulty, "demand": docs.demand(self.rng, d.dtype.code, d.amount),
                "amount": d.amount, "legal_basis": d.dtype.basis, "mediator_id": None, "chosen_by": "",
                "unit_id": d.unit, "area_id": d.grid.street[0], "applied_at": d.applied,
                "deadline": self.ctx.deadline(d.applied, d.kind.days), "accepted_at": None, "concluded_at": None,
                "outcome_note": "", "rating": None, "rating_comment": "", "rated_at": None, "subsidy": None}

    # -- who acts ------------------------------------------------------------------------------------

    def worker(self) -> Actor:
        """The mediator, or the organisation's clerk when she has no account."""
        unit = self.mediator.unit if self.mediator else self.unit
        user = self.mediator.user if self.mediator and self.mediator.user else self.ctx.pool.clerk[unit]
        return Actor(user, "mediator", unit, self.ctx.orgs.names[unit])

    # -- the life ------------------------------------------------------------------------------------

    def run(self) -> Outcome:
        case, line = self.case, self.d.line
        self._open()
        if case.can(line.accept):
            self._accept()
            self.agreed = self.rng.random() < self.ctx.success(self.d, self.mediator)
            self.agreed = self.d.force.get("agreed", self.agreed)
            if not line.declined and self._sessions() and line.conclude and case.can(line.conclude):
                if self.agreed:
                    after.agree(self, line.conclude)
                else:
                    after.fail(self, line.conclude)
        if case.state.value in ("registered", "dispatched", "accepted"):
            case.mark_overdue_before(case.now)
        m = self.out.mediation
        m.update(status=case.mstate.value, version=case.version)
        self.out.mediator = self.mediator
        return self.out

    def _open(self) -> None:
        d, case, ctx = self.d, self.case, self.ctx
        online = d.channel == ONLINE
        case.case_event(Action.REGISTER, d.applied, ctx.registrar(d, self.rng),
                        data={"channel": d.channel, "terms": ctx.terms.describe()})
        apply_data = {"mediation": d.code, "kind": d.kind.name, "request": self.out.mediation["request_type"]}
        if not case.can(d.line.dispatch):
            return
        if online:
            case.append("m_apply", d.line.opened, CITIZEN, note=self.out.mediation["demand"], data=apply_data)
            case.dispatch_to(d.line.dispatch, CITIZEN, d.unit, ctx.orgs.names[d.unit], ctx.terms.accept_hours,
                             note=f"线上申请调解，交{ctx.orgs.names[d.unit]}")
            if d.line.choose is not None and d.chosen_by == ChosenBy.CITIZEN:
                self._choose(d.line.choose, CITIZEN)
            return
        case.dispatch_to(d.line.dispatch, ctx.dispatcher(d), d.unit, ctx.orgs.names[d.unit], ctx.terms.accept_hours)
        if case.can(d.line.opened):
            case.append("m_apply", d.line.opened, self.worker(), note=self.out.mediation["demand"], data=apply_data)

    def _choose(self, when: dt.datetime, actor: Actor) -> None:
        mediator, chosen_by = self.d.mediator, self.d.chosen_by
        if mediator is None or not self.case.can(when):
            return
        self.mediator = mediator
        name = self.ctx.orgs.names[mediator.unit]
        self.case.m(A.CHOOSE, when, actor, note=mediator.name,
                    data={"mediator": mediator.pk, "mediator_name": mediator.name, "chosen_by": chosen_by,
                          "unit_name": name})
        self.out.mediation.update(mediator_id=mediator.pk, chosen_by=chosen_by, unit_id=mediator.unit)
        if mediator.unit != self.unit:
            self.unit = mediator.unit
            self.case.dispatch_to(when + dt.timedelta(seconds=1), actor, mediator.unit, name,
                                  self.ctx.terms.accept_hours,
                                  note=f"当事人选定调解员{mediator.name}（{name}）")

    def _accept(self) -> None:
        line, case = self.d.line, self.case
        if line.declined:  # the case is signed for and answered with the reason (workflow.decline)
            reason = self.rng.choice(docs.DECLINES)
            actor = self.worker()
            advice = str(DECLINE_ADVICE)
            case.m(A.DECLINE, line.accept, actor, note=reason, data={"advice": advice})
            self.out.mediation["outcome_note"] = reason
            case.case_event(Action.ACCEPT, line.accept, actor, data={"unit_name": actor.unit_name})
            self._signed()
            after.reply(self, line.accept, f"不予受理调解申请。理由：{reason}\n{advice}", rate=False)
            return
        if self.mediator is None:
            self._choose(line.accept - dt.timedelta(minutes=self.rng.randint(2, 30)), self.worker())
        actor = self.worker()
        deadline = self.ctx.deadline(line.accept, self.d.kind.days)  # the deadline runs from acceptance
        case.m(A.ACCEPT, line.accept, actor, data={"mediator_name": self.mediator.name if self.mediator else "",
                                                   "deadline": deadline.isoformat()})
        self.out.mediation.update(accepted_at=case.at, deadline=deadline)
        case.case_event(Action.ACCEPT, line.accept, actor, data={"unit_name": actor.unit_name})
        self._signed()

    def _signed(self) -> None:
        """The case's accept, as ``hosted.accept_for``: its pending assignments accepted."""
        for row in self.case.assignments:
            if row.status == "pending":
                row.status, row.accepted_at = "accepted", self.case.at
        self.case.fields["accepted_at"] = self.case.at

    def _sessions(self) -> bool:
        """Schedule and hold the sessions; True when all were held (before now)."""
        line, case, rng = self.d.line, self.case, self.rng
        parts = len(line.sessions)
        for index, (scheduled, starts, minutes, recorded) in enumerate(line.sessions):
            if not case.can(scheduled):
                return False
            seq = len(self.out.sessions) + 1
            if line.cancelled == index:
                self._session(seq, scheduled, starts, minutes, cancelled=True)
                scheduled = later(scheduled, rng, 2, 20)
                if not case.can(scheduled):
                    return False
                seq += 1
            session = self._session(seq, scheduled, starts, minutes)
            if line.withdraw_at is not None and index == parts - 1:
                if case.can(line.withdraw_at):
                    self._withdraw(session)
                return False
            if not case.can(recorded):
                return False
            self._record(session, index, parts, recorded)
        return True

    def _session(self, seq: int, scheduled: dt.datetime, starts: dt.datetime, minutes: int, *,
                 cancelled: bool = False) -> dict[str, Any]:
        actor = self.worker()
        place = self.ctx.place(self.d, actor.unit, self.rng)
        at = f"{self.ctx.local(starts):%Y-%m-%d %H:%M}"
        self.case.m(A.SCHEDULE, scheduled, actor, note=f"第 {seq} 次调解：{at}，{place}",
                    data={"session": seq, "starts_at": starts.isoformat(), "place": place, "minutes": minutes,
                          "replaces": None})
        session = {"seq": seq, "place": place, "starts_at": starts, "minutes": minutes,
                   "status": SessionStatus.SCHEDULED.value, "record": "", "attendees": "", "held_at": None,
                   "scheduled_by_id": actor.user, "recorded_by_id": None, "cancel_reason": ""}
        self.out.sessions.append(session)
        if cancelled:
            reason = self.rng.choice(("被申请人临时有事，申请改期", "申请人因病住院，调解改期"))
            self.case.m(A.CANCEL_SESSION, later(scheduled, self.rng, 1, 24), actor,
                        note=f"第 {seq} 次调解（{at}）取消：{reason}", data={"session": seq})
            session.update(status=SessionStatus.CANCELLED.value, cancel_reason=reason)
        return session

    def _record(self, session: dict[str, Any], index: int, parts: int, when: dt.datetime) -> None:
        actor = self.worker()
        d = self.d
        mediator = self.mediator.name if self.mediator else actor.unit_name
        starts = self.ctx.local(session["starts_at"])
        last = index == parts - 1
        closing = docs.CLOSINGS[0] if last and not self.agreed else ""
        text = texts.record(self.words.turns(index, parts, agreed=self.agreed), seq=session["seq"],
                            when=f"{starts:%Y年%-m月%-d日 %H:%M}", place=session["place"], mediator=mediator,
                            applicant=d.applicant[0], respondent=d.respondent[0], closing=closing)
        attendees = f"{d.applicant[0]}、{d.respondent[0]}、{mediator}"
        self.case.m(A.RECORD, when, actor, note=f"第 {session['seq']} 次调解已进行（{session['place']}）",
                    data={"session": session["seq"], "attendees": attendees})
        session.update(status=SessionStatus.HELD.value, record=text, held_at=self.case.at, recorded_by_id=actor.user,
                       attendees=attendees)

    def _withdraw(self, session: dict[str, Any]) -> None:
        note = self.rng.choice(docs.WITHDRAWALS)
        when = self.d.line.withdraw_at
        assert when is not None
        self.case.m(A.WITHDRAW, when, CITIZEN, note=note)
        session.update(status=SessionStatus.CANCELLED.value, cancel_reason="申请人撤回调解申请")
        self.out.mediation["outcome_note"] = note
        after.reply(self, when, f"申请人撤回调解申请。{note}", rate=False)
