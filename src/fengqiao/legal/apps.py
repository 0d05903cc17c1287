from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "fengqiao.legal"
    label = "legal"
    verbose_name = _("行政争议")

    def ready(self) -> None:
        from fengqiao.cases.states import register_action_labels
        from fengqiao.legal.states import CASE_EVENT_LABELS

        register_action_labels(CASE_EVENT_LABELS)  # our events appear on the case's timeline
