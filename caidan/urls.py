from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from caidan.accounts import views as accounts_views
from caidan.accounts import workbench_views
from caidan.api import api
from caidan.audit import views as audit_views
from caidan.jurisdiction import views as jurisdiction_views
from caidan.web import views as web_views


def admin_login(request, extra_context=None):
    """One login path: the Django admin's own form is never served. Whoever reaches it is
    sent to the site's login (throttled per user and address, every failure audited) and
    comes back to the admin page they asked for."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect_to_login(next_url or reverse("admin:index"), login_url=settings.LOGIN_URL)


admin.site.login = admin_login

# The site shell keeps its "web:" URL names; its pages live in the apps they belong to (the
# web app is the UI kernel below every domain app and imports none of them).
shell_urls = [
    path("", web_views.home, name="home"),
    path("login/", accounts_views.login_view, name="login"),
    path("logout/", accounts_views.logout_view, name="logout"),
    path("dashboard/", accounts_views.dashboard, name="dashboard"),
    path("me/role/", accounts_views.switch_role, name="switch_role"),
    path("me/password/", accounts_views.password_change, name="password_change"),
    path("me/tokens/", accounts_views.tokens, name="tokens"),
    path("calendar/me/", workbench_views.my_calendar, name="my_calendar"),
    path("calendar/me/feed/", workbench_views.feed_create, name="calendar_feed_create"),
    path("calendar/me/feed/revoke/", workbench_views.feed_revoke, name="calendar_feed_revoke"),
    path("calendar/feed/<str:secret>.ics", workbench_views.feed, name="calendar_feed"),
    path("audit/", audit_views.audit_events, name="audit"),
    path("settings/", jurisdiction_views.jurisdiction_settings, name="settings"),
    path("settings/calendar/", jurisdiction_views.calendar, name="calendar"),
    path("settings/calendar/notice/", jurisdiction_views.calendar_notice, name="calendar_notice"),
]

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("accounts/", include("caidan.accounts.urls")),
    path("catalog/", include("caidan.catalog.urls")),
    path("orgs/", include("caidan.orgs.urls")),
    path("notifications/", include("caidan.notifications.urls")),
    path("documents/", include("caidan.documents.urls")),
    path("needs/", include("caidan.needs.urls")),
    path("projects/", include("caidan.projects.urls")),
    path("procurement/", include("caidan.procurement.urls")),
    path("contracts/", include("caidan.contracts.urls")),
    path("evaluations/", include("caidan.evaluations.urls")),
    path("enquiries/", include("caidan.enquiries.urls")),
    path("complaints/", include("caidan.complaints.urls")),
    path("stats/", include("caidan.stats.urls")),
    path("open/", include("caidan.disclosure.urls")),
    path("", include((shell_urls, "web"))),
]
