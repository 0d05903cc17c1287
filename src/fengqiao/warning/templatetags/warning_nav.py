"""fengqiao.warning in the main navigation (staff who read cases by area, leaders, admins) and on a case's
page: its escalation score, grade and reasons (computed on demand when missing or stale), for staff only."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fengqiao.accounts.roles import Role
from fengqiao.kit.nav import nav_link

register = template.Library()

NAV_ROLES = frozenset({Role.GRID_WORKER, Role.DISPATCHER, Role.RISK_OFFICER, Role.LEADER, Role.ADMIN, Role.HANDLER})
PANEL_TONES = {"key": "red", "general": "orange", "watch": "grey", "": "outline"}


def _user(context: dict[str, Any]) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def warning_nav_link(context: dict[str, Any]) -> SafeString:
    user = _user(context)
    if user is None or not (user.is_superuser or user.role_set() & NAV_ROLES):
        return mark_safe("")
    return nav_link(context["request"], reverse("warning_list"), _("激化预警"))


@register.simple_tag(takes_context=True)
def warning_case_panel(context: dict[str, Any], case: Any) -> SafeString:
    """The case's score: computed now when the case has none or changed since (and a model is installed)."""
    from fengqiao.risk.presenters import may_open
    from fengqiao.warning import model, services, views
    from fengqiao.warning.models import Score

    user = _user(context)
    if user is None or not (user.is_superuser or user.role_set() & views.STAFF_ROLES):
        return mark_safe("")
    score = Score.objects.filter(case=case).first()
    installed = model.load() is not None
    if installed and (score is None or score.case_version != case.version):
        score = services.score_case(case) or score
    return mark_safe(render_to_string("warning/_panel.html", {
        "case": case, "score": score, "installed": installed, "tone": PANEL_TONES.get(score.grade if score else "", ""),
        "pct": f"{score.probability:.0%}" if score else "", "may_open": may_open(user),
    }, request=context.get("request")))


@register.filter
def reason(stored: dict[str, Any]) -> str:
    """A score's stored reason in the reader's language."""
    from fengqiao.warning.services import reason_text

    return reason_text(stored)
