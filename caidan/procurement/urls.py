from django.urls import path

from . import views

app_name = "procurement"
urlpatterns = [
    path("", views.tender_list, name="list"),
    path("new/", views.tender_new, name="new"),
    path("new/<int:proposal_id>/", views.tender_create, name="create"),
    path("tenders/<int:tender_id>/", views.tender_detail, name="tender"),
    path("tenders/<int:tender_id>/edit/", views.tender_edit, name="edit"),
    path("tenders/<int:tender_id>/publish/", views.tender_publish, name="publish"),
    path(
        "tenders/<int:tender_id>/approve-method/",
        views.tender_approve_method,
        name="approve_method",
    ),
    path("tenders/<int:tender_id>/amend/", views.tender_amend, name="amend"),
    path("tenders/<int:tender_id>/cancel/", views.tender_cancel, name="cancel"),
    path("tenders/<int:tender_id>/fail/", views.tender_fail, name="fail"),
    path("tenders/<int:tender_id>/retender/", views.tender_retender, name="retender"),
    path("tenders/<int:tender_id>/ask/", views.question_ask, name="ask"),
    path("tenders/<int:tender_id>/documents/", views.document_add, name="document_add"),
    path(
        "tenders/<int:tender_id>/recusal-request/",
        views.recusal_request,
        name="recusal_request",
    ),
    path("tenders/<int:tender_id>/questions/", views.questions, name="questions"),
    path("tenders/<int:tender_id>/bid/", views.bid_new, name="bid_new"),
    path("tenders/<int:tender_id>/panel/", views.panel, name="panel"),
    path("tenders/<int:tender_id>/panel/draw/", views.panel_draw, name="panel_draw"),
    path(
        "tenders/<int:tender_id>/panel/<int:member_id>/recuse/",
        views.panel_recuse,
        name="panel_recuse",
    ),
    path(
        "tenders/<int:tender_id>/panel/<int:member_id>/void/",
        views.panel_void,
        name="panel_void",
    ),
    path("tenders/<int:tender_id>/review/", views.review, name="review"),
    path("tenders/<int:tender_id>/review/correct/", views.review_correct, name="review_correct"),
    path("tenders/<int:tender_id>/review/declare/", views.review_declare, name="declare"),
    path("tenders/<int:tender_id>/award/", views.award, name="award"),
    path(
        "tenders/<int:tender_id>/award/disqualify/<int:bid_id>/",
        views.candidate_disqualify,
        name="candidate_disqualify",
    ),
    path("tenders/<int:tender_id>/decline/", views.award_decline, name="decline"),
    path("tenders/<int:tender_id>/challenge/", views.challenge_new, name="challenge"),
    path(
        "tenders/<int:tender_id>/challenges/<int:challenge_id>/answer/",
        views.challenge_answer,
        name="challenge_answer",
    ),
    path(
        "tenders/<int:tender_id>/challenges/<int:challenge_id>/withdraw/",
        views.challenge_withdraw,
        name="challenge_withdraw",
    ),
    path("tenders/<int:tender_id>/notice/", views.award_notice, name="notice"),
    path(
        "tenders/<int:tender_id>/notice/evaluation.json",
        views.evaluation_json,
        name="evaluation_json",
    ),
    path("bids/", views.my_bids, name="my_bids"),
    path("bids/<int:bid_id>/", views.bid_receipt, name="bid"),
    path("bids/<int:bid_id>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("experts/", views.expert_list, name="experts"),
    path("experts/<int:expert_id>/", views.expert_detail, name="expert"),
    path("experts/<int:expert_id>/edit/", views.expert_edit, name="expert_edit"),
    path(
        "experts/<int:expert_id>/deactivate/",
        views.expert_deactivate,
        name="expert_deactivate",
    ),
]
