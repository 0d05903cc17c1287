from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "fengqiao.intelligence"
    label = "intelligence"
