from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    # public, no login
    path("", views.index, name="index"),
    path("versions/", views.version_list, name="versions"),
    path("v/<int:version_id>/", views.version_detail, name="version"),
    path("v/<int:version_id>/export.xlsx", views.export, name="export"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("compare/", views.compare, name="compare"),
    path("negative-list/", views.negative_list, name="negative_list"),
    # platform admin
    path("manage/", views.manage, name="manage"),
    path("manage/v/<int:version_id>/", views.manage_version, name="manage_version"),
    path("manage/v/<int:version_id>/publish/", views.version_publish, name="publish"),
    path("manage/v/<int:version_id>/retire/", views.version_retire, name="retire"),
    path("manage/v/<int:version_id>/discard/", views.version_discard, name="discard"),
    path("manage/v/<int:version_id>/import/", views.version_import, name="import"),
    path("manage/v/<int:version_id>/items/new/", views.item_create, name="item_create"),
    path("manage/items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("manage/items/<int:item_id>/delete/", views.item_delete, name="item_delete"),
    path("manage/negative-list/", views.manage_negative_list, name="manage_negative_list"),
    path(
        "manage/negative-list/<int:entry_id>/", views.negative_list_edit, name="negative_list_edit"
    ),
]
