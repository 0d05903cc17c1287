"""What the citizen app's pages share: the page frame's context, error pages for people (4xx with a clear
message, 429 with Retry-After), the verified-phone gate, and the guarded lookup of a dispute code."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from fengqiao.kit.errors import DomainError
from fengqiao.kit.throttle import TooManyRequests
from fengqiao.mediation.services._core import Citizen
from fengqiao.portal import session
from fengqiao.portal.doors import ACT_GROUP, ACT_RATE, hit, lookup

__all__ = ["ACT_GROUP", "ACT_RATE", "hit", "lookup", "message", "page", "public_url", "safe_next", "to_verify",
           "verified"]



def page(request: HttpRequest, template: str, context: dict[str, Any] | None = None, *,
         status: int = 200) -> HttpResponse:
    """Render a portal page with the verified phone (masked) for the header."""
    context = dict(context or {})
    context.setdefault("citizen", session.citizen(request))
    context.setdefault("verified_phone", session.masked_phone(request))
    return render(request, template, context, status=status)


def message(request: HttpRequest, error: DomainError, *, title: str = "", back: str = "") -> HttpResponse:
    """A page with one message for an error (its status; Retry-After on 429)."""
    response = page(request, "portal/message.html", {"error": error, "title": title, "back": back},
                    status=error.status)
    if isinstance(error, TooManyRequests):
        response["Retry-After"] = str(error.retry_after)
    return response


def safe_next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()) and target.startswith("/portal/"):
        return target
    return default or reverse("portal:home")


def to_verify(request: HttpRequest, target: str) -> HttpResponse:
    return redirect(f"{reverse('portal:verify')}?{urlencode({'next': target})}")


def verified(request: HttpRequest) -> Citizen | None:
    return session.citizen(request)


def public_url(path: str, request: HttpRequest) -> str:
    """An absolute URL on the public address (settings.PUBLIC_BASE_URL), or this request's host."""
    base = (settings.PUBLIC_BASE_URL or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)
