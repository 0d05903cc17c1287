from django.apps import AppConfig


class KitConfig(AppConfig):
    name = "fengqiao.kit"
    label = "kit"
    verbose_name = "Kit"
