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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.kit import throttle
from fengqiao.kit.errors import DomainError, NotFound
from fengqiao.kit.throttle import TooManyRequests
from fengqiao.mediation.models import Mediation
from fengqiao.mediation.services._core import Citizen
from fengqiao.portal import lockout, selectors, session

TRACK_GROUP, TRACK_RATE = "portal.track", "30/m"  # looking up dispute codes (pages of a code included)
ACT_GROUP, ACT_RATE = "portal.act", "20/m"  # a verified citizen's submissions
TOO_MANY = gettext_noop("操作过于频繁，请一分钟后再试。")


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


def hit(request: HttpRequest, group: str, rate: str) -> None:
    throttle.hit(request, group=group, rate=rate, message=_(TOO_MANY))


def lookup(request: HttpRequest, raw: str) -> str:
    """The normalised dispute code if it names a mediation; otherwise the try counts against the client's
    address (LockedOut after ten wrong in an hour) and NotFound says how many tries are left.  Checked
    against the lock and the per-minute limit first: a locked-out address learns nothing."""
    counter = lockout.by_address("dispute_code", request)
    lockout.check(counter)
    hit(request, TRACK_GROUP, TRACK_RATE)
    code = selectors.normalise(raw)
    if not code.strip():
        raise NotFound(_("请输入解纷码。"), fields={"code": _("请输入解纷码")})
    if selectors.well_formed(code) and Mediation.objects.filter(code=code).exists():
        return code
    left = lockout.fail(counter)
    lockout.check(counter)
    raise NotFound(_("没有找到解纷码 %(code)s，请核对后重新输入（再输错 %(n)s 次，查询将暂停一小时）。")
                   % {"code": code[:24], "n": left}, fields={"code": _("解纷码不正确")})


def verified(request: HttpRequest) -> Citizen | None:
    return session.citizen(request)


def public_url(path: str, request: HttpRequest) -> str:
    """An absolute URL on the public address (settings.PUBLIC_BASE_URL), or this request's host."""
    base = (settings.PUBLIC_BASE_URL or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)
