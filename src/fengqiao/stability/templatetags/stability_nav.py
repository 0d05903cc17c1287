"""The assessments (稳评) in the main navigation: risk officers, leaders, admins, and the handlers and leaders
of units (a proposing or assessing unit fills its assessments in)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fengqiao.accounts.roles import Role
from fengqiao.kit.nav import nav_link

register = template.Library()

NAV_ROLES = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.HANDLER, Role.ADMIN})


@register.simple_tag(takes_context=True)
def stability_nav_link(context: dict[str, Any]) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return mark_safe("")
    if not (user.is_superuser or user.role_set() & NAV_ROLES):
        return mark_safe("")
    return nav_link(request, reverse("stability_list"), _("稳评"))


@register.simple_tag(takes_context=True)
def stability_case_panel(context: dict[str, Any], case: Any) -> SafeString:
    """Not used: an assessment concerns a decision, not a case."""
    return mark_safe("")
