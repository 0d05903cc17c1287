"""Keyset-free, count-capped pagination for big inboxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

# Counting 200,000 rows on every page view is the slow part of an inbox; counts stop at this cap.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int
    total_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * self.per_page < self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def paginate(qs: QuerySet[Any], page: int | str | None, per_page: int = 25) -> Page:
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    per_page = max(1, min(per_page, 200))
    # COUNT(*) over a LIMITed sub-query: stops scanning at the cap.
    total = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    total_capped = total > COUNT_CAP
    if total_capped:
        total = COUNT_CAP
    # a page past the end (or an absurd number) shows the last page, never an out-of-range OFFSET;
    # past the count cap, narrow the filters rather than page through ten thousand rows
    number = min(number, max(1, -(-total // per_page)))
    offset = (number - 1) * per_page
    items = list(qs[offset : offset + per_page])
    return Page(items=items, number=number, per_page=per_page, total=total, total_capped=total_capped)


def query_with(params: QueryDict, **changes: str | None) -> str:
    """The request's query string with some parameters set (or dropped, when None): a tab's or a page's
    link that keeps the list's filters."""
    q = params.copy()
    for key, value in changes.items():
        if value is None:
            q.pop(key, None)
        else:
            q[key] = value
    return q.urlencode()
