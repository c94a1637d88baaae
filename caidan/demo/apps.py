from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "caidan.demo"
    verbose_name = "演示辖区"
