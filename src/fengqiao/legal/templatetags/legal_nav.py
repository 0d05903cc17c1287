"""fengqiao.legal in the main navigation and on a case's page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def legal_nav_link(context: dict[str, Any]) -> SafeString:
    return mark_safe("")


@register.simple_tag(takes_context=True)
def legal_case_panel(context: dict[str, Any], case: Any) -> SafeString:
    return mark_safe("")
