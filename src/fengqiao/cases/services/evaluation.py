"""回访评价 by the citizen without an account: an invitation per reply (a link code and an SMS code),
checked before anything is written; the invitation resent by an operator or dispatcher (a fresh one for
the same round replaces it, at most RESEND_LIMIT times a round); and the second unsatisfied evaluation of
a case put under 督办.

Codes are random (kit/ids ALPHABET for the link, six digits for the SMS) and stored only as keyed hashes
(kit/pii.lookup_hash); the plain codes exist in the SMS that carries them and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases.loop_models import EvaluationInvite
from fengqiao.cases.models import Case, PartyRole
from fengqiao.cases.services._core import (
    SYSTEM,
    Acting,
    access_case,
    authorize,
    check_version,
    lock_case,
    record,
    save,
    transition,
)
from fengqiao.cases.states import Action, State
from fengqiao.kit import clock, ids
from fengqiao.kit.errors import Conflict, DomainError, NotFound, ValidationFailed
from fengqiao.kit.pii import lookup_hash

LINK_LENGTH = 8  # 25^8 ≈ 1.5 × 10^11 codes
SMS_LENGTH = 6
CITIZEN = Acting(user=None, role=Role.CITIZEN, unit=None)
SUPERVISE_LEVEL = 2  # 督办
RESEND_LIMIT = 3  # resent SMS per evaluation round


class Expired(DomainError):
    status = 410
    code = "expired"


class Replaced(DomainError):
    """The code of an invitation that a resent SMS replaced."""

    status = 410
    code = "replaced"


@dataclass(frozen=True)
class Issued:
    invite: EvaluationInvite
    link_code: str
    sms_code: str


@dataclass(frozen=True)
class Resent:
    case: Case
    round: int
    resend: int  # this round's n-th resend
    left: int  # resends still possible this round


def _link_hash(code: str) -> str:
    return lookup_hash("evaluation_link", code.strip().upper())


def _sms_hash(case_code: str, sms_code: str) -> str:
    return lookup_hash("evaluation_sms", f"{case_code.strip().upper()}:{sms_code.strip()}")


# who is invited to evaluate the reply: the reporter of a matter, else the applicant of a mediation
EVALUATORS = (PartyRole.REPORTER, PartyRole.APPLICANT)


def link_url(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/e/{code}/"


def has_reporter_phone(case: Case) -> bool:
    return case.parties.filter(role__in=EVALUATORS).exclude(phone_hash="").exists()


def issue_invite(case: Case, *, resend: int = 0) -> Issued:
    """With a reply (inside its transaction, the case locked; part of the reply's action and event): a fresh
    invitation for this round, valid until the evaluation deadline, and the SMS to the reporter queued.
    ``resend`` numbers a resent invitation (:func:`resend_evaluation`), whose SMS is a message of its own."""
    now = clock.now()
    link_code = ids.random_part(LINK_LENGTH)
    sms_code = "".join(secrets.choice("0123456789") for _ in range(SMS_LENGTH))
    expires = case.evaluation_deadline or now
    invite = EvaluationInvite.objects.create(
        case=case, round=case.reopen_count + 1, link_hash=_link_hash(link_code),
        sms_hash=_sms_hash(case.code, sms_code), created_at=now, expires_at=expires,
    )
    if has_reporter_phone(case):
        _queue_sms(case, invite, link_code, sms_code, expires, resend)
    return Issued(invite, link_code, sms_code)


def _queue_sms(case: Case, invite: EvaluationInvite, link_code: str, sms_code: str, expires: dt.datetime,
               resend: int = 0) -> None:
    from fengqiao.notifications import services as notifications

    until = clock.localtime(expires).strftime("%m月%d日")
    body = (f"您反映的事项（编号 {case.code}）已答复，请评价：{link_url(link_code)} ，或在评价页输入编号和验证码 "
            f"{sms_code}。{until}前有效。")
    notifications.queue([notifications.Draft(
        dedup_key=sms_key(case.pk, invite.round, resend), channel="sms", subject="回访评价邀请", body=body,
        kind="evaluation", case_id=case.pk,
    )])


def sms_key(case_id: int, round_: int, resend: int = 0) -> str:
    """The outbox key of a round's evaluation SMS: the reply's, then one per resend."""
    return f"eval:{case_id}:{round_}:sms" + (f":resend{resend}" if resend else "")


def _usable(invite: EvaluationInvite | None, case: Case | None, now: dt.datetime) -> EvaluationInvite:
    if invite is None or case is None:
        raise NotFound(gettext("评价码不正确，请核对短信中的链接或验证码。"), fields={"code": gettext("评价码不正确")})
    already = Conflict(gettext("该答复已经评价过了，不能重复提交。"), fields={"code": gettext("已评价")})
    if invite.used_at is not None:
        raise already
    if invite.expires_at < now:  # before the state: a case closed unevaluated after the period says "expired"
        raise Expired(gettext("评价码已过期（评价期已结束）。如有需要，请拨打 12345 热线。"),
                      fields={"code": gettext("已过期")})
    if invite.replaced_at is not None:
        raise Replaced(gettext("该评价码已失效：评价短信已重新发送，请使用最新一条短信中的链接或验证码。"),
                       fields={"code": gettext("已失效，请用最新短信")})
    if case.state != State.REPLIED or invite.round != case.reopen_count + 1:  # evaluated by callback
        raise already
    return invite


def invite_by_link(code: str) -> EvaluationInvite:
    """The invitation a link code opens, or NotFound (wrong) / Expired / Conflict (already evaluated)."""
    code = (code or "").strip().upper()
    invite = None
    if len(code) == LINK_LENGTH and set(code) <= set(ids.ALPHABET):
        invite = EvaluationInvite.objects.select_related("case").filter(link_hash=_link_hash(code)).first()
    return _usable(invite, invite.case if invite else None, clock.now())


def invite_by_sms(case_code: str, sms_code: str) -> EvaluationInvite:
    """The invitation a tracking code and an SMS code open; the same errors as :func:`invite_by_link`."""
    case_code, sms_code = (case_code or "").strip().upper(), (sms_code or "").strip()
    if not case_code or not (len(sms_code) == SMS_LENGTH and sms_code.isdigit()):
        field = ({"sms_code": gettext("请填写 6 位数字验证码")} if case_code
                 else {"case_code": gettext("请填写事项编号")})
        raise ValidationFailed(gettext("请填写事项编号和 6 位短信验证码。"), fields=field)
    invite = (EvaluationInvite.objects.select_related("case")
              .filter(case__code=case_code, sms_hash=_sms_hash(case_code, sms_code)).order_by("-round", "-pk").first())
    if invite is None:
        raise NotFound(gettext("事项编号或验证码不正确。"), fields={"sms_code": gettext("事项编号或验证码不正确")})
    return _usable(invite, invite.case, clock.now())


def invite_by_id(invite_id: int | None) -> EvaluationInvite:
    """The invitation an SMS code opened earlier in this browser session, checked again."""
    invite = EvaluationInvite.objects.select_related("case").filter(pk=invite_id).first() if invite_id else None
    return _usable(invite, invite.case if invite else None, clock.now())


@transaction.atomic
def evaluate_by_invite(invite_id: int, *, rating: str, comment: str = "", via: str = "link") -> Case:
    """The citizen's evaluation through an invitation: checked again under the case's lock (a double
    submission finds it used), then the same evaluation as the operator's form."""
    from fengqiao.cases.services.closing import apply_evaluation

    invite = EvaluationInvite.objects.filter(pk=invite_id).first()
    if invite is None:
        raise NotFound(gettext("评价码不正确，请核对短信中的链接或验证码。"))
    case = lock_case(invite.case_id)
    invite = EvaluationInvite.objects.select_for_update().get(pk=invite_id)
    _usable(invite, case, clock.now())
    case = apply_evaluation(case, CITIZEN, rating=rating, comment=comment, via=via)
    invite.used_at = clock.now()
    invite.used_via = via
    invite.save(update_fields=["used_at", "used_via"])
    return case


def resend_refusal(case: Case, now: dt.datetime) -> DomainError | None:
    """Why the evaluation SMS of a replied case cannot be resent now, or None: no reporter's mobile
    number, the evaluation period over, or this round's resends used up.  (The state and the role are
    the table's: cases/states.py, cases/permissions.py.)"""
    if not has_reporter_phone(case):
        return Conflict(gettext("该案件没有反映人的手机号码，无法发送评价短信，请电话回访。"),
                        fields={"phone": gettext("无手机号码")})
    if case.evaluation_deadline is not None and case.evaluation_deadline < now:
        return Expired(gettext("评价期已结束，不能再重发评价短信；案件将按逾期未评价结案。"),
                       fields={"deadline": gettext("评价期已结束")})
    if resends_this_round(case) >= RESEND_LIMIT:
        return Conflict(gettext("本轮评价短信已重发 %(n)s 次，不能再重发，请电话回访。") % {"n": RESEND_LIMIT},
                        fields={"resend": gettext("每轮最多重发 %(n)s 次") % {"n": RESEND_LIMIT}})
    return None


def resends_this_round(case: Case) -> int:
    """How often this round's evaluation SMS was resent: its chained events say."""
    return case.events.filter(action=Action.RESEND_EVALUATION, data__round=case.reopen_count + 1).count()


@transaction.atomic
def resend_evaluation(user: User, case_id: int | str, *, expected_version: int | None = None) -> Resent:
    """重发评价短信: a fresh invitation for the current round (new link and SMS codes, the same evaluation
    deadline) replaces the live one, whose codes stop working at once; its SMS, if not sent yet, is
    withdrawn and the new one queued.  One RESEND_EVALUATION event (internal; the codes are in no event)."""
    from fengqiao.notifications import services as notifications

    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.RESEND_EVALUATION)
    before, after = transition(case, Action.RESEND_EVALUATION)
    now = clock.now()
    refusal = resend_refusal(case, now)
    if refusal is not None:
        raise refusal
    round_ = case.reopen_count + 1
    number = resends_this_round(case) + 1
    replaced = EvaluationInvite.objects.filter(case=case, round=round_, replaced_at__isnull=True).update(
        replaced_at=now)
    notifications.cancel_queued(case.pk, ["evaluation"], reason="withdrawn: the evaluation SMS was resent")
    issued = issue_invite(case, resend=number)
    event = record(case, Action.RESEND_EVALUATION, before, after, acting, at=now,
                   data={"round": round_, "resend": number, "limit": RESEND_LIMIT, "replaced": replaced,
                         "invite": issued.invite.pk})
    save(case, event)
    return Resent(case, round_, number, RESEND_LIMIT - number)


