"""Contracts: termination, cancelling a draft, renewal; the lifecycle table; the PDF
(DOMAIN.md §3.5, §4.1)."""

import io

import pytest

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, ValidationError
from caidan.contracts.lifecycles import contract_lifecycle
from caidan.contracts.models import TRANSITIONS, ContractAction, ContractStatus
from caidan.contracts.pdf import contract_pdf
from caidan.contracts.services import (
    contract_amend,
    contract_cancel,
    contract_create,
    contract_renew,
    contract_sign,
    contract_terminate,
)

from .factories import draft_contract, signed_contract
from .helpers import pay

pytestmark = pytest.mark.django_db


# --- termination, cancel, renewal ---------------------------------------------------------------------


def test_termination_records_kind_reason_and_settlement(world):
    c = signed_contract(world)
    with pytest.raises(ValidationError) as exc:
        contract_terminate(
            contract=c, kind="whim", reason="x", settlement="y", actor=world.actor("purchaser")
        )
    assert exc.value.field == "kind"
    with pytest.raises(ValidationError) as exc:
        contract_terminate(
            contract=c,
            kind="breach",
            reason="连续两月未提供服务",
            settlement="",
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "settlement"
    c = contract_terminate(
        contract=c,
        kind="breach",
        reason="连续两月未提供服务",
        settlement="已付首期款按实际服务量结算，余款不再支付",
        actor=world.actor("purchaser"),
    )
    assert c.status == "terminated" and c.termination_kind == "breach"
    with pytest.raises(Conflict):
        pay(world, c, 1)


def test_cancel_an_unsigned_draft_allows_a_new_one(world):
    c = draft_contract(world)
    contract_cancel(contract=c, reason="中标人放弃", actor=world.actor("purchaser"))
    again = contract_create(award=c.award, actor=world.actor("purchaser"))
    assert again.status == "draft"


def test_renewal_intent_up_to_three_years(world):
    c = signed_contract(world)
    with pytest.raises(Conflict) as exc:
        contract_renew(contract=c, actor=world.actor("purchaser"))
    assert exc.value.code == "no_intent"
    with pytest.raises(ValidationError) as exc:
        contract_amend(
            contract=c,
            changes={"renewal_intent": True, "renewal_years": 4},
            rationale="续签",
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "renewal_years"
    contract_amend(
        contract=c,
        changes={"renewal_intent": True, "renewal_years": 2},
        rationale="需求稳定，约定续签一年",
        actor=world.actor("purchaser"),
    )
    second = contract_renew(contract=c, actor=world.actor("purchaser"))
    assert second.year_index == 2 and second.renews == c and second.status == "draft"
    assert second.period_start == c.period_start.replace(year=c.period_start.year + 1)
    with pytest.raises(Conflict):
        contract_renew(contract=c, actor=world.actor("purchaser"))
    contract_sign(contract=second, actor=world.actor("purchaser"))
    contract_sign(contract=second, actor=world.actor("provider"))
    second.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        contract_renew(contract=second, actor=world.actor("purchaser"))
    assert exc.value.code == "max_years"


def test_renewal_asks_the_registered_sections_without_knowing_them(world):
    """Contracts refuse a renewal with what a section registered in ``contracts.links``
    holds against it (evaluations: a published 差), by its code and reason."""
    from caidan.contracts.links import (
        ContractSection,
        RenewalBlock,
        register_contract_section,
        renewal_blocks,
        unregister_contract_section,
    )

    c = signed_contract(world, renewal_intent=True, renewal_years=2)
    assert renewal_blocks(c) == []
    register_contract_section(
        ContractSection(
            name="test-blocks", renewal_blocks=lambda contract: [RenewalBlock("held", "暂缓。")]
        )
    )
    try:
        with pytest.raises(Conflict) as exc:
            contract_renew(contract=c, actor=world.actor("purchaser"))
        assert (exc.value.code, exc.value.message) == ("held", "暂缓。")
    finally:
        unregister_contract_section("test-blocks")
    assert contract_renew(contract=c, actor=world.actor("purchaser")).year_index == 2


# --- lifecycle table and PDF ------------------------------------------------------------------------


@pytest.mark.parametrize("action", ContractAction.values)
def test_transition_from_every_status(world, action):
    c = draft_contract(world)
    sources, target = TRANSITIONS[action]
    for status in ContractStatus.values:
        c.status = status
        c.save(update_fields=["status"])
        if status in sources:
            contract_lifecycle.apply(c, action, actor=world.actor("purchaser"))
            c.refresh_from_db()
            assert c.status == target
        else:
            with pytest.raises(Conflict) as exc:
                contract_lifecycle.apply(c, action, actor=world.actor("purchaser"))
            assert exc.value.code == "bad_transition"
            c.refresh_from_db()
            assert c.status == status
    assert AuditEvent.objects.filter(
        kind="contract.transition", target_id=str(c.pk)
    ).count() == len(sources)


def test_pdf_contains_the_key_fields_and_the_public_one_no_names(world):
    from pypdf import PdfReader

    c = signed_contract(world)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(contract_pdf(c))).pages)
    for needle in (
        c.reference,
        "800,000.00",
        "阳光家庭综合服务中心",
        "江苏路街道",
        "违约责任",
        "400,000.00",
        "中期评估通过",
    ):
        assert needle in text, needle
    assert c.purchaser_signed_by.get_full_name() in text
    public = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(contract_pdf(c, public=True))).pages
    )
    assert c.reference in public and "800,000.00" in public
    assert c.purchaser_signed_by.get_full_name() not in public
    assert c.provider_signed_by.get_full_name() not in public
