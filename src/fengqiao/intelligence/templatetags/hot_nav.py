"""``{% hot_issues_nav_link %}``: the 热点问题 link of the main navigation, for those who may read hot issues."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fengqiao.intelligence import hot_issues
from fengqiao.kit.nav import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def hot_issues_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not hot_issues.can_read(user):
        return ""
    return nav_link(request, reverse("hot_issues"), _("热点问题"))
