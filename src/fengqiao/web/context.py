"""What every page's frame shows: the city's name, the user, her roles, and what she may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fengqiao.accounts.roles import ROLE_LABELS
from fengqiao.cases import services
from fengqiao.cases.states import Action
from fengqiao.intake.services import can_import
from fengqiao.jurisdictions.models import Area, Level
from fengqiao.kit.errors import DomainError


def city_name() -> str:
    name = Area.objects.filter(level=Level.CITY).order_by("code").values_list("name", flat=True).first()
    return name or "泰州市"


def can_register(user: Any) -> bool:
    try:
        services.authorize(user, None, Action.REGISTER)
    except DomainError:
        return False
    return True


def navigation(request: HttpRequest) -> dict[str, Any]:
    # once per request: a page whose panels render templates of their own with the request (the case page)
    # ran every context processor again for each
    done: dict[str, Any] | None = getattr(request, "_fq_navigation", None)
    if done is None:
        done = _navigation(request)
        request._fq_navigation = done  # type: ignore[attr-defined]
    return done


def _navigation(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"city_name": city_name()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    roles = sorted(user.role_set())
    context.update(
        user_roles=[ROLE_LABELS[r] for r in roles],
        can_register=can_register(user),
        can_import=can_import(user),
        is_citizen=roles == ["citizen"],
    )
    return context
