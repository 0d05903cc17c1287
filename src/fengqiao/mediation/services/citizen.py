"""The citizen's own mediation actions in the citizen app (a phone verified by a code, no account):
evidence (证据), withdrawing the application (撤回) and rating the mediation and its mediator (评价).

Each loads the mediation through ``access_mediation`` (only her own: she applied, or she is a party),
checks the step against the state table and writes one mediation event on the case's chain."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fengqiao.audit.models import Audience
from fengqiao.cases.models import Attachment, PartyRole
from fengqiao.cases.services._core import Acting
from fengqiao.cases.services.attachments import check_upload
from fengqiao.cases.services.hosted import attach_for
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import Mediation, Mediator
from fengqiao.mediation.services import notify
from fengqiao.mediation.services._core import (
    Citizen,
    access_mediation,
    authorize,
    check_step,
    check_version,
    step,
)
from fengqiao.mediation.services.outcome import cancel_pending_sessions
from fengqiao.mediation.states import ACTION_LABELS, MAction

MAX_FILES = 5  # files in one submission
MAX_COMMENT = 500
MAX_REASON = 500


def is_applicant(citizen: Citizen, mediation: Mediation) -> bool:
    return bool(mediation.applicant_phone_hash) and mediation.applicant_phone_hash == citizen.phone_hash


def _applicant_only(citizen: Citizen, mediation: Mediation, action: MAction) -> None:
    if not is_applicant(citizen, mediation):
        raise PermissionDenied(_("只有申请人本人可以「%(action)s」。") % {"action": ACTION_LABELS[action]})


@transaction.atomic
def add_evidence(citizen: Citizen, code: str, uploads: list[UploadedFile], *, note: str = "",
                 expected_version: int | None = None) -> list[Attachment]:
    """提交证据: a party's files on the case (parties may see them), one event naming them.  Every file is
    checked before any is kept: one bad file and nothing is stored."""
    mediation = access_mediation(citizen, code, for_update=True)
    check_version(mediation, expected_version)
    acting = authorize(citizen, mediation, MAction.EVIDENCE)
    check_step(mediation, MAction.EVIDENCE)
    if not uploads:
        raise ValidationFailed(_("请选择要上传的证据文件。"), fields={"file": _("请选择文件")})
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(_("一次最多上传 %(n)s 个文件。") % {"n": MAX_FILES},
                               fields={"file": _("最多 %(n)s 个") % {"n": MAX_FILES}})
    for upload in uploads:
        check_upload(upload)
    kept = [attach_for(mediation.case_id, acting, upload, Audience.PARTIES) for upload in uploads]
    step(mediation, MAction.EVIDENCE, acting, note=note.strip()[:1000],
         data={"attachments": [a.pk for a in kept], "files": len(kept), "bytes": sum(a.size for a in kept),
               "by": "applicant" if is_applicant(citizen, mediation) else "party"})
    _tell_mediator(mediation, f"evidence:{kept[0].pk}", "当事人提交了证据",
                   f"解纷码 {mediation.code} 的当事人提交了 {len(kept)} 个证据文件。")
    return kept


@transaction.atomic
def withdraw(citizen: Citizen, code: str, *, reason: str = "", expected_version: int | None = None) -> Mediation:
    """撤回申请: the applicant withdraws before an agreement is signed (the state table says when)."""
    mediation = access_mediation(citizen, code, for_update=True)
    check_version(mediation, expected_version)
    acting = authorize(citizen, mediation, MAction.WITHDRAW)
    _applicant_only(citizen, mediation, MAction.WITHDRAW)
    check_step(mediation, MAction.WITHDRAW)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("撤回理由不能超过 %(n)s 字。") % {"n": MAX_REASON},
                               fields={"reason": _("不能超过 %(n)s 字") % {"n": MAX_REASON}})
    # what is kept and sent is in Chinese, whatever language the citizen's page was in
    mediation.outcome_note = reason or "申请人撤回调解申请"
    cancelled = cancel_pending_sessions(mediation, "申请人撤回调解申请")
    step(mediation, MAction.WITHDRAW, acting, note=reason, fields=("outcome_note",))
    _answer_case(mediation, acting, f"申请人撤回调解申请。{reason}")
    called_off = "".join(f"原定 {clock.localtime(s.starts_at):%Y-%m-%d %H:%M} 在{s.place}的调解已取消。"
                         for s in cancelled)
    _tell_mediator(mediation, "withdraw", "申请人撤回了调解申请",
                   f"解纷码 {mediation.code} 的申请人已撤回调解申请。{called_off}{reason}")
    if mediation.accepted_at is not None:  # the other side was told of the mediation: she is told it ended
        notify.tell_parties(mediation, "withdraw", "调解终止通知",
                            f"对方当事人已撤回调解申请（解纷码 {mediation.code}），本次调解终止。{called_off}",
                            roles=(PartyRole.RESPONDENT,))
    return mediation


@transaction.atomic
def rate(citizen: Citizen, code: str, *, stars: int | str, comment: str = "",
         expected_version: int | None = None) -> Mediation:
    """评价: once the mediation has an outcome, the applicant rates it 1–5 stars, once; the mediator's
    rating moves with it (in the database, so two ratings at once both count)."""
    mediation = access_mediation(citizen, code, for_update=True)
    check_version(mediation, expected_version)
    acting = authorize(citizen, mediation, MAction.RATE)
    _applicant_only(citizen, mediation, MAction.RATE)
    if mediation.rating is not None:
        raise Conflict(_("您已评价过这件调解，不能重复评价。"), fields={"stars": _("已评价")})
    check_step(mediation, MAction.RATE)
    value = _stars(stars)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(_("评价意见不能超过 %(n)s 字。") % {"n": MAX_COMMENT},
                               fields={"comment": _("不能超过 %(n)s 字") % {"n": MAX_COMMENT}})
    if value <= 2 and len(comment) < 2:
        raise ValidationFailed(_("评价为 %(n)s 星时，请写明不满意的原因。") % {"n": value},
                               fields={"comment": _("请写明原因")})
    mediation.rating, mediation.rating_comment, mediation.rated_at = value, comment, clock.now()
    step(mediation, MAction.RATE, acting, note=comment,
         data={"stars": value, "mediator": mediation.mediator_id}, fields=("rating", "rating_comment", "rated_at"))
    if mediation.mediator_id is not None:
        Mediator.objects.filter(pk=mediation.mediator_id).update(rating_sum=F("rating_sum") + value,
                                                                 rating_count=F("rating_count") + 1)
    return mediation


def _stars(stars: int | str) -> int:
    try:
        value = int(stars)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationFailed(_("请选择 1 到 5 星。"), fields={"stars": _("请选择 1 到 5 星")})
    return value


def _answer_case(mediation: Mediation, acting: Acting, text: str) -> None:
    """The case ends with the mediation: answered with the withdrawal, as the organisation answers it with
    any other outcome (workflow.answer_case), so it does not wait at the organisation for nothing."""
    from fengqiao.mediation.services.workflow import answer_case

    answer_case(mediation, acting, text)


def _tell_mediator(mediation: Mediation, key: str, subject: str, body: str) -> None:
    from fengqiao.mediation.services import notify

    notify.tell_mediator(mediation, key, subject, body)


@transaction.atomic
def evaluate_case(citizen: Citizen, code: str, *, rating: str, comment: str = "") -> Mediation:
    """回访评价 of the case the mediation answered (满意 · 基本满意 · 不满意, the closed loop's evaluation):
    the verified applicant uses the case's open invitation, as the SMS code would (cases.services.evaluation);
    unsatisfied reopens the case as any other evaluation does."""
    from fengqiao.cases.loop_models import EvaluationInvite
    from fengqiao.cases.services.evaluation import evaluate_by_invite
    from fengqiao.cases.states import State

    mediation = access_mediation(citizen, code)
    if not is_applicant(citizen, mediation):
        raise PermissionDenied(_("只有申请人本人可以评价办理结果。"))
    case = mediation.case
    invite = None
    if case.state == State.REPLIED:
        invite = (EvaluationInvite.objects.filter(case=case, round=case.reopen_count + 1, used_at__isnull=True,
                                                  replaced_at__isnull=True).order_by("-pk").first())
    if invite is None:
        raise Conflict(_("这件事项当前没有待评价的答复。"), fields={"rating": _("无待评价的答复")})
    evaluate_by_invite(invite.pk, rating=rating, comment=comment, via="portal")
    return mediation
