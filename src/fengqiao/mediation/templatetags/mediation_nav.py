"""The mediation pages in the main navigation, for the roles that work in them: the mediators' workbench,
the judges' confirmations, the expert pool, the figures and the subsidies."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fengqiao.accounts.roles import Role
from fengqiao.kit.nav import nav_link

register = template.Library()

# (url name, label, roles that see it)
LINKS: list[tuple[str, str, frozenset[Role]]] = [
    ("mediation_list", "调解工作台", frozenset({Role.MEDIATOR, Role.LEADER, Role.ADMIN})),
    ("confirmation_queue", "司法确认", frozenset({Role.JUDGE})),
    ("mediator_list", "调解专家库", frozenset({Role.MEDIATOR, Role.LEADER, Role.ADMIN, Role.DISPATCHER,
                                           Role.OPERATOR})),
    ("mediation_figures", "调解统计", frozenset({Role.MEDIATOR, Role.LEADER, Role.ADMIN})),
    ("subsidy_statements", "个案补贴", frozenset({Role.MEDIATOR, Role.LEADER, Role.ADMIN})),
]


@register.simple_tag(takes_context=True)
def mediation_nav_links(context: dict[str, Any]) -> SafeString:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return mark_safe("")
    roles = user.role_set()
    shown: list[tuple[str, str]] = []
    for name, label, who in LINKS:
        if not roles & who:
            continue
        try:
            shown.append((reverse(name), label))
        except NoReverseMatch:  # a page not built yet
            continue
    # the workbench /mediation/ is a prefix of the others: only the longest matching link is current
    current = max((url for url, _label in shown if request.path.startswith(url)), key=len, default="")
    links = [nav_link(request, url, _(label)) if url == current else format_html('<a href="{}">{}</a>', url, _(label))
             for url, label in shown]
    return mark_safe("".join(links))  # each link is built by format_html


@register.simple_tag(takes_context=True)
def mediation_open_link(context: dict[str, Any], case: Any) -> SafeString:
    """On a case sent to a mediation organisation: 转入调解, for a mediator of that organisation."""
    from fengqiao.mediation.services.opening import opener

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or opener(user, case) is None:
        return mark_safe("")
    return format_html('<a class="btn small primary" href="{}" data-testid="mediation-open">{}</a>',
                       reverse("mediation_open", args=[case.code]), _("转入调解"))
