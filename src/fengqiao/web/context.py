from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fengqiao.accounts.roles import ROLE_LABELS


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_roles": [ROLE_LABELS[r] for r in sorted(user.role_set())]}
