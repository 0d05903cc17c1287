from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "fengqiao.intake"
    label = "intake"
    verbose_name = _("渠道接入与导入")
