from django.urls import path

from . import views

app_name = "enquiries"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.enquiry_new, name="new"),
    path("report/", views.report_new, name="report"),
    path("mine/", views.mine, name="mine"),
    path("follow/", views.follow, name="follow"),
    path("public/", views.public_list, name="public"),
    path("public/<int:enquiry_id>/", views.public_detail, name="public_detail"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/bulk-answer/", views.bulk_answer, name="bulk_answer"),
    path("statistics/", views.statistics, name="statistics"),
    path("<int:enquiry_id>/", views.detail, name="detail"),
    path("<int:enquiry_id>/<str:action>/", views.act, name="act"),
    path(
        "<int:enquiry_id>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
