"""Two-factor login for staff (TOTP, with django-otp; docs/adr/0015-two-factor.md, docs/security.md).

The password step is Django's LoginView (with django-axes' lock-out).  A user with a confirmed device then
gives a 6-digit code (or one of her recovery codes) before any staff page opens; with
``FENGQIAO_2FA=required`` a user in one of ``TWO_FACTOR_REQUIRED_ROLES`` who has no device is sent to
enrolment first.  django-otp's OTPMiddleware marks the session verified (``user.is_verified()``); this
module's middleware and :class:`VerifiedSessionAuth` (the JSON API) refuse an unverified session that must
be verified.  Wrong codes count toward the same lock-out as wrong passwords.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja.security import SessionAuth

from fengqiao.accounts.models import AccountEvent, User
from fengqiao.accounts.roles import Role
from fengqiao.kit.errors import DomainError

PENDING_KEY = "fq_2fa_pending"  # the session of a user with a device who has not given her code yet
RECOVERY_KEY = "fq_2fa_recovery_codes"  # the new recovery codes, shown once and then dropped
RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


# --- policy -------------------------------------------------------------------------------------------
def required_roles() -> frozenset[Role]:
    roles = {Role(r) for r in settings.TWO_FACTOR_REQUIRED_ROLES if r in Role._value2member_map_}
    return frozenset(roles - {Role.CITIZEN})  # citizens never


def must_enrol(user: Any) -> bool:
    """A user the policy requires to have a device (FENGQIAO_2FA=required and a required role)."""
    return bool(settings.TWO_FACTOR_REQUIRED and user.is_authenticated and user.has_role(*required_roles()))


def has_device(user: Any) -> bool:
    return user_has_device(user, confirmed=True)


def is_verified(user: Any) -> bool:
    check: Callable[[], bool] | None = getattr(user, "is_verified", None)
    return bool(check and check())


def blocked(request: HttpRequest) -> str:
    """Why this signed-in session may not use staff pages yet: ``"code"`` (give the code), ``"enrol"`` (set
    up a device first), or ``""`` (nothing in the way)."""
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return ""
    if request.session.get(PENDING_KEY):
        return "code"
    if must_enrol(user):
        return "code" if has_device(user) else "enrol"
    return ""


@receiver(user_logged_in, dispatch_uid="fengqiao_two_factor_pending")
def _mark_pending(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """After the password: a user with a device owes her code before anything else (whichever login view)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(PENDING_KEY, None)
    if request.session.get(DEVICE_ID_SESSION_KEY):
        return  # already verified by the login itself
    if has_device(user):
        request.session[PENDING_KEY] = True


# --- the staff pages ------------------------------------------------------------------------------------
_EXEMPT_NAMES = ("login", "logout", "two_factor_verify", "two_factor_enrol", "two_factor_recovery",
                 "set_language")
_EXEMPT_PREFIXES = ("/static/", "/media/", "/api/", "/healthz", "/readyz", "/metrics", "/i18n/")


def _exempt_paths() -> tuple[str, ...]:
    paths = []
    for name in _EXEMPT_NAMES:
        try:
            paths.append(reverse(name))
        except NoReverseMatch:  # a name this URLconf does not have is simply not exempt
            continue
    return tuple(paths)


class TwoFactorMiddleware:
    """Sends a signed-in session that still owes its code to the code step, and a required user without a
    device to enrolment, before any page (the JSON API answers for itself: :class:`VerifiedSessionAuth`).
    With FENGQIAO_2FA=required, /admin/ needs a verified session whatever the role."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._exempt is None:
            self._exempt = _exempt_paths()
        path = request.path_info
        if (request.user.is_authenticated and path not in self._exempt
                and not path.startswith(_EXEMPT_PREFIXES)):
            step = blocked(request)
            if not step and settings.TWO_FACTOR_REQUIRED and path.startswith("/admin/") \
                    and not is_verified(request.user):
                step = "code" if has_device(request.user) else "enrol"
            if step:
                return _redirect(request, "two_factor_verify" if step == "code" else "two_factor_enrol")
        return self.get_response(request)


def _redirect(request: HttpRequest, name: str) -> HttpResponse:
    target = reverse(name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


# --- the JSON API ----------------------------------------------------------------------------------------
class TwoFactorRequired(DomainError):
    status = 401
    code = "two_factor_required"


class VerifiedSessionAuth(SessionAuth):
    """ninja's session auth (with its CSRF check), refusing a session that still owes its second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        step = blocked(request)
        if step == "code":
            raise TwoFactorRequired(_("请先完成两步验证：在 {url} 输入验证器上的 6 位动态码。").format(
                url=reverse("two_factor_verify")))
        if step == "enrol":
            raise TwoFactorRequired(_("您的角色须启用两步验证：请先在 {url} 绑定验证器。").format(
                url=reverse("two_factor_enrol")))
        return user


# --- enrolment and verification ----------------------------------------------------------------------
def _ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record(user: Any, action: str, *, actor: Any = None, request: HttpRequest | None = None,
           note: str = "") -> AccountEvent:
    return AccountEvent.objects.create(user=user, actor=actor or user, action=action, at=timezone.now(),
                                       ip_address=_ip(request), note=note)


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per user; a new secret only when there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_b32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode("ascii")


@dataclass(frozen=True)
class Enrolled:
    device: TOTPDevice
    recovery_codes: list[str]


def confirm_enrolment(request: HttpRequest, device: TOTPDevice, code: str) -> Enrolled | None:
    """The first code from the authenticator confirms it: the user's other devices go, she gets 10 new
    recovery codes, and this session is verified.  ``None`` when the code is wrong."""
    user = request.user
    assert isinstance(user, User)
    code = _digits(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not code or not device.verify_token(code):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record(user, AccountEvent.Action.ENROLLED, request=request)
    otp_login(request, device)
    request.session.pop(PENDING_KEY, None)
    return Enrolled(device, codes)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def _digits(code: str) -> str:
    return "".join(code.split())


class Verification:
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"


def verify(request: HttpRequest, code: str) -> str:
    """The code step: a 6-digit code checks the authenticator, anything else the recovery codes (each good
    once).  A wrong code is a failed login for django-axes (the same lock-out as wrong passwords)."""
    user = request.user
    assert isinstance(user, User)
    code = _digits(code).lower()
    device: TOTPDevice | StaticDevice | None
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        else:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        throttled = device is not None and not device.verify_is_allowed()[0]
        ok = bool(code) and device is not None and not throttled and device.verify_token(code)
        if ok and isinstance(device, StaticDevice):
            left = device.token_set.count()
            record(user, AccountEvent.Action.RECOVERY_USED, request=request, note=f"剩余 {left} 个恢复码")
    if not ok or device is None:
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        return Verification.THROTTLED if throttled else Verification.WRONG
    otp_login(request, device)
    request.session.pop(PENDING_KEY, None)
    return Verification.OK


def reset_devices(actor: Any, user: User, request: HttpRequest | None = None) -> int:
    """An administrator removes a user's authenticator and recovery codes (a lost phone): she enrols again
    at her next login.  Audited as an account event."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(user, AccountEvent.Action.RESET, actor=actor, request=request)
    return removed
