"""What every door of the citizen app counts — the pages (portal/views) and the JSON API (portal/api.py)
share one budget per client address: the rate limits (kit/throttle.py) and the guessing locks
(portal/lockout.py) in front of sending a code, trying one, and looking a dispute code up."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fengqiao.kit import throttle
from fengqiao.kit.errors import NotFound
from fengqiao.mediation.models import Mediation
from fengqiao.mediation.services._core import Citizen
from fengqiao.portal import lockout, selectors, verification

SEND_GROUP, SEND_RATE = "portal.send", "5/m"  # codes asked for, per client address
SEND_HOUR_GROUP, SEND_HOUR_RATE = "portal.send.hour", "30/h"
VERIFY_GROUP, VERIFY_RATE = "portal.verify", "10/m"  # codes tried
TRACK_GROUP, TRACK_RATE = "portal.track", "30/m"  # dispute codes looked up (every page of a code)
ACT_GROUP, ACT_RATE = "portal.act", "20/m"  # a verified citizen's submissions
TOO_MANY = gettext_noop("操作过于频繁，请一分钟后再试。")


def hit(request: HttpRequest, group: str, rate: str) -> None:
    throttle.hit(request, group=group, rate=rate, message=_(TOO_MANY))


def send(request: HttpRequest, phone: str) -> verification.Sent:
    """A sign-in code to ``phone``, within the address's limits."""
    hit(request, SEND_GROUP, SEND_RATE)
    hit(request, SEND_HOUR_GROUP, SEND_HOUR_RATE)
    return verification.send_code(phone)


def sign_in(request: HttpRequest, phone: str, code: str) -> Citizen:
    """The citizen of ``phone`` if ``code`` is right; a wrong code counts against the address and the
    phone (LockedOut after ten in an hour), checked before anything else."""
    number = verification.mobile(phone)
    counters = (lockout.by_address("phone_code", request),
                lockout.by_phone("phone_code", verification.phone_hash(number)))
    lockout.check(*counters)
    hit(request, VERIFY_GROUP, VERIFY_RATE)
    try:
        return verification.verify(number, code)
    except verification.WrongCode:
        lockout.fail(*counters)
        lockout.check(*counters)
        raise


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
