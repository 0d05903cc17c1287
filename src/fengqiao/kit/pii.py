"""Personal data at rest: Fernet encryption, keyed lookup hashes, and masks (DESIGN rule 7).

``cryptography``'s Fernet (AES-128-CBC + HMAC-SHA256, authenticated) with MultiFernet for key rotation;
see docs/adr/0004-personal-data.md.  Lookups (same phone, same ID number) use an HMAC of the normalised
value, never the plain value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"{label}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = list(settings.PII_KEYS) or [base64.urlsafe_b64encode(_derived("pii-fernet")).decode()]
    return MultiFernet([Fernet(k.encode()) for k in keys])


@lru_cache(maxsize=1)
def _hmac_key() -> bytes:
    return settings.PII_HMAC_KEY.encode() if settings.PII_HMAC_KEY else _derived("pii-hmac")


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return "⚠"


def normalise(kind: str, value: str) -> str:
    value = "".join(value.split())
    if kind == "phone":
        digits = "".join(ch for ch in value if ch.isdigit())
        return digits[-11:] if len(digits) >= 11 else digits
    return value.upper()


def lookup_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 of the normalised value, for equality look-ups; empty for an empty value."""
    if not value:
        return ""
    message = f"{kind}:{normalise(kind, value)}".encode()
    return hmac.new(_hmac_key(), message, hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(value: str) -> str:
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_address(address: str) -> str:
    if not address:
        return ""
    if len(address) <= 6:
        return address[:2] + "****"
    return address[:6] + "****"


class EncryptedJSONField(models.TextField):
    """A JSON value (e.g. the raw cells of a bad import row, which hold names and phone numbers) stored as
    one Fernet token; Python sees the decoded value."""

    # what django-stubs' mypy plugin types the attribute as
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return {}
        plain = decrypt(value)
        try:
            return json.loads(plain)
        except ValueError:
            return {"_unreadable": True}

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str:
        if value in (None, "", {}):
            return ""
        return encrypt(json.dumps(value, ensure_ascii=False))


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python sees the plain value."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return decrypt(value) if value else ""

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""
