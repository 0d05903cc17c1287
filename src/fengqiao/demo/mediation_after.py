"""How a simulated mediation ends: the agreement (调解协议书) or the failure and referral (诉调对接), the
case's reply with the outcome, the citizen's rating of the mediator and evaluation of the case, judicial
confirmation by the district court, and the follow-ups on performance."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fengqiao.cases.models import Satisfaction
from fengqiao.cases.states import Action
from fengqiao.demo import mediation_docs as docs
from fengqiao.demo.lifecycle import Actor
from fengqiao.demo.mediation_case import CITIZEN, later, office_hours
from fengqiao.demo.mediation_plan import ADMIN_UNITS
from fengqiao.kit import clock
from fengqiao.mediation.models import ConfirmationStatus, Performance, Route
from fengqiao.mediation.states import MAction

if TYPE_CHECKING:
    from fengqiao.demo.mediation_run import Run

A = MAction
REFER_NOTES = {Route.LITIGATION: "已告知当事人向人民法院起诉的程序，调解笔录和证据材料一并移送。",
               Route.ARBITRATION: "已告知当事人申请劳动仲裁的时效，调解材料一并移送仲裁委员会。",
               Route.ADMINISTRATIVE: "已移交行政主管部门依职权处理。",
               Route.PETITION: "已按信访程序移交信访部门。"}
SUMMARY_CHARS = 300
CONFIRM_SHARE = {"pre_litigation": 0.45, "lawyer": 0.35, "peoples": 0.25}
FOLLOW_NOTES = {Performance.PERFORMED: "电话回访，双方确认协议已履行完毕。",
                Performance.PARTLY: "回访时款项尚未付清，已督促被申请人按期履行。",
                Performance.BREACHED: "被申请人未按协议履行，已告知申请人可申请司法确认或向人民法院起诉。"}
RATINGS_AGREED = (2, 3, 8, 27, 60)  # weights of 1 … 5 stars
RATINGS_FAILED = (10, 15, 25, 30, 20)


def agree(run: Run, when: dt.datetime) -> None:
    case, d, rng, ctx = run.case, run.d, run.rng, run.ctx
    actor = run.worker()
    days = rng.randint(7, 60) if d.amount is not None else rng.randint(3, 30)
    perform_by = ctx.local(when).date() + dt.timedelta(days=days)
    unit = ctx.orgs.names[actor.unit]
    terms = docs.terms(rng, d.dtype.code, applicant=d.applicant[0], respondent=d.respondent[0], unit=unit,
                       sum_=d.amount, perform_by=perform_by, told=run.words.terms())
    case.m(A.AGREE, when, actor, note=terms[:SUMMARY_CHARS],
           data={"sha256": "", "perform_by": perform_by.isoformat()})  # no PDF for the history: made on demand
    run.out.agreement = {"facts": run.words.facts(), "terms": terms, "perform_by": perform_by, "signed_at": case.t,
                         "signed_by_id": actor.user, "pdf": "", "sha256": "",
                         "performance": Performance.PENDING.value}
    run.out.mediation.update(concluded_at=case.t, outcome_note=terms[:SUMMARY_CHARS],
                             subsidy=ctx.subsidy(d, True, run.mediator))
    short = terms if len(terms) <= SUMMARY_CHARS else terms[:SUMMARY_CHARS] + "……"
    cursor = reply(run, when, f"经{unit}调解，双方达成{d.kind.document}。协议内容：{short}", rate=True)
    if cursor is not None:
        cursor = _confirmation(run, cursor)
    if cursor is not None:
        _follow_ups(run, cursor, perform_by)


def fail(run: Run, when: dt.datetime) -> None:
    """调解不成, mostly with the referral in the same step (the case answered with where the file went),
    else answered with the routes open and referred later (outcome.fail / outcome.refer)."""
    case, d, rng, ctx = run.case, run.d, run.rng, run.ctx
    reason = rng.choice(docs.FAILURES)
    case.m(A.FAIL, when, run.worker(), note=reason)
    run.out.mediation.update(concluded_at=case.t, outcome_note=reason, subsidy=ctx.subsidy(d, False, run.mediator))
    for session in run.out.sessions:
        if session["status"] == "scheduled":
            session.update(status="cancelled", cancel_reason="调解终止")
    if "refer" in d.kind.steps and rng.random() < 0.75:
        where, note = _refer(run, when, _route(run))
        reply(run, when, f"调解未能解决纠纷，已转入{where}，案卷材料一并移交。{note}", rate=True)
        return
    cursor = reply(run, when, f"调解不成：{reason}\n当事人可以依法通过诉讼、仲裁或行政途径解决，调解组织可协助转交。",
                   rate=True)
    at = office_hours(later(cursor or when, rng, 1, 72))
    if cursor is not None and "refer" in d.kind.steps and rng.random() < 0.6 and case.can(at):
        _refer(run, at, _route(run))


def reply(run: Run, when: dt.datetime, text: str, *, rate: bool) -> dt.datetime | None:
    """The case's reply with the outcome, the citizen's rating and the evaluation that closes the case.
    The time of the last of them; None when one is still to come."""
    case, rng, ctx = run.case, run.rng, run.ctx
    if not case.can(when):
        return None
    case.mark_overdue_before(when)
    case.reply(max(when, case.t), run.worker(), text, ctx.evaluation_deadline(when))
    rating = None
    online = run.d.channel == "mini_program"
    if run.d.force.get("evaluate") is False:  # a live mediation: the citizen rates and evaluates herself
        return case.t
    if rate and rng.random() < (0.75 if online else 0.5):
        at = later(case.t, rng, 1, 48)
        if not case.can(at):
            return None
        weights = RATINGS_AGREED if run.agreed else RATINGS_FAILED
        rating = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        if run.mediator is not None and run.mediator.skill > 0.03 and rating < 5 and rng.random() < 0.4:
            rating += 1
        comment = docs.rating_comment(rng, rating)
        case.m(A.RATE, at, CITIZEN, note=comment,
               data={"stars": rating, "mediator": run.mediator.pk if run.mediator else None})
        run.out.mediation.update(rating=rating, rating_comment=comment, rated_at=case.at)
    return _evaluate(run, rating, online)


def _evaluate(run: Run, rating: int | None, online: bool) -> dt.datetime | None:
    case, rng, ctx = run.case, run.rng, run.ctx
    due: dt.datetime = case.fields["evaluation_deadline"]
    r = rng.random()
    satisfaction = ({5: Satisfaction.SATISFIED, 4: Satisfaction.SATISFIED, 3: Satisfaction.BASICALLY}.get(rating)
                    if rating is not None else None if r < 0.1 else
                    Satisfaction.BASICALLY if r < 0.3 else Satisfaction.SATISFIED)
    if satisfaction is None:
        at = due + dt.timedelta(minutes=rng.uniform(5, 120))
        if not case.can(at):
            return None
        case.case_event(Action.CLOSE_UNEVALUATED, at, Actor(None, "system", None))
    else:
        at = min(later(case.t, rng, 2, 72), due - dt.timedelta(minutes=5))
        if not case.can(at):
            return None
        actor = CITIZEN if online else Actor(rng.choice(ctx.staff.operators), "operator", ctx.org.hotline.pk)
        comment = rng.choice(("", "", "调解及时，感谢。", "问题已解决。"))
        case.evaluate(max(at, case.t), actor, satisfaction.value, comment, None)
    case.fields["closed_at"] = case.at
    return case.at


def _confirmation(run: Run, cursor: dt.datetime) -> dt.datetime | None:
    """司法确认 for a share of agreements of the kinds that have the step; a refusal is referred to
    litigation.  The time of the ruling; None when it is still to come (or ended in a referral)."""
    case, d, rng, ctx = run.case, run.d, run.rng, run.ctx
    wanted = d.force.get("confirm")  # a live mediation: "skip", or "apply" and leave the ruling to the judge
    if "confirm" not in d.kind.steps or wanted == "skip" or (
            wanted is None and rng.random() >= CONFIRM_SHARE.get(d.kind.code, 0.2)):
        return cursor
    applied = office_hours(later(cursor, rng, 24, 30 if wanted else 20 * 24))
    if not case.can(applied):
        return None
    court = ctx.orgs.courts[d.grid.district[2]]
    court_name = ctx.orgs.names[court]
    by = run.worker() if rng.random() < 0.5 else CITIZEN  # through the mediator, or in the citizen app
    case.m(A.APPLY_CONFIRMATION, applied, by, note=court_name, data={"court": court, "court_name": court_name,
                                                                    "joint": True})
    case.assist(court, case.t)
    run.out.confirmation = {"court_id": court, "applied_at": case.t, "applied_by_id": by.user, "joint": True,
                            "status": ConfirmationStatus.PENDING.value, "judge_id": None, "reason": "",
                            "ruled_at": None, "pdf": "", "sha256": ""}
    ruled = office_hours(later(applied, rng, 48, 15 * 24))
    if wanted or not case.can(ruled):
        return None
    judge = Actor(ctx.judges[court], "judge", court, court_name)
    confirmation = run.out.confirmation
    if rng.random() < 0.93:
        case.m(A.CONFIRM, ruled, judge, note="确认调解协议有效", data={"court_name": court_name, "sha256": ""})
        confirmation.update(status=ConfirmationStatus.CONFIRMED.value, judge_id=judge.user, ruled_at=case.t)
        return case.t
    reason = rng.choice(docs.CONFIRM_REFUSALS)
    case.m(A.REFUSE_CONFIRMATION, ruled, judge, note=f"驳回申请：{reason}",
           data={"court_name": court_name, "sha256": ""})
    confirmation.update(status=ConfirmationStatus.REFUSED.value, judge_id=judge.user, ruled_at=case.t,
                        reason=reason)
    at = office_hours(later(case.t, rng, 24, 240))
    if case.can(at):
        _refer(run, at, Route.LITIGATION.value)
    return None


def _follow_ups(run: Run, cursor: dt.datetime, perform_by: dt.date) -> None:
    case, d, rng = run.case, run.d, run.rng
    if "follow_up" not in d.kind.steps or run.out.agreement is None or d.force.get("follow_up") is False:
        return
    due = clock.at_local(perform_by + dt.timedelta(days=rng.randint(1, 10)), dt.time(10))
    when = office_hours(max(cursor + dt.timedelta(hours=1), due))
    for attempt in range(2):
        if not case.can(when):
            return
        if attempt == 0:
            r = rng.random()
            performance = Performance.PERFORMED if r < 0.85 else Performance.PARTLY if r < 0.93 else \
                Performance.BREACHED
        else:
            performance = Performance.PERFORMED if rng.random() < 0.7 else Performance.BREACHED
        actor = run.worker()
        note = FOLLOW_NOTES[performance]
        case.m(A.FOLLOW_UP, when, actor, note=f"{performance.label}。{note}", data={"performance": performance.value})
        run.out.follow_ups.append({"at": case.t, "by_id": actor.user, "performance": performance.value, "note": note})
        run.out.agreement["performance"] = performance.value
        if performance == Performance.PERFORMED:
            done = later(when, rng, 0.05, 2)
            if case.can(done):
                case.m(A.FULFIL, done, actor, note="协议已全部履行")
            return
        if performance == Performance.BREACHED:
            return
        when = office_hours(later(when, rng, 15 * 24, 30 * 24))


def _route(run: Run) -> str:
    r, dispute = run.rng.random(), run.d.dtype.code
    if dispute in ("labour", "company") and run.d.kind.code != "labour_arbitration" and r < 0.7:
        return Route.ARBITRATION.value
    if r < 0.12 and dispute in ADMIN_UNITS:
        return Route.ADMINISTRATIVE.value
    if r < 0.16:
        return Route.PETITION.value
    return Route.LITIGATION.value


def _refer(run: Run, when: dt.datetime, route: str) -> tuple[str, str]:
    """诉调对接 (outcome._do_refer): the file passed on to the court, the arbitration commission, a department or
    the petition bureau, which joins the case; (where it went, as the case's answer names it, the note)."""
    d, orgs = run.d, run.ctx.orgs
    district = d.grid.district[2]
    if route == Route.ARBITRATION:
        to_unit = orgs.arbitration[district]
    elif route == Route.ADMINISTRATIVE:
        where, abbr = ADMIN_UNITS[d.dtype.code]
        to_unit = orgs.officials[(district if where == "d" else where, abbr)]
    elif route == Route.PETITION:
        to_unit = orgs.city["xfj"]
    else:
        to_unit = orgs.courts[district]
    name = orgs.names[to_unit]
    label = Route(route).label
    actor = run.worker()
    note = REFER_NOTES[Route(route)]
    where = f"{label}（{name}）"
    run.case.m(A.REFER, when, actor, note=f"转入{where}。{note}",
               data={"route": route, "to_unit": to_unit, "to_unit_name": name})
    run.case.assist(to_unit, run.case.t)
    run.out.referral = {"route": route, "to_unit_id": to_unit, "note": note, "at": run.case.t, "by_id": actor.user}
    return where, note
