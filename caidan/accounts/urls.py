from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/active/", views.user_set_active, name="user_set_active"),
    path("memberships/<int:membership_id>/revoke/", views.membership_revoke, name="revoke"),
    path("units/", views.unit_list, name="units"),
]
