from django.urls import path

from .views import awards, bids, bulk, drafting, experts, panel, questions, review, tenders

app_name = "procurement"
urlpatterns = [
    path("", tenders.tender_list, name="list"),
    path("new/", drafting.tender_new, name="new"),
    path("tenders/bulk/draw/", bulk.bulk_draw, name="bulk_draw"),
    path("new/<int:proposal_id>/", drafting.tender_create, name="create"),
    path("tenders/<int:tender_id>/", tenders.tender_detail, name="tender"),
    path("tenders/<int:tender_id>/edit/", drafting.tender_edit, name="edit"),
    path("tenders/<int:tender_id>/publish/", drafting.tender_publish, name="publish"),
    path(
        "tenders/<int:tender_id>/approve-method/",
        drafting.tender_approve_method,
        name="approve_method",
    ),
    path("tenders/<int:tender_id>/amend/", drafting.tender_amend, name="amend"),
    path("tenders/<int:tender_id>/cancel/", drafting.tender_cancel, name="cancel"),
    path("tenders/<int:tender_id>/fail/", drafting.tender_fail, name="fail"),
    path("tenders/<int:tender_id>/retender/", drafting.tender_retender, name="retender"),
    path("tenders/<int:tender_id>/ask/", questions.question_ask, name="ask"),
    path("tenders/<int:tender_id>/documents/", drafting.document_add, name="document_add"),
    path(
        "tenders/<int:tender_id>/recusal-request/",
        panel.recusal_request,
        name="recusal_request",
    ),
    path("tenders/<int:tender_id>/questions/", questions.questions, name="questions"),
    path("tenders/<int:tender_id>/bid/", bids.bid_new, name="bid_new"),
    path("tenders/<int:tender_id>/panel/", panel.panel, name="panel"),
    path("tenders/<int:tender_id>/panel/draw/", panel.panel_draw, name="panel_draw"),
    path(
        "tenders/<int:tender_id>/panel/<int:member_id>/recuse/",
        panel.panel_recuse,
        name="panel_recuse",
    ),
    path(
        "tenders/<int:tender_id>/panel/<int:member_id>/void/",
        panel.panel_void,
        name="panel_void",
    ),
    path("tenders/<int:tender_id>/review/", review.review, name="review"),
    path("tenders/<int:tender_id>/review/correct/", review.review_correct, name="review_correct"),
    path("tenders/<int:tender_id>/review/declare/", review.review_declare, name="declare"),
    path("tenders/<int:tender_id>/award/", awards.award, name="award"),
    path(
        "tenders/<int:tender_id>/award/disqualify/<int:bid_id>/",
        awards.candidate_disqualify,
        name="candidate_disqualify",
    ),
    path("tenders/<int:tender_id>/decline/", awards.award_decline, name="decline"),
    path("tenders/<int:tender_id>/challenge/", awards.challenge_new, name="challenge"),
    path(
        "tenders/<int:tender_id>/challenges/<int:challenge_id>/answer/",
        awards.challenge_answer,
        name="challenge_answer",
    ),
    path(
        "tenders/<int:tender_id>/challenges/<int:challenge_id>/withdraw/",
        awards.challenge_withdraw,
        name="challenge_withdraw",
    ),
    path("tenders/<int:tender_id>/notice/", tenders.award_notice, name="notice"),
    path(
        "tenders/<int:tender_id>/notice/evaluation.json",
        tenders.evaluation_json,
        name="evaluation_json",
    ),
    path("bids/", bids.my_bids, name="my_bids"),
    path("bids/<int:bid_id>/", bids.bid_receipt, name="bid"),
    path("bids/<int:bid_id>/withdraw/", bids.bid_withdraw, name="bid_withdraw"),
    path("reviews/", panel.my_reviews, name="my_reviews"),
    path("experts/", experts.expert_list, name="experts"),
    path("experts/<int:expert_id>/", experts.expert_detail, name="expert"),
    path("experts/<int:expert_id>/edit/", experts.expert_edit, name="expert_edit"),
    path(
        "experts/<int:expert_id>/deactivate/",
        experts.expert_deactivate,
        name="expert_deactivate",
    ),
]
