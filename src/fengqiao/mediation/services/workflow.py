"""The mediation's work before its outcome: accept or decline, schedule offline sessions (one pending at a
time; a new time replaces it), cancel one, record one that was held (笔录), and grade the difficulty.

Every function is one action: the mediation loaded through the scoped loader with a row lock, the actor's
role checked, the version the user saw compared, then ``step`` (the new state, one case event).  The
outcomes (agree, fail, refer, follow-up) are in ``outcome.py``, the court's part in ``confirmation.py``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.cases.models import Case
from fengqiao.cases.services._core import Acting, require_text
from fengqiao.cases.services.hosted import accept_for, reply_for
from fengqiao.cases.states import State
from fengqiao.kit import clock, working_days
from fengqiao.kit.errors import Conflict, NotFound, ValidationFailed
from fengqiao.mediation import conflicts
from fengqiao.mediation.models import ChosenBy, Difficulty, Mediation, Mediator, Session, SessionStatus
from fengqiao.mediation.services import notify
from fengqiao.mediation.services._core import (
    Actor,
    access_mediation,
    authorize,
    check_step,
    check_version,
    step,
)
from fengqiao.mediation.states import MAction
from fengqiao.mediation.subsidy_rates import subsidy_for

MIN_MINUTES, MAX_MINUTES = 15, 480
DECLINE_ADVICE = gettext_lazy("您可以依法通过仲裁、行政、司法等途径维护自己的权利，"
                              "也可以拨打 12348 公共法律服务热线咨询。")


def load(actor: Actor, code: str, action: MAction, expected_version: int | None) -> tuple[Mediation, Acting]:
    """The mediation, locked, if ``actor`` may take ``action`` on the version she saw and its state and kind
    allow the action (checked before anything is written, files included)."""
    mediation = access_mediation(actor, code, for_update=True)
    acting = authorize(actor, mediation, action)
    check_version(mediation, expected_version)
    check_step(mediation, action)
    return mediation, acting


def answer_case(mediation: Mediation, acting: Acting, text: str) -> bool:
    """答复 the case with the mediation's outcome (the citizen's evaluation follows); the case is signed for
    first if it was still waiting.  False when the case was already answered (a referral after a refused
    confirmation): the mediation's own event then carries the news."""
    status = Case.objects.filter(pk=mediation.case_id).values_list("status", flat=True).get()
    if status == State.DISPATCHED:
        accept_for(mediation.case_id, acting)
        status = State.ACCEPTED
    if status != State.ACCEPTED:
        return False
    reply_for(mediation.case_id, acting, text)
    return True


def _local(moment: dt.datetime) -> str:
    return clock.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def accept(actor: Actor, code: str, *, expected_version: int | None = None) -> Mediation:
    """受理: the mediation and its case are signed for; a mediation without a mediator gets the accepting
    mediator (if she is in the pool and not tied to a party); the deadline runs from now."""
    mediation, acting = load(actor, code, MAction.ACCEPT, expected_version)
    now = clock.now()
    fields = ["accepted_at", "deadline"]
    if mediation.mediator_id is None and acting.user is not None:
        own = Mediator.objects.select_related("unit").filter(user=acting.user, active=True).first()
        if own is not None and not _tied(mediation, own):
            mediation.mediator, mediation.chosen_by = own, ChosenBy.ASSIGNED
            fields += ["mediator", "chosen_by"]
    mediation.accepted_at = now
    mediation.deadline = working_days.add_working_days(now, mediation.kind.deadline_days)
    data = {"mediator_name": mediation.mediator.name if mediation.mediator else "",
            "deadline": mediation.deadline.isoformat()}
    # the case's deadline is the mediation's (the kind's working days from acceptance), not the category's
    step(mediation, MAction.ACCEPT, acting, data=data, fields=tuple(fields), case_deadline=mediation.deadline)
    if Case.objects.filter(pk=mediation.case_id, status=State.DISPATCHED).exists():
        accept_for(mediation.case_id, acting)
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        names = {"code": mediation.code, "name": data["mediator_name"] or _("待定"),
                 "unit": mediation.unit.name if mediation.unit else ""}
        notify.tell_parties(mediation, "accept", _("调解已受理"),
                            _("您的调解申请（解纷码 %(code)s）已受理，调解员：%(name)s。"
                              "可凭解纷码随时查询进度。") % names,
                            respondent_body=_("对方当事人就与您的纠纷申请调解，%(unit)s已受理（解纷码 %(code)s），"
                                              "调解员：%(name)s。调解遵循自愿原则，调解员将与您联系；"
                                              "您可凭解纷码和本手机号查询进度、提交证据。") % names)
    return mediation


