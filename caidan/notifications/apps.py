from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "caidan.notifications"
    verbose_name = "通知"
