from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "fengqiao.open311"
    label = "open311"
