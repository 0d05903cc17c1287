"""The app's front door (/portal/), phone verification (/portal/verify/…) and leaving (/portal/leave/)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from fengqiao.kit import clock, pii
from fengqiao.kit.errors import DomainError
from fengqiao.kit.throttle import TooManyRequests
from fengqiao.mediation.models import RequestType
from fengqiao.portal import doors, selectors, session, verification
from fengqiao.portal.views._common import page, safe_next

ENTRIES = [
    (RequestType.MEDIATION, "调", gettext_noop("邻里、婚姻家庭、劳动、债务等纠纷，由调解员免费调解")),
    (RequestType.CONSULTATION, "询", gettext_noop("律师、基层法律服务工作者为您解答法律问题")),
    (RequestType.FILING, "立", gettext_noop("诉前先行调解，调解不成依法登记立案")),
    (RequestType.CONFIRMATION, "确", gettext_noop("已达成调解协议，双方共同申请法院确认效力")),
]


def home(request: HttpRequest) -> HttpResponse:
    entries = [{"value": value.value, "label": value.label, "glyph": glyph, "hint": hint}
               for value, glyph, hint in ENTRIES]
    return page(request, "portal/home.html", {"entries": entries, "dimension_labels": [
        d.label for d in selectors.dimensions()]})


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Step one: the phone number; a code is sent to it."""
    target = safe_next(request)
    if session.citizen(request) is not None and request.method == "GET":
        return redirect(target)
    context: dict[str, Any] = {"next": target, "phone": request.POST.get("phone", ""), "error": None}
    if request.method == "POST":
        try:
            number = verification.mobile(request.POST.get("phone", ""))
            sent = doors.send(request, number)
        except verification.TooSoon as e:  # a code is on its way to this phone: enter it
            session.set_pending(request, number)
            messages.info(request, e.message)
            return redirect(f"{reverse('portal:verify_code')}?{urlencode({'next': target})}")
        except TooManyRequests as e:
            context["error"] = e
            response = page(request, "portal/verify.html", context, status=429)
            response["Retry-After"] = str(e.retry_after)
            return response
        except DomainError as e:
            context["error"] = e
            return page(request, "portal/verify.html", context, status=e.status)
        session.set_pending(request, number)
        _debug_code(request, sent)
        return redirect(f"{reverse('portal:verify_code')}?{urlencode({'next': target})}")
    return page(request, "portal/verify.html", context)


def _debug_code(request: HttpRequest, sent: verification.Sent) -> None:
    """Development only (settings.DEBUG): the code sent is shown on the next page, as the outbox holds it;
    never in production."""
    if settings.DEBUG:
        request.session["fq_portal_debug_code"] = sent.code
    request.session["fq_portal_resend_at"] = sent.resend_at.timestamp()


@require_http_methods(["GET", "POST"])
def verify_code(request: HttpRequest) -> HttpResponse:
    """Step two: the six digits; or a new code (once a minute)."""
    target = safe_next(request)
    number = session.pending(request)
    if not number:
        return redirect(f"{reverse('portal:verify')}?{urlencode({'next': target})}")
    context: dict[str, Any] = {"next": target, "masked": pii.mask_phone(number), "error": None,
                               "debug_code": request.session.get("fq_portal_debug_code") if settings.DEBUG else "",
                               "wait": _wait(request)}
    if request.method == "POST" and request.POST.get("resend"):
        try:
            _debug_code(request, doors.send(request, number))
        except DomainError as e:
            return _code_page(request, context, e)
        return redirect(request.get_full_path())
    if request.method == "POST":
        try:
            citizen = doors.sign_in(request, number, request.POST.get("code", ""))
        except DomainError as e:
            return _code_page(request, context, e)
        session.remember(request, number, citizen)
        request.session.pop("fq_portal_debug_code", None)
        return redirect(target)
    return page(request, "portal/verify_code.html", context)


def _wait(request: HttpRequest) -> int:
    until = float(request.session.get("fq_portal_resend_at", 0))
    return max(0, int(until - clock.now().timestamp()))


def _code_page(request: HttpRequest, context: dict[str, Any], error: DomainError) -> HttpResponse:
    context = {**context, "error": error, "wait": _wait(request)}
    response = page(request, "portal/verify_code.html", context, status=error.status)
    if isinstance(error, TooManyRequests):
        response["Retry-After"] = str(error.retry_after)
    return response


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    session.forget(request)
    return redirect("portal:home")
