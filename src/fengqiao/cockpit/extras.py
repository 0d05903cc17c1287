"""The cockpit's figures from the other early-warning parts: the risk register on the map, the five-100%
indicators, escalation grades and hot issues.  Each is read through its own app's scoped selectors (small
tables); a part that is not installed is left out of the page."""

from __future__ import annotations

import datetime as dt
import importlib
from collections import Counter
from typing import Any

from django.urls import reverse

from fengqiao.accounts.models import User
from fengqiao.cockpit.selectors import Period, Scope
from fengqiao.jurisdictions.models import Level
from fengqiao.kit import clock

LIVE_RISK = ("screened", "identified", "listed", "tackling")


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def gather(user: User, scope: Scope, period: Period) -> dict[str, Any]:
    out: dict[str, Any] = {"risk_map": risk_map(user, scope)}
    for name, part in (("indicators", indicators), ("warning", warning), ("hot_issues", hot_issues)):
        found = part(user, scope, period)
        if found is not None:
            out[name] = found
    return out


def _in_scope(scope: Scope, field: str = "") -> dict[str, Any]:
    if scope.area is None:
        return {}
    return {f"{field}street__path__startswith": f"{scope.area.path}/"} if scope.level == Level.DISTRICT else {
        f"{field}street_id": scope.id}


def risk_map(user: User, scope: Scope) -> dict[str, Any]:
    """Live register entries at their grid's (or street's) centre, by grade; counts by grade and state."""
    from fengqiao.risk.selectors import visible

    entries = visible(user).filter(status__in=LIVE_RISK, **_in_scope(scope))
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


def indicators(user: User, scope: Scope, period: Period) -> dict[str, Any] | None:
    module = _module("fengqiao.risk.indicators")
    if module is None or not hasattr(module, "compute"):
        return None
    start, end = clock.at_local(period.start, dt.time()), clock.at_local(period.end, dt.time())
    found = module.compute(user, start, end, area=scope.area)
    as_dict = getattr(module, "as_dict", None)
    return as_dict(found) if callable(as_dict) else None


def warning(user: User, scope: Scope, period: Period) -> dict[str, Any] | None:
    module = _module("fengqiao.warning.selectors")
    if module is None or not hasattr(module, "grade_counts"):
        return None
    since = clock.at_local(period.start, dt.time())
    return {"grades": module.grade_counts(user, since), "url": reverse("warning_list")}


def hot_issues(user: User, scope: Scope, period: Period) -> list[dict[str, Any]] | None:
    module = _module("fengqiao.intelligence.hot_issues")
    if module is None or not hasattr(module, "top"):
        return None
    as_dict = getattr(module, "as_dict", None)
    return [as_dict(g) if callable(as_dict) else {"title": str(g)} for g in module.top(user, 10)]
