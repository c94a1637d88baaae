from django.urls import path

from . import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="list"),
    path("todo/", views.todo, name="todo"),
    path("new/", views.contract_new, name="new"),
    path("new/<int:award_id>/", views.contract_create, name="create"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/pdf/", views.contract_pdf_view, name="pdf"),
    path("<int:pk>/edit/", views.contract_edit, name="edit"),
    path("<int:pk>/sign/", views.contract_sign, name="sign"),
    path("<int:pk>/cancel/", views.contract_cancel, name="cancel"),
    path("<int:pk>/amend/", views.contract_amend, name="amend"),
    path("<int:pk>/terminate/", views.contract_terminate, name="terminate"),
    path("<int:pk>/renew/", views.contract_renew, name="renew"),
    path(
        "<int:pk>/instalments/<int:instalment_id>/pay/",
        views.payment_new,
        name="pay",
    ),
    path("<int:pk>/reports/", views.report_list, name="reports"),
    path("<int:pk>/reports/<int:report_id>/", views.report_detail, name="report"),
    path("<int:pk>/reports/<int:report_id>/attach/", views.report_attach, name="report_attach"),
    path("<int:pk>/reports/<int:report_id>/review/", views.report_review, name="report_review"),
    path(
        "<int:pk>/reports/<int:report_id>/files/<int:document_id>/",
        views.report_file,
        name="report_file",
    ),
]
