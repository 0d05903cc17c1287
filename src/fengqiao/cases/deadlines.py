"""Deadlines: the one module that turns a policy into dates (DESIGN rule 6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from fengqiao.cases.models import Category, DeadlinePolicy, TimeUnit
from fengqiao.kit import working_days

# When no policy row matches at all (a city that configured nothing yet).
FALLBACK = {"accept_hours": 24, "resolve_amount": 5, "resolve_unit": TimeUnit.WORKING_DAYS, "evaluation_days": 7}


@dataclass(frozen=True)
class Terms:
    accept_hours: int
    resolve_amount: int
    resolve_unit: str
    evaluation_days: int

    def describe(self) -> str:
        unit = "小时" if self.resolve_unit == TimeUnit.HOURS else "个工作日"
        return f"{self.accept_hours} 小时内签收，{self.resolve_amount} {unit}内办结"


def policy_for(category: Category | None, urgency: str) -> Terms:
    """The most specific policy: the category or its nearest ancestor, exact urgency before any urgency."""
    chain: list[int | None] = []
    node = category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    chain.append(None)
    rows = DeadlinePolicy.objects.filter(urgency__in=[urgency, ""])
    candidates = {(p.category_id, p.urgency): p for p in rows if p.category_id in chain}
    for category_id in chain:
        for wanted in (urgency, ""):
            policy = candidates.get((category_id, wanted))
            if policy is not None:
                return Terms(policy.accept_hours, policy.resolve_amount, policy.resolve_unit,
                             policy.evaluation_days)
    return Terms(**FALLBACK)  # type: ignore[arg-type]


def resolve_deadline(start: dt.datetime, terms: Terms) -> dt.datetime:
    if terms.resolve_unit == TimeUnit.HOURS:
        return working_days.add_hours(start, terms.resolve_amount)
    return working_days.add_working_days(start, terms.resolve_amount)


def accept_deadline(start: dt.datetime, terms: Terms) -> dt.datetime:
    return working_days.add_hours(start, terms.accept_hours)


def evaluation_deadline(start: dt.datetime, terms: Terms) -> dt.datetime:
    return working_days.add_working_days(start, terms.evaluation_days)


def extend(deadline: dt.datetime, extra_working_days: int) -> dt.datetime:
    return working_days.add_working_days(deadline, extra_working_days)


@dataclass(frozen=True)
class TimeLeft:
    seconds: int
    overdue: bool

    def label(self) -> str:
        secs = abs(self.seconds)
        days, rest = divmod(secs, 86400)
        hours = rest // 3600
        if days:
            span = _("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
        else:
            span = _("%(h)s 小时 %(m)s 分") % {"h": hours, "m": rest % 3600 // 60}
        return _("超期 %(span)s") % {"span": span} if self.overdue else _("剩余 %(span)s") % {"span": span}


def time_left(deadline: dt.datetime | None, now: dt.datetime) -> TimeLeft | None:
    if deadline is None:
        return None
    seconds = int((deadline - now).total_seconds())
    return TimeLeft(seconds=seconds, overdue=seconds < 0)
