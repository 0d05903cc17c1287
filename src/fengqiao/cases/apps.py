from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fengqiao.cases"
    label = "cases"
    verbose_name = _("事件办理")

    def ready(self) -> None:
        # CaseEvent's Meta names no verbose_name (one there would need a migration), so the admin showed the
        # untranslatable class name: name it here, English-source like the other models (zh_Hans: 事件记录).
        from fengqiao.cases.models import CaseEvent

        CaseEvent._meta.verbose_name = _("case event")
        CaseEvent._meta.verbose_name_plural = _("case events")
