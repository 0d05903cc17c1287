"""分流交办, 签收, 退单: send a case to a lead unit (and assisting units); the unit signs for it or
returns it with a reason."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.cases import deadlines
from fengqiao.cases.models import Assignment, AssignmentRole, AssignmentStatus, Case
from fengqiao.cases.services._core import (
    Acting,
    access_case,
    active_assignments,
    authorize,
    check_version,
    lead_assignment,
    record,
    require_text,
    save,
    transition,
)
from fengqiao.cases.states import Action, State
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock
from fengqiao.kit.errors import ValidationFailed


def _units(lead_unit_id: int, assisting_unit_ids: list[int]) -> tuple[Unit, list[Unit]]:
    lead = Unit.objects.filter(pk=lead_unit_id, active=True).first()
    if lead is None:
        raise ValidationFailed(_("请选择有效的主办单位。"), fields={"lead_unit": _("主办单位不存在或已停用")})
    assisting_ids = [i for i in dict.fromkeys(assisting_unit_ids) if i != lead.pk]
    # ids beyond a 64-bit column cannot exist (and SQLite/psycopg raise on them instead of matching nothing)
    known = [i for i in assisting_ids if 0 < i < 2**63]
    assisting = list(Unit.objects.filter(pk__in=known, active=True))
    if len(assisting) != len(assisting_ids):
        raise ValidationFailed(_("协办单位中有不存在或已停用的单位。"), fields={"assisting_units": _("协办单位无效")})
    return lead, assisting


@transaction.atomic
def dispatch(
    user: User,
    case_id: int | str,
    *,
    lead_unit_id: int,
    assisting_unit_ids: list[int] | None = None,
    note: str = "",
    expected_version: int | None = None,
    propose_rule: bool = False,
) -> Case:
    """Dispatch a registered (or reopened) case; re-dispatch a returned, pending, accepted or disputed one.

    Re-dispatching a disputed case accepts the dispute (申辩成立); ``propose_rule`` then records an inactive
    routing rule (category × street) to the new unit for an administrator to confirm."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    action = Action.DISPATCH if case.state in (State.REGISTERED, State.REOPENED) else Action.REDISPATCH
    acting = authorize(user, case, action)
    transition(case, action)  # an illegal move is refused before the units are looked at
    lead, assisting = _units(lead_unit_id, assisting_unit_ids or [])
    data: dict[str, Any] = {}
    if case.state == State.DISPUTED:
        from fengqiao.cases.services.disputes import accept_pending_dispute

        data = accept_pending_dispute(case, user, lead, note=note, propose_rule=propose_rule)
    return do_dispatch(case, action, acting, lead, assisting, note=note, data=data)


def do_dispatch(
    case: Case, action: Action, acting: Acting, lead: Unit, assisting: list[Unit], *, note: str = "",
    data: dict[str, Any] | None = None,
) -> Case:
    """The dispatch itself, for a case already loaded, locked and authorised (or a system routing rule)."""
    before, after = transition(case, action)
    now = clock.now()
    previous = active_assignments(case)
    for old in previous:
        old.status = AssignmentStatus.WITHDRAWN
        old.closed_at = now
    Assignment.objects.bulk_update(previous, ["status", "closed_at"])
    Assignment.objects.bulk_create(
        [Assignment(case=case, unit=lead, role=AssignmentRole.LEAD, status=AssignmentStatus.PENDING,
                    dispatched_at=now)]
        + [Assignment(case=case, unit=u, role=AssignmentRole.ASSIST, status=AssignmentStatus.PENDING,
                      dispatched_at=now) for u in assisting]
    )
    terms = deadlines.policy_for(case.category, case.urgency)
    case.lead_unit = lead
    case.dispatched_at = now
    case.accepted_at = None
    case.accept_deadline = deadlines.accept_deadline(now, terms)
    event = record(
        case, action, before, after, acting, at=now, note=note.strip()[:2000],
        data={"lead_unit": lead.pk, "lead_unit_name": lead.name,
              "assisting_units": [u.pk for u in assisting],
              "assisting_unit_names": [u.name for u in assisting], **(data or {})},
    )
    save(case, event, ["lead_unit", "dispatched_at", "accepted_at", "accept_deadline"])
    return case


@transaction.atomic
def accept(user: User, case_id: int | str, *, expected_version: int | None = None) -> Case:
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.ACCEPT)
    before, after = transition(case, Action.ACCEPT)
    now = clock.now()
    case.assignments.filter(status=AssignmentStatus.PENDING).update(
        status=AssignmentStatus.ACCEPTED, accepted_at=now
    )
    case.accepted_at = now
    event = record(case, Action.ACCEPT, before, after, acting, at=now,
                   data={"unit_name": acting.unit.name if acting.unit else ""})
    save(case, event, ["accepted_at"])
    return case


@transaction.atomic
def return_case(
    user: User, case_id: int | str, *, reason: str, expected_version: int | None = None
) -> Case:
    """退单: the lead unit sends the case back to the dispatcher, saying why."""
    case = access_case(user, case_id, for_update=True)
    check_version(case, expected_version)
    acting = authorize(user, case, Action.RETURN)
    before, after = transition(case, Action.RETURN)
    text = require_text(reason, "reason", _("退回理由"), max_length=1000, min_length=4)
    now = clock.now()
    lead = lead_assignment(case)
    current = active_assignments(case)
    for assignment in current:
        assignment.status = (
            AssignmentStatus.RETURNED if lead and assignment.pk == lead.pk else AssignmentStatus.WITHDRAWN
        )
        assignment.closed_at = now
        if assignment.status == AssignmentStatus.RETURNED:
            assignment.return_reason = text
    Assignment.objects.bulk_update(current, ["status", "closed_at", "return_reason"])
    case.lead_unit = None
    case.accept_deadline = None
    event = record(case, Action.RETURN, before, after, acting, at=now, note=text,
                   data={"unit_name": acting.unit.name if acting.unit else ""})
    save(case, event, ["lead_unit", "accept_deadline"])
    return case
