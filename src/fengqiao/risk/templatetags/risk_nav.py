"""The register in the main navigation (risk officers, leaders, dispatchers, admins) and on a case's page
(列入风险清单, or a badge linking to the case's live entry)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fengqiao.accounts.roles import Role
from fengqiao.kit.nav import nav_link

register = template.Library()

NAV_ROLES = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.DISPATCHER, Role.ADMIN})
SCREENERS = frozenset({Role.GRID_WORKER})
INDICATOR_ROLES = frozenset({Role.RISK_OFFICER, Role.LEADER, Role.ADMIN})


def _user(context: dict[str, Any]) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def risk_nav_link(context: dict[str, Any]) -> SafeString:
    user = _user(context)
    if user is None:
        return mark_safe("")
    if user.role_set() & NAV_ROLES:
        return nav_link(context["request"], reverse("risk_list"), _("风险清单"))
    if user.role_set() & SCREENERS:  # grid workers: the campaigns covering their grids
        return nav_link(context["request"], reverse("risk_campaigns"), _("风险排查"))
    return mark_safe("")


@register.simple_tag(takes_context=True)
def risk_subnav(context: dict[str, Any]) -> SafeString:
    """The register's own tabs (清单 · 排查 · 五个100%) on its pages, for those who may see more than one."""
    user = _user(context)
    if user is None or not user.role_set() & NAV_ROLES:
        return mark_safe("")
    request = context["request"]
    links = [(reverse("risk_campaigns"), _("风险排查")), (reverse("risk_indicators"), _("五个100%"))]
    if not user.role_set() & INDICATOR_ROLES:
        links = links[:1]
    current = next((url for url, _label in links if request.path.startswith(url)), reverse("risk_list"))
    items = [(reverse("risk_list"), _("风险清单")), *links]
    return format_html('<nav class="tabs r-subnav" aria-label="{}">{}</nav>', _("重大风险清单"), mark_safe("".join(
        format_html('<a href="{}" class="tab{}"{}>{}</a>', url, " active" if url == current else "",
                    mark_safe(' aria-current="page"') if url == current else "", label)
        for url, label in items)))


@register.simple_tag(takes_context=True)
def risk_case_link(context: dict[str, Any], case: Any) -> SafeString:
    """On a case's page: its live entry as a badge, else 列入风险清单 for those who may open one."""
    from fengqiao.risk.presenters import GRADE_TONES, live_entry, may_open
    from fengqiao.risk.states import STATE_LABELS

    user = _user(context)
    if user is None:
        return mark_safe("")
    entry = live_entry(user, case)
    if entry is not None:
        return format_html('<a class="badge {} outline" href="{}" data-testid="risk-link">{} {} · {} · {} ›</a>',
                           GRADE_TONES.get(entry.grade, "grey"), reverse("risk_detail", args=[entry.code]),
                           _("风险"), entry.code, entry.get_grade_display(), STATE_LABELS[entry.state])
    if not may_open(user):
        return mark_safe("")
    return format_html('<a class="btn small ghost" href="{}" data-testid="risk-open">{}</a>',
                       reverse("risk_open", args=[case.code]), _("列入风险清单"))
