"""The contract pages: who sees what — the public list (bounded), the contract page and its
PDF with no signatory names in public, drafts hidden; the to-do list, dashboards,
navigation and the pages in English."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from caidan.contracts.models import Contract, Report

from .factories import award_for, draft_contract, signed_contract
from .view_helpers import TODAY, _html, _names

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


# --- the public list ------------------------------------------------------------------------


def test_public_list_shows_signed_contracts_and_parties_their_drafts(world, client, login):
    signed = signed_contract(world, title="长者探访服务合同（已签）")
    draft = draft_contract(world, title="助餐服务合同（草稿）")
    html = _html(client.get("/contracts/"))
    assert signed.title in html and signed.reference in html
    assert draft.title not in html
    assert "阳光家庭综合服务中心" in html and "江苏路街道" in html
    for who in ("purchaser", "provider"):
        html = _html(login(who).get("/contracts/"))
        assert signed.title in html and draft.title in html, who
    html = _html(login("purchaser2").get("/contracts/"))
    assert signed.title in html and draft.title not in html


def test_public_list_filters_and_search(world, client):
    signed = signed_contract(world, title="长者探访服务合同")
    assert signed.title in _html(client.get("/contracts/?status=active"))
    assert signed.title not in _html(client.get("/contracts/?status=terminated"))
    assert signed.title in _html(client.get("/contracts/?q=探访"))
    assert signed.title in _html(client.get(f"/contracts/?q={signed.reference}"))
    assert signed.title not in _html(client.get("/contracts/?q=不存在的合同"))
    assert client.get("/contracts/?status=bogus").status_code == 200  # the form ignores it
    assert client.get("/contracts/?cursor=@@@").status_code == 400


def test_public_list_has_a_bounded_query_count(world, client, login, django_assert_max_num_queries):
    base = signed_contract(world)
    skip = {"id", "reference", "year_index"}
    for i in range(24):
        Contract.objects.create(
            **{
                f.attname: getattr(base, f.attname)
                for f in Contract._meta.concrete_fields
                if f.attname not in skip
            },
            reference=f"{base.reference}-{i}",
            year_index=i + 2,
        )
    assert Contract.objects.filter(status="active").count() >= 25
    with django_assert_max_num_queries(6):
        response = client.get("/contracts/")
    assert response.status_code == 200
    next_page = response.context["page"].next_cursor
    assert next_page
    with django_assert_max_num_queries(6):
        assert client.get(f"/contracts/?cursor={next_page}").status_code == 200
    purchaser = login("purchaser")
    with django_assert_max_num_queries(9):
        assert purchaser.get("/contracts/").status_code == 200


# --- the contract page and PDF ----------------------------------------------------------------


def test_public_contract_page_shows_terms_and_plan_but_no_signatories(world, client):
    c = signed_contract(world)
    response = client.get(f"/contracts/{c.pk}/")
    assert response.status_code == 200
    html = _html(response)
    for needle in (
        c.reference,
        c.title,
        "江苏路街道",
        "阳光家庭综合服务中心",
        "¥800,000.00",
        "¥400,000.00",
        "¥280,000.00",
        "¥120,000.00",
        "中期评估通过",
        "违约责任",
        c.breach_liability[:20],
        c.acceptance_criteria[:20],
        "履约保证金",
        "下载合同公开版本（PDF）",
    ):
        assert needle in html, needle
    for name in _names(world):
        assert name not in html
    assert 'data-testid="history"' not in html
    assert 'data-testid="reports"' not in html  # reports are for the parties
    assert 'data-testid="party-actions"' not in html


def test_public_pdf_has_no_signatory_names_the_parties_get_the_full_one(world, client, login):
    c = signed_contract(world)
    response = client.get(f"/contracts/{c.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "-public.pdf" in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert c.reference in text and "800,000.00" in text
    for name in _names(world):
        assert name not in text
    for who in ("purchaser", "provider", "admin", "auditor"):
        full = _pdf_text(login(who).get(f"/contracts/{c.pk}/pdf/").content)
        assert world.user("purchaser").get_full_name() in full, who


def test_parties_see_signatories_reports_and_history(world, login):
    c = signed_contract(world)
    for who in ("purchaser", "provider", "auditor"):
        html = _html(login(who).get(f"/contracts/{c.pk}/"))
        assert world.user("purchaser").get_full_name() in html, who
        assert world.user("provider").get_full_name() in html, who
        assert 'data-testid="reports"' in html and "中期报告" in html
        assert 'data-testid="history"' in html and "签订合同" in html
        assert "下载合同（PDF）" in html


def test_draft_is_hidden_from_the_public_and_other_purchasers(world, client, login):
    c = draft_contract(world)
    assert client.get(f"/contracts/{c.pk}/").status_code == 404
    assert client.get(f"/contracts/{c.pk}/pdf/").status_code == 404
    assert login("purchaser2").get(f"/contracts/{c.pk}/").status_code == 404
    assert login("provider").get(f"/contracts/{c.pk}/").status_code == 200
    assert client.get("/contracts/999999/").status_code == 404


# --- to-do list and dashboards --------------------------------------------------------------


def test_todo_counts_for_both_parties(world, login):
    c = signed_contract(world)
    Report.objects.filter(contract=c, kind="progress", sequence=1).update(
        due_on=TODAY() - dt.timedelta(days=2)
    )
    award = award_for(world)
    html = _html(login("purchaser").get("/contracts/todo/"))
    assert award.tender.title in html and "待起草合同的中标项目" in html
    assert "条件已达成、尚未支付的款项" in html and c.title in html
    html = _html(login("provider").get("/contracts/todo/"))
    assert "逾期未交的报告" in html and "进度报告" in html
    assert login("admin").get("/contracts/todo/").status_code == 403


def test_dashboards_and_navigation_link_to_contracts(world, client, login):
    assert 'href="/contracts/"' in _html(client.get("/"))
    html = _html(login("purchaser").get("/dashboard/"))
    assert "/contracts/todo/" in html and "/contracts/new/" in html
    html = _html(login("provider").get("/dashboard/"))
    assert "/contracts/todo/" in html and "/contracts/" in html


def test_contract_pages_in_english(world, client, settings):
    import gettext

    from django.core.management import call_command
    from django.utils.translation import trans_real

    call_command("compile_translations", stdout=io.StringIO())  # .mo files are build artefacts
    gettext._translations.clear()
    trans_real._translations = {}
    trans_real._default = None
    c = signed_contract(world)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert "Payment plan" in html and "Download the public version" in html
    assert "Contracts" in _html(client.get("/contracts/"))


def test_contract_page_links_evaluations_and_the_track_record(world, client):
    c = signed_contract(world)
    html = _html(client.get(f"/contracts/{c.pk}/"))
    assert f'href="/evaluations/contracts/{c.pk}/"' in html
    assert f'href="/evaluations/track-record/{c.organization_id}/"' in html


def test_dashboards_of_both_parties_flag_late_items(world, client, login):
    import datetime as dt
    from unittest import mock

    from caidan.contracts.selectors import overdue_count

    from .factories import draft_contract

    contract = draft_contract(world)
    assert overdue_count(world.actor("purchaser")) == 0
    login("purchaser")
    assert 'data-testid="late-flag"' not in client.get("/dashboard/").content.decode()
    later = contract.sign_due + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert overdue_count(world.actor("purchaser")) == 1
        assert overdue_count(world.actor("provider")) == 1
        assert overdue_count(world.actor("purchaser2")) == 0
        login("purchaser")  # (a month later: the earlier session has expired)
        html = client.get("/dashboard/").content.decode()
        assert 'data-testid="late-flag"' in html and "逾期 1 项" in html
        login("provider")
        assert "逾期 1 项" in client.get("/dashboard/").content.decode()
