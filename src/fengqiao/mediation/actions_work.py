"""The actions the mediation page offers: each a form and one service call.  Which ones a user sees is
what she may do now — the state allows it, the kind has the step, her role may take it, and the session
it needs is there — so the page never shows a button that can only be refused."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from fengqiao.accounts.models import User
from fengqiao.kit import clock
from fengqiao.kit.action_spec import ActionSpec, permitted
from fengqiao.mediation import forms_work as f
from fengqiao.mediation.models import Mediation, Session, SessionStatus
from fengqiao.mediation.services import confirmation, outcome, workflow
from fengqiao.mediation.services._core import authorize, check_step
from fengqiao.mediation.states import MAction, MState

Spec = ActionSpec[MAction, f.WorkForm]


def _referral(v: dict[str, Any]) -> outcome.ReferralInput:
    return outcome.ReferralInput(route=v.get("route") or "", to_unit_id=v.get("to_unit"), note=v.get("note") or "")


def _fail(u: User, c: str, v: dict[str, Any], ev: int | None) -> Any:
    return outcome.fail(u, c, reason=v["reason"], referral=_referral(v) if v.get("route") else None,
                        expected_version=ev)


SPECS: dict[str, Spec] = {
    "accept": Spec(MAction.ACCEPT, f.EmptyForm,
                   pgettext_lazy("mediation form", "受理调解"), pgettext_lazy("mediation form", "受理"),
                   lambda u, c, v, ev: workflow.accept(u, c, expected_version=ev)),
    "schedule": Spec(MAction.SCHEDULE, f.ScheduleForm,
                     pgettext_lazy("mediation form", "安排调解"), pgettext_lazy("mediation form", "安排并通知当事人"),
                     lambda u, c, v, ev: workflow.schedule(u, c, place=v["place"], starts_at=v["starts_at"],
                                                           minutes=v["minutes"], expected_version=ev)),
    "record": Spec(MAction.RECORD, f.RecordForm,
                   pgettext_lazy("mediation form", "记录调解笔录"), pgettext_lazy("mediation form", "保存笔录"),
                   lambda u, c, v, ev: workflow.record(u, c, seq=v["session"], text=v["record"],
                                                       attendees=v["attendees"], expected_version=ev)),
    "agree": Spec(MAction.AGREE, f.AgreeForm,
                  pgettext_lazy("mediation form", "达成调解协议"), pgettext_lazy("mediation form", "生成协议书"),
                  lambda u, c, v, ev: outcome.agree(u, c, outcome.AgreementInput(
                      facts=v["facts"], terms=v["terms"], perform_by=v.get("perform_by")), expected_version=ev)),
    "apply_confirmation": Spec(MAction.APPLY_CONFIRMATION, f.ConfirmationApplyForm,
                               pgettext_lazy("mediation form", "申请司法确认"),
                               pgettext_lazy("mediation form", "提交申请"),
                               lambda u, c, v, ev: confirmation.apply_confirmation(
                                   u, c, court_id=v.get("court") or 0, joint=bool(v.get("joint")),
                                   note=v.get("note") or "", expected_version=ev)),
    "confirm": Spec(MAction.CONFIRM, f.ConfirmForm,
                    pgettext_lazy("mediation form", "裁定确认调解协议有效"),
                    pgettext_lazy("mediation form", "确认有效"),
                    lambda u, c, v, ev: confirmation.confirm(u, c, note=v.get("note") or "", expected_version=ev)),
    "refuse_confirmation": Spec(MAction.REFUSE_CONFIRMATION, f.RefuseForm,
                                pgettext_lazy("mediation form", "裁定驳回申请"),
                                pgettext_lazy("mediation form", "驳回申请"),
                                lambda u, c, v, ev: confirmation.refuse(u, c, reason=v["reason"],
                                                                        expected_version=ev), "danger"),
    "follow_up": Spec(MAction.FOLLOW_UP, f.FollowUpForm,
                      pgettext_lazy("mediation form", "履行回访"), pgettext_lazy("mediation form", "记录回访"),
                      lambda u, c, v, ev: outcome.follow_up(u, c, performance=v["performance"],
                                                            note=v.get("note") or "", expected_version=ev)),
    "fulfil": Spec(MAction.FULFIL, f.NoteForm,
                   pgettext_lazy("mediation form", "协议已履行完毕"), pgettext_lazy("mediation form", "确认已履行"),
                   lambda u, c, v, ev: outcome.fulfil(u, c, note=v.get("note") or "", expected_version=ev)),
    "refer": Spec(MAction.REFER, f.ReferForm,
                  pgettext_lazy("mediation form", "转出（诉调对接）"),
                  pgettext_lazy("mediation form", "转出并移交案卷"),
                  lambda u, c, v, ev: outcome.refer(u, c, _referral(v), expected_version=ev), "warning"),
    "fail": Spec(MAction.FAIL, f.FailForm,
                 pgettext_lazy("mediation form", "调解不成，终止调解"),
                 pgettext_lazy("mediation form", "终止调解"), _fail, "danger"),
    "cancel_session": Spec(MAction.CANCEL_SESSION, f.CancelSessionForm,
                           pgettext_lazy("mediation form", "取消调解安排"),
                           pgettext_lazy("mediation form", "取消并通知当事人"),
                           lambda u, c, v, ev: workflow.cancel_session(u, c, seq=v["session"], reason=v["reason"],
                                                                       expected_version=ev), "warning"),
    "decline": Spec(MAction.DECLINE, f.DeclineForm,
                    pgettext_lazy("mediation form", "不予受理"), pgettext_lazy("mediation form", "不予受理"),
                    lambda u, c, v, ev: workflow.decline(u, c, reason=v["reason"], advice=v.get("advice") or "",
                                                         expected_version=ev), "danger"),
    "set_difficulty": Spec(MAction.SET_DIFFICULTY, f.DifficultyForm,
                           pgettext_lazy("mediation form", "评定难易程度"), pgettext_lazy("mediation form", "保存"),
                           lambda u, c, v, ev: workflow.set_difficulty(u, c, difficulty=v["difficulty"],
                                                                       expected_version=ev), "ghost"),
}
RULINGS = ("confirm", "refuse_confirmation")


def pending_session(mediation: Mediation) -> Session | None:
    return mediation.sessions.filter(status=SessionStatus.SCHEDULED).order_by("seq").first()


def _fits(name: str, mediation: Mediation, session: Session | None) -> bool:
    """What the state table cannot say: the session an action needs, the kind's sessions before agreeing."""
    if name in ("record", "cancel_session"):
        return session is not None and (name == "cancel_session" or session.starts_at <= clock.now())
    if name == "agree":
        return not (mediation.kind.has_step("schedule") and mediation.state == MState.ACCEPTED)
    return True


def offered(user: User, mediation: Mediation) -> list[str]:
    """The actions ``user`` may take on ``mediation`` now, in the page's order."""
    session = pending_session(mediation)

    def may(action: MAction) -> None:
        check_step(mediation, action)
        authorize(user, mediation, action)

    return permitted(SPECS, set(MAction), may, lambda name: _fits(name, mediation, session))


def initial(name: str, mediation: Mediation) -> dict[str, Any]:
    values: dict[str, Any] = {"expected_version": mediation.version}
    session = pending_session(mediation)
    if name in ("record", "cancel_session") and session is not None:
        values["session"] = session.seq
    if name == "schedule" and session is not None:
        values.update(place=session.place, minutes=session.minutes)
    if name == "set_difficulty":
        values["difficulty"] = mediation.difficulty
    if name == "agree":
        values["facts"] = mediation.case.description
    if name == "apply_confirmation":
        courts = confirmation.courts()
        if len(courts) == 1:
            values["court"] = courts[0].pk
    return values


def build(name: str, mediation: Mediation, data: Any = None) -> f.WorkForm:
    return SPECS[name].form(data, initial=initial(name, mediation), prefix=name)
