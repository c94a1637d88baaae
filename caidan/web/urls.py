from django.urls import path

from caidan.jurisdiction.views import calendar_notice

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("me/role/", views.switch_role, name="switch_role"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("audit/", views.audit_events, name="audit"),
    path("settings/", views.jurisdiction_settings, name="settings"),
    path("settings/calendar/", views.calendar, name="calendar"),
    path("settings/calendar/notice/", calendar_notice, name="calendar_notice"),
]
