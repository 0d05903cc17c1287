"""The verified phone in the browser session: for two hours after a right code, the visitor is the
citizen of that phone (kit/pii hash; the number itself is kept encrypted, for the application form).
Nothing else about her is kept; leaving the app or two hours forget it."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

from fengqiao.kit import clock, pii
from fengqiao.mediation.services._core import Citizen

KEY = "fq_portal_phone"
PENDING = "fq_portal_pending"  # the phone a code was sent to, until it is verified
LIFETIME = dt.timedelta(hours=2)


def remember(request: HttpRequest, phone: str, citizen: Citizen) -> None:
    request.session.cycle_key()  # a new session id once verified (no fixation)
    request.session[KEY] = {"hash": citizen.phone_hash, "phone": pii.encrypt(phone),
                            "until": (clock.now() + LIFETIME).timestamp()}
    request.session.pop(PENDING, None)


def citizen(request: HttpRequest) -> Citizen | None:
    """The verified citizen of this session, or None (never verified, or the two hours are over)."""
    held = request.session.get(KEY)
    if not isinstance(held, dict) or not held.get("hash"):
        return None
    if float(held.get("until", 0)) <= clock.now().timestamp():
        request.session.pop(KEY, None)
        return None
    return Citizen(phone_hash=str(held["hash"]))


def phone(request: HttpRequest) -> str:
    """The verified phone number (decrypted), or ''."""
    held = request.session.get(KEY)
    return pii.decrypt(str(held.get("phone", ""))) if isinstance(held, dict) and citizen(request) else ""


def masked_phone(request: HttpRequest) -> str:
    return pii.mask_phone(phone(request))


def forget(request: HttpRequest) -> None:
    request.session.pop(KEY, None)
    request.session.pop(PENDING, None)


def set_pending(request: HttpRequest, phone_number: str) -> None:
    request.session[PENDING] = pii.encrypt(phone_number)


def pending(request: HttpRequest) -> str:
    token = request.session.get(PENDING)
    return pii.decrypt(str(token)) if token else ""
