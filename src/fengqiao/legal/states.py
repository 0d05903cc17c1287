"""An administrative dispute's lifecycle as data (DESIGN rule 2).  No I/O here.

识别 flagged → 交法制机构 routed → 介入中 intervening → 办结 concluded (with an outcome).  A flag found not
to be about an administrative act is dismissed.  Re-assessment (重新研判) keeps the state; a concluded
matter may have its outcome corrected (进入行政复议 → 进入行政诉讼).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from fengqiao.kit.transitions import IllegalStep, allowed_in, step


class LState(StrEnum):
    FLAGGED = "flagged"  # 已识别: the detector (or a person) found a matter against an administrative act
    ROUTED = "routed"  # 已交法制机构: the legal office assists on the case
    INTERVENING = "intervening"  # 介入中: at least one intervention recorded
    CONCLUDED = "concluded"  # 已办结: a final outcome recorded
    DISMISSED = "dismissed"  # 已排除: not an administrative dispute after all


class LAction(StrEnum):
    FLAG = "flag"  # creation
    RESCAN = "rescan"
    ROUTE = "route"
    INTERVENE = "intervene"
    CONCLUDE = "conclude"
    DISMISS = "dismiss"


class Risk(StrEnum):
    WATCH = "watch"  # 关注
    GENERAL = "general"  # 一般
    KEY = "key"  # 重点


RISK_ORDER = {Risk.WATCH: 0, Risk.GENERAL: 1, Risk.KEY: 2}


class ActType(StrEnum):
    PENALTY = "penalty"  # 行政处罚
    LICENSING = "licensing"  # 行政许可
    COERCION = "coercion"  # 行政强制（强拆、查封、扣押）
    EXPROPRIATION = "expropriation"  # 征收补偿
    CONFIRMATION = "confirmation"  # 行政确认（工伤认定、登记）
    INACTION = "inaction"  # 行政不作为、不履职
    DISCLOSURE = "disclosure"  # 政府信息公开
    BENEFIT = "benefit"  # 行政给付（社保、低保、抚恤）
    CHARGE = "charge"  # 行政收费


class Kind(StrEnum):
    """What the legal office does (介入方式)."""

    OPINION = "opinion"  # 法律意见
    COORDINATE = "coordinate"  # 协调化解
    EXPLAIN = "explain"  # 释法明理
    CORRECT = "correct"  # 建议纠错（向行政机关）


class Outcome(StrEnum):
    PENDING = "pending"  # 仍在处理
    RESOLVED = "resolved"  # 化解
    RECONSIDERATION = "reconsideration"  # 进入行政复议
    LITIGATION = "litigation"  # 进入行政诉讼
    WITHDRAWN = "withdrawn"  # 撤回


FINAL_OUTCOMES = (Outcome.RESOLVED, Outcome.RECONSIDERATION, Outcome.LITIGATION, Outcome.WITHDRAWN)
# Outcomes where the dispute went on to the formal legal routes (the conversion rate's numerator).
CONVERTED = frozenset({Outcome.RECONSIDERATION, Outcome.LITIGATION})

S, A = LState, LAction

TRANSITIONS: dict[tuple[LState, LAction], LState] = {
    (S.FLAGGED, A.RESCAN): S.FLAGGED,
    (S.FLAGGED, A.ROUTE): S.ROUTED,
    (S.FLAGGED, A.DISMISS): S.DISMISSED,
    (S.ROUTED, A.RESCAN): S.ROUTED,
    (S.ROUTED, A.INTERVENE): S.INTERVENING,
    (S.ROUTED, A.DISMISS): S.DISMISSED,
    (S.INTERVENING, A.RESCAN): S.INTERVENING,
    (S.INTERVENING, A.INTERVENE): S.INTERVENING,
    (S.INTERVENING, A.CONCLUDE): S.CONCLUDED,
    (S.CONCLUDED, A.CONCLUDE): S.CONCLUDED,
}
OPEN = frozenset({S.FLAGGED, S.ROUTED, S.INTERVENING})

STATE_LABELS = {
    S.FLAGGED: _("已识别"),
    S.ROUTED: _("待介入"),
    S.INTERVENING: _("介入中"),
    S.CONCLUDED: _("已办结"),
    S.DISMISSED: _("已排除"),
}
ACTION_LABELS = {
    A.FLAG: _("识别为行政争议"),
    A.RESCAN: _("重新研判"),
    A.ROUTE: _("交法制机构提前介入"),
    A.INTERVENE: _("记录介入"),
    A.CONCLUDE: _("登记结果"),
    A.DISMISS: _("排除（非行政争议）"),
}
RISK_LABELS = {Risk.WATCH: _("关注"), Risk.GENERAL: pgettext_lazy("grade", "一般"), Risk.KEY: _("重点")}
ACT_LABELS = {
    ActType.PENALTY: _("行政处罚"),
    ActType.LICENSING: _("行政许可"),
    ActType.COERCION: _("行政强制"),
    ActType.EXPROPRIATION: _("征收补偿"),
    ActType.CONFIRMATION: _("行政确认"),
    ActType.INACTION: _("行政不作为"),
    ActType.DISCLOSURE: _("政府信息公开"),
    ActType.BENEFIT: _("行政给付"),
    ActType.CHARGE: _("行政收费"),
}
KIND_LABELS = {
    Kind.OPINION: _("法律意见"),
    Kind.COORDINATE: _("协调化解"),
    Kind.EXPLAIN: _("释法明理"),
    Kind.CORRECT: _("建议纠错"),
}
OUTCOME_LABELS = {
    Outcome.PENDING: _("仍在处理"),
    Outcome.RESOLVED: _("化解"),
    Outcome.RECONSIDERATION: _("进入行政复议"),
    Outcome.LITIGATION: _("进入行政诉讼"),
    Outcome.WITHDRAWN: _("撤回"),
}

# The events this app writes on a case's chain, and their names on the case's timeline.
CASE_EVENT_LABELS = {
    "l_flagged": _("识别为行政争议"),
    "l_routed": _("交法制机构提前介入"),
    "l_intervened": _("法制机构介入"),
    "l_concluded": _("行政争议办结"),
    "l_dismissed": _("排除行政争议"),
}


class IllegalLegalStep(IllegalStep[LState, LAction]):
    template = gettext_noop("行政争议当前为「%(state)s」，不能「%(action)s」。可进行的操作：%(allowed)s。")
    table = TRANSITIONS
    state_labels = STATE_LABELS
    action_labels = ACTION_LABELS


def next_state(state: LState, action: LAction) -> LState:
    return step(TRANSITIONS, state, action, IllegalLegalStep)


def allowed_actions(state: LState) -> list[LAction]:
    return allowed_in(TRANSITIONS, state)
