"""Public portal pages under /open/: notices and search (``portal_urls``) and downloads
(``download_urls``)."""

from django.urls import include, path

app_name = "disclosure"

urlpatterns = [
    path("", include("caidan.disclosure.portal_urls")),
    path("data/", include("caidan.disclosure.download_urls")),
]
