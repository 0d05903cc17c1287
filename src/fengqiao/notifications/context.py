"""The bell in the page header: the signed-in user's unread in-app messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fengqiao.notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
