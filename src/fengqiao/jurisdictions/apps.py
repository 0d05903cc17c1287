from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JurisdictionsConfig(AppConfig):
    name = "fengqiao.jurisdictions"
    label = "jurisdictions"
    verbose_name = _("辖区与单位")

    def ready(self) -> None:
        from fengqiao.jurisdictions import signals

        signals.connect()
