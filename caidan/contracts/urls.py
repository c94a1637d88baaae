from django.urls import path

from .views import contracts, ledger, payments, renewals, reports, todo

app_name = "contracts"
urlpatterns = [
    path("", contracts.contract_list, name="list"),
    path("todo/", todo.todo, name="todo"),
    path("ledger/", ledger.ledger, name="ledger"),
    path("ledger/export/", ledger.ledger_export, name="ledger_export"),
    path("bulk/pay/", ledger.bulk_pay, name="bulk_pay"),
    path("bulk/accept-reports/", ledger.bulk_accept_reports, name="bulk_accept_reports"),
    path("new/", contracts.contract_new, name="new"),
    path("new/<int:award_id>/", contracts.contract_create, name="create"),
    path("<int:pk>/", contracts.contract_detail, name="detail"),
    path("<int:pk>/pdf/", contracts.contract_pdf_view, name="pdf"),
    path("<int:pk>/edit/", contracts.contract_edit, name="edit"),
    path("<int:pk>/sign/", contracts.contract_sign, name="sign"),
    path("<int:pk>/cancel/", contracts.contract_cancel, name="cancel"),
    path("<int:pk>/amend/", contracts.contract_amend, name="amend"),
    path("<int:pk>/terminate/", contracts.contract_terminate, name="terminate"),
    path("<int:pk>/renew/", renewals.contract_renew, name="renew"),
    path(
        "<int:pk>/instalments/<int:instalment_id>/pay/",
        payments.payment_new,
        name="pay",
    ),
    path("<int:pk>/reports/", reports.report_list, name="reports"),
    path("<int:pk>/reports/<int:report_id>/", reports.report_detail, name="report"),
    path("<int:pk>/reports/<int:report_id>/attach/", reports.report_attach, name="report_attach"),
    path("<int:pk>/reports/<int:report_id>/review/", reports.report_review, name="report_review"),
    path(
        "<int:pk>/reports/<int:report_id>/files/<int:document_id>/",
        reports.report_file,
        name="report_file",
    ),
]
