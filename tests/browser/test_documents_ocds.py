"""The OCDS record page on a phone and a desktop: readable sections, no sideways scrolling,
and the JSON one click away, in real UTF-8."""

from __future__ import annotations

import json

import pytest

from tests.browser.helpers import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ocds_record_page_on_phone_and_desktop(browser, live_server, world):
    from caidan.disclosure import ocds
    from tests.disclosure.test_ocds import full_lifecycle

    contract = full_lifecycle(world)
    ocid = ocds.ocid_for(contract.tender.proposal)
    for options in (PHONE, {"viewport": {"width": 1280, "height": 900}}):
        ctx = browser.new_context(locale="zh-CN", **options)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        page.goto(live_server.url + f"/open/ocds/{ocid}/")
        assert page.get_by_role("heading", name=contract.tender.title, exact=True).is_visible()
        for section in ("ocds-parties", "ocds-tender", "ocds-award", "ocds-contract"):
            assert page.get_by_test_id(section).first.is_visible(), section
        assert "¥800,000.00" in page.get_by_test_id("ocds-contract").first.inner_text()
        overflow = page.evaluate(
            "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
        page.get_by_test_id("ocds-json").click()
        page.wait_for_url("**/api/v1/ocds/records/**")
        text = page.locator("body").inner_text()
        assert contract.organization.name in text and "\\u" not in text
        assert json.loads(text)["records"][0]["ocid"] == ocid
        ctx.close()
