"""``{% ranking_nav_link %}``: the 考核排名 link in the page frame, for those who may open the page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fengqiao.analytics import selectors
from fengqiao.kit.nav import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def ranking_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated or not selectors.can_view(user):
        return ""
    return nav_link(request, reverse("ranking"), _("考核排名"))


@register.filter
def pct(value: float | None) -> str:
    """0.6667 → '66.7%'; None → '—'."""
    return "—" if value is None else f"{value * 100:.1f}%"
