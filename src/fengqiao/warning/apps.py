from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WarningConfig(AppConfig):
    name = "fengqiao.warning"
    label = "warning"
    verbose_name = _("激化预警")

    def ready(self) -> None:
        from fengqiao.warning import defaults

        post_migrate.connect(defaults.install, sender=self, dispatch_uid="warning-defaults")
