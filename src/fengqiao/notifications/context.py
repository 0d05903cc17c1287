"""The bell in the page header: the signed-in user's unread in-app messages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fengqiao.notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    done: dict[str, Any] | None = getattr(request, "_fq_bell", None)  # once per request, as web.context.navigation
    if done is None:
        done = {"unread_notifications": unread_count(user)}
        request._fq_bell = done  # type: ignore[attr-defined]
    return done
