"""司法确认: the parties apply jointly (through their mediator, or themselves in the citizen app) to a court
within thirty days of the agreement; a judge of that court reviews it and rules — the agreement confirmed
as valid, or the application refused with the reason.  The ruling (民事裁定书) is a PDF on the
confirmation; the parties are told by SMS."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases.services._core import require_text
from fengqiao.cases.services.hosted import assist_for
from fengqiao.jurisdictions.models import Unit, UnitKind
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, ValidationFailed
from fengqiao.mediation import pdf
from fengqiao.mediation.models import Agreement, Confirmation, ConfirmationStatus, Mediation
from fengqiao.mediation.services import notify
from fengqiao.mediation.services._core import Actor, step
from fengqiao.mediation.services.workflow import load
from fengqiao.mediation.states import MAction

APPLY_WITHIN = dt.timedelta(days=30)  # 民事诉讼法 第二百零五条: within 30 days of the agreement taking effect


def courts() -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.COURT, active=True).order_by("level", "code"))


@transaction.atomic
def apply_confirmation(actor: Actor, code: str, *, court_id: int, joint: bool, note: str = "",
                       expected_version: int | None = None) -> Mediation:
    """申请司法确认 of the mediation's agreement to ``court_id``.  ``joint`` says both parties agree to apply
    (the law requires a joint application); the court is added to the case so its judges reach the file."""
    errors: dict[str, str] = {}
    court = Unit.objects.filter(pk=court_id, kind=UnitKind.COURT, active=True).first() if court_id else None
    if court is None:
        errors["court"] = _("请选择受理司法确认的人民法院")
    if not joint:
        errors["joint"] = _("司法确认须由双方当事人共同申请，请确认对方同意")
    if len(note or "") > 1000:
        errors["note"] = _("不能超过 1000 字")
    if errors:
        raise ValidationFailed(_("司法确认申请有误：%(e)s。") % {"e": "；".join(errors.values())}, fields=errors)
    assert court is not None
    mediation, acting = load(actor, code, MAction.APPLY_CONFIRMATION, expected_version)
    agreement = Agreement.objects.filter(mediation=mediation).first()
    if agreement is None:
        raise Conflict(_("这件调解没有调解协议，不能申请司法确认。"))
    if clock.now() > agreement.signed_at + APPLY_WITHIN:
        raise Conflict(_("调解协议签订于 %(at)s，已超过三十日的司法确认申请期限。"
                         "当事人可以就协议内容向人民法院提起诉讼。")
                       % {"at": clock.localtime(agreement.signed_at).strftime("%Y-%m-%d")})
    Confirmation.objects.create(mediation=mediation, court=court, applied_at=clock.now(),
                                applied_by=actor if isinstance(actor, User) else None, joint=joint)
    assist_for(mediation.case_id, acting, court)
    step(mediation, MAction.APPLY_CONFIRMATION, acting, note=(note or "").strip() or court.name,
         data={"court": court.pk, "court_name": court.name, "joint": joint})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_judges(mediation, court, "confirm:apply", _("司法确认申请：%(code)s") % {"code": mediation.code},
                           _("%(unit)s主持达成的%(doc)s申请司法确认，请审查。")
                           % {"unit": mediation.unit.name if mediation.unit else "",
                              "doc": mediation.kind.document_title})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, "confirm:apply", _("司法确认已申请"),
                            _("您的调解协议（解纷码 %(code)s）已向%(court)s申请司法确认，审查结果将短信通知。")
                            % {"code": mediation.code, "court": court.name})
    return mediation


def _rule(judge: User, code: str, action: MAction, status: str, reason: str,
          expected_version: int | None) -> Confirmation:
    mediation, acting = load(judge, code, action, expected_version)
    confirmation = Confirmation.objects.select_related("court").get(mediation=mediation)
    agreement = Agreement.objects.get(mediation=mediation)
    confirmation.status, confirmation.judge, confirmation.reason = status, judge, reason
    confirmation.ruled_at = clock.now()
    pdf.store(confirmation, "ruling.pdf",
              pdf.render_pdf(pdf.ruling_document(mediation, agreement, confirmation)))
    confirmation.save(update_fields=["status", "judge", "reason", "ruled_at", "pdf", "sha256"])
    confirmed = status == ConfirmationStatus.CONFIRMED
    with notify.chinese():  # the event's note and the messages are Chinese, whatever the page
        label = _("确认调解协议有效") if confirmed else _("驳回申请：%(reason)s") % {"reason": reason}
    step(mediation, action, acting, note=label, data={"court_name": confirmation.court.name,
                                                      "sha256": confirmation.sha256})
    with notify.chinese():
        outcome = (_("确认调解协议有效，可凭裁定书申请强制执行") if confirmed
                   else _("不予确认（%(reason)s）") % {"reason": reason})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_parties(mediation, "confirm:rule", _("司法确认结果"),
                            _("%(court)s对您的调解协议（解纷码 %(code)s）作出裁定：%(outcome)s。")
                            % {"court": confirmation.court.name, "code": mediation.code, "outcome": outcome})
    with notify.chinese():  # what parties and staff receive is Chinese, whatever the page
        notify.tell_mediator(mediation, "confirm:rule", _("司法确认结果：%(code)s") % {"code": mediation.code}, label)
    return confirmation


@transaction.atomic
def confirm(judge: User, code: str, *, note: str = "", expected_version: int | None = None) -> Confirmation:
    """裁定确认调解协议有效 — only a judge of the reviewing court."""
    if len(note or "") > 1000:
        raise ValidationFailed(_("审查意见不能超过 1000 字。"), fields={"note": _("不能超过 1000 字")})
    return _rule(judge, code, MAction.CONFIRM, ConfirmationStatus.CONFIRMED, (note or "").strip(), expected_version)


@transaction.atomic
def refuse(judge: User, code: str, *, reason: str, expected_version: int | None = None) -> Confirmation:
    """裁定驳回申请, with the reason — only a judge of the reviewing court."""
    reason = require_text(reason, "reason", _("驳回理由"), max_length=1000)
    return _rule(judge, code, MAction.REFUSE_CONFIRMATION, ConfirmationStatus.REFUSED, reason, expected_version)
