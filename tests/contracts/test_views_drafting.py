"""The contract pages: drafting, editing and cancelling a draft, signing through the
confirmation, amendments, termination and renewal — every action through its form and its
service, errors shown on the form, refusals out of role or scope."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from caidan.contracts.models import Contract, ContractAmendment

from .factories import award_for, draft_contract, signed_contract
from .view_helpers import _html, _names

pytestmark = pytest.mark.django_db


def _terms_post(contract_or_terms, **overrides) -> dict:
    """A complete terms form, from a contract or from ``contract_draft_terms``."""
    names = (
        "title",
        "service_content",
        "period_start",
        "period_end",
        "quantity",
        "quality_standards",
        "amount",
        "settlement_method",
        "acceptance_criteria",
        "rights_obligations",
        "breach_liability",
        "performance_security",
        "payment_split",
        "renewal_intent",
        "renewal_years",
    )
    src = contract_or_terms
    get = src.get if isinstance(src, dict) else (lambda k: getattr(src, k))
    data = {}
    for name in names:
        value = get(name)
        if name == "payment_split":
            for i, v in enumerate(value):
                data[f"payment_split_{i}"] = str(v)
        elif name == "renewal_intent":
            if value:
                data[name] = "on"
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else str(value)
    for key, value in overrides.items():
        if key == "payment_split":
            for i, v in enumerate(value):
                data[f"payment_split_{i}"] = str(v)
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# --- drafting ---------------------------------------------------------------------------------


def test_purchaser_lists_awards_without_contract_and_drafts_one(world, login):
    award = award_for(world)
    client = login("purchaser")
    html = _html(client.get("/contracts/new/"))
    assert award.tender.title in html and f"/contracts/new/{award.pk}/" in html
    response = client.get(f"/contracts/new/{award.pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    for name in ("service_content", "settlement_method", "breach_liability", "rights_obligations"):
        assert form[name].value(), name
    assert form["amount"].value() == award.amount
    assert form["payment_split"].value() == [50, 35, 15]
    from caidan.contracts.selectors import contract_draft_terms

    data = _terms_post(contract_draft_terms(award), amount="790000.00", payment_split=[50, 30, 20])
    response = client.post(f"/contracts/new/{award.pk}/", data)
    assert response.status_code == 302
    c = Contract.objects.get(award=award)
    assert response.url == f"/contracts/{c.pk}/"
    assert c.status == "draft" and c.amount == Decimal("790000.00")
    assert c.payment_split == [50, 30, 20]
    assert [i.amount for i in c.instalments.order_by("sequence")] == [
        Decimal("395000.00"),
        Decimal("237000.00"),
        Decimal("158000.00"),
    ]
    # Once drafted, the award leaves the list and cannot be drafted twice.
    assert f"/contracts/new/{award.pk}/" not in _html(client.get("/contracts/new/"))
    assert client.get(f"/contracts/new/{award.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "needle"),
    [
        ({"amount": "900000.00"}, "amount", "不得超过中标金额"),
        ({"performance_security": "90000.00"}, "performance_security", "§48"),
        ({"payment_split": [60, 30, 10]}, "payment_split", "50%"),
        ({"breach_liability": ""}, "breach_liability", ""),
        ({"period_end": "2099-01-01"}, "period_end", "一年"),
    ],
)
def test_drafting_errors_are_shown_on_the_field(world, login, overrides, field, needle):
    from caidan.contracts.selectors import contract_draft_terms

    award = award_for(world)
    client = login("purchaser")
    response = client.post(
        f"/contracts/new/{award.pk}/", _terms_post(contract_draft_terms(award), **overrides)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert needle in " ".join(errors[field])
    assert not Contract.objects.filter(award=award).exists()


def test_other_roles_cannot_draft(world, client, login):
    award = award_for(world)
    assert client.get("/contracts/new/").status_code == 302  # to login
    assert login("provider").get("/contracts/new/").status_code == 403
    assert login("provider").get(f"/contracts/new/{award.pk}/").status_code == 403
    assert login("purchaser2").get(f"/contracts/new/{award.pk}/").status_code == 404
    assert award.tender.title not in _html(login("purchaser2").get("/contracts/new/"))


def test_edit_draft_and_out_of_scope(world, login):
    c = draft_contract(world)
    client = login("purchaser")
    assert client.get(f"/contracts/{c.pk}/edit/").status_code == 200
    response = client.post(
        f"/contracts/{c.pk}/edit/", _terms_post(c, service_content="每周上门探访三次。")
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.service_content == "每周上门探访三次。"
    response = client.post(f"/contracts/{c.pk}/edit/", _terms_post(c, quality_standards=""))
    assert response.status_code == 200 and "quality_standards" in response.context["form"].errors
    assert login("provider").get(f"/contracts/{c.pk}/edit/").status_code == 403
    assert login("purchaser2").get(f"/contracts/{c.pk}/edit/").status_code == 404


def test_cancel_draft_with_a_reason(world, login):
    c = draft_contract(world)
    client = login("purchaser")
    assert "作废后不可恢复" in _html(client.get(f"/contracts/{c.pk}/cancel/"))
    response = client.post(f"/contracts/{c.pk}/cancel/", {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert client.post(f"/contracts/{c.pk}/cancel/", {"reason": "中标人放弃"}).status_code == 302
    c.refresh_from_db()
    assert c.status == "cancelled" and c.termination_reason == "中标人放弃"
    assert login("provider").post(f"/contracts/{c.pk}/cancel/", {"reason": "x"}).status_code == 403


# --- signing ----------------------------------------------------------------------------------


def test_both_parties_sign_through_the_confirmation(world, login):
    c = draft_contract(world)
    client = login("purchaser")
    html = _html(client.get(f"/contracts/{c.pk}/sign/"))
    assert "确认签订" in html and c.reference in html
    assert client.get(f"/contracts/{c.pk}/sign/").status_code == 200
    assert client.post(f"/contracts/{c.pk}/sign/").status_code == 302
    c.refresh_from_db()
    assert c.purchaser_signed_at and c.status == "draft"
    assert "等待对方签订" in _html(client.get(f"/contracts/{c.pk}/"))
    provider = login("provider")
    assert provider.post(f"/contracts/{c.pk}/sign/").status_code == 302
    c.refresh_from_db()
    assert c.status == "active" and c.provider_signed_at and c.published_at


def test_sign_page_shows_blockers_and_refuses(world, login):
    from .factories import complained_draft

    c, _, _ = complained_draft(world)
    client = login("provider")
    response = client.get(f"/contracts/{c.pk}/sign/")
    html = _html(response)
    assert 'data-testid="blockers"' in html and "投诉" in html and "§57" in html
    assert "确认签订</button>" not in html
    response = client.post(f"/contracts/{c.pk}/sign/")
    assert response.status_code == 200 and "§57" in _html(response)
    c.refresh_from_db()
    assert c.provider_signed_at is None


def test_sign_refused_out_of_scope(world, client, login):
    c = draft_contract(world)
    assert client.post(f"/contracts/{c.pk}/sign/").status_code == 302  # to login
    assert login("purchaser2").post(f"/contracts/{c.pk}/sign/").status_code == 404
    assert login("hub").post(f"/contracts/{c.pk}/sign/").status_code in (403, 404)
    c.refresh_from_db()
    assert c.purchaser_signed_at is None and c.provider_signed_at is None


# --- amendments, termination, renewal -------------------------------------------------------


def test_amendment_confirmation_then_new_version(world, login):
    c = signed_contract(world)
    client = login("purchaser")
    url = f"/contracts/{c.pk}/amend/"
    assert client.get(url).status_code == 200
    data = _terms_post(c, amount="780000.00", rationale="服务人次调减。")
    response = client.post(url, data)
    assert response.status_code == 200
    html = _html(response)
    changes = html.split('data-testid="amendment-changes"', 1)[1].split("</table>", 1)[0]
    assert "确认签订补充协议" in html and "¥800,000.00" in changes and "¥780,000.00" in changes
    assert not ContractAmendment.objects.filter(contract=c).exists()
    # The confirmation carries the form in hidden fields.
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert hidden["confirm"] == "1" and hidden["amount"] == "780000.00"
    assert hidden["payment_split_1"] == "35" and hidden["renewal_intent"] == "False"
    response = client.post(url, {k: unescape(v) for k, v in hidden.items()})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.version == 2 and c.amount == Decimal("780000.00")
    a = ContractAmendment.objects.get(contract=c)
    assert a.changes["amount"] == ["800000.00", "780000.00"] and a.rationale == "服务人次调减。"
    html = _html(login("provider").get(f"/contracts/{c.pk}/"))
    assert "服务人次调减。" in html and "¥780,000.00" in html and 'data-testid="version"' in html
    # The public sees the amendment but not who approved it.
    from django.test import Client

    public = _html(Client().get(f"/contracts/{c.pk}/"))
    assert "服务人次调减。" in public
    for name in _names(world):
        assert name not in public


def test_amendment_errors(world, login):
    c = signed_contract(world)
    client = login("purchaser")
    url = f"/contracts/{c.pk}/amend/"
    response = client.post(url, _terms_post(c, rationale="无变更"))
    assert response.status_code == 200 and "至少一项" in _html(response)
    response = client.post(url, _terms_post(c, amount="780000.00", rationale=""))
    assert response.status_code == 200 and "rationale" in response.context["form"].errors
    response = client.post(
        url, {**_terms_post(c, amount="900000.00", rationale="加量"), "confirm": "1"}
    )
    assert response.status_code == 200 and "amount" in response.context["form"].errors
    assert login("provider").get(url).status_code == 403
    assert not ContractAmendment.objects.filter(contract=c).exists()


def test_terminate_for_breach(world, login):
    c = signed_contract(world)
    client = login("purchaser")
    url = f"/contracts/{c.pk}/terminate/"
    assert "终止后不可恢复" in _html(client.get(url))
    response = client.post(url, {"kind": "breach", "reason": "", "settlement": "x"})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(
        url,
        {
            "kind": "breach",
            "reason": "连续两个月未按约提供服务。",
            "settlement": "已付首期，不再支付。",
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == "terminated" and c.termination_kind == "breach"
    html = _html(login("purchaser2").get(f"/contracts/{c.pk}/"))
    assert "连续两个月未按约提供服务。" in html
    assert login("provider").post(url, {"kind": "agreement"}).status_code == 403


def test_renew_a_contract_with_an_intent(world, login):
    c = signed_contract(world, renewal_intent=True, renewal_years=2)
    client = login("purchaser")
    assert f"/contracts/{c.pk}/renew/" in _html(client.get(f"/contracts/{c.pk}/"))
    assert "起草续签合同" in _html(client.get(f"/contracts/{c.pk}/renew/"))
    response = client.post(f"/contracts/{c.pk}/renew/")
    assert response.status_code == 302
    new = Contract.objects.get(renews=c)
    assert response.url == f"/contracts/{new.pk}/"
    assert new.status == "draft" and new.year_index == 2
    response = client.post(f"/contracts/{c.pk}/renew/")
    assert response.status_code == 200 and "已起草续签合同" in _html(response)
