from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fengqiao.accounts"
    label = "accounts"
    verbose_name = _("账户与权限")

    def ready(self) -> None:
        # django-axes gives its app no name, so the admin shows "Axes": name its section (the sign-in
        # lockouts) in both languages.  Its model and field names are in the zh_Hans catalog.
        from django.apps import apps

        from fengqiao.accounts import two_factor  # noqa: F401 - connects the two-factor login signal

        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("登录安全")
