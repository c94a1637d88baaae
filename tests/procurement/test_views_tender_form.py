"""The tender form as a purchaser fills it in (issue 20, "Forms"): the scoring sheet is picked
from a template per service field and edited row by row (ids generated, never typed; the
server refuses a sheet whose weights do not add up to 100, one cent either side); each
method's fields only count for that method; a refused form comes back with everything that
was typed; without JavaScript the row editor's buttons work by submitting."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.orgs.models import Organization
from caidan.procurement import sheet_templates
from caidan.procurement.forms import TenderForm
from caidan.procurement.inputs import FACTOR_ID
from caidan.procurement.models import Tender

from . import factories
from .view_helpers import _html

pytestmark = pytest.mark.django_db


def _deadline(days=25):
    return factories.next_working_deadline(timezone.now() + dt.timedelta(days=days))


def _post(proposal, rows=None, **overrides):
    """The form as the page sends it: the sheet as rows ``factor_<n>_<part>`` (ids blank,
    as for rows the purchaser added)."""
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
        "sheet_template": "general",
        "committee_size": "",
        "reserve_count": "",
        "invited_organization": "",
        "justification": "",
        "posts": "",
        "post_requirements": "",
        "post_price_cap": "",
        "deadline": "",
    }
    rows = rows if rows is not None else [("服务方案", "40"), ("团队与资质", "20"), ("经验", "10")]
    for n, row in enumerate(rows, start=1):
        name, maximum, *rest = row
        data[f"factor_{n}_id"] = rest[0] if rest else ""
        data[f"factor_{n}_auto"] = ""
        data[f"factor_{n}_name"] = name
        data[f"factor_{n}_max"] = maximum
        data[f"factor_{n}_guidance"] = f"{name}的评分说明"
    data.update(overrides)
    return data


def _url(proposal):
    return f"/procurement/new/{proposal.pk}/"


# --- the templates ----------------------------------------------------------------------------


@pytest.mark.parametrize("template", sheet_templates.TEMPLATES, ids=lambda t: t.key)
def test_every_template_is_a_lawful_sheet(template):
    total = template.price_points + sum(Decimal(f["max"]) for f in template.factors)
    assert total == Decimal(100)
    ids = [f["id"] for f in template.factors]
    assert len(set(ids)) == len(ids) and all(FACTOR_ID.match(i) for i in ids)
    assert all(f["name"] and f["guidance"] for f in template.factors)


def test_the_template_follows_the_projects_service_field():
    assert sheet_templates.template_for(["elderly"]).key == "elderly"
    assert sheet_templates.template_for(["legal_aid"]).key == "mediation"
    assert sheet_templates.template_for(["poverty_relief", "disability"]).key == "disability"
    assert sheet_templates.template_for([]).key == "general"
    assert sheet_templates.template_for(["poverty_relief"]).key == "general"


def test_a_new_tender_starts_from_the_template_of_its_field(world, login):
    proposal = factories.approved_proposal(world, required_fields=["mediation"])
    html = _html(login("purchaser").get(_url(proposal)))
    mediation = sheet_templates.template_get("mediation")
    for factor in mediation.factors:
        assert f'value="{factor["name"]}"' in html
        assert re.search(rf'<input type="hidden" name="factor_\d+_id" value="{factor["id"]}"', html)
    assert '<option value="mediation" selected>' in html
    assert re.search(r'data-testid="sheet-total"[^>]*>100<', html)
    assert "编号（小写英文字母开头）" not in html  # no id to type


# --- the sheet's total: one cent either side of 100 ------------------------------------------


@pytest.mark.parametrize(
    ("last", "saved", "shown"),
    [("9.99", False, "99.99"), ("10", True, "100"), ("10.01", False, "100.01")],
)
def test_the_server_refuses_a_sheet_that_does_not_add_up_to_100(world, login, last, saved, shown):
    proposal = factories.approved_proposal(world)
    c = login("purchaser")
    rows = [("服务方案", "40"), ("团队与资质", "20"), ("经验", last)]
    response = c.post(_url(proposal), _post(proposal, rows=rows))
    if saved:
        assert response.status_code == 302
        tender = Tender.objects.get(proposal=proposal)
        assert [f["max"] for f in tender.factors] == [40, 20, 10]
        return
    assert response.status_code == 200
    assert not Tender.objects.filter(proposal=proposal).exists()
    html = _html(response)
    sheet_error = re.search(r'data-testid="sheet-error">([^<]*)<', html).group(1)
    assert sheet_error == f"评分表：价格分与各评分因素分值之和须为 100 分，当前为 {shown} 分。"
    assert re.search(rf'data-testid="sheet-total"[^>]*>{re.escape(shown)}<', html)
    assert "须为 100 分</span>" in html


def test_a_factor_weight_with_three_decimals_is_refused_on_its_row(world, login):
    proposal = factories.approved_proposal(world)
    rows = [("服务方案", "40"), ("团队与资质", "19.995"), ("经验", "10.005")]
    response = login("purchaser").post(_url(proposal), _post(proposal, rows=rows))
    assert response.status_code == 200
    assert response.context["form"].errors["factor_2_max"]
    assert not Tender.objects.filter(proposal=proposal).exists()


# --- ids are generated, never typed -----------------------------------------------------------


def test_rows_get_ids_the_purchaser_never_types(world, login):
    proposal = factories.approved_proposal(world)
    rows = [
        ("服务方案", "40", "plan"),  # from a template: kept
        ("新增因素", "10"),  # added in the page: generated
        ("团队", "10", "plan"),  # a repeated id (a copied row): a new one
        ("安全", "10", "Not An Id"),  # a malformed one: a new one
    ]
    response = login("purchaser").post(_url(proposal), _post(proposal, rows=rows))
    assert response.status_code == 302
    factors = Tender.objects.get(proposal=proposal).factors
    assert [f["id"] for f in factors] == ["plan", "f1", "f2", "f3"]
    assert [f["name"] for f in factors] == ["服务方案", "新增因素", "团队", "安全"]
    assert factors[1]["guidance"] == "新增因素的评分说明"


def test_rows_may_be_numbered_with_gaps_and_blank_rows_are_ignored(world, login):
    proposal = factories.approved_proposal(world)
    data = _post(proposal, rows=[])
    for n, name, maximum in ((2, "服务方案", "50"), (7, "", ""), (12, "团队", "20")):
        data.update({f"factor_{n}_name": name, f"factor_{n}_max": maximum})
    response = login("purchaser").post(_url(proposal), data)
    assert response.status_code == 302
    factors = Tender.objects.get(proposal=proposal).factors
    assert [(f["name"], f["max"]) for f in factors] == [("服务方案", 50), ("团队", 20)]


def test_editing_a_draft_keeps_its_factor_ids(world, login):
    tender = factories.draft_tender(world)
    ids = [f["id"] for f in tender.factors]
    c = login("purchaser")
    edit = f"/procurement/tenders/{tender.pk}/edit/"
    form = c.get(edit).context["form"]
    data = _post(tender.proposal, rows=[])
    for name, bf in ((n, form[n]) for n in form.fields):
        if name.startswith("factor_"):
            data[name] = bf.value() if bf.value() is not None else ""
    data["factor_1_name"] = "服务方案（修订）"
    response = c.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    tender.refresh_from_db()
    assert [f["id"] for f in tender.factors] == ids
    assert tender.factors[0]["name"] == "服务方案（修订）"


# --- the row editor without JavaScript ---------------------------------------------------------


def _row_names(response) -> list[str]:
    form = response.context["form"]
    return [row.name.value() for row in form.factor_rows()]


def test_add_remove_and_apply_a_template_by_submitting(world, login):
    proposal = factories.approved_proposal(world)
    c = login("purchaser")
    url = _url(proposal)
    typed = _post(proposal, title="江苏路街道长者探访", description="每周两次上门")

    added = c.post(url, {**typed, "sheet_action": "add"})
    assert added.status_code == 200 and not Tender.objects.filter(proposal=proposal).exists()
    assert _row_names(added) == ["服务方案", "团队与资质", "经验", ""]
    assert not added.context["form"].is_bound  # nothing checked, no errors shown
    html = _html(added)
    assert 'value="江苏路街道长者探访"' in html and "每周两次上门" in html

    removed = c.post(url, {**typed, "sheet_action": "remove-2"})
    assert _row_names(removed) == ["服务方案", "经验"]
    assert re.search(r'data-testid="sheet-total"[^>]*>80<', _html(removed))

    applied = c.post(url, {**typed, "sheet_action": "template", "sheet_template": "elderly"})
    elderly = sheet_templates.template_get("elderly")
    assert _row_names(applied) == [f["name"] for f in elderly.factors]
    assert 'value="江苏路街道长者探访"' in _html(applied)
    assert not Tender.objects.filter(proposal=proposal).exists()

    # and saving what the template gave
    form = applied.context["form"]
    data = {**typed, "sheet_template": "elderly"}
    data = {k: v for k, v in data.items() if not k.startswith("factor_")}
    for name in form.fields:
        if name.startswith("factor_"):
            data[name] = form[name].value()
    assert c.post(url, data).status_code == 302
    saved = Tender.objects.get(proposal=proposal).factors
    assert [f["id"] for f in saved] == [f["id"] for f in elderly.factors]


# --- each method's fields ----------------------------------------------------------------------


def test_sections_say_which_methods_they_apply_to(world, login):
    proposal = factories.approved_proposal(world)
    html = _html(login("purchaser").get(_url(proposal)))
    assert 'data-methods="single_source agreement"' in html
    assert "仅适用于：单一来源、协议购买" in html
    assert 'data-methods="post_purchase"' in html and "仅适用于：岗位购买" in html
    assert "仅适用于：公开招标、竞争性磋商、岗位购买（综合评分法）" in html


def test_an_open_tender_ignores_the_fields_of_other_methods(world, login):
    proposal = factories.approved_proposal(world)
    org = Organization.objects.filter(status="active").first()
    data = _post(
        proposal,
        invited_organization=str(org.pk),
        justification="只有一家",
        posts="abc",  # hidden on the page: neither saved nor an error
        post_requirements="持证社工",
    )
    response = login("purchaser").post(_url(proposal), data)
    assert response.status_code == 302, response.context["form"].errors
    tender = Tender.objects.get(proposal=proposal)
    assert tender.invited_organization is None and tender.justification == ""
    assert tender.posts == 0 and tender.post_requirements == ""


def test_single_source_ignores_the_sheet_and_requires_its_own_fields(world, login):
    proposal = factories.approved_proposal(world, method="single_source")
    org = Organization.objects.filter(status="active").first()
    c = login("purchaser")
    junk_sheet = [("服务方案", "abc"), ("团队", "99")]  # hidden on the page: ignored

    refused = c.post(_url(proposal), _post(proposal, rows=junk_sheet, committee_size="-1"))
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert "须指定拟定的承接主体" in errors["invited_organization"][0]
    assert not any(k.startswith("factor_") or k == "committee_size" for k in errors)

    short = c.post(
        _url(proposal), _post(proposal, rows=junk_sheet, invited_organization=str(org.pk))
    )
    assert "不少于 10 个字" in short.context["form"].errors["justification"][0]

    saved = c.post(
        _url(proposal),
        _post(
            proposal,
            rows=junk_sheet,
            invited_organization=str(org.pk),
            justification="该组织是辖区唯一具备调解资质的社会组织，已连续三年承接。",
        ),
    )
    assert saved.status_code == 302
    tender = Tender.objects.get(proposal=proposal)
    assert tender.invited_organization == org and tender.committee_size == 0


def test_post_purchase_requires_the_posts(world, login):
    proposal = factories.approved_proposal(world, method="post_purchase")
    c = login("purchaser")
    refused = c.post(_url(proposal), _post(proposal))
    assert "岗位购买须填写岗位数" in refused.context["form"].errors["posts"][0]
    saved = c.post(
        _url(proposal), _post(proposal, posts="4", post_requirements="持证社工，每周五天")
    )
    assert saved.status_code == 302
    assert Tender.objects.get(proposal=proposal).posts == 4


def test_the_lowest_price_method_ignores_the_sheet(world, login):
    proposal = factories.approved_proposal(world)
    data = _post(proposal, rows=[("服务方案", "abc")], evaluation_method="lowest_price")
    response = login("purchaser").post(_url(proposal), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Tender.objects.get(proposal=proposal).evaluation_method == "lowest_price"


# --- never lose what was typed -------------------------------------------------------------------


def test_a_refused_form_comes_back_with_every_typed_value(world, login):
    proposal = factories.approved_proposal(world)
    deadline = timezone.localtime(_deadline()).strftime("%Y-%m-%dT%H:%M")
    typed = _post(
        proposal,
        rows=[("上门探访方案", "40"), ("护理团队", "20"), ("应急预案", "9.99")],
        title="长者探访（第二期）",
        description="每周两次上门，建立一人一档。",
        bid_security="12345.67",
        committee_size="7",
        reserve_count="2",
        deadline=deadline,
        required_fields=["elderly", "disability"],
        require_experience="on",
        grade_policy="preferred",
    )
    response = login("purchaser").post(_url(proposal), typed)
    assert response.status_code == 200 and not Tender.objects.filter(proposal=proposal).exists()
    html = _html(response)
    assert 'data-testid="form-errors"' in html
    for text in (
        'value="长者探访（第二期）"',
        "每周两次上门，建立一人一档。",
        'value="12345.67"',
        'name="committee_size" value="7"',
        'name="reserve_count" value="2"',
        f'value="{deadline}"',
        'value="上门探访方案"',
        'value="护理团队"',
        'value="9.99"',
        'value="应急预案的评分说明"',
    ):
        assert text in html, text
    form = response.context["form"]
    assert form["required_fields"].value() == ["elderly", "disability"]
    assert form["require_experience"].value() is True
    assert form["grade_policy"].value() == "preferred"


def test_the_deadline_says_the_rule_of_the_method(world, login):
    from caidan.jurisdiction.services import setting_update

    setting_update(key="consultation_period_days", value=12, actor=world.actor("admin"))
    proposal = factories.approved_proposal(world, method="consultation")
    html = _html(login("purchaser").get(_url(proposal)))
    assert "竞争性磋商自公告发布至投标截止不少于 12 日" in html  # the jurisdiction's setting
    rules = TenderForm.period_rules()
    assert "公开招标自公告发布至投标截止不少于 20 日" in rules["open_tender"]
    assert "单一来源公示不少于 5 个工作日" in rules["single_source"]
    assert rules["agreement"] == "北京时间，须为工作日（发布时检查）。"
