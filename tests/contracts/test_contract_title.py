"""A contract's default title names what it buys once: "…服务合同", never "…服务服务合同"."""

from __future__ import annotations

import pytest

from caidan.contracts.naming import contract_title


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("江苏路街道社区睦邻点运营服务", "江苏路街道社区睦邻点运营服务合同"),
        ("老年人助餐", "老年人助餐服务合同"),
        ("居家养老服务站运营", "居家养老服务站运营服务合同"),  # 服务 inside, not at the end
        ("  独居老人探访服务 ", "独居老人探访服务合同"),
        ("服务", "服务合同"),
    ],
)
def test_contract_title_adds_service_only_when_missing(subject, title):
    assert contract_title(subject) == title


def test_a_drafted_contract_and_its_form_take_the_title_once(world):
    from caidan.contracts.selectors import contract_draft_terms
    from tests.contracts.factories import award_for, draft_contract

    award = award_for(world)
    assert award.tender.title.endswith("服务")
    assert contract_draft_terms(award)["title"] == f"{award.tender.title}合同"
    contract = draft_contract(world, award=award)
    assert contract.title == f"{award.tender.title}合同"
    assert "服务服务" not in contract.title