def supervise_repeated(case: Case, previous_lead: int | None, now: dt.datetime) -> None:
    """A second unsatisfied evaluation: the case goes under 督办 (at least), one ESCALATE event by the
    system, and the previous lead unit's handlers and leaders, the dispatchers and the street's leaders
    (or the district's, the city's) are told."""
    from fengqiao.cases import supervision_notify as sn
    from fengqiao.notifications import services as notifications

    before, after = transition(case, Action.ESCALATE)
    level = max(case.supervision_level, SUPERVISE_LEVEL)
    note = f"第 {case.reopen_count} 次不满意，转督办"
    case.supervision_level = level
    event = record(case, Action.ESCALATE, before, after, SYSTEM, at=now, note=note,
                   data={"level": level, "reason": "repeated_unsatisfied", "reopen_count": case.reopen_count})
    save(case, event, ["supervision_level"])
    facts = sn.CaseFacts(pk=case.pk, code=case.code, title=case.title, deadline=case.deadline,
                         lead_unit_id=previous_lead, street_id=case.street_id, district_id=case.district_id)
    directory = sn.Directory.for_case(facts)
    users = directory.recipients(facts, handlers=True, dispatchers=True, unit_leaders=True, area_leaders="street")
    subject = f"督办：案件 {case.code} 群众第 {case.reopen_count} 次不满意"
    body = f"案件 {case.code}「{case.title[:40]}」答复后群众再次评价不满意，已转督办，请重新研判办理。"
    notifications.queue([
        notifications.Draft(dedup_key=f"act:{case.pk}:{event.seq}:in_app:u{user}", channel="in_app",
                            subject=subject, body=body, kind="supervise", recipient_id=user, case_id=case.pk)
        for user in users
    ])


def reporter_phone(case_id: int) -> str:
    """The reporter's mobile number, read by the SMS sender when it sends (never stored in the outbox)."""
    parties = Case.objects.get(pk=case_id).parties.filter(role__in=EVALUATORS).exclude(phone="")
    found = sorted(parties, key=lambda p: EVALUATORS.index(p.role))
    return found[0].phone if found else ""
