"""The register's transition table walked: every legal pair, every other pair refused with a message."""

from __future__ import annotations

import pytest

from fengqiao.kit.errors import Conflict
from fengqiao.risk.states import (
    CREATED_IN,
    STATE_LABELS,
    TRANSITIONS,
    IllegalRiskStep,
    RAction,
    RState,
    allowed_actions,
    next_state,
)

STEPS = [a for a in RAction if a not in CREATED_IN]
ILLEGAL = [(s, a) for s in RState for a in STEPS if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), list(TRANSITIONS))
def test_every_legal_pair(state: RState, action: RAction) -> None:
    assert next_state(state, action) == TRANSITIONS[(state, action)]
    assert action in allowed_actions(state)


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_other_pair_is_refused(state: RState, action: RAction) -> None:
    with pytest.raises(IllegalRiskStep) as refused:
        next_state(state, action)
    assert isinstance(refused.value, Conflict)
    assert refused.value.status == 409
    assert str(STATE_LABELS[state]) in refused.value.message
    assert refused.value.allowed == allowed_actions(state)


def test_the_lifecycle_and_the_way_back() -> None:
    state = CREATED_IN[RAction.SCREEN]
    for action in (RAction.IDENTIFY, RAction.LIST, RAction.TACKLE, RAction.TACKLE, RAction.REVIEW,
                   RAction.WRITE_OFF, RAction.APPLY_RESULT):
        state = next_state(state, action)
    assert state == RState.APPLIED
    assert next_state(RState.IDENTIFIED, RAction.DISMISS) == RState.DISMISSED
    assert CREATED_IN[RAction.OPEN] == RState.LISTED


def test_ends_allow_only_the_follow_up() -> None:
    assert allowed_actions(RState.APPLIED) == [RAction.CONSOLIDATE]
    assert allowed_actions(RState.WRITTEN_OFF) == [RAction.APPLY_RESULT, RAction.CONSOLIDATE]
    assert next_state(RState.WRITTEN_OFF, RAction.CONSOLIDATE) == RState.WRITTEN_OFF
    assert allowed_actions(RState.DISMISSED) == []
    assert "无" in IllegalRiskStep(RState.DISMISSED, RAction.REVIEW).message
