from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "fengqiao.portal"
    label = "portal"
    verbose_name = _("解纷码（群众端）")

    def ready(self) -> None:
        from fengqiao.portal import defaults

        post_migrate.connect(defaults.install, sender=self, dispatch_uid="portal-defaults")
