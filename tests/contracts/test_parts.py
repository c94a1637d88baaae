"""A hub bundle's contract names which member delivers which part, with its amount
(issue 21): drafted from the bundle's parts, shown on the contract page, in the PDF and the
API; an ordinary contract has none."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.projects.hubs import bundle_contract, make_hub

pytestmark = pytest.mark.django_db


def test_bundle_contract_splits_the_price_over_the_members_parts(world, client):
    hw = make_hub(world)
    c = bundle_contract(world, hw, price="800000.01", sign=False)
    assert c.organization == hw.hub.org
    parts = list(c.parts.order_by("position"))
    assert [p.organization for p in parts] == [m.org for m in hw.members]
    # 600,000 : 400,000 of 800,000.01, to the fen, adding up to the price
    assert [p.amount for p in parts] == [Decimal("480000.01"), Decimal("320000.00")]
    assert sum(p.amount for p in parts) == c.amount
    assert all(p.proposal.packaged_into_id == c.proposal_id for p in parts)
    # the draft is the parties' (and the hub's) to see; the API lists its parts for them
    resp = client.get(f"/api/v1/contracts/{c.pk}/parts")
    assert resp.status_code == 404  # a draft is not public
    from caidan.contracts.services import contract_sign

    contract_sign(contract=c, actor=world.actor("purchaser"))
    contract_sign(contract=c, actor=hw.hub.actor)
    body = client.get(f"/api/v1/contracts/{c.pk}/parts").json()
    assert [(p["organization_id"], p["amount"]) for p in body] == [
        (hw.members[0].org.pk, "480000.01"),
        (hw.members[1].org.pk, "320000.00"),
    ]
    html = client.get(f"/contracts/{c.pk}/").content.decode()
    assert 'data-testid="contract-parts"' in html
    assert hw.members[0].org.name in html and "¥480,000.01" in html


def test_contract_pdf_lists_the_parts(world):
    from pypdf import PdfReader

    from caidan.contracts.pdf import contract_pdf

    hw = make_hub(world)
    c = bundle_contract(world, hw)
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(contract_pdf(c))).pages)
    assert "承担的成员组织" in text
    assert hw.members[1].org.name in text


def test_an_ordinary_contract_has_no_parts(world, client):
    from tests.contracts.factories import signed_contract

    c = signed_contract(world)
    assert not c.parts.exists()
    assert client.get(f"/api/v1/contracts/{c.pk}/parts").json() == []
    assert 'data-testid="contract-parts"' not in client.get(f"/contracts/{c.pk}/").content.decode()


def test_a_new_amount_is_split_again_over_the_parts(world):
    from caidan.contracts.services import contract_update
    from caidan.contracts.services.amendments import contract_amend

    hw = make_hub(world)
    c = bundle_contract(world, hw, sign=False)  # 480,000 + 320,000
    contract_update(contract=c, changes={"amount": "700000.01"}, actor=world.actor("purchaser"))
    assert [p.amount for p in c.parts.order_by("position")] == [
        Decimal("420000.01"),
        Decimal("280000.00"),
    ]
    from caidan.contracts.services import contract_sign

    contract_sign(contract=c, actor=world.actor("purchaser"))
    contract_sign(contract=c, actor=hw.hub.actor)
    contract_amend(
        contract=c,
        changes={"amount": "750000.00"},
        rationale="增加服务量",
        actor=world.actor("purchaser"),
    )
    amounts = [p.amount for p in c.parts.order_by("position")]
    assert amounts == [Decimal("450000.00"), Decimal("300000.00")]
    assert sum(amounts) == Decimal("750000.00")
