"""Today's step of each live mediation (``mediation_live``), each one call of the service a click makes —
the same checks, events, notifications and documents.  One transaction per step, as a request has."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from fengqiao.accounts.models import User
from fengqiao.cases.services.register import PartyInput
from fengqiao.demo import mediation_docs as docs
from fengqiao.demo import mediation_texts as texts
from fengqiao.demo.mediation_case import is_workday
from fengqiao.demo.mediation_history import Context
from fengqiao.demo.mediation_live import Live
from fengqiao.kit import clock, pii
from fengqiao.kit.errors import DomainError
from fengqiao.mediation.models import Mediation, MediatorTie, Performance, Route, Session
from fengqiao.mediation.services import apply as applying
from fengqiao.mediation.services import citizen as citizens
from fengqiao.mediation.services import confirmation, outcome, workflow
from fengqiao.mediation.services._core import Citizen

REFUSAL = ("经审查，调解协议中关于违约金的约定明显过高，内容不明确、无法执行，依法裁定驳回申请；"
           "当事人可以通过调解变更原协议或者另行起诉。")


@dataclass
class Shown:
    """What the visitor is told: the dispute codes with their applicants' phones, the judges with
    applications to rule on, the mediators with work."""

    codes: list[tuple[str, str, str]] = field(default_factory=list)  # (state, code, phone)
    tie: tuple[str, str] | None = None  # (code, the mediator who must step aside)
    mediators: list[int] = field(default_factory=list)  # the live mediations' mediators, first come first
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


class Steps:
    def __init__(self, ctx: Context, live: Live) -> None:
        self.ctx, self.live, self.d = ctx, live, live.draft
        self.citizen = Citizen(phone_hash=pii.lookup_hash("phone", live.phone))
        assert live.mediator.user is not None
        self.user = User.objects.get(pk=live.mediator.user)
        self.words = texts.Localised(self.d.story, texts.Cast(self.d.applicant[0], self.d.respondent[0],
                                                              self.d.grid.street[1], self.d.grid.district[1],
                                                              clock.localtime(self.ctx.now).year))

    @property
    def code(self) -> str:
        return self.d.code

    def apply(self) -> None:
        d = self.d
        data = applying.ApplyInput(
            request_type="mediation", kind_code=d.kind.code, description=self.words.facts(),
            demand=docs.demand(_rng(self.live.phone), d.dtype.code, d.amount),
            applicant=PartyInput(name=d.applicant[0], phone=self.live.phone),
            respondents=[PartyInput(name=d.respondent[0])], dispute_type_id=d.dtype.pk, street_id=d.grid.street[0],
            address=f"{d.grid.street[1]}{d.grid.community[1]}", amount=str(d.amount or ""))
        self.d.code = applying.apply(self.citizen, data).code

    def choose(self) -> None:
        applying.choose(self.citizen, self.code, self.live.mediator.pk)

    def accept(self) -> None:
        workflow.accept(self.user, self.code)

    def schedule(self) -> None:
        day = clock.localtime(self.ctx.now).date() + dt.timedelta(days=1)
        while not is_workday(day):
            day += dt.timedelta(days=1)
        workflow.schedule(self.user, self.code, place=f"{self.ctx.orgs.names[self.live.mediator.unit]}调解室",
                          starts_at=clock.at_local(day, dt.time(9, 30)), minutes=90)

    def record(self) -> None:
        d = self.d
        session = Session.objects.get(mediation__code=self.code, seq=1)
        text = texts.record(self.words.turns(0, 2, agreed=True), seq=1,
                            when=f"{clock.localtime(session.starts_at):%Y年%-m月%-d日 %H:%M}", place=session.place,
                            mediator=self.live.mediator.name, applicant=d.applicant[0], respondent=d.respondent[0])
        workflow.record(self.user, self.code, seq=1, text=text,
                        attendees=f"{d.applicant[0]}、{d.respondent[0]}、{self.live.mediator.name}")

    def agree(self) -> None:
        d = self.d
        perform_by = clock.localtime(self.ctx.now).date() + dt.timedelta(days=30)
        terms = docs.terms(_rng(self.live.phone), d.dtype.code, applicant=d.applicant[0], respondent=d.respondent[0],
                           unit=self.ctx.orgs.names[self.live.mediator.unit], sum_=d.amount, perform_by=perform_by,
                           told=self.words.terms())
        outcome.agree(self.user, self.code, outcome.AgreementInput(facts=self.words.facts(), terms=terms,
                                                                   perform_by=perform_by))

    def _court(self) -> int:
        return self.ctx.orgs.courts[self.d.grid.district[2]]

    def apply_confirmation(self) -> None:
        confirmation.apply_confirmation(self.user, self.code, court_id=self._court(), joint=True)

    def confirm(self) -> None:
        confirmation.confirm(User.objects.get(pk=self.ctx.judges[self._court()]), self.code)

    def refuse(self) -> None:
        confirmation.refuse(User.objects.get(pk=self.ctx.judges[self._court()]), self.code, reason=REFUSAL)

    def follow_up(self) -> None:
        outcome.follow_up(self.user, self.code, performance=Performance.PERFORMED, note="电话回访，款项已全部付清。")

    def fulfil(self) -> None:
        outcome.fulfil(self.user, self.code, note="协议已全部履行")

    def fail(self) -> None:
        outcome.fail(self.user, self.code, reason=docs.FAILURES[0])

    def fail_refer(self) -> None:
        outcome.fail(self.user, self.code, reason=docs.FAILURES[2],
                     referral=outcome.ReferralInput(route=Route.LITIGATION, to_unit_id=self._court(),
                                                    note="已告知当事人起诉程序，调解材料一并移送。"))

    def decline(self) -> None:
        workflow.decline(self.user, self.code, reason=docs.DECLINES[0])

    def withdraw(self) -> None:
        citizens.withdraw(self.citizen, self.code, reason=docs.WITHDRAWALS[0])


def _rng(seed: str) -> random.Random:
    return random.Random(seed)


def animate(ctx: Context, lives: list[Live], say: Callable[[str], None]) -> Shown:
    """Each live mediation's steps today; a step refused is reported (and counted), the rest go on."""
    shown = Shown()
    for live in lives:
        steps = Steps(ctx, live)
        for name in live.scenario.then:
            try:
                with transaction.atomic():
                    getattr(steps, name)()
            except DomainError as error:
                shown.problems.append(f"{live.scenario.key}/{name}: {error}")
                break
        if live.mediator.pk not in shown.mediators:
            shown.mediators.append(live.mediator.pk)
        state = Mediation.objects.filter(code=steps.code).values_list("status", flat=True).first() or "?"
        shown.counts[f"mediation.live.{state}"] += 1
        if live.scenario.key in ("applied", "scheduled", "agreed") and len(
                [c for c in shown.codes if c[0] == live.scenario.key]) == 0:
            shown.codes.append((state, steps.code, live.phone))
    _tie(shown, lives)
    for problem in shown.problems:
        say(f"  ！调解演示步骤未完成：{problem}")
    return shown


def _tie(shown: Shown, lives: list[Live]) -> None:
    """The first printed applicant is tied to one of her street's mediators (a relative): choosing him in
    the citizen app is refused (回避)."""
    first = next((live for live in lives if live.scenario.key == "applied"), None)
    if first is None:
        return
    mediation = Mediation.objects.filter(code=first.draft.code).select_related("unit").first()
    if mediation is None:
        return
    other = (mediation.unit.mediators.filter(active=True, available=True).exclude(pk=first.mediator.pk)
             .order_by("pk").first() if mediation.unit else None)
    if other is None:
        return
    MediatorTie.objects.create(mediator=other, relation="申请人的表兄", name=first.draft.applicant[0],
                               phone_hash=pii.lookup_hash("phone", first.phone))
    shown.tie = (mediation.code, other.name)
