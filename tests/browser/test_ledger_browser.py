"""The money view (资金台账) and a bulk payment in the browser, on a desk and at 390 × 844:
the purchaser finds the ledger in the navigation, sees the contract's instalments and the
totals, ticks the instalment whose gate has opened, confirms on the confirmation page, and
reads the per-item result; no page scrolls sideways."""

from __future__ import annotations

import pytest

from tests.browser.helpers import staff
from tests.contracts import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_ledger_and_bulk_payment(browser, live_server, world, phone):
    from caidan.contracts.models import Payment

    base = live_server.url
    contract = factories.signed_contract(world)
    first, second, _ = contract.instalments.order_by("sequence")
    officer = staff(browser, base, "purchaser", phone=phone)
    if phone:
        officer.goto(base + "/contracts/ledger/")
    else:
        officer.get_by_role("navigation").get_by_role("link", name="资金台账").click()
        officer.wait_for_url("**/contracts/ledger/")
    assert officer.evaluate(NO_OVERFLOW), "the ledger scrolls sideways"
    card = officer.get_by_test_id("ledger-contract")
    assert contract.title in card.inner_text()
    assert "800000.00" in officer.get_by_test_id("total-amount").inner_text().replace(",", "")
    assert officer.get_by_test_id("total-paid").inner_text() == "¥0.00"
    assert officer.get_by_test_id(f"pick-{second.pk}").count() == 0  # gate closed: no box

    officer.get_by_test_id(f"pick-{first.pk}").check()
    officer.get_by_test_id("bulk-pay").click()
    officer.wait_for_url("**/contracts/bulk/pay/")
    assert "第 1 期" in officer.get_by_test_id("bulk-items").inner_text()
    assert officer.evaluate(NO_OVERFLOW), "the confirmation scrolls sideways"
    assert not Payment.objects.exists()
    officer.get_by_label("凭证号").fill("PZ-2026-001")
    officer.get_by_test_id("bulk-submit").click()
    officer.wait_for_selector("[data-testid=bulk-results]")
    assert "已完成 1 项，拒绝 0 项" in officer.get_by_test_id("bulk-summary").inner_text()
    assert officer.evaluate(NO_OVERFLOW), "the results scroll sideways"
    assert Payment.objects.get().instalment_id == first.pk

    officer.goto(base + "/contracts/ledger/")
    assert "400000.00" in officer.get_by_test_id("total-paid").inner_text().replace(",", "")
    assert officer.get_by_test_id(f"pick-{first.pk}").count() == 0  # paid: no box any more
    officer.context.close()
