"""Satisfaction surveys: the purchaser starts one with one-time tokens (shown once); the
recipients answer without an account; the questions and aggregate results are public."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema, Status

from caidan.accounts.middleware import client_ip
from caidan.common.schemas import ERRORS, AsSeen, PageOut, page_response

from .. import selectors, services
from ..inputs import SurveyInput
from .access import contract_for, require_insider
from .routing import router
from .schemas import SurveyCreatedOut, SurveyOut, SurveySummaryOut, str_or_none


@router.get(
    "/surveys/{slug}",
    response={200: SurveyOut, **ERRORS},
    auth=None,
    summary="满意度调查（公开：题目与时间，不含结果）",
)
def get_survey(request, slug: str):
    return selectors.survey_by_slug(slug=slug)


class SurveyIn(Schema):
    title: str
    opens_on: dt.date
    closes_on: dt.date
    tokens: int  # how many one-time respondent tokens (1–2000)
    questions: list[dict[str, Any]] | None = None  # default: the standard five + a comment


@router.post(
    "/contracts/{contract_id}/surveys",
    response={201: SurveyCreatedOut, **ERRORS},
    summary="发起服务对象满意度调查（返回一次性答卷码，仅此一次）",
)
def create_survey(request, contract_id: int, payload: SurveyIn):
    actor = request.auth
    contract = contract_for(actor, contract_id)
    survey, tokens = services.survey_create(
        contract=contract, actor=actor, data=SurveyInput.parse(payload.dict())
    )
    return Status(201, AsSeen(selectors.survey_by_slug(slug=survey.slug), tokens=tokens))


@router.get(
    "/contracts/{contract_id}/surveys",
    response={200: list[SurveySummaryOut], **ERRORS},
    summary="项目的满意度调查（购买方、受托评估机构、承接主体、平台管理员、审计）",
)
def contract_surveys(request, contract_id: int):
    actor = request.auth
    contract = contract_for(actor, contract_id)
    require_insider(actor, contract)
    return selectors.surveys_of(contract)


class TokensIn(Schema):
    count: int


class TokensOut(Schema):
    slug: str
    tokens: list[str]


@router.post(
    "/surveys/{slug}/tokens",
    response={201: TokensOut, **ERRORS},
    summary="追加一次性答卷码（仅此一次显示）",
)
def add_tokens(request, slug: str, payload: TokensIn):
    actor = request.auth
    survey = selectors.survey_by_slug(slug=slug)
    tokens = services.survey_tokens_add(survey=survey, count=payload.count, actor=actor)
    return Status(201, {"slug": survey.slug, "tokens": tokens})


class ResponseIn(Schema):
    token: str
    answers: dict[str, Any]  # question id → 1–5 (likert) or text
    comment: str = ""


class ResponseOut(Schema):
    slug: str
    score: str
    submitted_at: dt.datetime


@router.post(
    "/surveys/{slug}/responses",
    response={201: ResponseOut, **ERRORS},
    auth=None,
    summary="提交满意度答卷（无需登录；每个答卷码只能用一次）",
    description=(
        "答卷码不正确：400，detail.field 为 token；已使用：409 used；不在调查时间内：409 closed。"
    ),
)
def respond_to_survey(request, slug: str, payload: ResponseIn):
    response = services.survey_respond(
        slug=slug,
        token=payload.token,
        answers=payload.answers,
        comment=payload.comment,
        ip=client_ip(request),
    )
    return Status(
        201, {"slug": slug, "score": str(response.score), "submitted_at": response.submitted_at}
    )


class QuestionResultOut(Schema):
    id: str
    text: str
    mean: str | None


class SurveyResultsOut(Schema):
    slug: str
    title: str
    responses: int
    tokens: int
    mean: str | None  # 0–100
    questions: list[QuestionResultOut]
    # The newest page of free text (mobile and ID numbers masked); the rest from
    # ``/surveys/{slug}/comments?cursor=<comments_next_cursor>``.
    comments: list[str]
    comments_next_cursor: str | None = None


@router.get(
    "/surveys/{slug}/results",
    response={200: SurveyResultsOut, **ERRORS},
    auth=None,
    summary="满意度调查结果（公开：份数、平均分、各题平均分、最新一页意见，个人信息已隐去）",
    description=(
        "comments 为最新的 20 份答卷的文字意见；更早的意见用 comments_next_cursor 向 "
        "/surveys/{slug}/comments 分页读取。"
    ),
)
def survey_results(request, slug: str):
    survey = selectors.survey_by_slug(slug=slug)
    results = services.survey_results(survey)
    return {
        "slug": survey.slug,
        "title": survey.title,
        "responses": results["responses"],
        "tokens": results["tokens"],
        "mean": str_or_none(results["mean"]),
        "questions": [
            {
                "id": q["id"],
                "text": q["text"],
                "mean": str_or_none(results["per_question"].get(q["id"])),
            }
            for q in survey.questions
            if q["kind"] == "likert"
        ],
        "comments": results["comments"],
        "comments_next_cursor": results["comments_next_cursor"],
    }


class SurveyCommentOut(Schema):
    texts: list[str]  # one answer's free text: its text questions, then its comment


@router.get(
    "/surveys/{slug}/comments",
    response={200: PageOut[SurveyCommentOut], **ERRORS},
    auth=None,
    summary="满意度调查的文字意见（公开，新的在前，分页；个人信息已隐去）",
)
def survey_comments(request, slug: str, cursor: str | None = None, limit: int = 20):
    survey = selectors.survey_by_slug(slug=slug)
    page = selectors.survey_comments_page(survey=survey, cursor=cursor, limit=limit)
    return page_response(page, lambda texts: {"texts": texts})
