"""A link of the page frame's main navigation, marked as the current page when the request is under it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString


def nav_link(request: HttpRequest, url: str, label: str) -> SafeString:
    current = ' aria-current="page"' if request.path.startswith(url) else ""
    return format_html('<a href="{}"{}>{}</a>', url, SafeString(current), label)
