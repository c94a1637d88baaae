from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "caidan.audit"
    verbose_name = "审计日志"
