"""The legal edges of issue 15 (DOMAIN §4.7), each at its boundary:

2. every open tender and consultation has a lawful committee, also under the lowest-price
   method, where it reviews qualification and compliance before the price ranking
   (87号令 §45–47, §50, §57);
3. competitive consultation uses comprehensive scoring (财库〔2014〕214号 §23).

The draw: ``test_legal_edges_draw.py``; secrecy until opening: ``test_legal_edges_secrecy.py``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from caidan.common.errors import Conflict, ValidationError
from caidan.procurement.forms import TenderForm
from caidan.procurement.inputs import SheetScoresInput, SheetVerdictsInput, TenderInput
from caidan.procurement.models import Bid, Tender
from caidan.procurement.selectors_experts import panel_for
from caidan.procurement.services import (
    evaluation_compute,
    panel_declare,
    panel_draw,
    scores_submit,
    tender_update,
)
from caidan.procurement.services.evaluation import verdicts_save

from .api_helpers import API
from .factories import (
    approved_proposal,
    draft_tender,
    expert_actor,
    make_bidders,
    make_expert_pool,
    open_now,
    opened_tender,
    published_tender,
    submit_bids,
)

pytestmark = pytest.mark.django_db


# --- 2. every tender that needs a committee has a lawful one -------------------------------------


@pytest.mark.parametrize("evaluation_method", ["comprehensive", "lowest_price"])
@pytest.mark.parametrize(
    ("budget", "size", "ok"),
    [
        ("9999999.99", 3, False),
        ("9999999.99", 4, False),
        ("9999999.99", 5, True),
        ("9999999.99", 6, False),  # odd
        ("9999999.99", 7, True),
        ("10000000.00", 5, False),  # ≥ 7 from ¥10,000,000
        ("10000000.00", 6, False),
        ("10000000.00", 7, True),
        ("10000000.00", 8, False),
        ("10000000.01", 5, False),
        ("10000000.01", 7, True),
        ("10000000.01", 9, True),
    ],
)
def test_open_tender_committee_size_at_the_budget_boundary(
    world, evaluation_method, budget, size, ok
):
    tender = draft_tender(world, budget=budget, evaluation_method=evaluation_method)
    # the default is the smallest lawful committee, for either evaluation method
    assert tender.committee_size == (7 if Decimal(budget) >= Decimal("10000000.00") else 5)
    change = {"committee_size": size}
    if ok:
        tender = tender_update(tender=tender, changes=change, actor=world.actor("purchaser"))
        assert tender.committee_size == size
        return
    with pytest.raises(ValidationError) as exc:
        tender_update(tender=tender, changes=change, actor=world.actor("purchaser"))
    assert exc.value.field == "committee_size" and "87号令 §47" in exc.value.message


@pytest.mark.parametrize(("size", "ok"), [(1, False), (2, False), (3, True), (4, False), (5, True)])
def test_consultation_panel_is_at_least_three_and_odd(world, size, ok):
    tender = draft_tender(
        world,
        method="consultation",
        price_points=20,
        factors=[
            {"id": "plan", "name": "服务方案", "max": 50},
            {"id": "team", "name": "团队与资质", "max": 30},
        ],
    )
    assert tender.committee_size == 3
    if ok:
        tender_update(
            tender=tender, changes={"committee_size": size}, actor=world.actor("purchaser")
        )
        return
    with pytest.raises(ValidationError) as exc:
        tender_update(
            tender=tender, changes={"committee_size": size}, actor=world.actor("purchaser")
        )
    assert exc.value.field == "committee_size" and "财库〔2014〕214号" in exc.value.message


@pytest.mark.parametrize(
    ("method", "needs"),
    [
        ("open_tender", True),
        ("consultation", True),
        ("post_purchase", True),
        ("single_source", False),
        ("agreement", False),
    ],
)
def test_which_methods_need_a_committee(method, needs):
    from caidan.procurement.methods import committee_needed

    assert committee_needed(Tender(method=method, evaluation_method="comprehensive")) is needs


def test_lowest_price_tender_waits_for_the_committee_and_is_not_ranked_at_opening(world):
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    assert tender.status == "evaluating" and tender.result is None
    assert not Bid.objects.filter(tender=tender, rank__isnull=False).exists()
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    members = [m for m in panel_for(tender) if m.status == "drawn"]
    assert len(members) == 5
    with pytest.raises(Conflict) as exc:
        evaluation_compute(tender=tender, actor=world.actor("purchaser"))
    assert exc.value.code == "panel_incomplete"
    # 4 of 5 members submit: still no ranking
    bids = list(Bid.objects.filter(tender=tender, status="valid").order_by("price"))
    for m in members[:4]:
        actor = expert_actor(m.expert)
        panel_declare(member=m, no_conflict=True, actor=actor)
        verdicts_save(
            member=m,
            data=SheetVerdictsInput.parse(verdicts={str(b.pk): {"pass": True} for b in bids}),
            actor=actor,
        )
        scores_submit(member=m, actor=actor)
    tender.refresh_from_db()
    assert tender.status == "evaluating"
    last = members[4]
    actor = expert_actor(last.expert)
    panel_declare(member=last, no_conflict=True, actor=actor)
    verdicts_save(
        member=last,
        data=SheetVerdictsInput.parse(verdicts={str(b.pk): {"pass": True} for b in bids}),
        actor=actor,
    )
    scores_submit(member=last, actor=actor)
    tender.refresh_from_db()
    assert tender.status == "evaluated"
    assert [b.rank for b in Bid.objects.filter(tender=tender).order_by("price")] == [1, 2, 3]


def _review(tender, verdicts_by_member):
    """``verdicts_by_member[i] = {bid: reason or None (pass)}``; missing bids pass."""
    members = [m for m in panel_for(tender) if m.status == "drawn"]
    bids = list(Bid.objects.filter(tender=tender, status="valid").order_by("price", "id"))
    for i, m in enumerate(members):
        actor = expert_actor(m.expert)
        panel_declare(member=m, no_conflict=True, actor=actor)
        verdicts = {str(b.pk): {"pass": True} for b in bids}
        for bid, reason in verdicts_by_member.get(i, {}).items():
            verdicts[str(bid.pk)] = {"pass": False, "reason": reason}
        verdicts_save(member=m, data=SheetVerdictsInput.parse(verdicts=verdicts), actor=actor)
        scores_submit(member=m, actor=actor)
    tender.refresh_from_db()


@pytest.mark.parametrize(("failing_members", "excluded"), [(2, False), (3, True), (5, True)])
def test_a_bid_the_committee_fails_by_majority_is_excluded_with_its_reason(
    world, failing_members, excluded
):
    tender = opened_tender(
        world,
        evaluation_method="lowest_price",
        prices=("700000.00", "800000.00", "900000.00", "950000.00"),
        review=False,
    )
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    cheapest = Bid.objects.filter(tender=tender).order_by("price").first()
    _review(tender, {i: {cheapest: "未按采购文件要求提供服务方案"} for i in range(failing_members)})
    assert tender.status == "evaluated"
    cheapest.refresh_from_db()
    if excluded:
        assert cheapest.status == "invalid" and cheapest.rank is None
        assert "资格性和符合性审查不通过" in cheapest.invalid_reasons[0]
        assert "未按采购文件要求提供服务方案" in cheapest.invalid_reasons[0]
        ranks = [
            b.rank for b in Bid.objects.filter(tender=tender, status="valid").order_by("price")
        ]
        assert ranks == [1, 2, 3]
    else:
        assert cheapest.status == "valid" and cheapest.rank == 1


def test_committee_exclusion_can_fail_the_tender_below_the_minimum(world):
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    cheapest = Bid.objects.filter(tender=tender).order_by("price").first()
    _review(tender, {i: {cheapest: "资格证明文件缺失"} for i in range(5)})
    assert tender.status == "failed" and "有效投标" in tender.failed_reason


def test_equal_lowest_prices_are_tied_after_the_review(world):
    tender = opened_tender(
        world,
        evaluation_method="lowest_price",
        prices=("800000.00", "800000.00", "900000.00"),
    )
    assert tender.status == "evaluated"
    assert sorted(b.rank for b in Bid.objects.filter(tender=tender)) == [1, 1, 3]


def test_a_fail_needs_a_reason_and_the_review_has_no_scores(world):
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    member = next(m for m in panel_for(tender) if m.status == "drawn")
    actor = expert_actor(member.expert)
    panel_declare(member=member, no_conflict=True, actor=actor)
    bid = Bid.objects.filter(tender=tender).first()
    with pytest.raises(ValidationError) as exc:
        verdicts_save(
            member=member,
            data=SheetVerdictsInput.parse(verdicts={str(bid.pk): {"pass": False}}),
            actor=actor,
        )
    assert exc.value.field == f"verdicts.{bid.pk}.reason" and "87号令 §50" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        verdicts_save(
            member=member,
            data=SheetVerdictsInput.parse(verdicts={str(bid.pk): {"pass": "yes"}}),
            actor=actor,
        )
    assert exc.value.field == f"verdicts.{bid.pk}"
    verdicts_save(
        member=member,
        data=SheetVerdictsInput.parse(verdicts={str(bid.pk): {"pass": True}}),
        actor=actor,
    )
    with pytest.raises(ValidationError) as exc:  # the other two bids have no verdict yet
        scores_submit(member=member, actor=actor)
    assert exc.value.code == "incomplete" and exc.value.field == "verdicts"
    from caidan.procurement.services import scores_save

    with pytest.raises(Conflict) as exc:
        scores_save(member=member, data=SheetScoresInput.parse(scores={}), actor=actor)
    assert exc.value.code == "compliance_only"


def test_single_source_is_ranked_at_opening_without_a_committee(world):
    from caidan.procurement.methods import committee_needed

    bidder = make_bidders(world, 1)[0]
    tender = published_tender(
        world,
        method="single_source",
        invited_organization=bidder.org,
        justification="该服务只有一家机构具备资质，已公示五个工作日。",
        days=10,
    )
    assert tender.committee_size == 0 and not committee_needed(tender)
    submit_bids(world, tender, ["500000.00"], bidders=[bidder])
    tender = open_now(tender)
    assert tender.status == "evaluated"


def test_compliance_review_page_for_the_expert(world, client):
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    member = next(m for m in panel_for(tender) if m.status == "drawn")
    panel_declare(member=member, no_conflict=True, actor=expert_actor(member.expert))
    client.force_login(member.expert.user)
    url = f"/procurement/tenders/{tender.pk}/review/"
    html = client.get(url).content.decode()
    assert "资格性和符合性审查" in html and 'data-testid="compliance-table"' in html
    bids = list(Bid.objects.filter(tender=tender, status="valid"))
    posted = {"action": "save", f"v-{bids[0].pk}": "fail", f"r-{bids[0].pk}": ""}
    html = client.post(url, posted).content.decode()
    assert "须写明理由" in html
    posted[f"r-{bids[0].pk}"] = "缺少资质证明"
    assert client.post(url, posted).status_code == 302
    member.sheet.refresh_from_db()
    assert member.sheet.verdicts[str(bids[0].pk)] == {"pass": False, "reason": "缺少资质证明"}


# --- 3. competitive consultation uses comprehensive scoring --------------------------------------


def test_consultation_cannot_use_the_lowest_price_method(world, client, token_for):
    proposal = approved_proposal(world, method="consultation")
    from caidan.procurement.services import tender_create

    with pytest.raises(ValidationError) as exc:
        tender_create(
            actor=world.actor("purchaser"),
            data=TenderInput.parse(proposal=proposal, evaluation_method="lowest_price"),
        )
    assert exc.value.field == "evaluation_method" and "财库〔2014〕214号 §23" in exc.value.message
    # switching an open tender's draft to consultation keeps the rule
    tender = draft_tender(world, evaluation_method="lowest_price")
    with pytest.raises(ValidationError) as exc:
        tender_update(
            tender=tender,
            changes={"method": "consultation", "method_change_reason": "两家有效投标"},
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "evaluation_method"
    # through the API: 4xx naming the field and the source
    draft = draft_tender(world, method="consultation")
    resp = client.patch(
        f"{API}/tenders/{draft.pk}",
        data={"evaluation_method": "lowest_price"},
        content_type="application/json",
        **token_for("purchaser"),
    )
    assert 400 <= resp.status_code < 500, resp.content
    body = resp.json()
    assert body["detail"]["field"] == "evaluation_method" and "214号" in body["message"]


@pytest.mark.parametrize(
    ("method", "offered"),
    [
        ("open_tender", ["comprehensive", "lowest_price"]),
        ("consultation", ["comprehensive"]),
        ("post_purchase", ["comprehensive", "lowest_price"]),
    ],
)
def test_the_form_offers_only_the_evaluation_methods_that_apply(method, offered):
    form = TenderForm(initial={"method": method})
    assert [v for v, _ in form.fields["evaluation_method"].choices] == offered
    bound = TenderForm(data={"method": method, "evaluation_method": "lowest_price"})
    bound.is_valid()
    if "lowest_price" in offered:
        assert "evaluation_method" not in bound.errors
    else:
        assert "214号" in bound.errors["evaluation_method"][0]


def test_retendering_a_lowest_price_tender_as_consultation_switches_to_scoring(world):
    from caidan.procurement.services import tender_retender

    tender = opened_tender(
        world, evaluation_method="lowest_price", prices=("800000.00", "900000.00"), review=False
    )
    assert tender.status == "failed"  # two valid bids: fewer than three
    new = tender_retender(
        tender=tender,
        method="consultation",
        reason="公开招标只有两家有效投标",
        actor=world.actor("purchaser"),
    )
    assert new.evaluation_method == "comprehensive" and new.committee_size == 3