def _tied(mediation: Mediation, mediator: Mediator) -> bool:
    parties = list(mediation.case.parties.values_list("phone_hash", "id_hash"))
    return bool(conflicts.ties([mediator.pk], [p for p, _i in parties], [i for _p, i in parties]))


@transaction.atomic
def decline(actor: Actor, code: str, *, reason: str, advice: str = "",
            expected_version: int | None = None) -> Mediation:
    """不予受理, with the reason and where to go instead; the case is answered with both."""
    reason = require_text(reason, "reason", _("不予受理的理由"), max_length=1000)
    advice = (advice or "").strip()[:1000] or str(DECLINE_ADVICE)
    mediation, acting = load(actor, code, MAction.DECLINE, expected_version)
    mediation.outcome_note = reason
    step(mediation, MAction.DECLINE, acting, note=reason, data={"advice": advice}, fields=("outcome_note",))
    answer_case(mediation, acting, _("不予受理调解申请。理由：%(reason)s\n%(advice)s") % {"reason": reason,
                                                                                  "advice": advice})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, "decline", _("调解申请不予受理"),
                            _("您的调解申请（解纷码 %(code)s）不予受理：%(reason)s。%(advice)s")
                            % {"code": mediation.code, "reason": reason, "advice": advice})
    return mediation


