"""fengqiao.legal in the main navigation (legal offices, leaders, risk officers, admins) and on a case's
page (its dispute as a badge, or 识别行政争议 for staff)."""

from __future__ import annotations

from typing import Any

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from fengqiao.accounts.roles import Role

register = template.Library()

STAFF_ROLES = frozenset(Role) - {Role.CITIZEN}


def _user(context: Any) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def legal_nav_link(context: Any) -> SafeString:
    from fengqiao.kit.nav import nav_link
    from fengqiao.legal.selectors import may_monitor

    user = _user(context)
    if user is None or not may_monitor(user):
        return mark_safe("")
    return nav_link(context["request"], reverse("legal_list"), _("行政争议"))


@register.simple_tag(takes_context=True)
def legal_case_panel(context: Any, case: Any) -> SafeString:
    """The case's dispute as a badge (a link for those who may open it), else 识别行政争议 for staff."""
    from fengqiao.legal.models import Dispute
    from fengqiao.legal.selectors import may_monitor, visible
    from fengqiao.legal.states import ACT_LABELS, RISK_LABELS, STATE_LABELS, ActType, LState, Risk

    user = _user(context)
    if user is None or not (user.is_superuser or user.role_set() & STAFF_ROLES):
        return mark_safe("")
    dispute = Dispute.objects.filter(case_id=case.pk).first()
    if dispute is not None:
        tone = {"key": "red", "general": "orange"}.get(dispute.risk, "grey")
        act, risk = ACT_LABELS[ActType(dispute.act_type)], RISK_LABELS[Risk(dispute.risk)]
        text = f"{_('行政争议')} · {act} · {_('风险：%(r)s') % {'r': risk}} · {STATE_LABELS[LState(dispute.status)]}"
        if may_monitor(user) and visible(user).filter(pk=dispute.pk).exists():
            return format_html('<a class="badge {} outline" href="{}" data-testid="legal-link">{} ›</a>', tone,
                               reverse("legal_detail", args=[case.code]), text)
        return format_html('<span class="badge {} outline" data-testid="legal-badge">{}</span>', tone, text)
    return format_html(
        '<form method="post" action="{}" class="l-panel" data-testid="legal-scan">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button type="submit" class="btn small ghost">{}</button>'
        '<a class="btn small ghost" href="{}">{}</a></form>',
        reverse("legal_scan", args=[case.code]), get_token(context["request"]), _("识别行政争议"),
        reverse("legal_flag", args=[case.code]), _("人工识别"))
