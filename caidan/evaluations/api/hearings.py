"""Hearings: the purchaser records them (public, no personal data) and how the opinions
were followed up."""

from __future__ import annotations

import datetime as dt

from ninja import Schema, Status

from caidan.accounts.api_auth import optional_actor
from caidan.common.schemas import ERRORS

from .. import selectors, services
from ..inputs import FollowUpInput, HearingInput
from .access import contract_for, path_id
from .routing import router
from .schemas import HearingOut


class HearingIn(Schema):
    held_on: dt.date
    participants: str  # categories and numbers only ("居民代表 12 人"), never personal data
    opinions: str
    follow_up: str = ""
    place: str = ""


@router.post(
    "/contracts/{contract_id}/hearings",
    response={201: HearingOut, **ERRORS},
    summary="记录听证会（每个服务周期 1–2 次；记录公开，不得含个人信息）",
)
def record_hearing(request, contract_id: int, payload: HearingIn):
    actor = request.auth
    hearing = services.hearing_record(
        contract=contract_for(actor, contract_id),
        actor=actor,
        data=HearingInput.parse(payload.dict()),
    )
    return Status(201, hearing)


@router.get(
    "/contracts/{contract_id}/hearings",
    response={200: list[HearingOut], **ERRORS},
    auth=None,
    summary="项目的听证会记录（公开）",
)
def list_hearings(request, contract_id: int):
    return selectors.hearings_of(contract_for(optional_actor(request), contract_id))


class FollowUpIn(Schema):
    follow_up: str


@router.post(
    "/contracts/{contract_id}/hearings/{hearing_id}/follow-up",
    response={200: HearingOut, **ERRORS},
    summary="记录听证意见的处理和落实情况",
)
def hearing_follow_up(request, contract_id: int, hearing_id: int, payload: FollowUpIn):
    actor = request.auth
    contract = contract_for(actor, contract_id)
    hearing = selectors.hearing_get(contract=contract, pk=path_id(hearing_id))
    return services.hearing_follow_up(
        hearing=hearing, actor=actor, data=FollowUpInput.parse(payload.dict())
    )
