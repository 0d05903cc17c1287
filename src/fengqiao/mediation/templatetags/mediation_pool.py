"""Filters for the pool, figures and subsidy pages: percentages, days, yuan and star ratings."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def rate_pct(value: float | None) -> str:
    """0.873 → "87.3%"; no figure → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def days1(value: float | None) -> str:
    return "—" if value is None else _("%(d).1f 天") % {"d": value}


@register.filter
def yuan(value: Decimal | float | int | None) -> str:
    """1234.5 → "1,234.50"."""
    return "—" if value is None else f"{Decimal(value):,.2f}"


@register.filter
def score1(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


@register.simple_tag
def stars(rating: float | None, count: int = 0) -> SafeString:
    """Five stars filled to ``rating`` (of 5), with the number and how many reviews."""
    if rating is None or not count:
        return format_html('<span class="stars none" title="{}">☆☆☆☆☆ <small>{}</small></span>',
                           _("暂无评价"), _("暂无评价"))
    width = max(0.0, min(100.0, rating / 5 * 100))
    label = _("评分 %(r).1f，%(n)s 人评价") % {"r": rating, "n": count}
    return format_html(
        '<span class="stars" role="img" aria-label="{}" title="{}"><span class="stars-track">★★★★★'
        '<span class="stars-fill" style="width:{}%">★★★★★</span></span> <b>{}</b> <small>({})</small></span>',
        label, label, f"{width:.0f}", f"{rating:.1f}", count)
