"""领导驾驶舱 in the main navigation, for those who may open it (leaders, risk officers, dispatchers, admins)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fengqiao.kit.nav import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def cockpit_nav_link(context: dict[str, Any]) -> SafeString:
    from fengqiao.cockpit.selectors import can_view

    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated or not can_view(user):
        return mark_safe("")
    return nav_link(request, reverse("cockpit"), _("驾驶舱"))
