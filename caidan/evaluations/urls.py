from django.urls import path

from .views import (
    assessments,
    audit,
    commissioning,
    evaluations,
    frameworks,
    hearings,
    surveys,
    track_records,
)

app_name = "evaluations"
urlpatterns = [
    path("", evaluations.evaluation_list, name="list"),
    path("mine/", evaluations.my_evaluations, name="mine"),
    path("<int:pk>/", evaluations.evaluation_detail, name="detail"),
    path("<int:pk>/score/", evaluations.evaluation_score, name="score"),
    path("<int:pk>/publish/", evaluations.evaluation_publish, name="publish"),
    path("<int:pk>/report.pdf", evaluations.evaluation_report, name="report"),
    path("<int:pk>/purchaser-score/", commissioning.purchaser_score, name="purchaser_score"),
    path("<int:pk>/waive/", evaluations.evaluation_waive, name="waive"),
    path("track-record/<int:org_id>/", track_records.track_record, name="track_record"),
    path("contracts/<int:pk>/", commissioning.contract_evaluations, name="contract"),
    path("contracts/<int:pk>/appoint/", commissioning.evaluator_appoint, name="appoint"),
    path("contracts/<int:pk>/framework/", frameworks.framework_edit, name="framework"),
    path("contracts/<int:pk>/schedule/", commissioning.evaluation_schedule, name="schedule"),
    path("contracts/<int:pk>/surveys/new/", surveys.survey_new, name="survey_new"),
    path("contracts/<int:pk>/hearings/", hearings.hearing_record, name="hearing_record"),
    path(
        "contracts/<int:pk>/hearings/<int:hearing_id>/follow-up/",
        hearings.hearing_follow_up,
        name="hearing_follow_up",
    ),
    path("surveys/<int:survey_id>/tokens/", surveys.survey_tokens_add, name="survey_tokens"),
    path("s/<slug:slug>/", surveys.survey_answer, name="survey"),
    path("s/<slug:slug>/thanks/", surveys.survey_thanks, name="survey_thanks"),
    path("s/<slug:slug>/results/", surveys.survey_results, name="survey_results"),
    path("audit/", audit.audit_index, name="audit"),
    path("audit/plan/", audit.audit_plan_edit, name="audit_plan_edit"),
    path("audit/plans/<int:plan_id>/", audit.audit_plan, name="audit_plan"),
    path(
        "audit/plans/<int:plan_id>/findings/",
        audit.audit_finding_record,
        name="audit_finding_record",
    ),
    path("audit/findings/<int:finding_id>/", audit.audit_finding, name="finding"),
    path(
        "audit/findings/<int:finding_id>/respond/",
        audit.audit_finding_respond,
        name="finding_respond",
    ),
    path("audit/findings/<int:finding_id>/close/", audit.audit_finding_close, name="finding_close"),
    path("assessments/", assessments.assessment_list, name="assessments"),
    path("assessments/new/", assessments.assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/decide/", assessments.assessment_decide, name="assessment_decide"),
]
