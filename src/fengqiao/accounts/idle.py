"""Idle expiry of signed-in sessions (docs/security.md "Sessions").

A signed-in user's session that has seen no request for ``SESSION_IDLE_MINUTES`` (FENGQIAO_SESSION_IDLE_MINUTES,
default 30; 0 turns it off) ends at the next request: the user is logged out and sent to the login page with a
message (htmx requests get an ``HX-Redirect``; the API answers 401 as for any request without a session).
``SESSION_COOKIE_AGE`` stays the absolute limit.  The citizens' portal sessions are anonymous ones with their own
two-hour rule (portal/session.py); this middleware leaves them alone.

It also gives the session a new key when the user's privileges change (roles, staff or superuser flag) while she
is signed in, as Django does at login: a session id captured before a promotion is worth nothing after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

LAST_SEEN = "fq_last_seen"
PRIVILEGES = "fq_privileges"
WRITE_EVERY = 60  # seconds: the session is saved at most once a minute for the clock, not on every request


def idle_limit() -> int:
    """The idle limit in seconds (0: none)."""
    return max(0, int(getattr(settings, "SESSION_IDLE_MINUTES", 30))) * 60


class IdleSessionMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        limit = idle_limit()
        if user is not None and user.is_authenticated:
            self._rotate_on_privilege_change(request)
        if user is not None and user.is_authenticated and limit:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int | float) and now - last > limit:
                return self._expired(request, limit)
            if not isinstance(last, int | float) or now - last >= WRITE_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _rotate_on_privilege_change(request: HttpRequest) -> None:
        user = request.user
        roles = sorted(str(r) for r in user.role_set())  # type: ignore[union-attr]
        privileges = ",".join(roles) + f"|staff={int(user.is_staff)}|su={int(user.is_superuser)}"
        held = request.session.get(PRIVILEGES)
        if held != privileges:
            if held is not None:
                request.session.cycle_key()
            request.session[PRIVILEGES] = privileges

    def _expired(self, request: HttpRequest, limit: int) -> HttpResponseBase:
        logout(request)  # flushes the session: a new key, nothing of the old one kept
        if request.path.startswith("/api/"):
            return self.get_response(request)  # now anonymous: the API answers 401 itself
        messages.info(request, _("您已 %(minutes)d 分钟未操作，为保护数据已自动退出，请重新登录。")
                      % {"minutes": limit // 60})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?next={request.get_full_path()}"
            return response
        return redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
