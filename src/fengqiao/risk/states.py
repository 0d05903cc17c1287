"""The risk register's lifecycle as data (DESIGN rule 2).  No I/O here.

排查 screened → 识别 identified → 建单 listed → 攻坚 tackling → 销号 written off → 结果运用 applied (the
result used in the assessment).  An identified entry found not to be a risk is dismissed.  A written-off entry is
followed up (回访巩固): stable, or relapsed.  A risk found
in a case is opened straight into ``listed`` (the case already told us what it is).  Reviews, measures
and regrading keep the state.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from fengqiao.kit.transitions import IllegalStep, allowed_in, step


class RState(StrEnum):
    SCREENED = "screened"  # 排查: found by screening, not yet judged
    IDENTIFIED = "identified"  # 识别: judged a risk, graded
    LISTED = "listed"  # 建单: on the register, with a responsible leader and unit
    TACKLING = "tackling"  # 攻坚: measures under way
    WRITTEN_OFF = "written_off"  # 销号: resolved, with evidence
    APPLIED = "applied"  # 结果运用: the result used in the assessment
    DISMISSED = "dismissed"  # 识别为非风险


class RAction(StrEnum):
    SCREEN = "screen"  # an entry recorded by screening (creation)
    OPEN = "open"  # an entry opened from a case, straight onto the register (creation)
    IDENTIFY = "identify"
    LIST = "list"
    TACKLE = "tackle"  # a stability-control measure (稳控措施) added
    REVIEW = "review"
    REGRADE = "regrade"
    WRITE_OFF = "write_off"
    APPLY_RESULT = "apply_result"
    DISMISS = "dismiss"
    CONSOLIDATE = "consolidate"  # 回访巩固: a follow-up after write-off (stable, or relapsed)


class Grade(StrEnum):
    WATCH = "watch"  # 关注
    GENERAL = "general"  # 一般
    KEY = "key"  # 重点


S, A = RState, RAction

# What each creating action starts an entry in.
CREATED_IN: dict[RAction, RState] = {A.SCREEN: S.SCREENED, A.OPEN: S.LISTED}

TRANSITIONS: dict[tuple[RState, RAction], RState] = {
    (S.SCREENED, A.IDENTIFY): S.IDENTIFIED,
    (S.SCREENED, A.REGRADE): S.SCREENED,
    (S.IDENTIFIED, A.LIST): S.LISTED,
    (S.IDENTIFIED, A.DISMISS): S.DISMISSED,
    (S.IDENTIFIED, A.REGRADE): S.IDENTIFIED,
    (S.LISTED, A.TACKLE): S.TACKLING,
    (S.LISTED, A.REVIEW): S.LISTED,
    (S.LISTED, A.REGRADE): S.LISTED,
    (S.TACKLING, A.TACKLE): S.TACKLING,
    (S.TACKLING, A.REVIEW): S.TACKLING,
    (S.TACKLING, A.REGRADE): S.TACKLING,
    (S.TACKLING, A.WRITE_OFF): S.WRITTEN_OFF,
    (S.WRITTEN_OFF, A.APPLY_RESULT): S.APPLIED,
    (S.WRITTEN_OFF, A.CONSOLIDATE): S.WRITTEN_OFF,
    (S.APPLIED, A.CONSOLIDATE): S.APPLIED,
}
# An entry in these states is still a live risk (one live entry per case).
LIVE = frozenset({S.SCREENED, S.IDENTIFIED, S.LISTED, S.TACKLING})
# An entry in these states is reviewed on its grade's cadence.
REVIEWED = frozenset({S.LISTED, S.TACKLING})

STATE_LABELS = {
    S.SCREENED: _("已排查"),
    S.IDENTIFIED: _("已识别"),
    S.LISTED: _("已建单"),
    S.TACKLING: _("攻坚中"),
    S.WRITTEN_OFF: _("已销号"),
    S.APPLIED: _("已结果运用"),
    S.DISMISSED: _("非风险，已排除"),
}

ACTION_LABELS = {
    A.SCREEN: _("排查登记"),
    A.OPEN: _("由事件建单"),
    A.IDENTIFY: _("识别"),
    A.LIST: _("建单"),
    A.TACKLE: _("落实稳控措施"),
    A.REVIEW: _("复核"),
    A.REGRADE: _("调整等级"),
    A.WRITE_OFF: _("销号"),
    A.APPLY_RESULT: _("结果运用"),
    A.DISMISS: _("排除（非风险）"),
    A.CONSOLIDATE: _("回访巩固"),
}

GRADE_LABELS = {
    Grade.WATCH: _("关注"),
    Grade.GENERAL: pgettext_lazy("grade", "一般"),
    Grade.KEY: _("重点"),
}

# The case events the register writes on a case's chain, and their names on the case's timeline.
CASE_EVENT_LABELS = {"r_listed": _("列入重大风险清单")}


class IllegalRiskStep(IllegalStep[RState, RAction]):
    template = gettext_noop("风险当前为「%(state)s」，不能「%(action)s」。可进行的操作：%(allowed)s。")
    table = TRANSITIONS
    state_labels = STATE_LABELS
    action_labels = ACTION_LABELS


def next_state(state: RState, action: RAction) -> RState:
    return step(TRANSITIONS, state, action, IllegalRiskStep)


def allowed_actions(state: RState) -> list[RAction]:
    return allowed_in(TRANSITIONS, state)
