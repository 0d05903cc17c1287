"""How the web shows things: status colours, time left, timeline entries, and which actions to offer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import ROLE_LABELS, Role
from fengqiao.cases import services, states
from fengqiao.cases.deadlines import time_left
from fengqiao.cases.models import Case, CaseEvent, ExtensionStatus, Satisfaction
from fengqiao.cases.permissions import UNIT_HANDLERS
from fengqiao.cases.services.closing import MAX_SUPERVISION_LEVEL
from fengqiao.cases.states import CLOCK_STATES, Action, State, allowed_actions
from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError

# badge colour per state (CSS class suffix)
STATE_TONES = {
    State.REGISTERED: "blue",
    State.DISPATCHED: "indigo",
    State.RETURNED: "orange",
    State.ACCEPTED: "teal",
    State.REPLIED: "purple",
    State.REOPENED: "red",
    State.CLOSED: "green",
    State.MERGED: "grey",
    State.CANCELLED: "grey",
    State.DISPUTED: "orange",
}
URGENCY_TONES = {"normal": "grey", "urgent": "orange", "very_urgent": "red"}

TAB_LABELS = {
    "to_dispatch": gettext_lazy("待分拨"),
    "to_accept": gettext_lazy("待签收"),
    "handling": gettext_lazy("办理中"),
    "to_evaluate": gettext_lazy("待评价"),
    "overdue": gettext_lazy("已超期"),
    "mine": gettext_lazy("我的诉求"),
    "all": gettext_lazy("全部"),
    "disputed": gettext_lazy("申辩待裁定"),
    "flow_queue": gettext_lazy("网格转来"),
    "grid_tasks": gettext_lazy("网格交办"),
}

SUPERVISION_LABELS = {
    0: gettext_lazy("无"),
    1: gettext_lazy("催办"),
    2: gettext_lazy("督办"),
    3: gettext_lazy("挂牌督办"),
}

SYSTEM_ONLY = frozenset({Action.MARK_OVERDUE, Action.CLOSE_UNEVALUATED})


@dataclass(frozen=True)
class Remaining:
    label: str
    overdue: bool
    soon: bool


def remaining(case: Case) -> Remaining | None:
    """Time left to the deadline that matters now (sign-for while dispatched, else resolve)."""
    if case.state not in CLOCK_STATES:
        return None
    signing = case.state in (State.DISPATCHED, State.DISPUTED) and case.accept_deadline
    deadline = case.accept_deadline if signing else case.deadline
    left = time_left(deadline, clock.now())
    if left is None:
        return None
    secs = abs(left.seconds)
    days, rest = divmod(secs, 86400)
    hours, minutes = rest // 3600, rest % 3600 // 60
    if days:
        span = _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    elif hours:
        span = _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": minutes}
    else:
        span = ngettext("%(m)s 分钟", "%(m)s 分钟", minutes) % {"m": minutes}
    label = _("超期 %(span)s") % {"span": span} if left.overdue else _("剩余 %(span)s") % {"span": span}
    return Remaining(label=label, overdue=left.overdue, soon=not left.overdue and left.seconds < 86400)


def role_label(role: str) -> str:
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return _("系统")


def event_details(event: CaseEvent) -> list[str]:
    """Short facts from the event's data, for the timeline."""
    data: dict[str, Any] = event.data or {}
    facts: list[str] = []
    if data.get("lead_unit_name"):
        facts.append(_("主办：%(unit)s") % {"unit": data["lead_unit_name"]})
    if data.get("assisting_unit_names"):
        facts.append(_("协办：%(units)s") % {"units": "、".join(data["assisting_unit_names"])})
    if event.action == Action.REQUEST_EXTENSION and data.get("working_days"):
        facts.append(_("申请延期 %(n)s 个工作日") % {"n": data["working_days"]})
    if data.get("rating") == Satisfaction.BASICALLY:  # the action's label already says satisfied / not
        facts.append(_("评价：%(r)s") % {"r": Satisfaction(data["rating"]).label})
    if event.action == Action.RESEND_EVALUATION and data.get("resend"):
        facts.append(_("本轮第 %(n)s 次重发，原链接和验证码已失效") % {"n": data["resend"]})
    if event.action == Action.ESCALATE and data.get("level") in SUPERVISION_LABELS:
        facts.append(str(SUPERVISION_LABELS[data["level"]]))
    if data.get("into_code"):
        facts.append(_("并入 %(code)s") % {"code": data["into_code"]})
    if data.get("other_code"):
        facts.append(_("关联 %(code)s") % {"code": data["other_code"]})
    facts += _routing_facts(data)
    return facts


def _routing_facts(data: dict[str, Any]) -> list[str]:
    """Disputes and the flow list on the timeline (docs/routing.md)."""
    facts: list[str] = []
    if data.get("dispute_accepted"):
        facts.append(_("申辩成立，改派（原单位：%(unit)s）") % {"unit": data.get("disputed_unit_name", "")})
    if data.get("proposed_rule"):
        facts.append(_("已生成待启用的分拨规则 #%(id)s") % {"id": data["proposed_rule"]})
    flow = data.get("flow")
    if isinstance(flow, dict):
        if flow.get("direction") == "grid_to_hotline":
            facts.append(_("流转清单：转 %(unit)s 分拨") % {"unit": flow.get("unit_name", "")})
        elif flow.get("grid_worker_name"):
            facts.append(_("流转清单：网格员 %(name)s") % {"name": flow["grid_worker_name"]})
    return facts


def satisfaction_label(value: str) -> str:
    return str(Satisfaction(value).label) if value in Satisfaction.values else value


def action_label(action: str) -> str:
    return states.action_label(action)


def _offered(user: User, case: Case, action: Action) -> bool:
    try:
        acting = services.authorize(user, case, action)
    except DomainError:
        return False
    if action == Action.REPLY:
        # the lead unit replies while handling; an operator or dispatcher answers a registered consultation
        return (acting.role in UNIT_HANDLERS) == (case.state == State.ACCEPTED)
    return True


def offered_actions(user: User, case: Case) -> list[str]:
    """The forms to show: actions the state allows and the user may take, as run_action names."""
    pending_extension = case.extension_requests.filter(status=ExtensionStatus.PENDING).exists()
    names: list[str] = []
    for action in allowed_actions(case.state):
        if action in SYSTEM_ONLY or not _offered(user, case, action):
            continue
        if action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION) and not pending_extension:
            continue
        if action == Action.REQUEST_EXTENSION and pending_extension:
            continue
        if action == Action.ESCALATE:
            # 挂牌督办 is a leader's decision: others climb by hand to 督办 at most; a leader lists directly
            leader = user.has_role(Role.LEADER)
            if leader and case.supervision_level < MAX_SUPERVISION_LEVEL:
                names.append("list_supervision")
            if case.supervision_level >= (MAX_SUPERVISION_LEVEL if leader else MAX_SUPERVISION_LEVEL - 1):
                continue
        name = {Action.REDISPATCH: "dispatch", Action.REOPEN: "evaluate"}.get(action, action.value)
        if name not in names:
            names.append(name)
    return names
