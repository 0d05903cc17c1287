from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "fengqiao.jurisdictions"
    label = "jurisdictions"
