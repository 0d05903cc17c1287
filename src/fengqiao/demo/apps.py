from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fengqiao.demo"
    label = "demo"
