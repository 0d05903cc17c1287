"""Channel API keys: create (the full key is shown once), look up by hash, revoke, mark as used.

A key looks like ``fq_7K3M9QX2_<40 random characters>``; the database keeps only its sha256 and the
prefix ``fq_7K3M9QX2`` (unique, shown to administrators so a key can be recognised without being stored).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import string
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Role
from fengqiao.cases.models import Channel
from fengqiao.intake.models import ChannelKey
from fengqiao.kit import clock
from fengqiao.kit.errors import NotFound, ValidationFailed

# A key acts as a service account that registers matters: a hotline operator or a dispatcher (whose
# reach is their area).  Citizens, grid workers (one grid) and superusers are refused on purpose.
REGISTERING_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER})
_ALPHABET = string.ascii_uppercase + string.digits
PREFIX_LENGTH = 11  # "fq_" + 8
TOUCH_EVERY = dt.timedelta(minutes=1)
MAX_RATE = 100_000


@dataclass(frozen=True)
class NewKey:
    key: ChannelKey
    secret: str  # the full key: shown once, never stored


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _check(channel: str, account: User, rate_per_minute: int, name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = f"未知的受理渠道 {channel}（可选：{', '.join(Channel.values)}）"
    if not account.is_active:
        errors["account"] = f"账号 {account.username} 已停用"
    elif not account.role_set() & REGISTERING_ROLES:
        errors["account"] = f"账号 {account.username} 不是登记角色（须为热线话务员或分拨员）"
    if not 1 <= rate_per_minute <= MAX_RATE:
        errors["rate_per_minute"] = f"每分钟请求数应在 1 到 {MAX_RATE} 之间"
    if len(name) > 80:
        errors["name"] = "名称不能超过 80 字"
    return errors


def check_account(account: User) -> str | None:
    """Why ``account`` cannot act for a key, or None."""
    return _check(Channel.HOTLINE_12345, account, 1, "").get("account")


@transaction.atomic
def create_key(channel: str, account: User, *, rate_per_minute: int = 600, name: str = "") -> NewKey:
    errors = _check(channel, account, rate_per_minute, name)
    if errors:
        raise ValidationFailed("无法创建密钥：" + "；".join(errors.values()) + "。", fields=errors)
    prefix = "fq_" + "".join(secrets.choice(_ALPHABET) for _ in range(PREFIX_LENGTH - 3))
    secret = f"{prefix}_{secrets.token_urlsafe(30)}"
    key = ChannelKey.objects.create(
        name=name or f"{channel} · {account.username}", channel=channel, prefix=prefix,
        key_hash=hash_key(secret), account=account, rate_per_minute=rate_per_minute, created_at=clock.now(),
    )
    return NewKey(key=key, secret=secret)


def find_active(raw: str) -> ChannelKey | None:
    """The active key with this full value (one indexed look-up by hash), with its account."""
    if not raw or len(raw) > 200:
        return None
    return ChannelKey.objects.select_related("account").filter(key_hash=hash_key(raw), active=True).first()


def revoke(prefix: str) -> ChannelKey:
    key = ChannelKey.objects.filter(prefix=prefix).first()
    if key is None:
        raise NotFound(f"没有前缀为 {prefix} 的密钥。")
    if key.active:
        key.active = False
        key.save(update_fields=["active"])
    return key


def touch(key: ChannelKey) -> None:
    """Record use, at most once a minute per key: one conditional UPDATE, skipped while fresh."""
    now = clock.now()
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_EVERY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ChannelKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
