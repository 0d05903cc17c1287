from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "fengqiao.mediation"
    label = "mediation"
    verbose_name = _("矛盾纠纷调解")

    def ready(self) -> None:
        from fengqiao.cases.states import register_action_labels
        from fengqiao.mediation import defaults
        from fengqiao.mediation.states import EVENT_LABELS

        register_action_labels(EVENT_LABELS)  # mediation events appear on the case's timeline by name
        post_migrate.connect(defaults.install, sender=self, dispatch_uid="mediation-defaults")
