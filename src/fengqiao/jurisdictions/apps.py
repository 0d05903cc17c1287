from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "fengqiao.jurisdictions"
    label = "jurisdictions"
    verbose_name = "辖区与单位"

    def ready(self) -> None:
        from fengqiao.jurisdictions import signals

        signals.connect()
