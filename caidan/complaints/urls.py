from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("mine/", views.mine, name="mine"),
    path("public/", views.public_list, name="public"),
    path("new/<int:challenge_id>/", views.complaint_new, name="new"),
    path("<int:complaint_id>/", views.detail, name="detail"),
    path("<int:complaint_id>/<str:action>/", views.act, name="act"),
]
