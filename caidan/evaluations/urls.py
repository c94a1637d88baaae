from django.urls import path

from . import views

app_name = "evaluations"
urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("mine/", views.my_evaluations, name="mine"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/score/", views.evaluation_score, name="score"),
    path("<int:pk>/publish/", views.evaluation_publish, name="publish"),
    path("<int:pk>/report.pdf", views.evaluation_report, name="report"),
    path("<int:pk>/purchaser-score/", views.purchaser_score, name="purchaser_score"),
    path("track-record/<int:org_id>/", views.track_record, name="track_record"),
    path("contracts/<int:pk>/", views.contract_evaluations, name="contract"),
    path("contracts/<int:pk>/appoint/", views.evaluator_appoint, name="appoint"),
    path("contracts/<int:pk>/framework/", views.framework_edit, name="framework"),
    path("contracts/<int:pk>/schedule/", views.evaluation_schedule, name="schedule"),
    path("contracts/<int:pk>/surveys/new/", views.survey_new, name="survey_new"),
    path("contracts/<int:pk>/hearings/", views.hearing_record, name="hearing_record"),
    path(
        "contracts/<int:pk>/hearings/<int:hearing_id>/follow-up/",
        views.hearing_follow_up,
        name="hearing_follow_up",
    ),
    path("surveys/<int:survey_id>/tokens/", views.survey_tokens_add, name="survey_tokens"),
    path("s/<slug:slug>/", views.survey_answer, name="survey"),
    path("s/<slug:slug>/thanks/", views.survey_thanks, name="survey_thanks"),
    path("s/<slug:slug>/results/", views.survey_results, name="survey_results"),
    path("audit/", views.audit_index, name="audit"),
    path("audit/plan/", views.audit_plan_edit, name="audit_plan_edit"),
    path("audit/plans/<int:plan_id>/", views.audit_plan, name="audit_plan"),
    path(
        "audit/plans/<int:plan_id>/findings/",
        views.audit_finding_record,
        name="audit_finding_record",
    ),
    path("audit/findings/<int:finding_id>/", views.audit_finding, name="finding"),
    path(
        "audit/findings/<int:finding_id>/respond/",
        views.audit_finding_respond,
        name="finding_respond",
    ),
    path("audit/findings/<int:finding_id>/close/", views.audit_finding_close, name="finding_close"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/decide/", views.assessment_decide, name="assessment_decide"),
]
