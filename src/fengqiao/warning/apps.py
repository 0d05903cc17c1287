from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WarningConfig(AppConfig):
    name = "fengqiao.warning"
    label = "warning"
    verbose_name = _("激化预警")

    def ready(self) -> None:
        from fengqiao.cases.states import register_action_labels
        from fengqiao.warning import defaults
        from fengqiao.warning.models import CASE_EVENT_LABELS

        register_action_labels(CASE_EVENT_LABELS)  # the alerts appear on the case's timeline

        post_migrate.connect(defaults.install, sender=self, dispatch_uid="warning-defaults")
