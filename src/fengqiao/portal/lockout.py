"""Guessing stops here: wrong dispute codes and wrong phone codes are counted per client address (and
wrong phone codes per phone too); ten wrong in an hour lock the address (or the phone) out for an hour.

Independent of the per-minute rate limits (kit/throttle.py): those slow everyone down, this stops a
guesser.  The counters live in the Django cache (Redis in production, shared by every process).  The
window is fixed from the first wrong try; the lock holds its end time, shown to the person locked out.
A refused try changes nothing but these counters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.kit import clock
from fengqiao.kit.throttle import TooManyRequests, client_address

LIMIT = 10  # wrong tries in a window
WINDOW = 3600  # seconds
LOCK = 3600  # seconds


class LockedOut(TooManyRequests):
    """429 until ``until``: too many wrong codes from this address or for this phone."""

    code = "locked_out"

    def __init__(self, message: str, *, until: dt.datetime) -> None:
        left = max(1, int((until - clock.now()).total_seconds()))
        super().__init__(message, retry_after=left)
        self.until = until


@dataclass(frozen=True)
class Counter:
    """What is counted (``dispute_code``, ``phone_code``) and whose tries (an address or a phone hash)."""

    what: str
    who: str

    @property
    def tries_key(self) -> str:
        return f"portal:wrong:{self.what}:{self.who}"

    @property
    def lock_key(self) -> str:
        return f"portal:lock:{self.what}:{self.who}"


def by_address(what: str, request: HttpRequest) -> Counter:
    return Counter(what, "ip:" + client_address(what, request))


def by_phone(what: str, phone_hash: str) -> Counter:
    return Counter(what, "phone:" + phone_hash)


MESSAGES = {
    "dispute_code": gettext_noop("解纷码输错次数过多，为防止他人猜测，查询已暂停，请于 %(until)s 后再试。"),
    "phone_code": gettext_noop("验证码输错次数过多，为保护您的信息，验证已暂停，请于 %(until)s 后再试。"),
}


def check(*counters: Counter) -> None:
    """LockedOut if any of the counters is locked."""
    for counter in counters:
        stamp = cache.get(counter.lock_key)
        if stamp is None:
            continue
        until = dt.datetime.fromtimestamp(float(stamp), tz=dt.UTC)
        if until > clock.now():
            raise LockedOut(_(MESSAGES[counter.what]) % {"until": clock.localtime(until).strftime("%H:%M")},
                            until=until)


def fail(*counters: Counter) -> int:
    """Count one wrong try on each counter; lock those that reach LIMIT.  The tries left (the fewest)."""
    left = LIMIT
    for counter in counters:
        cache.add(counter.tries_key, 0, WINDOW)
        try:
            count = cache.incr(counter.tries_key)
        except ValueError:  # expired between add and incr
            cache.set(counter.tries_key, 1, WINDOW)
            count = 1
        if count >= LIMIT:
            until = clock.now() + dt.timedelta(seconds=LOCK)
            cache.set(counter.lock_key, until.timestamp(), LOCK)
            cache.delete(counter.tries_key)
        left = min(left, max(0, LIMIT - count))
    return left

