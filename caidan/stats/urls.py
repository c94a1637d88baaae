from django.urls import path

from . import gap_views, views

app_name = "stats"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("flags/", views.flags, name="flags"),
    path("gaps/", gap_views.gaps, name="gaps"),
    path("gaps.xlsx", gap_views.gaps_export, name="gaps_export"),
]
