"""The case lifecycle as data (DESIGN rule 2).  No I/O here.

``TRANSITIONS[(state, action)]`` is the state after ``action``; any pair not in the table is illegal and
``next_state`` raises :class:`IllegalTransition`, naming the current state and the actions it allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from fengqiao.kit.errors import Conflict


class State(StrEnum):
    NEW = "new"  # before registration; never stored
    REGISTERED = "registered"  # 已登记 / 待分拨
    DISPATCHED = "dispatched"  # 已交办 / 待签收
    RETURNED = "returned"  # 已退回 / 待重新分拨
    ACCEPTED = "accepted"  # 办理中
    REPLIED = "replied"  # 已答复 / 待评价
    REOPENED = "reopened"  # 重办 / 待分拨
    CLOSED = "closed"  # 已办结
    MERGED = "merged"  # 已合并 (重复件)
    CANCELLED = "cancelled"  # 已作废 (无效件)
    DISPUTED = "disputed"  # 申辩中: the lead unit says the matter is not its duty; the dispatcher decides


class Action(StrEnum):
    REGISTER = "register"
    DISPATCH = "dispatch"
    REDISPATCH = "redispatch"
    ACCEPT = "accept"
    RETURN = "return"
    NOTE = "note"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    REPLY = "reply"
    EVALUATE = "evaluate"  # satisfied or basically satisfied: closes
    REOPEN = "reopen"  # unsatisfied: back for handling again
    CLOSE_UNEVALUATED = "close_unevaluated"  # nobody evaluated within the period
    RESEND_EVALUATION = "resend_evaluation"  # a fresh evaluation invitation (SMS) replaces the round's last one
    MERGE = "merge"
    CANCEL = "cancel"
    ESCALATE = "escalate"
    MARK_OVERDUE = "mark_overdue"
    LINK = "link"
    ATTACH = "attach"
    REMIND = "remind"  # the supervision ladder's reminder before the deadline (system only)
    DISPUTE = "dispute"  # 申辩: the lead unit disputes the dispatch, with a reason
    DISMISS_DISPUTE = "dismiss_dispute"  # the dispatcher upholds the dispatch; the unit must handle it
    # --- closed loop (docs/closed-loop.md): no state change
    CONVENE = "convene"  # 会商研判 convened
    CONSULT_TASK = "consult_task"  # a follow-up task of a consultation given to a unit
    CONSULT_TASK_DONE = "consult_task_done"
    CONCLUDE = "conclude"  # the consultation's conclusion


S, A = State, Action
OPEN_STATES = frozenset({S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.REOPENED, S.DISPUTED})
FINAL_STATES = frozenset({S.CLOSED, S.MERGED, S.CANCELLED})
# States in which a deadline runs and the overdue sweep looks.
CLOCK_STATES = frozenset({S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.REOPENED, S.DISPUTED})

TRANSITIONS: dict[tuple[State, Action], State] = {
    (S.NEW, A.REGISTER): S.REGISTERED,
    # dispatching (分流交办) and re-dispatching
    (S.REGISTERED, A.DISPATCH): S.DISPATCHED,
    (S.REOPENED, A.DISPATCH): S.DISPATCHED,
    (S.RETURNED, A.REDISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.REDISPATCH): S.DISPATCHED,
    (S.ACCEPTED, A.REDISPATCH): S.DISPATCHED,
    # the unit signs for it, or returns it with a reason
    (S.DISPATCHED, A.ACCEPT): S.ACCEPTED,
    (S.DISPATCHED, A.RETURN): S.RETURNED,
    # 申辩: the lead unit disputes; the dispatcher upholds the dispatch (the deadline runs on) or accepts
    # the dispute by re-dispatching to another unit (docs/routing.md)
    (S.DISPATCHED, A.DISPUTE): S.DISPUTED,
    (S.DISPUTED, A.DISMISS_DISPUTE): S.DISPATCHED,
    (S.DISPUTED, A.REDISPATCH): S.DISPATCHED,
    # handling
    (S.ACCEPTED, A.NOTE): S.ACCEPTED,
    (S.ACCEPTED, A.REQUEST_EXTENSION): S.ACCEPTED,
    (S.ACCEPTED, A.APPROVE_EXTENSION): S.ACCEPTED,
    (S.ACCEPTED, A.REFUSE_EXTENSION): S.ACCEPTED,
    (S.ACCEPTED, A.REPLY): S.REPLIED,
    # an operator answers a consultation on the spot (直接答复)
    (S.REGISTERED, A.REPLY): S.REPLIED,
    # the citizen's evaluation
    (S.REPLIED, A.EVALUATE): S.CLOSED,
    (S.REPLIED, A.REOPEN): S.REOPENED,
    (S.REPLIED, A.CLOSE_UNEVALUATED): S.CLOSED,
    (S.REPLIED, A.RESEND_EVALUATION): S.REPLIED,  # at most RESEND_LIMIT per round (services/evaluation.py)
    # duplicates and invalid reports
    (S.REGISTERED, A.MERGE): S.MERGED,
    (S.DISPATCHED, A.MERGE): S.MERGED,
    (S.RETURNED, A.MERGE): S.MERGED,
    (S.REGISTERED, A.CANCEL): S.CANCELLED,
    (S.RETURNED, A.CANCEL): S.CANCELLED,
    # supervision and the clock, in every open state
    **{(state, A.ESCALATE): state for state in OPEN_STATES},
    **{(state, A.MARK_OVERDUE): state for state in CLOCK_STATES},
    **{(state, A.REMIND): state for state in CLOCK_STATES},
    **{(state, A.LINK): state for state in (*OPEN_STATES, S.REPLIED, S.CLOSED)},
    # evidence, photos, recordings: while the matter is open and until it is evaluated
    **{(state, A.ATTACH): state for state in (*OPEN_STATES, S.REPLIED)},
    # --- closed loop: joint consultations (会商研判) while the matter is open
    **{(state, action): state for state in OPEN_STATES
       for action in (A.CONVENE, A.CONSULT_TASK, A.CONSULT_TASK_DONE, A.CONCLUDE)},
}

STATE_LABELS = {
    S.NEW: _("新建"),
    S.REGISTERED: _("待分拨"),
    S.DISPATCHED: _("待签收"),
    S.RETURNED: _("已退回"),
    S.ACCEPTED: _("办理中"),
    S.REPLIED: _("待评价"),
    S.REOPENED: _("重办"),
    S.CLOSED: _("已办结"),
    S.MERGED: _("已合并"),
    S.CANCELLED: _("已作废"),
    S.DISPUTED: _("申辩中"),
}

ACTION_LABELS = {
    A.REGISTER: _("登记"),
    A.DISPATCH: _("分拨交办"),
    A.REDISPATCH: _("重新分拨"),
    A.ACCEPT: _("签收"),
    A.RETURN: _("退回"),
    A.NOTE: _("办理进展"),
    A.REQUEST_EXTENSION: _("申请延期"),
    A.APPROVE_EXTENSION: _("批准延期"),
    A.REFUSE_EXTENSION: _("不予延期"),
    A.REPLY: _("答复"),
    A.EVALUATE: _("评价：满意"),
    A.REOPEN: _("评价：不满意，重办"),
    A.CLOSE_UNEVALUATED: _("逾期未评价，结案"),
    A.RESEND_EVALUATION: _("重发评价短信"),
    A.MERGE: _("合并为重复件"),
    A.CANCEL: _("作废"),
    A.ESCALATE: _("督办升级"),
    A.MARK_OVERDUE: _("已超期"),
    A.LINK: _("关联"),
    A.ATTACH: _("上传附件"),
    A.REMIND: _("到期提醒"),
    A.DISPUTE: _("申辩"),
    A.DISMISS_DISPUTE: _("申辩不成立，维持交办"),
    A.CONVENE: _("发起会商研判"),
    A.CONSULT_TASK: _("会商任务交办"),
    A.CONSULT_TASK_DONE: _("会商任务完成"),
    A.CONCLUDE: _("会商结论"),
}


# Other domains' events on a case's chain (mediation's ``m_…`` actions), named for the timeline.
_OTHER_LABELS: dict[str, object] = {}


def register_action_labels(labels: Mapping[str, object]) -> None:
    """Name the event actions another domain writes on cases (called from its AppConfig.ready)."""
    _OTHER_LABELS.update(labels)


def action_label(action: str) -> str:
    """The label of a case event's action, whichever domain wrote it; the raw name if none is known."""
    try:
        return str(ACTION_LABELS[Action(action)])
    except ValueError:
        return str(_OTHER_LABELS.get(action, action))


class IllegalTransition(Conflict):
    code = "illegal_transition"

    def __init__(self, state: State, action: Action) -> None:
        allowed = allowed_actions(state)
        names = pgettext("list separator", "、").join(str(ACTION_LABELS[a]) for a in allowed) or gettext("无")
        super().__init__(
            gettext("当前状态为「%(state)s」，不能执行「%(action)s」。可执行的操作：%(allowed)s。")
            % {"state": STATE_LABELS[state], "action": ACTION_LABELS[action], "allowed": names}
        )
        self.state = state
        self.action = action
        self.allowed = allowed


def next_state(state: State, action: Action) -> State:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None


def allowed_actions(state: State) -> list[Action]:
    return [action for (from_state, action) in TRANSITIONS if from_state == state]
