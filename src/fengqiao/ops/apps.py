from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "fengqiao.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from fengqiao.ops import checks  # noqa: F401  (registers the system checks)
