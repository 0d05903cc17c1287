"""The assessment's core: who may take each action, the scoped loader with version check, and the step that
saves the changed fields and writes the event.  One function per action lives in ``actions.py`` (the staff's)
and ``public.py`` (a citizen's opinion on the public page); each runs in one transaction and writes one
DecisionEvent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import AREA_ROLES, Role
from fengqiao.cases.services._core import Acting
from fengqiao.kit import clock, ids
from fengqiao.kit.errors import PermissionDenied
from fengqiao.kit.records import check_version, save_versioned
from fengqiao.stability.models import Decision, DecisionEvent, Measure
from fengqiao.stability.selectors import access_decision
from fengqiao.stability.states import ACTION_LABELS, DAction, next_state

A = DAction
# 评估主体 and 决策机关 fill in; risk officers and leaders (of an area) decide.
FILL = frozenset({A.CREATE, A.PLAN, A.OPEN_CONSULTATION, A.RECORD_OPINION, A.CLOSE_CONSULTATION, A.ADD_ITEM,
                  A.REMOVE_ITEM, A.ADD_MEASURE, A.TRACK})
DECIDE = frozenset({A.GRADE, A.CONCLUDE, A.ISSUE_REPORT, A.FILE, A.CLOSE, A.WITHDRAW})
_DECIDERS = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.ADMIN})
_FILLERS = _DECIDERS | {Role.HANDLER}
# Who may take each action: area roles on decisions affecting their area; a unit's handlers and leader on
# the decisions their unit proposes or assesses (and, for tracking, holds a measure of) — fill-in only.
ACTION_ROLES: dict[DAction, frozenset[Role]] = {
    **{action: _FILLERS for action in FILL},
    **{action: _DECIDERS for action in DECIDE},
}


def decision_units(decision: Decision, action: DAction) -> set[int]:
    units = {decision.proposing_unit_id, decision.assessing_unit_id}
    if action == A.TRACK:
        units |= set(Measure.objects.filter(decision=decision).values_list("responsible_unit_id", flat=True))
    return units


def authorize(user: User, decision: Decision | None, action: DAction, *, units: set[int] | None = None) -> Acting:
    """The role in which ``user`` may take ``action`` (the decision was loaded scoped to her).  Without a
    decision (creation) ``units`` are the units the new decision names."""
    allowed = ACTION_ROLES[action]
    if Role.ADMIN in allowed and (user.is_superuser or Role.ADMIN in user.role_set()):
        return Acting(user, Role.ADMIN, None)
    reachable = units if decision is None else decision_units(decision, action)
    for membership in user.memberships.select_related("unit").filter(role__in=[r.value for r in allowed]):
        role = Role(membership.role)
        if role in AREA_ROLES and membership.area_id is not None:
            return Acting(user, role, membership.unit)
        if action in FILL and membership.unit_id is not None and membership.unit_id in (reachable or set()):
            return Acting(user, role, membership.unit)
    raise PermissionDenied(_("您的角色无权「%(action)s」。") % {"action": ACTION_LABELS[action]})


def new_code(at: dt.datetime) -> str:
    return f"WP{clock.localtime(at):%y%m%d}-{ids.random_part(6)}"


def event(decision: Decision, action: DAction, before: str, actor: User | None, now: dt.datetime, *,
          note: str = "", data: dict[str, Any] | None = None) -> DecisionEvent:
    return DecisionEvent.append(decision, action=action.value, from_state=before, to_state=decision.status,
                                actor=actor, at=now, note=note, data=data)


def load(user: User, code: str, action: DAction, expected_version: int | None) -> tuple[Decision, Acting]:
    decision = access_decision(user, code, for_update=True)
    acting = authorize(user, decision, action)
    check_version(decision, expected_version, _("这项评估在您打开之后已有新的变化，请刷新后查看。"))
    next_state(decision.state, action)
    return decision, acting


def step(decision: Decision, action: DAction, acting: Acting, *, note: str = "", data: dict[str, Any] | None = None,
         fields: tuple[str, ...] = ()) -> Decision:
    """Save the new state and ``fields`` if nobody changed the decision meanwhile; write the event."""
    before = decision.state
    decision.status = next_state(before, action).value
    save_versioned(decision, {"status", *fields}, _("这项评估刚被他人处理，您的操作未保存。请刷新后重试。"))
    event(decision, action, before.value, acting.user, clock.now(), note=note, data=data)
    return decision
