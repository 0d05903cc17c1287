"""The mediation pages in the main navigation, for the roles that work in them: the mediators' workbench,
the judges' confirmations, the expert pool, the figures and the subsidies."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
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
    links = []
    for name, label, who in LINKS:
        if not roles & who:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page not built yet
            continue
        links.append(nav_link(request, url, _(label)))
    return mark_safe("".join(links))  # each link is built by format_html
