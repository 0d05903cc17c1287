"""``{% reply_review_nav_link %}``: the 答复待审 link (with the number waiting) for a unit's reviewer."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fengqiao.intelligence import reply_review
from fengqiao.kit.nav import nav_link

register = template.Library()


@register.simple_tag(takes_context=True)
def reply_review_nav_link(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated or not reply_review.is_reviewer(user):
        return ""
    waiting = reply_review.pending_reviews(user).count()
    return nav_link(request, reverse("reply_reviews"), _("答复待审") + (f" ({waiting})" if waiting else ""))
