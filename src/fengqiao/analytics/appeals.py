"""申诉: a unit appeals a case's count; the assessment office approves (核减) or refuses.  Every step writes
one hash-chained ``AppealEvent`` in the same transaction (the audit trail of the assessment)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.analytics.models import Appeal, AppealEvent, AppealKind, AppealStatus
from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.cases.models import Assignment, AssignmentRole, Case
from fengqiao.jurisdictions.scope import reach_of, units_of
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


def is_office(user: User) -> bool:
    """The assessment office: administrators, and leaders or dispatchers whose reach is the whole city."""
    reach = reach_of(user)
    return reach.everything and (user.is_superuser or bool(reach.roles & {Role.ADMIN, Role.LEADER,
                                                                          Role.DISPATCHER}))


def _record(appeal: Appeal, action: str, user: User, note: str = "") -> AppealEvent:
    event = AppealEvent(appeal=appeal, seq=appeal.event_seq + 1, action=action, at=clock.now(), actor=user,
                        note=note, prev_hash=appeal.event_head or GENESIS)
    event.hash = event_digest(event.prev_hash, event.chain_fields())
    appeal.event_seq, appeal.event_head = event.seq, event.hash
    Appeal.objects.filter(pk=appeal.pk).update(event_seq=event.seq, event_head=event.hash)
    event.save()
    return event


@transaction.atomic
def file_appeal(user: User, case_code: str, *, kind: str, reason: str) -> Appeal:
    """A handler appeals, for her unit, a case her unit led."""
    if kind not in AppealKind.values:
        raise ValidationFailed(_("请选择申诉理由类别。"), fields={"kind": _("请选择类别")})
    reason = reason.strip()
    if len(reason) < 4:
        raise ValidationFailed(_("请写明申诉理由（至少 4 个字）。"), fields={"reason": _("理由太短")})
    if len(reason) > 1000:
        raise ValidationFailed(_("申诉理由不能超过 1000 字。"), fields={"reason": _("理由太长")})
    case = Case.objects.filter(code=case_code.strip()).first()
    units = units_of(user, Role.HANDLER)
    led = (Assignment.objects.filter(case=case, role=AssignmentRole.LEAD, unit_id__in=units)
           .values_list("unit_id", flat=True).first() if case else None)
    if case is None or led is None:
        raise NotFound(_("没有找到本单位主办过的案件 %(code)s。") % {"code": case_code})
    if Appeal.objects.filter(case=case, unit_id=led, status__in=[AppealStatus.PENDING, AppealStatus.APPROVED]
                             ).exists():
        raise Conflict(_("案件 %(code)s 已有待审核或已核减的申诉。") % {"code": case.code})
    appeal = Appeal.objects.create(case=case, unit_id=led, kind=kind, reason=reason, filed_by=user,
                                   filed_at=clock.now())
    _record(appeal, "file", user, reason)
    return appeal


@transaction.atomic
def decide_appeal(user: User, appeal_id: int, *, approve: bool, note: str = "") -> Appeal:
    if not is_office(user):
        raise PermissionDenied(_("只有考核办（系统管理员、市级领导或市级分拨员）可以审核申诉。"))
    appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(_("申诉 %(id)s 不存在。") % {"id": appeal_id})
    if appeal.status != AppealStatus.PENDING:
        raise Conflict(_("申诉 %(id)s 已审核（%(status)s）。")
                       % {"id": appeal_id, "status": appeal.get_status_display()})
    note = note.strip()
    if not approve and len(note) < 2:
        raise ValidationFailed(_("不予核减时请写明理由。"), fields={"note": _("请写明理由")})
    appeal.status = AppealStatus.APPROVED if approve else AppealStatus.REFUSED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = user, clock.now(), note[:1000]
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _record(appeal, "approve" if approve else "refuse", user, note)
    return appeal
