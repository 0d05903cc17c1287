"""System checks for the operations settings: a bad CIDR in FENGQIAO_METRICS_ALLOW fails at start."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def metrics_allow(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for item in settings.METRICS_ALLOW:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            errors.append(Error(f"FENGQIAO_METRICS_ALLOW: {exc}", id="ops.E001"))
    return errors
