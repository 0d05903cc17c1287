"""Validators for personal identifiers, with messages a clerk understands."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

PHONE_RE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def phone_error(value: str) -> str | None:
    compact = re.sub(r"[\s]", "", value)
    if compact and not PHONE_RE.match(compact):
        return _("电话号码格式不正确（手机 11 位，或带区号的固话）")
    return None


def id_number_error(value: str) -> str | None:
    if not value:
        return None
    if not ID_RE.match(value):
        return _("身份证号应为 18 位，最后一位可为 X")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17].upper():
        return _("身份证号校验位不正确")
    return None


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]
