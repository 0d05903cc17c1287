"""``{% patrol_nav_link %}``: the patrol link in the page frame's main navigation, for those who may open it:
grid workers, and the grid teams' officers with accounts (they visit for campaigns)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fengqiao.gridwork.patrol_officers import is_patroller
from fengqiao.kit.nav import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def patrol_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not is_patroller(user):
        return ""
    return nav_link(request, reverse("patrol"), _("网格巡查"))
