"""CSV and Excel downloads of the public lists, and the OCDS bulk file."""

from django.urls import path

from . import anchors
from . import download_views as views

urlpatterns = [
    path("", views.data_index, name="data"),
    path("ocds/<str:filename>", views.ocds_bulk, name="ocds_bulk"),
    path("audit-anchors.jsonl", anchors.anchor_file, name="audit_anchor_file"),
    path("<slug:name>.csv", views.dataset_csv, name="data_csv"),
    path("<slug:name>.xlsx", views.dataset_xlsx, name="data_xlsx"),
]
