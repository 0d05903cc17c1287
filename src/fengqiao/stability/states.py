"""The lifecycle of a stability assessment of a major decision (重大决策社会稳定风险评估), as data.  No I/O.

立项 draft → 方案制定 planned → 意见征询 consulting → 风险识别 identifying → 风险评级 graded → 防范化解措施
measures → 评估结论 concluded → 报告 reported → 备案/跟踪 tracking → 跟踪结束 closed.  An assessment may be
withdrawn (撤回) before its conclusion.  Opinions, risk items, measures and tracking notes keep the state.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from fengqiao.kit.transitions import IllegalStep, allowed_in, step


class DState(StrEnum):
    DRAFT = "draft"  # 立项: the decision and the assessment's scope recorded
    PLANNED = "planned"  # 方案制定: the assessment plan written
    CONSULTING = "consulting"  # 意见征询: the consultation period is open
    IDENTIFYING = "identifying"  # 风险识别: risk items being recorded
    GRADED = "graded"  # 风险评级: the overall grade set
    MEASURES = "measures"  # 防范化解措施: measures being set
    CONCLUDED = "concluded"  # 评估结论: go / go with measures / postpone / stop
    REPORTED = "reported"  # 报告: the report issued (PDF)
    TRACKING = "tracking"  # 备案/跟踪: filed; the measures tracked after the decision
    CLOSED = "closed"  # 跟踪结束
    WITHDRAWN = "withdrawn"  # 撤回


class DAction(StrEnum):
    CREATE = "create"
    PLAN = "plan"
    OPEN_CONSULTATION = "open_consultation"
    RECORD_OPINION = "record_opinion"
    PUBLIC_OPINION = "public_opinion"  # a citizen's opinion on the public page (no login)
    CLOSE_CONSULTATION = "close_consultation"
    ADD_ITEM = "add_item"
    REMOVE_ITEM = "remove_item"
    GRADE = "grade"
    ADD_MEASURE = "add_measure"
    CONCLUDE = "conclude"
    ISSUE_REPORT = "issue_report"
    FILE = "file"
    TRACK = "track"
    CLOSE = "close"
    WITHDRAW = "withdraw"


class Grade(StrEnum):
    HIGH = "high"  # 高风险
    MEDIUM = "medium"  # 中风险
    LOW = "low"  # 低风险


class Conclusion(StrEnum):
    GO = "go"  # 准予实施
    CONDITIONAL = "conditional"  # 附条件实施 (with the measures)
    POSTPONE = "postpone"  # 暂缓实施
    STOP = "stop"  # 不予实施


S, A = DState, DAction

TRANSITIONS: dict[tuple[DState, DAction], DState] = {
    (S.DRAFT, A.PLAN): S.PLANNED,
    (S.PLANNED, A.PLAN): S.PLANNED,
    (S.PLANNED, A.OPEN_CONSULTATION): S.CONSULTING,
    (S.CONSULTING, A.RECORD_OPINION): S.CONSULTING,
    (S.CONSULTING, A.PUBLIC_OPINION): S.CONSULTING,
    (S.CONSULTING, A.CLOSE_CONSULTATION): S.IDENTIFYING,
    (S.IDENTIFYING, A.ADD_ITEM): S.IDENTIFYING,
    (S.IDENTIFYING, A.REMOVE_ITEM): S.IDENTIFYING,
    (S.IDENTIFYING, A.GRADE): S.GRADED,
    (S.GRADED, A.GRADE): S.GRADED,
    (S.GRADED, A.ADD_MEASURE): S.MEASURES,
    (S.GRADED, A.CONCLUDE): S.CONCLUDED,
    (S.MEASURES, A.ADD_MEASURE): S.MEASURES,
    (S.MEASURES, A.GRADE): S.MEASURES,
    (S.MEASURES, A.CONCLUDE): S.CONCLUDED,
    (S.CONCLUDED, A.ISSUE_REPORT): S.REPORTED,
    (S.REPORTED, A.FILE): S.TRACKING,
    (S.TRACKING, A.TRACK): S.TRACKING,
    (S.TRACKING, A.CLOSE): S.CLOSED,
    **{(state, A.WITHDRAW): S.WITHDRAWN for state in (S.DRAFT, S.PLANNED, S.CONSULTING, S.IDENTIFYING, S.GRADED,
                                                       S.MEASURES)},
}
# What a conclusion allows after each grade (高风险 may not go ahead; 中风险 only with its measures).
ALLOWED_CONCLUSIONS: dict[Grade, frozenset[Conclusion]] = {
    Grade.HIGH: frozenset({Conclusion.POSTPONE, Conclusion.STOP}),
    Grade.MEDIUM: frozenset({Conclusion.CONDITIONAL, Conclusion.POSTPONE, Conclusion.STOP}),
    Grade.LOW: frozenset(Conclusion),
}
# The states in which an assessment is still under way (before its conclusion).
OPEN = frozenset({S.DRAFT, S.PLANNED, S.CONSULTING, S.IDENTIFYING, S.GRADED, S.MEASURES})

STATE_LABELS = {
    S.DRAFT: _("已立项"),
    S.PLANNED: _("方案已定"),
    S.CONSULTING: _("意见征询中"),
    S.IDENTIFYING: _("风险识别中"),
    S.GRADED: _("已评级"),
    S.MEASURES: _("制定措施中"),
    S.CONCLUDED: _("已出结论"),
    S.REPORTED: _("报告已出具"),
    S.TRACKING: _("跟踪落实中"),
    S.CLOSED: _("跟踪结束"),
    S.WITHDRAWN: _("已撤回"),
}

ACTION_LABELS = {
    A.CREATE: _("立项"),
    A.PLAN: _("制定评估方案"),
    A.OPEN_CONSULTATION: _("开始意见征询"),
    A.RECORD_OPINION: _("登记征询意见"),
    A.PUBLIC_OPINION: _("群众网上提交意见"),
    A.CLOSE_CONSULTATION: _("结束意见征询"),
    A.ADD_ITEM: _("登记风险点"),
    A.REMOVE_ITEM: _("删除风险点"),
    A.GRADE: _("风险评级"),
    A.ADD_MEASURE: _("制定防范化解措施"),
    A.CONCLUDE: _("作出评估结论"),
    A.ISSUE_REPORT: _("出具评估报告"),
    A.FILE: _("备案"),
    A.TRACK: _("跟踪措施落实"),
    A.CLOSE: _("结束跟踪"),
    A.WITHDRAW: _("撤回评估"),
}

GRADE_LABELS = {Grade.HIGH: _("高风险"), Grade.MEDIUM: _("中风险"), Grade.LOW: _("低风险")}

CONCLUSION_LABELS = {
    Conclusion.GO: _("准予实施"),
    Conclusion.CONDITIONAL: _("附条件实施"),
    Conclusion.POSTPONE: _("暂缓实施"),
    Conclusion.STOP: _("不予实施"),
}


class IllegalStabilityStep(IllegalStep[DState, DAction]):
    template = gettext_noop("评估当前为「%(state)s」，不能「%(action)s」。可进行的操作：%(allowed)s。")
    table = TRANSITIONS
    state_labels = STATE_LABELS
    action_labels = ACTION_LABELS

    def allowed_from(self, state: DState) -> list[DAction]:
        return [a for a in allowed_actions(state) if a != A.PUBLIC_OPINION]


def next_state(state: DState, action: DAction) -> DState:
    return step(TRANSITIONS, state, action, IllegalStabilityStep)


def allowed_actions(state: DState) -> list[DAction]:
    return allowed_in(TRANSITIONS, state)
