"""``{% reply_review_nav_link %}``: the 答复待审 link (with the number waiting) for a unit's reviewer."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fengqiao.intelligence import reply_review

register = template.Library()


@register.simple_tag(takes_context=True)
def reply_review_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated or not reply_review.is_reviewer(user):
        return ""
    url = reverse("reply_reviews")
    waiting = reply_review.pending_reviews(user).count()
    label = _("答复待审") + (f" ({waiting})" if waiting else "")
    current = ' aria-current="page"' if request.path.startswith(url) else ""
    return format_html('<a href="{}"{}>{}</a>', url, SafeString(current), label)
