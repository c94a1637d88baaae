"""The contract PDF: the amount in 大写, a signature page, every glyph drawable."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from caidan.common.pdf_glyphs import covered
from caidan.contracts.pdf import contract_pdf

from .factories import draft_contract, signed_contract

pytestmark = pytest.mark.django_db


def pages(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    return "".join(text.split())


def test_the_price_is_stated_in_figures_and_in_capitals(world):
    c = signed_contract(world)  # 800,000.00
    text = flat("".join(pages(contract_pdf(c))))
    assert "人民币800,000.00元（大写：捌拾万元整）" in text


def test_the_last_page_is_a_signature_page_with_both_parties(world):
    c = signed_contract(world)
    last = pages(contract_pdf(c))[-1]
    body = flat(last)
    assert body.startswith("签章页")
    assert "甲方（购买主体）" in body and flat(c.unit.name) in body
    assert "乙方（承接主体）" in body and flat(c.organization.name) in body
    assert "（已在平台电子签订）" in body
    for who in (c.purchaser_signed_by, c.provider_signed_by):
        assert flat(who.get_full_name()) in body
    for when in (c.purchaser_signed_at, c.provider_signed_at):
        from django.utils import timezone

        assert f"{timezone.localtime(when):%Y年%m月%d日}" in body
    assert "经双方签订生效" in body
    public = flat(pages(contract_pdf(c, public=True))[-1])
    assert "签章页" in public and flat(c.organization.name) in public
    assert flat(c.purchaser_signed_by.get_full_name()) not in public


def test_a_draft_leaves_lines_to_sign_and_seal_boxes(world):
    c = draft_contract(world)
    body = flat(pages(contract_pdf(c))[-1])
    assert body.count("（盖章处）") == 2
    assert body.count("____________（签字）") == 2
    assert body.count("____年____月____日") == 2
    assert "尚未签订" in body


def test_every_character_of_the_contract_is_one_the_font_draws(world):
    c = signed_contract(world, service_content="服务流程：评估 − 建档 − 上门·回访 ✓")
    text = "".join(pages(contract_pdf(c)))
    assert [ch for ch in text if not ch.isspace() and not covered(ch)] == []
    assert "评估 － 建档 － 上门・回访 √" in text
