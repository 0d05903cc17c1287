"""办理: progress notes, deadline extensions (申请 / 批准 / 不予批准) and the reply (答复)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.audit.models import Audience
from fengqiao.cases import deadlines
from fengqiao.cases.models import AssignmentStatus, Case, ExtensionRequest, ExtensionStatus
from fengqiao.cases.permissions import UNIT_HANDLERS
from fengqiao.cases.services._core import (
    Acting,
    access_case,
    authorize,
    check_version,
    record,
    require_text,
    save,
    transition,
)
from fengqiao.cases.states import Action, State
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, PermissionDenied, ValidationFailed

REPLY_MAX_LENGTH = 5000
MAX_EXTENSION_DAYS = 30


@transaction.atomic
def add_note(
    user: User, case_id: int | str, *, text: str, visible_to_parties: bool = False,
    expected_version: int | None = None,
) -> Case:
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.NOTE)
    before, after = transition(case, Action.NOTE)
    body = require_text(text, "text", _("办理进展"), max_length=2000)
    audience = Audience.PARTIES if visible_to_parties else Audience.INTERNAL
    event = record(case, Action.NOTE, before, after, acting, note=body, audience=audience)
    save(case, event)
    return case


@transaction.atomic
def request_extension(
    user: User, case_id: int | str, *, working_days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.REQUEST_EXTENSION)
    before, after = transition(case, Action.REQUEST_EXTENSION)
    if not 1 <= working_days <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            _("延期天数应为 1 到 %(max)s 个工作日。") % {"max": MAX_EXTENSION_DAYS},
            fields={"working_days": _("天数超出范围")},
        )
    text = require_text(reason, "reason", _("延期理由"), max_length=1000, min_length=4)
    if case.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise Conflict(_("已有一份延期申请在等待审批，请等待审批结果。"))
    assert acting.unit is not None
    assert acting.user is not None
    extension = ExtensionRequest.objects.create(
        case=case, unit=acting.unit, requested_by=acting.user, requested_at=clock.now(),
        working_days=working_days, reason=text,
    )
    event = record(case, Action.REQUEST_EXTENSION, before, after, acting, note=text,
                   data={"working_days": working_days, "extension": extension.pk})
    save(case, event)
    return extension


@transaction.atomic
def decide_extension(
    user: User, case_id: int | str, *, approve: bool, note: str = "", expected_version: int | None = None
) -> Case:
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    acting = authorize(user, case, action)
    before, after = transition(case, action)
    extension = case.extension_requests.filter(status=ExtensionStatus.PENDING).first()
    if extension is None:
        raise Conflict(_("没有待审批的延期申请。"))
    if not approve:
        note = require_text(note, "note", _("不予延期的理由"), max_length=1000)
    now = clock.now()
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by = user
    extension.decided_at = now
    extension.decision_note = note.strip()
    extension.save()
    data: dict[str, object] = {"extension": extension.pk, "working_days": extension.working_days}
    fields = []
    if approve and case.deadline is not None:
        case.deadline = deadlines.extend(case.deadline, extension.working_days)
        case.overdue = case.deadline < now
        case.overdue_since = case.overdue_since if case.overdue else None
        data["deadline"] = case.deadline.isoformat()
        fields = ["deadline", "overdue", "overdue_since"]
        # the supervision ladder starts afresh from the new deadline: reminders for the old one are withdrawn
        from fengqiao.notifications import services as notifications

        notifications.cancel_queued(case.pk, ["remind"])
    event = record(case, action, before, after, acting, at=now, note=note.strip(), data=data)
    save(case, event, fields)
    return case


@transaction.atomic
def reply(user: User, case_id: int | str, *, text: str, expected_version: int | None = None) -> Case:
    """答复: the lead unit's answer to the citizen (or an operator's answer on the spot)."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.REPLY)
    before, _after = transition(case, Action.REPLY)  # an illegal reply is refused before the text is checked
    if (acting.role in UNIT_HANDLERS) != (before == State.ACCEPTED):
        raise PermissionDenied(_("案件办理中由主办单位答复；待分拨的咨询类诉求由话务员或分拨员直接答复。"))
    body = require_text(text, "text", _("答复内容"), max_length=REPLY_MAX_LENGTH, min_length=10)
    return do_reply(case, acting, body)


def do_reply(case: Case, acting: Acting, body: str) -> Case:
    """The reply itself, for a case loaded, locked and authorised: the units' part done, the evaluation
    period opened, the event, and the citizen's evaluation invitation (回访评价: link and SMS code)."""
    before, after = transition(case, Action.REPLY)
    now = clock.now()
    terms = deadlines.policy_for(case.category, case.urgency)
    case.assignments.filter(status=AssignmentStatus.ACCEPTED).update(status=AssignmentStatus.DONE, closed_at=now)
    case.reply = body
    case.replied_at = now
    case.evaluation_deadline = deadlines.evaluation_deadline(now, terms)
    event = record(case, Action.REPLY, before, after, acting, at=now, note=body,
                   data={"unit_name": acting.unit.name if acting.unit else ""})
    save(case, event, ["reply", "replied_at", "evaluation_deadline"])
    from fengqiao.cases.services.evaluation import issue_invite

    issue_invite(case)
    return case
