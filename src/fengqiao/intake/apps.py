from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "fengqiao.intake"
    label = "intake"
