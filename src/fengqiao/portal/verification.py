"""Phone verification instead of accounts: a six-digit code by SMS (through the outbox), valid ten minutes,
five tries; a new code at most once a minute and ten times a day per phone; only the newest code of a
phone and purpose works.  Codes are stored as keyed hashes (kit/pii.lookup_hash), never in plain.

The same codes serve a respondent's consent to a joint application for judicial confirmation
(``Purpose.JOINT``, the dispute code as ``subject``): the code goes to the respondent's phone.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fengqiao.kit import clock
from fengqiao.kit.errors import DomainError, NotFound, ValidationFailed
from fengqiao.kit.pii import lookup_hash
from fengqiao.kit.throttle import TooManyRequests
from fengqiao.mediation.services._core import Citizen
from fengqiao.portal.models import PhoneCode, Purpose

LENGTH = 6
TTL = dt.timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = dt.timedelta(seconds=60)
PER_DAY = 10  # codes per phone in any 24 hours
SUBJECTS: dict[str, str] = {Purpose.SIGN_IN: "解纷码验证码", Purpose.JOINT: "司法确认共同申请验证码"}
MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


class TooSoon(TooManyRequests):
    """A code went to this phone less than a minute ago: use it, or wait."""

    code = "too_soon"


class Expired(DomainError):
    status = 410
    code = "expired"


@dataclass(frozen=True)
class Sent:
    code: str  # the plain code: it goes into the SMS (and, in DEBUG only, onto the page)
    expires_at: dt.datetime
    resend_at: dt.datetime


def mobile(phone: str) -> str:
    """The 11-digit mobile number, or ValidationFailed on ``phone``."""
    found = MOBILE.match("".join((phone or "").split()).replace("-", ""))
    if found is None:
        raise ValidationFailed(_("请填写正确的 11 位手机号码。"), fields={"phone": _("手机号码格式不正确")})
    return found.group(1)


def phone_hash(phone: str) -> str:
    return lookup_hash("phone", phone)


def _code_hash(phone_hash_: str, purpose: str, subject: str, code: str) -> str:
    return lookup_hash("portal_code", f"{phone_hash_}:{purpose}:{subject}:{code}")


def _check_can_send(hashed: str, purpose: str, subject: str, now: dt.datetime) -> None:
    recent = PhoneCode.objects.filter(phone_hash=hashed)
    last = recent.filter(purpose=purpose, subject=subject).order_by("-created_at").first()
    if last is not None and last.created_at + RESEND_AFTER > now:
        wait = int((last.created_at + RESEND_AFTER - now).total_seconds()) + 1
        raise TooSoon(_("验证码已发送，请 %(n)s 秒后再重新获取。") % {"n": wait}, retry_after=wait)
    if recent.filter(created_at__gt=now - dt.timedelta(days=1)).count() >= PER_DAY:
        first = recent.filter(created_at__gt=now - dt.timedelta(days=1)).order_by("created_at").first()
        wait = int((first.created_at + dt.timedelta(days=1) - now).total_seconds()) + 1 if first else 3600
        raise TooManyRequests(_("该手机号今天获取验证码已达 %(n)s 次，请明天再试。") % {"n": PER_DAY},
                              retry_after=wait)


def send_code(phone: str, *, purpose: str = Purpose.SIGN_IN, subject: str = "", text: str = "") -> Sent:
    """Queue a fresh code to ``phone`` (the older ones of the same purpose stop working).  ``text`` is the
    SMS's lead (what the code is for, in Chinese); the code follows as "验证码 123456"."""
    from fengqiao.notifications import services as notifications

    number = mobile(phone)
    hashed = phone_hash(number)
    now = clock.now()
    # one sender per phone and minute even when two requests race (cache.add is atomic in Redis)
    gate = f"portal:sending:{hashed}:{purpose}:{subject}"
    if not cache.add(gate, 1, int(RESEND_AFTER.total_seconds())):
        _check_can_send(hashed, purpose, subject, now)
        raise TooSoon(_("验证码已发送，请稍后再重新获取。"), retry_after=int(RESEND_AFTER.total_seconds()))
    try:
        _check_can_send(hashed, purpose, subject, now)
    except DomainError:
        cache.delete(gate)
        raise
    code = "".join(secrets.choice("0123456789") for _i in range(LENGTH))
    with transaction.atomic():
        PhoneCode.objects.filter(phone_hash=hashed, purpose=purpose, subject=subject, used_at__isnull=True,
                                 replaced_at__isnull=True).update(replaced_at=now)
        row = PhoneCode.objects.create(phone_hash=hashed, purpose=purpose, subject=subject,
                                       code_hash=_code_hash(hashed, purpose, subject, code), created_at=now,
                                       expires_at=now + TTL)
        # the SMS is in Chinese whatever the page's language (the outbox masks "验证码 123456" once sent)
        lead = text or "【解纷码】您正在验证手机号。"
        body = f"{lead}验证码 {code}，{int(TTL.total_seconds() // 60)} 分钟内有效，请勿告诉他人。"
        notifications.queue([notifications.Draft(
            dedup_key=f"portal:code:{row.pk}", channel="sms", subject=SUBJECTS.get(purpose, "验证码"), body=body,
            kind="verification", to=number,
        )])
    return Sent(code=code, expires_at=row.expires_at, resend_at=now + RESEND_AFTER)


