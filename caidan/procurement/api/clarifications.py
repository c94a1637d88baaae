"""Questions (答疑): a bidder asks in its organization's name; the purchaser sees the
questions (not who asked, before opening) and answers them in public."""

from __future__ import annotations

import datetime as dt

from ninja import Schema, Status

from caidan.common.schemas import ERRORS, AsSeen

from .. import selectors, services
from .routing import router, tender_for
from .schemas import OrgRef


# Read from ``AsSeen(question, asked_by=…)``: the asking organization as the reader may
# see it (None before opening, except for the asker itself —
# ``selectors.clarification_asker``).
class ClarificationOut(Schema):
    id: int
    tender_id: int
    question: str
    asked_by: OrgRef | None
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


@router.get(
    "/tenders/{tender_id}/clarifications",
    response={200: list[ClarificationOut], **ERRORS},
    summary="答疑问题（采购人；开标前不显示提问人）",
)
def list_clarifications(request, tender_id: int):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    return [
        AsSeen(c, asked_by=c.asker) for c in selectors.clarifications_for_purchaser(tender, actor)
    ]


class AnswerIn(Schema):
    answer: str


@router.post(
    "/clarifications/{clarification_id}/answer",
    response={200: ClarificationOut, **ERRORS},
    summary="答复答疑问题（公开答复，不公开提问人）",
)
def answer_clarification(request, clarification_id: int, payload: AnswerIn):
    c = services.clarification_answer(
        clarification=selectors.clarification_get(clarification_id),
        answer=payload.answer,
        actor=request.auth,
    )
    return AsSeen(c, asked_by=selectors.clarification_asker(c, request.auth))


class QuestionIn(Schema):
    question: str


class QuestionOut(Schema):
    id: int
    tender_id: int
    question: str
    asked_at: dt.datetime


@router.post(
    "/tenders/{tender_id}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="提出答疑问题（以本组织名义）",
)
def ask_question(request, tender_id: int, payload: QuestionIn):
    actor = request.auth
    tender = tender_for(actor, tender_id)
    c = services.clarification_ask(
        tender=tender, organization=actor.organization, question=payload.question, actor=actor
    )
    return Status(201, c)
