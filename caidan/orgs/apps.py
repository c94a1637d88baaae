from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "caidan.orgs"
    verbose_name = "社会组织"
