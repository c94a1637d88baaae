from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "caidan.disclosure"
    verbose_name = "信息公开（开放合同数据）"
