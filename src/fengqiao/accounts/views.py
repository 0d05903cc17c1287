"""The two-factor pages (accounts.two_factor): enrolment, the recovery codes shown once, and the code step
after the password."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fengqiao.accounts import two_factor
from fengqiao.accounts.models import User
from fengqiao.portal import qr


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked(request: HttpRequest, user: User) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


def _lockout(request: HttpRequest, user: User) -> HttpResponse:
    from axes.helpers import get_lockout_response

    credentials = {"username": user.get_username()}
    logout(request)
    return get_lockout_response(request, None, credentials)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: the QR code (SVG, drawn here, no outside service) and the secret to type in,
    confirmed by a first code.  A user who already has one sees that, and may set up a new one (the old one
    goes when the new one is confirmed)."""
    user = request.user
    assert isinstance(user, User)
    if two_factor.blocked(request) == "code":  # a device exists: prove it before replacing it
        return redirect(_with_next(_verify_url(), request.path))
    has = two_factor.has_device(user)
    if has and request.method == "GET" and not request.GET.get("new"):
        return render(request, "accounts/two_factor_status.html", {
            "recovery_left": _recovery_left(user), "events": user.account_events.all()[:10],
        })
    device = two_factor.pending_device(user)
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        if not code.strip():
            error = _("请输入验证器上显示的 6 位动态码。")
        else:
            done = two_factor.confirm_enrolment(request, device, code)
            if done is not None:
                request.session[two_factor.RECOVERY_KEY] = done.recovery_codes
                return HttpResponseRedirect(_with_next(_recovery_url(), _next(request)))
            error = _("动态码不正确：请核对手机时间，输入验证器当前显示的 6 位数字。")
    return render(request, "accounts/two_factor_enrol.html", {
        "qr": qr.svg(device.config_url, scale=5), "secret": _grouped(two_factor.secret_b32(device)),
        "error": error, "next": _next(request), "required": two_factor.must_enrol(user), "replacing": has,
    }, status=400 if error else 200)


@never_cache
@login_required
def recovery(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, once: they leave the session as this page is drawn."""
    codes = request.session.pop(two_factor.RECOVERY_KEY, None)
    if not codes:
        return redirect("two_factor_enrol")
    return render(request, "accounts/two_factor_recovery.html", {"codes": codes, "next": _next(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code step after the password: the authenticator's 6-digit code, or a recovery code."""
    user = request.user
    assert isinstance(user, User)
    step = two_factor.blocked(request)
    if step == "enrol":
        return redirect(_with_next(_enrol_url(), _next(request)))
    if not step:
        return HttpResponseRedirect(_next(request))
    if _locked(request, user):
        return _lockout(request, user)
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        if not code.strip():
            error = _("请输入 6 位动态码或恢复码。")
        else:
            outcome = two_factor.verify(request, code)
            if outcome == two_factor.Verification.OK:
                return HttpResponseRedirect(_next(request))
            if getattr(request, "axes_locked_out", False):
                return _lockout(request, user)
            error = (_("尝试过于频繁，请稍候几秒再输入。") if outcome == two_factor.Verification.THROTTLED
                     else _("动态码或恢复码不正确。连续输错将暂时锁定登录。"))
    return render(request, "accounts/two_factor_verify.html", {"error": error, "next": _next(request)},
                  status=400 if error else 200)


def _recovery_left(user: User) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _verify_url() -> str:
    return reverse("two_factor_verify")


def _enrol_url() -> str:
    return reverse("two_factor_enrol")


def _recovery_url() -> str:
    return reverse("two_factor_recovery")


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}"
