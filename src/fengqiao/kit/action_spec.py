"""What a record's page offers for one action (a risk entry's, an assessment's, a mediation's, a dispute's):
the action, its form, the title and button, and the one service call.  The pages and the JSON API read the
same specs, so both take an action the same way."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from django import forms

from fengqiao.accounts.models import User
from fengqiao.kit.errors import DomainError

A = TypeVar("A", bound=StrEnum)
F = TypeVar("F", bound=forms.Form)

# perform(user, code, cleaned values, the version the reader saw) -> whatever the service returns
Perform = Callable[[User, str, dict[str, Any], int | None], Any]


@dataclass(frozen=True)
class ActionSpec(Generic[A, F]):
    action: A
    form: type[F]
    title: Any
    button: Any
    perform: Perform
    tone: str = "primary"


def permitted(specs: Mapping[str, ActionSpec[A, Any]], allowed: Collection[A], authorize: Callable[[A], object],
              fits: Callable[[str], bool] = lambda name: True) -> list[str]:
    """The names of the specs (in their order) whose action the state ``allowed``, that ``fits`` the record,
    and that ``authorize(action)`` does not refuse (a DomainError): what a reader may do now."""
    names = []
    for name, spec in specs.items():
        if spec.action not in allowed or not fits(name):
            continue
        try:
            authorize(spec.action)
        except DomainError:
            continue
        names.append(name)
    return names
