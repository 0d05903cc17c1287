"""The lifecycle table, walked whole: every pair in it moves where it says, every other pair is refused
with the allowed actions named; the grading matrix and the suggestion rule."""

from __future__ import annotations

import pytest

from fengqiao.stability import grading
from fengqiao.stability.states import (
    ACTION_LABELS,
    ALLOWED_CONCLUSIONS,
    STATE_LABELS,
    TRANSITIONS,
    Conclusion,
    DAction,
    DState,
    Grade,
    IllegalStabilityStep,
    allowed_actions,
    next_state,
)

ALL_PAIRS = [(s, a) for s in DState for a in DAction]


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS)
def test_every_pair_follows_the_table(state: DState, action: DAction) -> None:
    if (state, action) in TRANSITIONS:
        assert next_state(state, action) == TRANSITIONS[(state, action)]
    else:
        with pytest.raises(IllegalStabilityStep) as refused:
            next_state(state, action)
        assert str(STATE_LABELS[state]) in refused.value.message
        assert str(ACTION_LABELS[action]) in refused.value.message
        assert refused.value.status == 409


def test_the_main_path_reaches_the_end_and_ends_there() -> None:
    path = [DAction.PLAN, DAction.OPEN_CONSULTATION, DAction.CLOSE_CONSULTATION, DAction.GRADE,
            DAction.ADD_MEASURE, DAction.CONCLUDE, DAction.ISSUE_REPORT, DAction.FILE, DAction.CLOSE]
    state = DState.DRAFT
    for action in path:
        state = next_state(state, action)
    assert state == DState.CLOSED
    assert allowed_actions(DState.CLOSED) == []
    assert allowed_actions(DState.WITHDRAWN) == []


def test_withdrawal_only_before_the_conclusion() -> None:
    able = {s for (s, a) in TRANSITIONS if a == DAction.WITHDRAW}
    assert able == {DState.DRAFT, DState.PLANNED, DState.CONSULTING, DState.IDENTIFYING, DState.GRADED,
                    DState.MEASURES}


def test_labels_cover_every_state_and_action() -> None:
    assert set(STATE_LABELS) == set(DState)
    assert set(ACTION_LABELS) == set(DAction)


def test_a_high_risk_may_not_go_ahead_and_a_medium_one_only_with_measures() -> None:
    assert ALLOWED_CONCLUSIONS[Grade.HIGH] == {Conclusion.POSTPONE, Conclusion.STOP}
    assert Conclusion.GO not in ALLOWED_CONCLUSIONS[Grade.MEDIUM]
    assert ALLOWED_CONCLUSIONS[Grade.LOW] == set(Conclusion)


@pytest.mark.parametrize(("likelihood", "impact", "level"), [
    (1, 1, Grade.LOW), (2, 2, Grade.LOW), (4, 1, Grade.LOW), (5, 1, Grade.MEDIUM), (3, 4, Grade.MEDIUM),
    (4, 3, Grade.MEDIUM), (3, 5, Grade.HIGH), (4, 4, Grade.HIGH), (5, 5, Grade.HIGH),
])
def test_item_level_from_the_matrix(likelihood: int, impact: int, level: Grade) -> None:
    assert grading.item_level(likelihood, impact) == level


def test_the_suggestion_is_the_highest_item_raised_by_strong_opposition() -> None:
    assert grading.suggest([], 10, 0, 0).grade is None
    calm = grading.suggest(["low", "medium", "low"], 80, 10, 10)
    assert calm.grade == Grade.MEDIUM
    assert "高 0、中 1、低 2" in calm.reasons[0]
    assert "反对 10 条（10%）" in calm.reasons[1]
    angry = grading.suggest(["low", "medium"], 50, 30, 20)
    assert angry.grade == Grade.HIGH
    assert "上调一级" in angry.reasons[-1]
    capped = grading.suggest(["high"], 0, 100, 0)
    assert capped.grade == Grade.HIGH
    assert grading.suggest(["low"], 0, 0, 0).reasons[-1] == "尚无征询意见。"
