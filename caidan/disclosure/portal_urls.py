"""Notices, policies and search across public records."""

from django.urls import path

from . import anchors, ocds_page, views

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("search/", views.search_view, name="search"),
    path("audit-anchors/", anchors.anchor_page, name="audit_anchors"),
    path("ocds/<str:ocid>/", ocds_page.ocds_record_page, name="ocds_record"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/manage/", views.notice_manage, name="notice_manage"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:notice_id>/edit/", views.notice_edit, name="notice_edit"),
    path("notices/<int:notice_id>/attach/", views.notice_attach, name="notice_attach"),
    path(
        "notices/<int:notice_id>/files/<int:document_id>/",
        views.notice_file,
        name="notice_file",
    ),
    path("notices/<int:notice_id>/publish/", views.notice_publish, name="notice_publish"),
    path("notices/<int:notice_id>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
]
