"""Public reads for Open311: published fields of published cases only, never personal data.

Open311's GET requests is public (no key), so it is not scoped by an actor; instead it returns only what
is public about a matter (DESIGN rule 7): the category, the state, a scrubbed title, the community (not
the exact address), a position rounded to about 100 m, the lead unit and the times.  Petitions (信访)
are not published.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from fengqiao.cases.models import Case, Category, Channel
from fengqiao.cases.states import OPEN_STATES, State

UNPUBLISHED_CHANNELS = frozenset({Channel.PETITION})
OPEN = frozenset(s.value for s in OPEN_STATES)
CLOSED = frozenset(s.value for s in State if s is not State.NEW) - OPEN
MAX_RESULTS = 1000
MAX_RANGE = dt.timedelta(days=90)
_DIGITS = re.compile(r"\d[\d\s-]{5,}\d")  # phone or ID numbers typed into a title


def services() -> list[Category]:
    """Leaf categories (active, without active children), with their top-level ancestor loaded."""
    parents = set(Category.objects.filter(active=True, parent__isnull=False).values_list("parent_id", flat=True))
    rows = Category.objects.filter(active=True).exclude(pk__in=parents).select_related("parent__parent")
    return list(rows.order_by("code"))


def service(code: str) -> Category | None:
    return next((c for c in services() if c.code == code), None)


def top_level(category: Category) -> Category:
    node = category
    while node.parent is not None:
        node = node.parent
    return node


def _published() -> QuerySet[Case]:
    return (
        Case.objects.exclude(channel__in=UNPUBLISHED_CHANNELS)
        .select_related("category", "lead_unit", "community", "street", "district")
        .only("code", "status", "title", "category__code", "category__name", "lead_unit__name",
              "community__name", "street__name", "district__name", "lng", "lat", "registered_at",
              "dispatched_at", "accepted_at", "replied_at", "closed_at", "deadline")
    )


@dataclass
class RequestFilters:
    codes: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)


def requests(f: RequestFilters, now: dt.datetime) -> list[Case]:
    """Newest first, at most 1000; without dates, the last 90 days (GeoReport v2 defaults)."""
    qs = _published()
    if f.codes:
        return list(qs.filter(code__in=f.codes[:MAX_RESULTS]).order_by("-registered_at"))
    end = f.end or (f.start + MAX_RANGE if f.start else now)
    start = f.start or end - MAX_RANGE
    qs = qs.filter(registered_at__gte=start, registered_at__lte=end)
    if f.service_codes:
        qs = qs.filter(category__code__in=f.service_codes)
    wanted: set[str] = set()
    for status in f.statuses:
        wanted |= OPEN if status == "open" else CLOSED
    if wanted:
        qs = qs.filter(status__in=sorted(wanted))
    return list(qs.order_by("-registered_at", "-pk")[:MAX_RESULTS])


def request(code: str) -> Case | None:
    return _published().filter(Q(code=code)).first()


def public_status(case: Case) -> str:
    return "open" if case.status in OPEN else "closed"


def scrub(text: str) -> str:
    return _DIGITS.sub("***", text)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
