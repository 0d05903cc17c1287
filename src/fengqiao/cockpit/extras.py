"""The cockpit's figures from the other early-warning parts: the risk register on the map, the five-100%
indicators, escalation grades and hot issues.  Each is read through its own app's scoped selectors (small
tables)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from fengqiao.accounts.models import User
from fengqiao.cockpit.selectors import Scope
from fengqiao.intelligence import hot_issues as hot
from fengqiao.jurisdictions.models import Level
from fengqiao.kit import clock
from fengqiao.kit.periods import Kind, Period
from fengqiao.risk import indicators as risk_indicators
from fengqiao.risk.states import LIVE
from fengqiao.warning import selectors as warning_selectors

TOP_HOT = 10


def gather(user: User, scope: Scope, period: Period) -> dict[str, Any]:
    return {"risk_map": risk_map(user, scope), "indicators": indicators(user, scope, period),
            "warning": warning(user, scope, period), "hot_issues": hot_issues(user, scope, period)}


def _in_scope(scope: Scope, field: str = "") -> dict[str, Any]:
    if scope.area is None:
        return {}
    return {f"{field}street__path__startswith": f"{scope.area.path}/"} if scope.level == Level.DISTRICT else {
        f"{field}street_id": scope.id}


def risk_map(user: User, scope: Scope) -> dict[str, Any]:
    """Live register entries at their grid's (or street's) centre, by grade; counts by grade and state."""
    from fengqiao.risk.selectors import visible

    entries = visible(user).filter(status__in=sorted(LIVE), **_in_scope(scope))
    points = []
    for code, title, grade, status, glng, glat, slng, slat in entries.values_list(
            "code", "title", "grade", "status", "grid__centroid_lng", "grid__centroid_lat",
            "street__centroid_lng", "street__centroid_lat")[:3000]:
        lng, lat = (glng, glat) if glng is not None else (slng, slat)
        if lng is not None and lat is not None:
            points.append({"code": code, "title": title, "grade": grade, "status": status, "lng": lng, "lat": lat,
                           "url": reverse("risk_detail", args=[code])})
    grades = Counter(entries.values_list("grade", flat=True))
    overdue = entries.filter(next_review_at__lt=clock.now()).count()
    return {"points": points, "grades": dict(grades), "overdue_reviews": overdue, "list_url": reverse("risk_list")}


def _risk_period(period: Period) -> str:
    """The indicators page's period value for the cockpit's (a month, a quarter or a year), else ''."""
    if period.kind in (Kind.MONTH, Kind.QUARTER, Kind.YEAR):
        return f"{period.kind}:{period.start.isoformat()}"
    return ""


def indicators(user: User, scope: Scope, period: Period) -> dict[str, Any]:
    """The five-100% indicators and the resolution rate of the scope and period; each bar opens what keeps
    it below 100 % on the register's indicators page."""
    found = risk_indicators.compute(user, period.start, period.end, area=scope.area)
    query = urlencode({k: v for k, v in (("period", _risk_period(period)),
                                         ("area", str(scope.id) if scope.area is not None else "")) if v})
    rates = []
    for rate in found.rates():
        url = reverse("risk_indicator_drill", args=[rate.key]) if rate.short else reverse("risk_indicators")
        rates.append({"key": rate.key, "label": rate.label, "rate": rate.rate, "numerator": rate.numerator,
                      "denominator": rate.denominator, "url": f"{url}?{query}" if query else url})
    return {"rates": rates, "overdue_reviews": found.overdue_reviews, "opened": found.opened}


def warning(user: User, scope: Scope, period: Period) -> dict[str, Any]:
    """Escalation grades of the cases registered in the period, in the scope, as the reader may see them."""
    return {"grades": warning_selectors.grades_in(user, scope, period), "url": reverse("warning_list")}


def hot_issues(user: User, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """The hottest issues of the last run in the scope (hot issues are always the last 30 days)."""
    return [{"title": i.title, "place": i.place, "heat": round(i.heat, 1), "size": i.size, "url": i.url}
            for i in hot.hottest(user, scope, n=TOP_HOT)]
