"""The mediation's outcome: the agreement (调解协议书, a PDF from the kind's template), failure, referral to
litigation, arbitration or an administrative route with the file passed on, and the follow-up on
performance.  An outcome answers the case (答复), which starts the closed loop's evaluation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.cases.services._core import require_text
from fengqiao.cases.services.hosted import assist_for
from fengqiao.jurisdictions.models import Unit, UnitKind
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, ValidationFailed
from fengqiao.mediation import pdf
from fengqiao.mediation.models import (
    Agreement,
    FollowUp,
    Mediation,
    Performance,
    Referral,
    Route,
    Session,
    SessionStatus,
)
from fengqiao.mediation.services import notify
from fengqiao.mediation.services._core import Acting, Actor, step
from fengqiao.mediation.services.workflow import answer_case, load
from fengqiao.mediation.states import MAction, MState
from fengqiao.mediation.subsidy_rates import price

SUMMARY_CHARS = 300


@dataclass
class AgreementInput:
    facts: str
    terms: str
    perform_by: dt.date | None = None


def _check_agreement(data: AgreementInput) -> tuple[str, str]:
    errors: dict[str, str] = {}
    facts = (data.facts or "").strip()
    terms = (data.terms or "").strip()
    if len(facts) < 10:
        errors["facts"] = _("请写明纠纷事实（至少 10 个字）")
    elif len(facts) > 10000:
        errors["facts"] = _("不能超过 10000 字")
    if len(terms) < 5:
        errors["terms"] = _("请写明协议内容（至少 5 个字）")
    elif len(terms) > 10000:
        errors["terms"] = _("不能超过 10000 字")
    if data.perform_by is not None and data.perform_by < clock.today():
        errors["perform_by"] = _("履行期限不能早于今天")
    if errors:
        raise ValidationFailed(_("协议内容有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    return facts, terms


def _require_session_held(mediation: Mediation) -> None:
    """A kind with offline sessions agrees after one was held (the table allows ACCEPTED → AGREED for the
    kinds without them)."""
    if mediation.kind.has_step("schedule") and mediation.state == MState.ACCEPTED:
        raise Conflict(_("「%(kind)s」须先安排并进行线下调解、记录笔录，才能达成协议。")
                       % {"kind": mediation.kind.name})


@transaction.atomic
def agree(actor: Actor, code: str, data: AgreementInput, *, expected_version: int | None = None) -> Agreement:
    """达成调解协议: the agreement and its PDF, the mediation concluded with its subsidy, the case answered."""
    facts, terms = _check_agreement(data)
    mediation, acting = load(actor, code, MAction.AGREE, expected_version)
    _require_session_held(mediation)
    assert acting.user is not None
    now = clock.now()
    agreement = Agreement(mediation=mediation, facts=facts, terms=terms, perform_by=data.perform_by, signed_at=now,
                          signed_by=acting.user)
    pdf.store(agreement, "agreement.pdf", pdf.render_pdf(pdf.agreement_document(mediation, agreement)))
    agreement.save()
    mediation.concluded_at = now
    mediation.outcome_note = terms[:SUMMARY_CHARS]
    mediation.subsidy = price(mediation.kind_id, mediation.difficulty, agreed=True)
    step(mediation, MAction.AGREE, acting, note=terms[:SUMMARY_CHARS],
         data={"sha256": agreement.sha256, "perform_by": data.perform_by.isoformat() if data.perform_by else None},
         fields=("concluded_at", "outcome_note", "subsidy"))
    summary = _("经%(unit)s调解，双方达成%(doc)s。协议内容：%(terms)s") % {
        "unit": mediation.unit.name if mediation.unit else "", "doc": mediation.kind.document_title,
        "terms": _short(terms)}
    answer_case(mediation, acting, summary)
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, "agree", _("调解达成协议"),
                            _("您的纠纷（解纷码 %(code)s）已达成调解协议，请按约履行。可凭解纷码查看协议书。")
                            % {"code": mediation.code})
    return agreement


def _short(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "……"


@dataclass
class ReferralInput:
    route: str
    to_unit_id: int | None = None
    note: str = ""


def _check_referral(data: ReferralInput) -> Unit | None:
    errors: dict[str, str] = {}
    if data.route not in Route.values:
        errors["route"] = _("请选择转出途径")
    unit = None
    if data.to_unit_id is not None:
        unit = Unit.objects.filter(pk=data.to_unit_id, active=True).first()
        if unit is None:
            errors["to_unit"] = _("接收单位不存在")
        elif data.route == Route.LITIGATION and unit.kind != UnitKind.COURT:
            errors["to_unit"] = _("转入诉讼须选择人民法院")
    if len(data.note or "") > 2000:
        errors["note"] = _("不能超过 2000 字")
    if errors:
        raise ValidationFailed(_("转出信息有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    return unit


def _do_refer(mediation: Mediation, acting: Acting, data: ReferralInput, unit: Unit | None) -> Referral:
    assert acting.user is not None
    referral = Referral.objects.create(mediation=mediation, route=data.route, to_unit=unit,
                                       note=(data.note or "").strip(), at=clock.now(), by=acting.user)
    if unit is not None:  # the receiving unit reaches the case: its events, sessions' records, documents
        assist_for(mediation.case_id, acting, unit)
    route = Route(data.route).label
    where = _("%(route)s（%(unit)s）") % {"route": route, "unit": unit.name} if unit else str(route)
    step(mediation, MAction.REFER, acting, note=_("转入%(where)s。%(note)s") % {"where": where, "note": referral.note},
         data={"route": data.route, "to_unit": unit.pk if unit else None, "to_unit_name": unit.name if unit else ""})
    answer_case(mediation, acting, _("调解未能解决纠纷，已转入%(where)s，案卷材料一并移交。%(note)s")
                % {"where": where, "note": referral.note})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, "refer", _("纠纷已转出"),
                            _("您的纠纷（解纷码 %(code)s）已转入%(where)s，调解材料已一并移交，请留意接收单位的通知。")
                            % {"code": mediation.code, "where": where})
    return referral


def cancel_pending_sessions(mediation: Mediation, reason: str) -> list[Session]:
    """The sessions still scheduled, cancelled with ``reason`` when the mediation ends before them (failed,
    withdrawn): off the mediator's calendar.  Returns them, for the caller's message."""
    pending = list(mediation.sessions.filter(status=SessionStatus.SCHEDULED).order_by("seq"))
    for session in pending:
        session.status, session.cancel_reason = SessionStatus.CANCELLED, reason
    Session.objects.bulk_update(pending, ["status", "cancel_reason"])
    return pending


@transaction.atomic
def fail(actor: Actor, code: str, *, reason: str, referral: ReferralInput | None = None,
         expected_version: int | None = None) -> Mediation:
    """调解不成 (终止调解), with the reason; the subsidy's failed share.  With ``referral`` the file is passed on
    in the same step (the case's answer says where it went); without, the case is answered with the reason
    and the routes open to the parties, and a referral may still follow."""
    reason = require_text(reason, "reason", _("调解不成的原因"), max_length=2000)
    unit = _check_referral(referral) if referral is not None else None
    mediation, acting = load(actor, code, MAction.FAIL, expected_version)
    cancel_pending_sessions(mediation, _("调解终止"))
    mediation.concluded_at = clock.now()
    mediation.outcome_note = reason
    mediation.subsidy = price(mediation.kind_id, mediation.difficulty, agreed=False)
    step(mediation, MAction.FAIL, acting, note=reason, fields=("concluded_at", "outcome_note", "subsidy"))
    if referral is not None:
        _do_refer(mediation, acting, referral, unit)
        return mediation
    answer_case(mediation, acting, _("调解不成：%(reason)s\n当事人可以依法通过诉讼、仲裁或行政途径解决，"
                                     "调解组织可协助转交。") % {"reason": reason})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, "fail", _("调解终止"),
                            _("您的纠纷（解纷码 %(code)s）调解不成：%(reason)s。可依法通过诉讼、仲裁等途径解决。")
                            % {"code": mediation.code, "reason": reason})
    return mediation


@transaction.atomic
def refer(actor: Actor, code: str, data: ReferralInput, *, expected_version: int | None = None) -> Referral:
    """转出 (诉调对接) after a failed mediation or a refused confirmation."""
    unit = _check_referral(data)
    mediation, acting = load(actor, code, MAction.REFER, expected_version)
    return _do_refer(mediation, acting, data, unit)


@transaction.atomic
def follow_up(actor: Actor, code: str, *, performance: str, note: str = "",
              expected_version: int | None = None) -> FollowUp:
    """履行回访: how the agreement is being performed; the agreement's performance follows."""
    if performance not in Performance.values:
        raise ValidationFailed(_("请选择履行情况。"), fields={"performance": _("请选择履行情况")})
    if len(note or "") > 2000:
        raise ValidationFailed(_("回访记录不能超过 2000 字。"), fields={"note": _("不能超过 2000 字")})
    mediation, acting = load(actor, code, MAction.FOLLOW_UP, expected_version)
    assert acting.user is not None
    found = FollowUp.objects.create(mediation=mediation, at=clock.now(), by=acting.user, performance=performance,
                                    note=(note or "").strip())
    Agreement.objects.filter(mediation=mediation).update(performance=performance)
    label = Performance(performance).label
    step(mediation, MAction.FOLLOW_UP, acting, note=f"{label}。{found.note}" if found.note else str(label),
         data={"performance": performance})
    return found


@transaction.atomic
def fulfil(actor: Actor, code: str, *, note: str = "", expected_version: int | None = None) -> Mediation:
    """协议已履行: the agreement performed in full; the mediation ends."""
    mediation, acting = load(actor, code, MAction.FULFIL, expected_version)
    Agreement.objects.filter(mediation=mediation).update(performance=Performance.PERFORMED)
    step(mediation, MAction.FULFIL, acting, note=(note or "").strip()[:2000])
    return mediation
