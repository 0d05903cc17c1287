"""What every state machine's table does (DESIGN rule 2): the actions a state allows, the next state, and the
refusal (409) that names the state, the action and what may be done instead.  Each app keeps its own
``TRANSITIONS``, labels and message; this holds only the lookups they share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar

from django.utils.translation import gettext, pgettext

from fengqiao.kit.errors import Conflict

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


def allowed_in(table: Mapping[tuple[S, A], S], state: S) -> list[A]:
    """The actions ``table`` allows from ``state``, in the table's order."""
    return [action for (from_state, action) in table if from_state == state]


def step(table: Mapping[tuple[S, A], S], state: S, action: A, refuse: Callable[[S, A], Exception]) -> S:
    """The state ``action`` leads to from ``state``; ``refuse(state, action)`` raised if the table has none."""
    try:
        return table[(state, action)]
    except KeyError:
        raise refuse(state, action) from None


class IllegalStep(Conflict, Generic[S, A]):
    """An action the state does not allow.  A subclass names its message (marked with ``gettext_noop``, with
    ``%(state)s``, ``%(action)s`` and ``%(allowed)s``), its table and its labels."""

    code = "illegal_transition"
    template: ClassVar[str]
    table: ClassVar[Mapping[Any, Any]]
    state_labels: ClassVar[Mapping[Any, Any]]
    action_labels: ClassVar[Mapping[Any, Any]]

    def __init__(self, state: S, action: A) -> None:
        allowed = self.allowed_from(state)
        names = pgettext("list separator", "、").join(str(self.action_labels[a]) for a in allowed) or gettext("无")
        super().__init__(gettext(self.template) % {
            "state": self.state_labels[state], "action": self.action_labels[action], "allowed": names})
        self.state, self.action, self.allowed = state, action, allowed

    def allowed_from(self, state: S) -> list[A]:
        """What the message offers instead (the table's actions from ``state`` unless a machine says more)."""
        return allowed_in(self.table, state)
