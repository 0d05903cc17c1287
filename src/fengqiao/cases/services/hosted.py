"""Case actions taken for another domain that has already checked who may act (the mediation of a
case, the citizen app): the same writes and events as the case's own actions, with the acting role and
unit the caller names.  The case's state machine still decides what is legal.

Each function loads the case by id with a row lock (unscoped: the calling domain scoped its own load).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from fengqiao.audit.models import Audience
from fengqiao.cases.models import Assignment, AssignmentRole, AssignmentStatus, Attachment, Case, CaseEvent
from fengqiao.cases.services._core import Acting, lock_case, record, save, transition
from fengqiao.cases.services.attachments import check_upload
from fengqiao.cases.services.dispatch import do_dispatch
from fengqiao.cases.services.register import Registered, RegisterInput, do_register
from fengqiao.cases.states import CLOCK_STATES, Action, State
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock


def register_for(acting: Acting, data: RegisterInput) -> Registered:
    """Register a matter for an actor the caller verified (a citizen app applicant: no account)."""
    return do_register(acting, data)


def dispatch_for(case_id: int, acting: Acting, lead: Unit, *, note: str = "") -> Case:
    """Send the case to ``lead`` (a registered or reopened case; any other open case is re-dispatched)."""
    case = lock_case(case_id)
    action = Action.DISPATCH if case.state in (State.REGISTERED, State.REOPENED) else Action.REDISPATCH
    return do_dispatch(case, action, acting, lead, [], note=note)


def accept_for(case_id: int, acting: Acting) -> Case:
    """The lead unit signs for the case (a mediation accepted is the case accepted)."""
    case = lock_case(case_id)
    before, after = transition(case, Action.ACCEPT)
    now = clock.now()
    case.assignments.filter(status=AssignmentStatus.PENDING).update(status=AssignmentStatus.ACCEPTED,
                                                                    accepted_at=now)
    case.accepted_at = now
    event = record(case, Action.ACCEPT, before, after, acting, at=now,
                   data={"unit_name": acting.unit.name if acting.unit else ""})
    save(case, event, ["accepted_at"])
    return case


def assist_for(case_id: int, acting: Acting, unit: Unit) -> Assignment:
    """Add ``unit`` as an assisting unit, already signed for (a court reviewing the agreement); its
    members then reach the case.  An existing live assignment of the unit is kept."""
    case = lock_case(case_id)
    live = case.assignments.filter(unit=unit, status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED])
    found = live.first()
    if found is not None:
        return found
    now = clock.now()
    return Assignment.objects.create(case=case, unit=unit, role=AssignmentRole.ASSIST,
                                     status=AssignmentStatus.ACCEPTED, dispatched_at=now, accepted_at=now)


def reply_for(case_id: int, acting: Acting, text: str) -> Case:
    """答复 with the outcome (an agreement, a referral …); the citizen's evaluation invitation follows."""
    from fengqiao.cases.services.handling import do_reply

    return do_reply(lock_case(case_id), acting, text)


def event_for(case_id: int, acting: Acting, action: str, *, audience: Audience, note: str = "",
              data: dict[str, Any] | None = None, deadline: dt.datetime | None = None) -> CaseEvent:
    """One event of another domain on the case's chain (the case's state does not change).

    ``deadline``, when given, becomes the case's deadline in the same change (a mediation's term is the
    kind's, not the category's): the overdue flag follows it, and reminders queued for the old deadline
    are withdrawn so the supervision ladder starts afresh."""
    case = lock_case(case_id)
    fields: list[str] = []
    if deadline is not None and deadline != case.deadline:
        now = clock.now()
        case.deadline = deadline
        case.overdue = deadline < now and case.state in CLOCK_STATES
        case.overdue_since = case.overdue_since if case.overdue else None
        fields = ["deadline", "overdue", "overdue_since"]
        data = {**(data or {}), "case_deadline": deadline.isoformat()}
        from fengqiao.notifications import services as notifications

        notifications.cancel_queued(case.pk, ["remind"])
    event = record(case, action, case.state, case.state, acting, note=note[:4000], data=data, audience=audience)
    save(case, event, fields)
    return event


def attach_for(case_id: int, acting: Acting, upload: UploadedFile, audience: Audience = Audience.PARTIES) -> Attachment:
    """Keep a file on the case (a party's evidence from the citizen app), checked and stored as the case's
    own attachments are (extension against content, size limit: attachments.check_upload).  The case must
    still take files; the caller writes the event that names the file (e.g. the mediation's evidence)."""
    case = lock_case(case_id)
    transition(case, Action.ATTACH)
    name, mime = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(case=case, name=name, content_type=mime, size=upload.size or 0,
                            sha256=digest.hexdigest(), uploaded_by=acting.user, uploaded_at=clock.now(),
                            audience=audience)
    attachment.file.save(f"{digest.hexdigest()[:16]}-{name}", upload, save=False)
    attachment.save()
    return attachment
