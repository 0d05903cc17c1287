"""What every case action shares: the scoped loader, the permission check, the event, the save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import UNIT_ROLES, Role
from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.audit.models import Audience
from fengqiao.cases.models import Assignment, AssignmentRole, AssignmentStatus, Case, CaseEvent
from fengqiao.cases.permissions import ACTION_ROLES, LEAD_UNIT_ACTIONS
from fengqiao.cases.states import ACTION_LABELS, STATE_LABELS, Action, State, next_state
from fengqiao.jurisdictions import scope
from fengqiao.jurisdictions.models import Unit
from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

# Who sees each action on the citizen's timeline unless the service says otherwise (DESIGN: audience).
DEFAULT_AUDIENCE: dict[Action, Audience] = {
    Action.REGISTER: Audience.PARTIES,
    Action.DISPATCH: Audience.PARTIES,
    Action.REDISPATCH: Audience.INTERNAL,
    Action.ACCEPT: Audience.PARTIES,
    Action.RETURN: Audience.INTERNAL,
    Action.NOTE: Audience.INTERNAL,
    Action.REQUEST_EXTENSION: Audience.INTERNAL,
    Action.APPROVE_EXTENSION: Audience.PARTIES,
    Action.REFUSE_EXTENSION: Audience.INTERNAL,
    Action.REPLY: Audience.PARTIES,
    Action.EVALUATE: Audience.PARTIES,
    Action.REOPEN: Audience.PARTIES,
    Action.CLOSE_UNEVALUATED: Audience.PARTIES,
    Action.RESEND_EVALUATION: Audience.INTERNAL,
    Action.MERGE: Audience.PARTIES,
    Action.CANCEL: Audience.PARTIES,
    Action.ESCALATE: Audience.INTERNAL,
    Action.MARK_OVERDUE: Audience.INTERNAL,
    Action.REMIND: Audience.INTERNAL,
    Action.LINK: Audience.INTERNAL,
    Action.ATTACH: Audience.PARTIES,
    Action.DISPUTE: Audience.INTERNAL,
    Action.DISMISS_DISPUTE: Audience.INTERNAL,
    Action.CONVENE: Audience.INTERNAL,
    Action.CONSULT_TASK: Audience.INTERNAL,
    Action.CONSULT_TASK_DONE: Audience.INTERNAL,
    Action.CONCLUDE: Audience.INTERNAL,
}


@dataclass(frozen=True)
class Acting:
    """The role and unit in which a user takes an action on a case."""

    user: User | None
    role: Role | None
    unit: Unit | None


SYSTEM = Acting(user=None, role=None, unit=None)


def access_case(user: User, case_id: int | str, *, for_update: bool = False) -> Case:
    """The only permission-checked loader: by id or tracking code, scoped to ``user``, locked if asked."""
    qs = Case.objects.filter(scope.case_filter(user))
    lookup = {"pk": case_id} if isinstance(case_id, int) else {"code": case_id}
    if for_update:
        qs = qs.select_for_update(of=("self",)) if connection.features.has_select_for_update_of else qs
    case = qs.filter(**lookup).first()
    if case is None:
        raise NotFound(_("没有找到案件 %(case)s，或您无权查看。") % {"case": case_id})
    return case


def lock_case(case_id: int) -> Case:
    """For system jobs: the case by id, locked, unscoped."""
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("没有找到案件 %(case)s。") % {"case": case_id})
    return case


def active_assignments(case: Case) -> list[Assignment]:
    return list(
        case.assignments.filter(status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED])
        .select_related("unit")
    )


def lead_assignment(case: Case) -> Assignment | None:
    for assignment in active_assignments(case):
        if assignment.role == AssignmentRole.LEAD:
            return assignment
    return None


def authorize(user: User, case: Case | None, action: Action) -> Acting:
    """Which of the user's roles allows ``action`` on ``case``; raises PermissionDenied otherwise."""
    allowed = ACTION_ROLES[action]
    roles = user.role_set()
    reach = scope.reach_of(user)
    memberships = [m for m in user.memberships_with_units() if m.role in allowed]
    if Role.ADMIN in allowed and Role.ADMIN in roles:
        return Acting(user, Role.ADMIN, None)
    units: list[Assignment] | None = None
    for membership in memberships:
        role = Role(membership.role)
        if role in UNIT_ROLES:
            if case is None or membership.unit_id is None:
                continue
            units = active_assignments(case) if units is None else units
            wanted = [a for a in units if a.unit_id == membership.unit_id]
            if action in LEAD_UNIT_ACTIONS:
                wanted = [a for a in wanted if a.role == AssignmentRole.LEAD]
            if wanted:
                return Acting(user, role, membership.unit)
        elif role == Role.CITIZEN:
            if case is None or case.citizen_id == user.pk:
                return Acting(user, role, None)
        else:
            # area roles: the case is in reach (access_case checked it); register checks its own area
            if case is None or reach.everything or _in_area(case, reach.area_ids):
                return Acting(user, role, membership.unit)
    label = ACTION_LABELS[action]
    raise PermissionDenied(_("您的角色无权执行「%(action)s」。") % {"action": label})


