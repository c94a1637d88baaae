from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "caidan.web"
    verbose_name = "网页界面"
