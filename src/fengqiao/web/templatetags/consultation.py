"""``{% consultation_block %}``: the 会商研判 section of the case page (fengqiao.web.consultation_views)."""

from __future__ import annotations

from typing import Any

from django import template

from fengqiao.web.consultation_views import panel_context

register = template.Library()


@register.inclusion_tag("web/_consultation.html", takes_context=True)
def consultation_block(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {**panel_context(request, context["case"]), "case": context["case"], "request": request,
            "csrf_token": context.get("csrf_token"), "is_citizen": context.get("is_citizen")}
