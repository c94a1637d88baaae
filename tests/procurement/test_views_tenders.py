"""The procurement pages, the purchaser's tender: starting it from an approved project,
editing and publishing with confirmation, amending and cancelling, documents (a late one is
an amendment), the approval of a change of method, questions answered in public without
the asker — every action through its form, errors shown on the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.procurement.models import Amendment, Clarification, Tender

from . import factories
from .view_helpers import _html

pytestmark = pytest.mark.django_db


def _deadline(days=25):
    return factories.next_working_deadline(timezone.now() + dt.timedelta(days=days))


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _tender_post(proposal, **overrides):
    data = {
        "title": proposal.title,
        "method": proposal.procurement_method,
        "method_change_reason": "",
        "evaluation_method": "comprehensive",
        "aggregate": "mean",
        "description": "为辖区独居老人提供每周上门探访。",
        "budget": str(proposal.budget),
        "bid_security": "10000.00",
        "grade_policy": "none",
        "price_points": "30",
        "committee_size": "",
        "reserve_count": "",
        "invited_organization": "",
        "justification": "",
        "posts": "",
        "post_requirements": "",
        "post_price_cap": "",
        "deadline": "",
        "factor_1_id": "plan",
        "factor_1_name": "服务方案",
        "factor_1_max": "40",
        "factor_2_id": "team",
        "factor_2_name": "团队与资质",
        "factor_2_max": "20",
        "factor_3_id": "experience",
        "factor_3_name": "同类项目经验",
        "factor_3_max": "10",
    }
    data.update(overrides)
    return data


# --- drafting and publication ---------------------------------------------------------------


def test_purchaser_starts_a_tender_from_an_approved_project(world, login):
    proposal = factories.approved_proposal(world, title="助残服务项目")
    c = login("purchaser")
    html = _html(c.get("/procurement/new/"))
    assert "助残服务项目" in html
    url = f"/procurement/new/{proposal.pk}/"
    page = c.get(url)
    assert page.status_code == 200 and "助残服务项目" in _html(page)
    response = c.post(url, _tender_post(proposal))
    tender = Tender.objects.get(proposal=proposal)
    assert response.status_code == 302 and response.url == f"/procurement/tenders/{tender.pk}/"
    assert tender.status == "draft" and tender.committee_size == 5
    assert [f["id"] for f in tender.factors] == ["plan", "team", "experience"]
    assert "助残服务项目" not in _html(c.get("/procurement/new/"))  # it has a live tender now


def test_tender_form_shows_service_errors_on_fields(world, login):
    proposal = factories.approved_proposal(world)
    c = login("purchaser")
    url = f"/procurement/new/{proposal.pk}/"
    response = c.post(url, _tender_post(proposal, factor_3_max="20"))
    assert response.status_code == 200
    assert "价格分与各评分因素分值之和须为 100 分，当前为 110 分" in _html(response)
    response = c.post(url, _tender_post(proposal, bid_security="50000.00"))
    assert "投标保证金 ¥50,000.00 超过采购预算的 2%" in _html(response)
    assert response.context["form"].errors["bid_security"]
    response = c.post(url, _tender_post(proposal, factor_2_max="-1"))
    assert response.context["form"].errors["factor_2_max"]
    response = c.post(url, _tender_post(proposal, budget=""))
    assert response.context["form"].errors["budget"]
    assert not Tender.objects.filter(proposal=proposal).exists()


def test_only_purchasers_start_tenders(world, client, login):
    proposal = factories.approved_proposal(world)
    url = f"/procurement/new/{proposal.pk}/"
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert login("provider").get(url).status_code == 403
    assert login("provider").get("/procurement/new/").status_code == 403
    assert login("purchaser2").get(url).status_code == 404  # another street's project


def test_edit_draft_and_publish_with_confirmation(world, login):
    tender = factories.draft_tender(world)
    c = login("purchaser")
    edit = f"/procurement/tenders/{tender.pk}/edit/"
    assert c.get(edit).status_code == 200
    data = _tender_post(tender.proposal, title="修改后的名称", factor_1_max="40")
    response = c.post(edit, data)
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.title == "修改后的名称"

    publish = f"/procurement/tenders/{tender.pk}/publish/"
    page = _html(c.get(publish))
    assert "不可撤回" in page and "投标期开始" in page
    response = c.post(publish)  # no deadline yet
    assert response.status_code == 200 and "请设定投标截止（开标）时间" in _html(response)
    tender.refresh_from_db()
    assert tender.status == "draft"

    deadline = _deadline()
    c.post(edit, {**data, "deadline": _local(deadline)})
    response = c.post(publish)
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == "published" and tender.deadline == deadline


def test_others_cannot_manage(world, login, client):
    tender = factories.published_tender(world)
    for path in ("edit", "publish", "amend", "cancel", "questions", "award"):
        url = f"/procurement/tenders/{tender.pk}/{path}/"
        assert login("purchaser2").get(url).status_code == 403, path
        assert login("provider").get(url).status_code == 403, path
        response = client.logout() or client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, path
    assert login("purchaser2").post(f"/procurement/tenders/{tender.pk}/cancel/", {"reason": "x"})
    tender.refresh_from_db()
    assert tender.status == "published"


def test_amend_and_cancel(world, login):
    tender = factories.published_tender(world)
    c = login("purchaser")
    url = f"/procurement/tenders/{tender.pk}/amend/"
    response = c.post(url, {"summary": "", "affects_bids": ""})
    assert response.status_code == 200 and response.context["form"].errors["summary"]
    response = c.post(url, {"summary": "更正服务地址为江苏路 480 号。", "affects_bids": ""})
    assert response.status_code == 302
    assert Amendment.objects.get(tender=tender).summary == "更正服务地址为江苏路 480 号。"
    assert "更正服务地址" in _html(c.get(f"/procurement/tenders/{tender.pk}/"))

    cancel = f"/procurement/tenders/{tender.pk}/cancel/"
    assert "取消后不可恢复" in _html(c.get(cancel))
    response = c.post(cancel, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert c.post(cancel, {"reason": "需求发生变化"}).status_code == 302
    tender.refresh_from_db()
    assert tender.status == "cancelled" and tender.cancelled_reason == "需求发生变化"


# --- questions ------------------------------------------------------------------------------


def test_question_and_public_answer_without_the_asker(world, client, login):
    tender = factories.published_tender(world)
    provider = login("provider")
    url = f"/procurement/tenders/{tender.pk}/ask/"
    response = provider.post(url, {"question": ""})
    assert response.status_code == 200 and response.context["form"].errors["question"]
    assert provider.post(url, {"question": "服务对象名单何时提供？"}).status_code == 302
    question = Clarification.objects.get(tender=tender)

    purchaser = login("purchaser")
    page = _html(purchaser.get(f"/procurement/tenders/{tender.pk}/questions/"))
    # Before opening nobody, the purchaser included, learns who asked (招标投标法 §22).
    assert "服务对象名单何时提供" in page and "阳光家庭综合服务中心" not in page
    assert "提问人开标前不公开" in page
    # The asker still sees its own question.
    own = _html(login("provider").get(f"/procurement/tenders/{tender.pk}/"))
    assert "服务对象名单何时提供" in own
    purchaser = login("purchaser")
    response = purchaser.post(
        f"/procurement/tenders/{tender.pk}/questions/",
        {"clarification": question.pk, "answer": "合同签订后三日内提供。"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "合同签订后三日内提供。"

    client.logout()
    html = _html(client.get(f"/procurement/tenders/{tender.pk}/"))
    assert "服务对象名单何时提供" in html and "合同签订后三日内提供" in html
    assert "阳光家庭综合服务中心" not in html
    assert login("purchaser").post(url, {"question": "采购人不能提问"}).status_code == 403


def test_admin_approves_a_change_of_method(world, login):
    from caidan.procurement.services import tender_update

    tender = factories.draft_tender(world)

    tender_update(
        tender=tender,
        changes={
            "method": "consultation",
            "method_change_reason": "上次公开招标仅两家有效投标",
        },
        actor=world.actor("purchaser"),
    )
    url = f"/procurement/tenders/{tender.pk}/"
    assert "须经财政部门批准" in _html(login("purchaser").get(url))
    assert "批准变更采购方式</button>" not in _html(login("purchaser").get(url))
    assert login("purchaser").post(f"{url}approve-method/").status_code == 403
    c = login("admin")
    assert "批准变更采购方式</button>" in _html(c.get(url))
    assert c.post(f"{url}approve-method/").status_code == 302
    tender.refresh_from_db()
    assert tender.method_change_approved_by == world.user("admin")
    assert "须经财政部门批准" not in _html(c.get(url))


def test_purchaser_attaches_documents_and_a_late_one_is_an_amendment(world, client, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caidan.procurement.models import Amendment

    from .factories import draft_tender, published_tender

    def pdf(name):
        return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")

    login("purchaser")
    draft = draft_tender(world)
    resp = client.post(
        f"/procurement/tenders/{draft.pk}/documents/",
        {"file": pdf("招标文件.pdf"), "description": "正文"},
    )
    assert resp.status_code == 302
    assert not Amendment.objects.filter(tender=draft).exists()  # a draft: simply attached
    page = client.get(f"/procurement/tenders/{draft.pk}/").content.decode()
    assert "招标文件.pdf" in page
    tender = published_tender(world, days=21)
    old = tender.deadline
    client.post(
        f"/procurement/tenders/{tender.pk}/documents/",
        {"file": pdf("补充说明.pdf"), "description": ""},
    )
    amendment = Amendment.objects.get(tender=tender)
    assert "补充说明.pdf" in amendment.summary
    tender.refresh_from_db()
    assert tender.deadline == old  # 21 days ahead: not late
    client.logout()
    public = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert "补充说明.pdf" in public and "上传并附加" not in public
    login("purchaser2")
    resp = client.post(f"/procurement/tenders/{tender.pk}/documents/", {"file": pdf("x.pdf")})
    assert resp.status_code == 403
