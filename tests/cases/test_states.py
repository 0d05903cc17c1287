"""The transition table, walked in full: every (state, action) pair of State × Action."""

from __future__ import annotations

import itertools
from collections import deque

import pytest

from fengqiao.cases.states import (
    ACTION_LABELS,
    FINAL_STATES,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    IllegalTransition,
    State,
    allowed_actions,
    next_state,
)
from fengqiao.kit.errors import Conflict

S, A = State, Action

# The lifecycle as a reader would write it down: every legal pair and where it leads.
EXPECTED: dict[tuple[State, Action], State] = {
    (S.NEW, A.REGISTER): S.REGISTERED,
    (S.REGISTERED, A.DISPATCH): S.DISPATCHED,
    (S.REOPENED, A.DISPATCH): S.DISPATCHED,
    (S.RETURNED, A.REDISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.REDISPATCH): S.DISPATCHED,
    (S.ACCEPTED, A.REDISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.ACCEPT): S.ACCEPTED,
    (S.DISPATCHED, A.RETURN): S.RETURNED,
    (S.DISPATCHED, A.DISPUTE): S.DISPUTED,
    (S.DISPUTED, A.DISMISS_DISPUTE): S.DISPATCHED,
    (S.DISPUTED, A.REDISPATCH): S.DISPATCHED,
    (S.ACCEPTED, A.NOTE): S.ACCEPTED,
    (S.ACCEPTED, A.REQUEST_EXTENSION): S.ACCEPTED,
    (S.ACCEPTED, A.APPROVE_EXTENSION): S.ACCEPTED,
    (S.ACCEPTED, A.REFUSE_EXTENSION): S.ACCEPTED,
    (S.ACCEPTED, A.REPLY): S.REPLIED,
    (S.REGISTERED, A.REPLY): S.REPLIED,
    (S.REPLIED, A.EVALUATE): S.CLOSED,
    (S.REPLIED, A.REOPEN): S.REOPENED,
    (S.REPLIED, A.CLOSE_UNEVALUATED): S.CLOSED,
    (S.REPLIED, A.RESEND_EVALUATION): S.REPLIED,  # a fresh invitation: the state stays
    (S.REGISTERED, A.MERGE): S.MERGED,
    (S.DISPATCHED, A.MERGE): S.MERGED,
    (S.RETURNED, A.MERGE): S.MERGED,
    (S.REGISTERED, A.CANCEL): S.CANCELLED,
    (S.RETURNED, A.CANCEL): S.CANCELLED,
    # supervision, the clock and links keep the state
    **{(s, A.ESCALATE): s for s in (S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.REOPENED,
                                    S.DISPUTED)},
    **{(s, A.MARK_OVERDUE): s for s in (S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.REOPENED,
                                        S.DISPUTED)},
    **{(s, A.REMIND): s for s in (S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.REOPENED, S.DISPUTED)},
    **{(s, A.LINK): s for s in (S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.REOPENED, S.DISPUTED,
                                S.REPLIED, S.CLOSED)},
    **{(s, A.ATTACH): s for s in (S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.REOPENED, S.DISPUTED,
                                  S.REPLIED)},
    # joint consultations (会商研判) keep the state, while the matter is open
    **{(s, a): s for s in (S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.REOPENED, S.DISPUTED)
       for a in (A.CONVENE, A.CONSULT_TASK, A.CONSULT_TASK_DONE, A.CONCLUDE)},
}

ALL_PAIRS = list(itertools.product(State, Action))


def test_the_table_is_exactly_the_lifecycle_written_above() -> None:
    assert TRANSITIONS == EXPECTED
    assert len(ALL_PAIRS) == 297  # 11 states × 27 actions
    # 26 moves + 6 escalate + 6 mark_overdue + 6 remind + 8 link + 7 attach + 6 × 4 consultation
    assert len(TRANSITIONS) == 83


@pytest.mark.parametrize(("state", "action"), ALL_PAIRS, ids=[f"{s}-{a}" for s, a in ALL_PAIRS])
def test_every_pair(state: State, action: Action) -> None:
    if (state, action) in EXPECTED:
        assert next_state(state, action) == EXPECTED[(state, action)]
        return
    with pytest.raises(IllegalTransition) as caught:
        next_state(state, action)
    error = caught.value
    allowed = [a for (s, a) in EXPECTED if s == state]
    assert error.state == state
    assert error.action == action
    assert error.allowed == allowed
    assert isinstance(error, Conflict)
    assert error.status == 409
    assert error.code == "illegal_transition"
    names = "、".join(str(ACTION_LABELS[a]) for a in allowed) or "无"
    assert error.message == (
        f"当前状态为「{STATE_LABELS[state]}」，不能执行「{ACTION_LABELS[action]}」。可执行的操作：{names}。"
    )


def test_messages_read_in_chinese() -> None:
    with pytest.raises(IllegalTransition) as caught:
        next_state(S.REPLIED, A.ACCEPT)
    assert caught.value.message == (
        "当前状态为「待评价」，不能执行「签收」。可执行的操作：评价：满意、评价：不满意，重办、逾期未评价，结案、重发评价短信、关联、上传附件。"
    )
    with pytest.raises(IllegalTransition) as caught:
        next_state(S.MERGED, A.LINK)
    assert caught.value.message == "当前状态为「已合并」，不能执行「关联」。可执行的操作：无。"


def test_allowed_actions_of_a_dispatched_case() -> None:
    assert allowed_actions(S.DISPATCHED) == [A.REDISPATCH, A.ACCEPT, A.RETURN, A.DISPUTE, A.MERGE, A.ESCALATE,
                                             A.MARK_OVERDUE, A.REMIND, A.LINK, A.ATTACH, A.CONVENE, A.CONSULT_TASK,
                                             A.CONSULT_TASK_DONE, A.CONCLUDE]


def test_allowed_actions_of_a_disputed_case() -> None:
    assert allowed_actions(S.DISPUTED) == [A.DISMISS_DISPUTE, A.REDISPATCH, A.ESCALATE, A.MARK_OVERDUE, A.REMIND,
                                           A.LINK, A.ATTACH, A.CONVENE, A.CONSULT_TASK, A.CONSULT_TASK_DONE,
                                           A.CONCLUDE]


def _reachable_from(start: State) -> set[State]:
    seen = {start}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        for (source, _action), target in TRANSITIONS.items():
            if source == state and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_every_state_but_new_is_reachable_from_new() -> None:
    assert _reachable_from(S.NEW) == set(State)
    # and nothing leads back to NEW (it is never stored)
    assert S.NEW not in TRANSITIONS.values()


@pytest.mark.parametrize("state", [s for s in State if s not in FINAL_STATES])
def test_every_open_state_can_end(state: State) -> None:
    """No dead ends: from every state that is not final some final state can be reached."""
    assert _reachable_from(state) & FINAL_STATES


@pytest.mark.parametrize("state", sorted(FINAL_STATES))
def test_final_states_only_keep_their_state(state: State) -> None:
    assert all(TRANSITIONS[(state, a)] == state for a in allowed_actions(state))
