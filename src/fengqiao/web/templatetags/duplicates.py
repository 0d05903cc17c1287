"""``{% duplicates_block %}``: the duplicates panel of the case page (fengqiao.web.duplicate_views)."""

from __future__ import annotations

from typing import Any

from django import template

from fengqiao.web.duplicate_views import panel_context

register = template.Library()


@register.inclusion_tag("web/_duplicates.html", takes_context=True)
def duplicates_block(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {**panel_context(request.user, context["case"]), "request": request,
            "csrf_token": context.get("csrf_token")}