def check_session_input(place: str, starts_at: dt.datetime | None, minutes: int | None) -> tuple[str, dt.datetime, int]:
    errors: dict[str, str] = {}
    place = (place or "").strip()
    if not place:
        errors["place"] = _("请填写调解地点")
    elif len(place) > 200:
        errors["place"] = _("不能超过 200 字")
    if starts_at is None:
        errors["starts_at"] = _("请填写调解时间")
    elif starts_at.tzinfo is None:
        errors["starts_at"] = _("时间须带时区")
    elif starts_at <= clock.now():
        errors["starts_at"] = _("调解时间须晚于现在")
    minutes = 90 if minutes is None else minutes
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["minutes"] = _("时长须在 %(lo)s 到 %(hi)s 分钟之间") % {"lo": MIN_MINUTES, "hi": MAX_MINUTES}
    if errors:
        raise ValidationFailed(_("调解安排有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    assert starts_at is not None
    return place, starts_at, minutes


@transaction.atomic
def schedule(actor: Actor, code: str, *, place: str, starts_at: dt.datetime | None, minutes: int | None = 90,
             expected_version: int | None = None) -> Session:
    """安排调解: a session (place, time, planned minutes), the parties told by SMS and the mediator in the
    app.  A session still pending is replaced: it is cancelled as rescheduled and the parties get the new
    time (one pending session at a time: the state says "scheduled" for exactly that one)."""
    place, starts_at, minutes = check_session_input(place, starts_at, minutes)
    mediation, acting = load(actor, code, MAction.SCHEDULE, expected_version)
    assert acting.user is not None
    pending = mediation.sessions.filter(status=SessionStatus.SCHEDULED).order_by("seq").first()
    if pending is not None:
        pending.status = SessionStatus.CANCELLED
        pending.cancel_reason = _("改期至 %(at)s") % {"at": _local(starts_at)}
        pending.save(update_fields=["status", "cancel_reason"])
    seq = (mediation.sessions.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    session = Session.objects.create(mediation=mediation, seq=seq, place=place, starts_at=starts_at,
                                     minutes=minutes, scheduled_by=acting.user)
    when = _local(starts_at)
    note = _("第 %(n)s 次调解：%(at)s，%(place)s") % {"n": seq, "at": when, "place": place}
    if pending is not None:
        note += _("（第 %(n)s 次的时间改期）") % {"n": pending.seq}
    step(mediation, MAction.SCHEDULE, acting, note=note,
         data={"session": seq, "starts_at": starts_at.isoformat(), "place": place, "minutes": minutes,
               "replaces": pending.seq if pending else None})
    mediator = mediation.mediator.name if mediation.mediator else ""
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, f"s{seq}", _("调解时间通知"),
                            _("您的纠纷（解纷码 %(code)s）定于 %(at)s 在%(place)s调解%(who)s，"
                              "请带身份证件和相关证据准时参加。")
                            % {"code": mediation.code, "at": when, "place": place,
                               "who": _("，调解员%(name)s") % {"name": mediator} if mediator else ""})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_mediator(mediation, f"s{seq}", _("调解安排：%(code)s") % {"code": mediation.code}, note)
    return session


def _session(mediation: Mediation, seq: int | None, status: str) -> Session:
    session = mediation.sessions.filter(seq=seq).first() if seq is not None else None
    if session is None:
        raise NotFound(_("没有第 %(n)s 次调解安排。") % {"n": seq}, fields={"session": _("没有这次调解")})
    if session.status != status:
        raise Conflict(_("第 %(n)s 次调解%(state)s，不能再操作。") % {"n": seq, "state": session.get_status_display()},
                       fields={"session": session.get_status_display()})
    return session


@transaction.atomic
def cancel_session(actor: Actor, code: str, *, seq: int | None, reason: str,
                   expected_version: int | None = None) -> Session:
    """取消调解安排, with the reason; the parties are told."""
    reason = require_text(reason, "reason", _("取消的理由"), max_length=300)
    mediation, acting = load(actor, code, MAction.CANCEL_SESSION, expected_version)
    session = _session(mediation, seq, SessionStatus.SCHEDULED)
    session.status, session.cancel_reason = SessionStatus.CANCELLED, reason
    session.save(update_fields=["status", "cancel_reason"])
    when = _local(session.starts_at)
    step(mediation, MAction.CANCEL_SESSION, acting, note=_("第 %(n)s 次调解（%(at)s）取消：%(reason)s")
         % {"n": session.seq, "at": when, "reason": reason}, data={"session": session.seq})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, f"s{session.seq}:cancel", _("调解取消通知"),
                            _("原定 %(at)s 的调解（解纷码 %(code)s）取消：%(reason)s。新的时间另行通知。")
                            % {"at": when, "code": mediation.code, "reason": reason})
    return session


@transaction.atomic
def record(actor: Actor, code: str, *, seq: int | None, text: str, attendees: str,
           expected_version: int | None = None) -> Session:
    """调解笔录: the session held, its record and who attended.  Only once its time has come.  The record is
    kept on the session for the mediation's staff (and those the file is passed to); the parties' timeline
    says that the session was held, not what each side said in it."""
    text = require_text(text, "record", _("调解笔录"), max_length=20000, min_length=10)
    attendees = require_text(attendees, "attendees", _("到场人员"), max_length=300)
    mediation, acting = load(actor, code, MAction.RECORD, expected_version)
    session = _session(mediation, seq, SessionStatus.SCHEDULED)
    if session.starts_at > clock.now():
        raise Conflict(_("第 %(n)s 次调解定于 %(at)s，时间未到，不能记录笔录。")
                       % {"n": session.seq, "at": _local(session.starts_at)}, fields={"session": _("时间未到")})
    session.status, session.record, session.attendees = SessionStatus.HELD, text, attendees
    session.held_at, session.recorded_by = clock.now(), acting.user
    session.save(update_fields=["status", "record", "attendees", "held_at", "recorded_by"])
    step(mediation, MAction.RECORD, acting, note=_("第 %(n)s 次调解已进行（%(place)s）")
         % {"n": session.seq, "place": session.place}, data={"session": session.seq, "attendees": attendees})
    return session


@transaction.atomic
def set_difficulty(actor: Actor, code: str, *, difficulty: str, expected_version: int | None = None) -> Mediation:
    """评定难易程度 (the subsidy's basis); a concluded mediation's subsidy follows the new grade."""
    if difficulty not in Difficulty.values:
        raise ValidationFailed(_("请选择难易程度。"), fields={"difficulty": _("请选择难易程度")})
    mediation, acting = load(actor, code, MAction.SET_DIFFICULTY, expected_version)
    before = mediation.difficulty
    mediation.difficulty = difficulty
    fields: tuple[str, ...] = ("difficulty",)
    if mediation.concluded_at is not None:
        mediation.subsidy = subsidy_for(mediation)
        fields += ("subsidy",)
    step(mediation, MAction.SET_DIFFICULTY, acting, note=str(Difficulty(difficulty).label),
         data={"from_difficulty": before, "difficulty": difficulty}, fields=fields)
    return mediation
