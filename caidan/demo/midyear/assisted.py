"""The mid-year demo's assisted participation (issue 21): the community worker 何社工 has
registered two elderly residents at the counter of 江苏路街道 (ID card seen; only digests
kept), stated a need and supported a menu item on their behalf, and typed in three paper
survey slips of the mid-term project's satisfaction survey. All through the services."""

from __future__ import annotations

import datetime as dt
import io

from caidan.accounts.models import Role

from .helpers import actor_for

# Demo ID numbers (valid GB 11643 check digits, birth years 1938 and 1942); only their
# keyed digests reach the database.
DEMO_ID_NUMBERS = ("310105193805120020", "310105194203080011")


def _paper_file(survey, tokens: list[str]):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from caidan.evaluations.services.paper_surveys import COL_COMMENT, COL_TOKEN, paper_columns

    cols = paper_columns(survey)
    book = Workbook()
    sheet = book.active
    sheet.append([h for h, _ in cols])
    comments = ["送餐师傅很耐心", "", "希望周末也能上门"]
    for n, token in enumerate(tokens):
        row = []
        for header, qid in cols:
            if header == COL_TOKEN:
                row.append(token)
            elif header == COL_COMMENT:
                row.append(comments[n % len(comments)])
            else:
                kind = next(q["kind"] for q in survey.questions if q["id"] == qid)
                row.append(5 - n % 2 if kind == "likert" else "")
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("纸质答卷（演示）.xlsx", buffer.getvalue())


def seed_assisted(s, result):
    """A stage of ``seed_midyear``: the residents registered, their need stated and the paper
    slips typed in twenty minutes before now (after the survey opened); the menu orders
    placed at the moment of the seeding, because the menu items are the base demo's, whose
    events carry the real time the base demo was seeded (often moments before): an order
    dated earlier would run a menu item's history backwards."""
    from caidan.evaluations.models import Survey
    from caidan.evaluations.services.paper_surveys import survey_paper_import
    from caidan.needs.inputs import CounterRegistrationInput, NeedInput
    from caidan.needs.models import MenuItem, MenuStatus
    from caidan.needs.services import (
        menu_order_place_assisted,
        need_submit_assisted,
        resident_register_at_counter,
    )

    yield s.now - dt.timedelta(minutes=20)
    worker = actor_for("worker", Role.COMMUNITY_WORKER)
    residents = [
        resident_register_at_counter(
            data=CounterRegistrationInput.parse(id_number=number), actor=worker
        )
        for number in DEMO_ID_NUMBERS
    ]
    need_submit_assisted(
        ref=residents[0].ref,
        actor=worker,
        data=NeedInput.parse(
            unit=s.unit,
            community="愚园路居委会",
            target_group="elderly",
            text="老人腿脚不便，希望社区助浴服务能上门，并有人陪同去医院配药。",
        ),
    )
    slug = result.survey_url.rstrip("/").rsplit("/", 1)[-1] if result.survey_url else ""
    survey = Survey.objects.filter(slug=slug).select_related("contract").first()
    paper = 0
    if survey is not None and len(result.survey_tokens) >= 8:
        # the last three slips came back on paper; the first five stay for the online demo
        tokens = result.survey_tokens[-3:]
        paper = survey_paper_import(
            survey=survey, file=_paper_file(survey, tokens), actor=worker
        ).imported
    yield s.now
    items = MenuItem.objects.filter(
        menu__unit=s.unit,
        menu__status=MenuStatus.PUBLISHED,
        menu__ordering_opens_at__lte=s.now,
        menu__ordering_closes_at__gt=s.now,
    ).order_by("id")
    orders = 0
    for resident, item in zip(residents, items[:2], strict=False):
        menu_order_place_assisted(ref=resident.ref, menu_item=item, actor=worker)
        orders += 1
    result.stages["assisted"] = (
        f"2 residents registered at the counter, 1 need and {orders} orders on their behalf, "
        f"{paper} paper survey slips"
    )
