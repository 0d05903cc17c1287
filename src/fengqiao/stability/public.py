"""The public consultation page's reads and its one write: a citizen's opinion, without an account, while a
decision's consultation is open and public.  Minimal personal data: a name and a phone number only if she
gives them (encrypted).  The opinion writes an event but not a new version (the staff's open forms stay
valid).  The page counts each try against a rate limit (views_public.py)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from fengqiao.kit import clock
from fengqiao.kit.errors import Conflict, NotFound, ValidationFailed
from fengqiao.stability import services
from fengqiao.stability.models import Channel, Decision, Opinion, Stance
from fengqiao.stability.states import DAction, DState

PHONE = re.compile(r"^1\d{10}$")
MAX_TEXT = 1000


def open_decision(code: str, *, for_update: bool = False) -> Decision:
    """A decision whose consultation is public and open now; NotFound otherwise (nothing else is public)."""
    qs = Decision.objects.filter(code=code, public_consultation=True, status=DState.CONSULTING.value)
    if for_update:
        qs = qs.select_for_update()
    decision = qs.first()
    if decision is None:
        raise NotFound(_("没有正在公开征询意见的事项 %(code)s。") % {"code": code})
    return decision


def is_open(decision: Decision) -> bool:
    closes = decision.consultation_closes_at
    return closes is not None and clock.now() <= closes


@transaction.atomic
def submit(code: str, *, stance: str, text: str, name: str = "", phone: str = "") -> Opinion:
    """One citizen's opinion: her stance, what she thinks, and (optionally) how to reach her."""
    if stance not in Stance.values:
        raise ValidationFailed(_("请选择您的态度。"), fields={"stance": _("请选择支持、反对或中立")})
    body = (text or "").strip()
    if not body:
        raise ValidationFailed(_("请填写您的意见。"), fields={"text": _("请填写您的意见")})
    if len(body) > MAX_TEXT:
        raise ValidationFailed(_("意见不能超过 %(n)s 字。") % {"n": MAX_TEXT}, fields={"text": _("内容过长")})
    name, phone = (name or "").strip()[:20], "".join((phone or "").split())
    if phone and not PHONE.match(phone):
        raise ValidationFailed(_("手机号码须为 11 位数字。"), fields={"phone": _("手机号码格式不正确")})
    decision = open_decision(code, for_update=True)
    if not is_open(decision):
        raise Conflict(_("征询期已于 %(d)s 结束。") % {
            "d": clock.localtime(decision.consultation_closes_at).strftime("%Y-%m-%d %H:%M")})
    now = clock.now()
    opinion = Opinion.objects.create(
        decision=decision, channel=Channel.ONLINE, held_on=clock.localtime(now).date(), participants=1,
        support=int(stance == Stance.SUPPORT), oppose=int(stance == Stance.OPPOSE),
        neutral=int(stance == Stance.NEUTRAL), concerns=body, public=True, contact_name=name, contact_phone=phone,
        recorded_at=now)
    # no personal data in the event: the stance and the opinion's row only
    services.event(decision, DAction.PUBLIC_OPINION, decision.status, None, now,
                   data={"opinion": opinion.pk, "stance": stance})
    return opinion
