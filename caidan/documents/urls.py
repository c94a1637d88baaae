from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:document_id>/download/", views.download, name="download"),
]
