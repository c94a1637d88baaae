from django.urls import path

from . import views, views_hub, views_minutes

app_name = "projects"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:proposal_id>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:proposal_id>/edit/", views.proposal_edit, name="proposal_edit"),
    path(
        "proposals/<int:proposal_id>/<slug:action>/", views.proposal_action, name="proposal_action"
    ),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path(
        "sessions/<int:session_id>/minutes/",
        views_minutes.session_minutes_view,
        name="session_minutes",
    ),
    path("sessions/<int:session_id>/<slug:action>/", views.session_action, name="session_action"),
    path("ceilings/", views.ceilings, name="ceilings"),
    path("hub/", views_hub.hub_home, name="hub"),
    path("hub/bundles/new/", views_hub.hub_bundle_new, name="hub_bundle_new"),
]
