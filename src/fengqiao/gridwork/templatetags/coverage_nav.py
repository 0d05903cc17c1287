"""``{% coverage_nav_link %}``: the coverage link in the page frame's main navigation, for those who may open it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def coverage_nav_link(context: dict[str, Any]) -> SafeString | str:
    return ""  # filled in with the coverage pages
