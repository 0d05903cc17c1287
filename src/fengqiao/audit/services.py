"""Writes to the audit records other than case events."""

from __future__ import annotations

from collections.abc import Iterable

from fengqiao.accounts.models import User
from fengqiao.audit.models import PersonalDataView
from fengqiao.kit import clock


def record_personal_data_view(
    user: User, *, role: str, subject: str, fields: Iterable[str], purpose: str = "", ip_address: str | None = None
) -> PersonalDataView:
    return PersonalDataView.objects.create(
        at=clock.now(), user=user, role=role, subject=subject, fields=",".join(fields)[:200],
        purpose=purpose[:200], ip_address=ip_address,
    )
