"""The mediation lifecycle as data (DESIGN rule 2).  No I/O here.

A mediation lives inside its case: the case is registered and dispatched to the mediation organisation,
which accepts it; the mediation's own states are the steps of the work in between.  Each action also
writes one event on the case's chain (action ``m_<action>``, see ``event_action``), so the case's timeline, the
citizen's view and the audit trail hold the mediation too.

Which steps a mediation goes through is the kind's (``MediationKind.steps``): a kind without
``schedule`` concludes without offline sessions, one without ``confirm`` never goes to a court.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from fengqiao.kit.transitions import IllegalStep, allowed_in, step


class MState(StrEnum):
    APPLIED = "applied"  # 已申请, 待受理
    ACCEPTED = "accepted"  # 已受理, 待排期
    SCHEDULED = "scheduled"  # 已排期: a session is fixed
    IN_PROGRESS = "in_progress"  # 调解中: at least one session held and recorded
    AGREED = "agreed"  # 达成协议
    CONFIRMING = "confirming"  # 司法确认审查中
    CONFIRMED = "confirmed"  # 已司法确认
    REFUSED = "refused"  # 不予确认
    PERFORMED = "performed"  # 已履行
    FAILED = "failed"  # 调解不成
    REFERRED = "referred"  # 已转入诉讼、仲裁或行政程序
    DECLINED = "declined"  # 不予受理
    WITHDRAWN = "withdrawn"  # 申请人撤回


class MAction(StrEnum):
    APPLY = "apply"
    CHOOSE = "choose"  # a mediator chosen (by the citizen online, by suggestion, or assigned)
    ACCEPT = "accept"
    DECLINE = "decline"
    SCHEDULE = "schedule"
    CANCEL_SESSION = "cancel_session"
    RECORD = "record"  # a session held, its record (笔录) written
    AGREE = "agree"  # the agreement (调解协议书) signed
    FAIL = "fail"
    REFER = "refer"
    APPLY_CONFIRMATION = "apply_confirmation"
    CONFIRM = "confirm"
    REFUSE_CONFIRMATION = "refuse_confirmation"
    FOLLOW_UP = "follow_up"  # a check on performance
    FULFIL = "fulfil"  # performance complete
    WITHDRAW = "withdraw"
    RATE = "rate"  # the citizen's evaluation of the mediation and the mediator
    EVIDENCE = "evidence"  # the citizen uploaded evidence
    SET_DIFFICULTY = "set_difficulty"  # the mediator grades the case (simple … major): the subsidy's basis


S, A = MState, MAction

TRANSITIONS: dict[tuple[MState, MAction], MState] = {
    (S.APPLIED, A.CHOOSE): S.APPLIED,
    (S.APPLIED, A.ACCEPT): S.ACCEPTED,
    (S.APPLIED, A.DECLINE): S.DECLINED,
    (S.APPLIED, A.WITHDRAW): S.WITHDRAWN,
    (S.ACCEPTED, A.CHOOSE): S.ACCEPTED,  # another mediator takes over before the first session
    (S.ACCEPTED, A.SCHEDULE): S.SCHEDULED,
    (S.ACCEPTED, A.AGREE): S.AGREED,  # kinds without offline sessions
    (S.ACCEPTED, A.FAIL): S.FAILED,
    (S.ACCEPTED, A.WITHDRAW): S.WITHDRAWN,
    (S.SCHEDULED, A.SCHEDULE): S.SCHEDULED,  # another session, or a new time
    (S.SCHEDULED, A.CANCEL_SESSION): S.SCHEDULED,
    (S.SCHEDULED, A.RECORD): S.IN_PROGRESS,
    (S.SCHEDULED, A.FAIL): S.FAILED,
    (S.SCHEDULED, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_PROGRESS, A.SCHEDULE): S.SCHEDULED,
    (S.IN_PROGRESS, A.AGREE): S.AGREED,
    (S.IN_PROGRESS, A.FAIL): S.FAILED,
    (S.IN_PROGRESS, A.WITHDRAW): S.WITHDRAWN,
    (S.AGREED, A.APPLY_CONFIRMATION): S.CONFIRMING,
    (S.AGREED, A.FOLLOW_UP): S.AGREED,
    (S.AGREED, A.FULFIL): S.PERFORMED,
    (S.CONFIRMING, A.CONFIRM): S.CONFIRMED,
    (S.CONFIRMING, A.REFUSE_CONFIRMATION): S.REFUSED,
    (S.CONFIRMED, A.FOLLOW_UP): S.CONFIRMED,
    (S.CONFIRMED, A.FULFIL): S.PERFORMED,
    (S.REFUSED, A.REFER): S.REFERRED,
    (S.FAILED, A.REFER): S.REFERRED,
}
# Actions that change nothing of the state and are allowed in every state but the ends.
ANY_OPEN_STATE = frozenset({A.EVIDENCE, A.SET_DIFFICULTY})
TERMINAL = frozenset({S.PERFORMED, S.REFERRED, S.DECLINED, S.WITHDRAWN})
# The citizen may rate once the mediation has an outcome.
RATEABLE = frozenset({S.AGREED, S.CONFIRMED, S.REFUSED, S.PERFORMED, S.FAILED, S.REFERRED})
# A mediation counts toward its mediator's load in these states.
OPEN = frozenset({S.APPLIED, S.ACCEPTED, S.SCHEDULED, S.IN_PROGRESS})
# Concluded with an agreement (the success rate's numerator) and concluded at all (its denominator).
SUCCEEDED = frozenset({S.AGREED, S.CONFIRMING, S.CONFIRMED, S.REFUSED, S.PERFORMED})
CONCLUDED = SUCCEEDED | {S.FAILED, S.REFERRED}

# The step of a kind (MediationKind.steps) each action belongs to: a kind without the step refuses it.
STEP_OF: dict[MAction, str] = {
    A.SCHEDULE: "schedule",
    A.CANCEL_SESSION: "schedule",
    A.RECORD: "schedule",
    A.APPLY_CONFIRMATION: "confirm",
    A.CONFIRM: "confirm",
    A.REFUSE_CONFIRMATION: "confirm",
    A.FOLLOW_UP: "follow_up",
    A.FULFIL: "follow_up",
    A.REFER: "refer",
}
STEPS = ("schedule", "confirm", "follow_up", "refer")

STATE_LABELS = {
    S.APPLIED: _("待受理"),
    S.ACCEPTED: _("已受理"),
    S.SCHEDULED: _("已排期"),
    S.IN_PROGRESS: _("调解中"),
    S.AGREED: _("达成协议"),
    S.CONFIRMING: _("司法确认中"),
    S.CONFIRMED: _("已司法确认"),
    S.REFUSED: _("不予确认"),
    S.PERFORMED: _("已履行"),
    S.FAILED: _("调解不成"),
    S.REFERRED: _("已转出"),
    S.DECLINED: _("不予受理"),
    S.WITHDRAWN: _("已撤回"),
}

ACTION_LABELS = {
    A.APPLY: _("申请调解"),
    A.CHOOSE: _("选定调解员"),
    A.ACCEPT: _("受理调解"),
    A.DECLINE: _("不予受理"),
    A.SCHEDULE: _("安排调解"),
    A.CANCEL_SESSION: _("取消调解安排"),
    A.RECORD: _("调解笔录"),
    A.AGREE: _("达成调解协议"),
    A.FAIL: _("调解不成"),
    A.REFER: _("转出（诉调对接）"),
    A.APPLY_CONFIRMATION: _("申请司法确认"),
    A.CONFIRM: _("司法确认：有效"),
    A.REFUSE_CONFIRMATION: _("司法确认：不予确认"),
    A.FOLLOW_UP: _("履行回访"),
    A.FULFIL: _("协议已履行"),
    A.WITHDRAW: _("撤回申请"),
    A.RATE: _("评价调解"),
    A.EVIDENCE: _("提交证据"),
    A.SET_DIFFICULTY: _("评定难易程度"),
}

def event_action(action: MAction) -> str:
    """The action name of the case event that records a mediation action (at most 24 characters)."""
    short = {A.APPLY_CONFIRMATION: "apply_confirm", A.REFUSE_CONFIRMATION: "refuse_confirm",
             A.CANCEL_SESSION: "cancel_session", A.SET_DIFFICULTY: "difficulty"}
    return f"m_{short.get(action, action.value)}"


EVENT_LABELS = {event_action(a): label for a, label in ACTION_LABELS.items()}


class IllegalMediationStep(IllegalStep[MState, MAction]):
    template = gettext_noop("调解当前为「%(state)s」，不能「%(action)s」。可进行的操作：%(allowed)s。")
    table = TRANSITIONS
    state_labels = STATE_LABELS
    action_labels = ACTION_LABELS

    def allowed_from(self, state: MState) -> list[MAction]:
        return allowed_actions(state)


def next_state(state: MState, action: MAction) -> MState:
    if action in ANY_OPEN_STATE and state not in TERMINAL:
        return state
    if action == A.RATE and state in RATEABLE:
        return state
    return step(TRANSITIONS, state, action, IllegalMediationStep)


def allowed_actions(state: MState) -> list[MAction]:
    found = allowed_in(TRANSITIONS, state)
    if state not in TERMINAL:
        found += sorted(ANY_OPEN_STATE)
    if state in RATEABLE:
        found.append(A.RATE)
    return found
