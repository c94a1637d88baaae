"""A contract's budget lines (预算明细), typed in the row editor of the terms form: they add
up to the amount to the fen, each names its line and is not negative; a supplementary
agreement carries them through its confirmation page (issue 20)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from caidan.contracts.models import Contract

from .factories import award_for, draft_contract, signed_contract
from .test_views_drafting import _terms_post
from .view_helpers import _html

pytestmark = pytest.mark.django_db


def _lines(*rows) -> dict[str, str]:
    return {
        f"budget_lines-{i}-{key}": value
        for i, row in enumerate(rows)
        for key, value in zip(("line", "amount"), row, strict=True)
    }


def test_budget_lines_add_up_to_the_amount_to_the_fen(world, login):
    c = draft_contract(world, award=award_for(world))  # 800,000.00
    client = login("purchaser")
    url = f"/contracts/{c.pk}/edit/"
    assert 'name="budget_lines-0-line"' in _html(client.get(url))
    for amounts, ok in (
        (("600000.00", "199999.99"), False),  # one fen short
        (("600000.00", "200000.01"), False),  # one fen over
        (("600000.00", "200000.00"), True),
    ):
        data = {
            **_terms_post(c),
            **_lines(("人员费", amounts[0]), ("", ""), ("活动费", amounts[1])),
        }
        response = client.post(url, data)
        if ok:
            assert response.status_code == 302
        else:
            assert response.status_code == 200
            assert response.context["form"].errors["budget_lines"][0].startswith("预算明细合计")
            assert (
                "须等于合同金额 ¥800,000.00（" in response.context["form"].errors["budget_lines"][0]
            )
    c.refresh_from_db()
    assert c.budget_lines == [
        {"line": "人员费", "amount": "600000.00"},
        {"line": "活动费", "amount": "200000.00"},
    ]
    assert "人员费：¥600,000.00" in _html(client.get(f"/contracts/{c.pk}/"))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("", "800000.00"),), "请填写预算明细第 1 行的预算科目名称。"),
        ((("人员费", "800000.01"), ("管理费", "-0.01")), "预算明细第 2 行的预算金额不能为负数。"),
        ((("人员费", "799999.999"), ("管理费", "0.001")), "预算明细第 1 行的预算金额须为以元计"),
    ],
)
def test_each_budget_line_is_checked_naming_its_row(world, login, rows, message):
    award = award_for(world)
    response = login("purchaser").post(
        f"/contracts/new/{award.pk}/",
        {**_terms_post(draft_terms(award)), **_lines(*rows)},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["budget_lines"]
    assert any(e.startswith(message) for e in errors), errors
    assert not Contract.objects.filter(award=award).exists()


def draft_terms(award):
    from caidan.contracts.selectors import contract_draft_terms

    return contract_draft_terms(award)


def test_an_amendment_changes_amount_and_budget_lines_together(world, login):
    c = signed_contract(world, budget_lines=[{"line": "人员费", "amount": "800000.00"}])
    client = login("purchaser")
    url = f"/contracts/{c.pk}/amend/"
    html = _html(client.get(url))
    assert 'value="人员费"' in html and 'value="800000.00"' in html
    # A new amount without new lines: the lines no longer add up.
    response = client.post(
        url,
        {
            **_terms_post(c, amount="780000.00", rationale="调减"),
            **_lines(("人员费", "800000")),
            "confirm": "1",
        },
    )
    assert "budget_lines" in response.context["form"].errors
    data = {
        **_terms_post(c, amount="780000.00", rationale="调减"),
        **_lines(("人员费", "700000.00"), ("活动费", "80000.00")),
    }
    response = client.post(url, data)
    html = _html(response)
    assert "确认签订补充协议" in html and "活动费 ¥80,000.00" in html
    hidden = dict(re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"', html))
    assert hidden["budget_lines-1-line"] == "活动费"
    assert client.post(url, {k: unescape(v) for k, v in hidden.items()}).status_code == 302
    c.refresh_from_db()
    assert c.version == 2 and c.budget_lines[1] == {"line": "活动费", "amount": "80000.00"}


def test_the_api_takes_and_returns_budget_lines(world, client, token_for):
    from .api_helpers import error, ok, post

    purchaser = token_for("purchaser")
    award = award_for(world)
    lines = [{"line": "人员费", "amount": "700000.00"}, {"line": "活动费", "amount": "100000.00"}]
    body = {"award_id": award.pk}
    body_short = {**body, "budget_lines": [lines[0], {"line": "活动费", "amount": "99999.99"}]}
    error(post(client, "", body_short, purchaser), 400, field="budget_lines")
    bad = {**body, "budget_lines": [lines[0], {"line": "活动费", "amount": "-0.01"}]}
    error(post(client, "", bad, purchaser), 400, field="budget_lines.1.amount")
    error(post(client, "", {**body, "budget_lines": None}, purchaser), 400, field="budget_lines")
    c = ok(post(client, "", {**body, "budget_lines": lines}, purchaser), 201)
    assert c["budget_lines"] == lines


def test_the_contract_pdf_lists_the_budget_lines_under_the_price(world):
    import io

    from pypdf import PdfReader

    from caidan.contracts.pdf import contract_pdf

    c = signed_contract(
        world,
        budget_lines=[
            {"line": "人员费", "amount": "700000.00"},
            {"line": "活动费", "amount": "100000.00"},
        ],
    )
    text = "".join(
        "".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(contract_pdf(c))).pages
    )
    assert "其中预算明细如下：" in text
    assert "人员费700,000.00" in text and "活动费100,000.00" in text and "合计800,000.00" in text
    assert (
        text.index("五、合同价格") < text.index("人员费700,000.00") < text.index("六、资金结算方式")
    )