def _live(hashed: str, purpose: str, subject: str, now: dt.datetime) -> PhoneCode:
    row = (PhoneCode.objects.filter(phone_hash=hashed, purpose=purpose, subject=subject, used_at__isnull=True,
                                    replaced_at__isnull=True).order_by("-created_at").first())
    if row is None:
        raise NotFound(_("请先获取验证码。"), fields={"code": _("请先获取验证码")})
    if row.expires_at <= now:
        raise Expired(_("验证码已过期（有效期 %(m)s 分钟），请重新获取。") % {"m": int(TTL.total_seconds() // 60)},
                      fields={"code": _("验证码已过期")})
    if row.tries >= MAX_TRIES:
        raise Expired(_("验证码已输错 %(n)s 次，已失效，请重新获取。") % {"n": MAX_TRIES},
                      fields={"code": _("验证码已失效")})
    return row


class WrongCode(ValidationFailed):
    code = "wrong_code"


def check_code(phone: str, code: str, *, purpose: str = Purpose.SIGN_IN, subject: str = "") -> PhoneCode:
    """The live code row if ``code`` is right; otherwise the try is counted on the row and WrongCode (or
    NotFound / Expired) says why.  Does not use the code up: :func:`use_code` does, in the caller's
    transaction with what the code allows."""
    number = mobile(phone)
    hashed = phone_hash(number)
    code = "".join((code or "").split())
    if not (len(code) == LENGTH and code.isdigit()):
        raise ValidationFailed(_("请填写 6 位数字验证码。"), fields={"code": _("应为 6 位数字")})
    row = _live(hashed, purpose, subject, clock.now())
    if not secrets.compare_digest(row.code_hash, _code_hash(hashed, purpose, subject, code)):
        PhoneCode.objects.filter(pk=row.pk).update(tries=F("tries") + 1)
        left = MAX_TRIES - row.tries - 1
        message = (_("验证码不正确，还可再试 %(n)s 次。") % {"n": left} if left > 0
                   else _("验证码不正确，已失效，请重新获取。"))
        raise WrongCode(message, fields={"code": _("验证码不正确")})
    return row


def use_code(row: PhoneCode) -> None:
    """Use the code up (once: a second use in a race finds it used)."""
    used = PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=clock.now())
    if used != 1:
        raise Expired(_("验证码已使用过，请重新获取。"), fields={"code": _("验证码已使用")})


def verify(phone: str, code: str) -> Citizen:
    """Sign in: the phone verified by its code, as the citizen the mediation services know."""
    row = check_code(phone, code)
    use_code(row)
    return Citizen(phone_hash=row.phone_hash)
