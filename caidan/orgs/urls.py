from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("directory/", views.directory, name="directory"),
    path("directory/<slug:field>/", views.directory, name="directory_field"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.org_create, name="create"),
    path("import/", views.org_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("change-requests/", views.change_requests, name="change_requests"),
    path("credit/<int:record_id>/remove/", views.credit_remove, name="credit_remove"),
    path("<int:org_id>/", views.org_detail, name="detail"),
    path("<int:org_id>/manage/", views.org_manage, name="manage"),
]
