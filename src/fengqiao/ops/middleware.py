"""One middleware, first in the chain: the request id, the request's log line and its metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from fengqiao.ops import metrics
from fengqiao.ops.logs import current_request, current_request_id, user_id_of

log = logging.getLogger("fengqiao.request")

HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def request_id_from(request: HttpRequest) -> str:
    """The caller's (the proxy's) ``X-Request-ID`` if it looks like an id; a fresh one otherwise."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _SANE_ID.match(given) else uuid.uuid4().hex


def view_name(request: HttpRequest) -> str:
    """The route's name (never the raw path: it holds case codes, ids and unbounded variety)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match._func_path


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_from(request)
        request.request_id = rid  # type: ignore[attr-defined]
        id_token = current_request_id.set(rid)
        request_token = current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = rid
            seconds = time.perf_counter() - started
            view = view_name(request)
            metrics.observe_request(request.method or "", view, response.status_code, seconds)
            level = logging.WARNING if response.status_code >= 500 else logging.INFO
            log.log(level, "%s %s %s %.1fms", request.method, request.path, response.status_code, seconds * 1000,
                    extra={"method": request.method, "path": request.path, "view": view,
                           "status": response.status_code, "duration_ms": round(seconds * 1000, 1),
                           "user_id": user_id_of(request)})
            return response
        finally:
            current_request.reset(request_token)
            current_request_id.reset(id_token)
