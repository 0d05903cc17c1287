"""``{% coverage_nav_link %}``: the coverage link in the page frame's main navigation, for those who may open it;
and the coverage pages' filters (``pct``, ``duration``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fengqiao.gridwork.coverage_access import can_view
from fengqiao.kit.nav import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def coverage_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated or not can_view(user):
        return ""
    return nav_link(request, reverse("coverage"), _("巡查覆盖"))


@register.filter
def cover_pct(value: float | None) -> str:
    """0.625 → '62.5%'; None → '—'."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as people say them: '45 秒', '12 分钟', '3.5 小时', '5.0 天'; None → '—'."""
    if seconds is None:
        return "—"
    if abs(seconds) < 90:
        return _("%(n)d 秒") % {"n": round(seconds)}
    if abs(seconds) < 90 * 60:
        return _("%(n)d 分钟") % {"n": round(seconds / 60)}
    if abs(seconds) < 36 * 3600:
        return _("%(n).1f 小时") % {"n": seconds / 3600}
    return _("%(n).1f 天") % {"n": seconds / 86400}


@register.filter
def cov_class(value: float | None, threshold: float) -> str:
    """The colour band of a coverage, as the map draws it: none, bad (< 50 %), low (< threshold), ok, good (≥ 95 %)."""
    if value is None:
        return "none"
    if value < min(0.5, threshold):
        return "bad"
    if value < threshold:
        return "low"
    return "ok" if value < 0.95 else "good"
