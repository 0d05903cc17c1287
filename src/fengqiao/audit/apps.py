from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fengqiao.audit"
    label = "audit"