def _in_area(case: Case, area_ids: dict[str, frozenset[int]]) -> bool:
    located = {"district": case.district_id, "street": case.street_id, "community": case.community_id,
               "grid": case.grid_id}
    return any(located.get(level) in ids for level, ids in area_ids.items())


def check_version(case: Case, expected_version: int | None) -> None:
    """Conflict when the case changed since the caller saw it, naming the change and the state now."""
    if expected_version is not None and expected_version != case.version:
        last = CaseEvent.objects.filter(case=case).order_by("-seq").values_list("action", flat=True).first()
        change = ACTION_LABELS[Action(last)] if last else _("处理")
        raise Conflict(
            _("这个案件在您打开之后已有新的操作（%(change)s），当前状态为「%(state)s」，请刷新后查看最新状态。")
            % {"change": change, "state": STATE_LABELS[case.state]}
        )


def transition(case: Case, action: Action) -> tuple[State, State]:
    before = case.state
    after = next_state(before, action)
    return before, after


def record(
    case: Case,
    action: Action | str,
    before: State,
    after: State,
    acting: Acting,
    *,
    at: dt.datetime | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    audience: Audience | None = None,
) -> CaseEvent:
    """Build the next event of the case's chain and advance the head; :func:`save` writes both.

    ``action`` is a case action, or another domain's event name (a mediation's ``m_…``), which must
    then say its audience."""
    if audience is None and not isinstance(action, Action):
        raise ValueError(f"the audience of {action!r} must be given")
    event = CaseEvent(
        case=case,
        seq=case.event_seq + 1,
        action=str(action),
        from_state=before.value,
        to_state=after.value,
        at=at or clock.now(),
        actor=acting.user,
        actor_role=acting.role.value if acting.role else "system",
        unit=acting.unit,
        audience=(audience or DEFAULT_AUDIENCE[Action(action)]).value,
        note=note,
        data=data or {},
        prev_hash=case.event_head or GENESIS,
    )
    event.hash = event_digest(event.prev_hash, event.chain_fields())
    case.status = after.value
    case.event_seq = event.seq
    case.event_head = event.hash
    return event


def save(case: Case, event: CaseEvent, fields: Iterable[str] = ()) -> None:
    """Write the case if nobody else did since it was loaded (the version column), else Conflict;
    then append its event.  The caller's transaction makes the two one change."""
    names = {"status", "event_seq", "event_head", *fields}
    values = {name: getattr(case, name) for name in names}
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(version=case.version + 1, **values)
    if updated != 1:
        raise Conflict(_("这个案件刚被他人处理，您的操作未保存。请刷新后重试。"))
    case.version += 1
    event.save(force_insert=True)


def require_text(value: str, field: str, label: str, *, max_length: int = 2000, min_length: int = 1) -> str:
    text = (value or "").strip()
    if "\x00" in text:  # PostgreSQL cannot store a NUL: refused here, for every service, not as a 500 there
        raise ValidationFailed(_("%(label)s含有空字符（NUL），无法保存。") % {"label": label},
                               fields={field: _("不能包含空字符（NUL）")})
    if len(text) < min_length:
        raise ValidationFailed(_("请填写%(label)s。") % {"label": label},
                               fields={field: _("请填写%(label)s") % {"label": label}})
    if len(text) > max_length:
        raise ValidationFailed(
            _("%(label)s不能超过 %(max)s 字（现有 %(n)s 字）。") % {"label": label, "max": max_length, "n": len(text)},
            fields={field: _("不能超过 %(max)s 字") % {"max": max_length}},
        )
    return text
