"""The tabs of a record list that groups its states (风险清单, 稳评, 行政争议): each tab a few states, with the
count of the filtered records in them and its link keeping the filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest

from fengqiao.kit.pagination import query_with


@dataclass(frozen=True)
class StateTab:
    key: str
    label: Any
    states: tuple[StrEnum, ...]

    @property
    def values(self) -> list[str]:
        return [s.value for s in self.states]


def chosen(tabs: Sequence[StateTab], key: str, default: StateTab) -> StateTab:
    """The tab named ``key``, else ``default``."""
    return next((t for t in tabs if t.key == key), default)


def tab_links(request: HttpRequest, tabs: Sequence[StateTab], active: StateTab,
              qs: QuerySet[Any]) -> list[dict[str, Any]]:
    """Each tab for the page: its label, whether it is shown, the count of ``qs`` in its states (one GROUP
    BY over ``status``) and its query (the filters kept, back to the first page)."""
    by_state = dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
    return [{"key": t.key, "label": t.label, "active": t is active,
             "query": query_with(request.GET, tab=t.key, page=None),
             "count": sum(by_state.get(s.value, 0) for s in t.states)} for t in tabs]
