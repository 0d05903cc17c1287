from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "fengqiao.risk"
    label = "risk"
    verbose_name = _("重大风险清单")

    def ready(self) -> None:
        from fengqiao.cases.states import register_action_labels
        from fengqiao.risk import defaults
        from fengqiao.risk.states import CASE_EVENT_LABELS

        register_action_labels(CASE_EVENT_LABELS)  # the register's events appear on the case's timeline
        post_migrate.connect(defaults.install, sender=self, dispatch_uid="risk-defaults")
