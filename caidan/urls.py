from django.contrib import admin
from django.urls import include, path

from caidan.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("accounts/", include("caidan.accounts.urls")),
    path("catalog/", include("caidan.catalog.urls")),
    path("orgs/", include("caidan.orgs.urls")),
    path("notifications/", include("caidan.notifications.urls")),
    path("documents/", include("caidan.documents.urls")),
    path("needs/", include("caidan.needs.urls")),
    path("projects/", include("caidan.projects.urls")),
    path("procurement/", include("caidan.procurement.urls")),
    path("contracts/", include("caidan.contracts.urls")),
    path("evaluations/", include("caidan.evaluations.urls")),
    path("enquiries/", include("caidan.enquiries.urls")),
    path("complaints/", include("caidan.complaints.urls")),
    path("stats/", include("caidan.stats.urls")),
    path("open/", include("caidan.disclosure.urls")),
    path("", include("caidan.web.urls")),
]
