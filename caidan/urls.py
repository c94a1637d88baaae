from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from caidan.api import api


def admin_login(request, extra_context=None):
    """One login path: the Django admin's own form is never served. Whoever reaches it is
    sent to the site's login (throttled per user and address, every failure audited) and
    comes back to the admin page they asked for."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect_to_login(next_url or reverse("admin:index"), login_url=settings.LOGIN_URL)


admin.site.login = admin_login

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
    path("", include("caidan.web.urls")),
]
