"""The database gone for a moment (restarted, failed over, the network cut): a clear 503, not a 500.

Django raises ``OperationalError`` (cannot connect, the server closed the connection, SQLite's "database is
locked" after its busy timeout) or ``InterfaceError`` (a connection already closed) when a request touches
the database during an outage.  :class:`DatabaseDownMiddleware` turns one raised by a view (the API's too:
django-ninja re-raises what it has no handler for) into ``503`` with ``Retry-After`` and the message
数据库暂时不可用，请稍后重试 — JSON ``{"error": "database_unavailable", …}`` for the API and clients that ask
for JSON, a small self-contained page otherwise (the site's base template reads the user, i.e. the database).
:func:`server_error` (``handler500``) does the same for one raised outside a view (the session middleware
saving a session).  The error is logged with its traceback either way.

Recovery needs nothing: Django drops a connection that failed (``close_if_unusable_or_obsolete`` at the
end of the request), and ``CONN_HEALTH_CHECKS`` makes a kept connection be tested before a request reuses
it, so the first request after the database is back gets a fresh connection instead of the dead one's error.
See docs/operations.md, Faults.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = 5  # seconds: a restart of PostgreSQL takes a few


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def unavailable(request: HttpRequest) -> HttpResponse:
    message = _("数据库暂时不可用，请稍后重试")
    if wants_json(request):
        body = json.dumps({"error": "database_unavailable", "detail": message}, ensure_ascii=False)
        response = HttpResponse(body, status=503, content_type="application/json; charset=utf-8")
    else:
        title = escape(_("服务暂时不可用"))
        page = (f'<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{title}</title>'
                '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
                f'<body style="font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em">'
                f"<h1>{title}</h1><p>{escape(message)}</p>"
                f"<p>{escape(_('页面将在几秒后可以刷新；已提交的内容如未显示成功，请刷新后确认，不要重复提交。'))}</p>"
                "</body></html>")
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseDownMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        log.error("database unavailable: %s %s", request.method, request.path, exc_info=exception)
        return unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database error raised outside a view is a 503 too; anything else Django's 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return unavailable(request)
    return defaults.server_error(request)
