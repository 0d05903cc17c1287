"""A mediator's availability (接案状态): taking new cases, away until a date, or not taking any.

She sets it herself from her profile page (administrators may too, and do in the admin).  It is not a
case's matter, so it writes no case event; each change is logged as a row of Django's admin log
(``LogEntry``: who, when, which mediator, from what to what), which is append-only from the screens and
shows in the mediator's "history" in the admin beside the administrators' own edits.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.kit import clock
from fengqiao.kit.errors import NotFound, PermissionDenied, ValidationFailed
from fengqiao.mediation.models import Mediator
from fengqiao.mediation.pool_access import is_admin

MODES = ("taking", "away", "paused")
LONGEST_AWAY = dt.timedelta(days=366)


def describe(mediator: Mediator, today: dt.date | None = None) -> str:
    day = today or clock.today()
    if not mediator.available:
        return _("暂停接案")
    if mediator.unavailable_until and mediator.unavailable_until >= day:
        return _("外出至 %(d)s") % {"d": f"{mediator.unavailable_until:%Y-%m-%d}"}
    return _("接受新案件")


def can_edit(user: User, mediator: Mediator) -> bool:
    return (mediator.user_id is not None and mediator.user_id == user.pk) or is_admin(user)


def check(mode: str, until_text: str, today: dt.date) -> dt.date | None:
    """The date she is away until (for ``away``), or None; a message naming the field otherwise."""
    if mode not in MODES:
        raise ValidationFailed(_("请选择接案状态。"), fields={"mode": _("请选择")})
    if mode != "away":
        return None
    try:
        until = dt.date.fromisoformat(until_text.strip())
    except ValueError:
        raise ValidationFailed(_("请填写外出截止日期（YYYY-MM-DD）。"),
                               fields={"until": _("日期格式应为 YYYY-MM-DD")}) from None
    if until < today:
        raise ValidationFailed(_("外出截止日期不能早于今天。"), fields={"until": _("不能早于今天")})
    if until - today > LONGEST_AWAY:
        raise ValidationFailed(_("外出截止日期最多一年以后；更长请选择「暂停接案」。"),
                               fields={"until": _("最多一年")})
    return until


@transaction.atomic
def set_availability(user: User, mediator_id: int, *, mode: str, until: str = "") -> Mediator:
    """Set the mediator's availability; only she herself or an administrator may."""
    mediator = Mediator.objects.select_for_update().filter(pk=mediator_id, active=True).first()
    if mediator is None:
        raise NotFound(_("专家库中没有这位调解员。"))
    if not can_edit(user, mediator):
        raise PermissionDenied(_("只有调解员本人或系统管理员可以修改接案状态。"))
    today = clock.today()
    away_until = check(mode, until, today)
    before = describe(mediator, today)
    mediator.available = mode != "paused"
    mediator.unavailable_until = away_until
    mediator.save(update_fields=["available", "unavailable_until"])
    after = describe(mediator, today)
    who = _("本人") if mediator.user_id == user.pk else _("管理员")
    LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(Mediator), object_id=str(mediator.pk),
        object_repr=str(mediator)[:200], action_flag=CHANGE,
        change_message=_("%(who)s修改接案状态：%(before)s → %(after)s")
        % {"who": who, "before": before, "after": after},
    )
    return mediator
