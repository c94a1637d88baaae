"""Expert scoring, private sheets, corrections (87号令 §64), voided scores and the evaluation
of a tender, checked against the pure engine (DOMAIN.md §4.1, §4.4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.notifications.models import Notification
from caidan.procurement import scoring
from caidan.procurement.inputs import ScoreCorrectionInput, SheetScoresInput, SheetVerdictsInput
from caidan.procurement.models import Bid, PanelMember, ScoreCorrection, ScoreSheet, Tender
from caidan.procurement.selectors_experts import panel_for, visible_sheets
from caidan.procurement.services import (
    award_confirm,
    evaluation_compute,
    evaluation_json,
    panel_declare,
    panel_draw,
    panel_recuse,
    panel_void,
)
from caidan.procurement.services.evaluation import (
    score_correct,
    scores_save,
    scores_submit,
    verdicts_save,
)

from .factories import expert_actor, make_expert_pool, opened_tender

FACTORS = ("plan", "team", "experience")  # max 40, 20, 10; price points 30


def seat(world, tender, *, declare=True):
    """Draw 5 members and 2 reserves from a pool of 7; the members declare no conflict."""
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    members = [m for m in panel_for(tender) if m.status == "drawn"]
    if declare:
        for m in members:
            panel_declare(member=m, no_conflict=True, actor=expert_actor(m.expert))
    return [PanelMember.objects.select_related("expert").get(pk=m.pk) for m in members]


def bids_by_price(tender) -> list[Bid]:
    return list(Bid.objects.filter(tender=tender, status="valid").order_by("price", "id"))


def sheet_of(bids, rows) -> dict:
    """``rows[i]`` = (plan, team, experience) for ``bids[i]``."""
    return {
        str(b.pk): dict(zip(FACTORS, row, strict=True)) for b, row in zip(bids, rows, strict=True)
    }


def score(member, bids, rows, *, submit=True):
    actor = expert_actor(member.expert)
    scores_save(
        member=member, data=SheetScoresInput.parse(scores=sheet_of(bids, rows)), actor=actor
    )
    if submit:
        scores_submit(member=member, actor=actor)


# Expert i gives the cheapest bid A (¥800,000) 30+i/15/8; B (¥900,000) 35/18/9;
# C (¥1,000,000) 38/19/10. A: mean 55 + 30 = 85.00; B: 62 + 26.666… = 88.67;
# C: 67 + 24 = 91.00 — so C ranks first although A is the cheapest.
def standard_rows(i):
    return [(30 + i, 15, 8), (35, 18, 9), (38, 19, 10)]


@pytest.fixture
def evaluated(world):
    tender = opened_tender(world)
    members = seat(world, tender)
    bids = bids_by_price(tender)
    for i, m in enumerate(members):
        score(m, bids, standard_rows(i))
    tender.refresh_from_db()
    return tender, members, bids


def test_five_experts_three_bids_rank_like_the_engine(world, evaluated):
    tender, members, bids = evaluated
    assert tender.status == "evaluated" and tender.evaluated_at is not None
    for b in bids:
        b.refresh_from_db()
    assert [b.price_score for b in bids] == [Decimal("30.00"), Decimal("26.67"), Decimal("24.00")]
    assert [b.total for b in bids] == [Decimal("85.00"), Decimal("88.67"), Decimal("91.00")]
    assert [b.rank for b in bids] == [3, 2, 1]
    data = evaluation_json(tender)
    assert tender.result["input"] == data
    assert tender.result["output"] == scoring.result_to_json(
        scoring.evaluate(scoring.parse_input(data))
    )
    assert [row["bidder"] for row in data["bids"]] == [b.organization.name for b in bids]
    assert sorted(data["scores"]) == sorted(m.expert.name for m in members)
    assert data["min_valid_bids"] == 3 and data["decimals"] == 2
    assert Notification.objects.filter(
        kind="tender.evaluated", recipient=world.user("purchaser")
    ).exists()


def test_price_score_example_of_domain_4_1(world):
    """Price points 30, valid bids ¥800,000 and ¥1,000,000 → 30.00 and 24.00 (consultation:
    two valid bids may proceed; a committee of 3)."""
    tender = opened_tender(
        world, method="consultation", prices=("800000.00", "1000000.00"), committee_size=3
    )
    make_expert_pool(world, 5)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    members = [m for m in panel_for(tender) if m.status == "drawn"]
    bids = bids_by_price(tender)
    for m in members:
        panel_declare(member=m, no_conflict=True, actor=expert_actor(m.expert))
        score(PanelMember.objects.get(pk=m.pk), bids, [(30, 15, 8), (30, 15, 8)])
    tender.refresh_from_db()
    assert tender.status == "evaluated"
    output = tender.result["output"]["ranking"]
    assert [(r["price_score"], r["total"], r["rank"]) for r in output] == [
        ("30.00", "83.00", 1),
        ("24.00", "77.00", 2),
    ]


def test_trimmed_mean_drops_highest_and_lowest_expert(world):
    tender = opened_tender(world, aggregate="trimmed_mean")
    members = seat(world, tender)
    bids = bids_by_price(tender)
    a_rows = [(25, 10, 5), (35, 10, 5), (37, 10, 5), (40, 13, 5), (40, 20, 10)]  # 40 50 52 58 70
    for m, a in zip(members, a_rows, strict=True):
        score(m, bids, [a, (30, 15, 8), (30, 15, 8)])
    tender.refresh_from_db()
    a, b, c = (Bid.objects.get(pk=x.pk) for x in bids)
    assert a.total == Decimal("83.33")  # 30 + (50 + 52 + 58) / 3; the plain mean gives 84.00
    assert (b.total, c.total) == (Decimal("79.67"), Decimal("77.00"))
    assert tender.result["input"]["aggregate"] == "trimmed_mean"
    assert tender.result["output"] == scoring.result_to_json(
        scoring.evaluate(scoring.parse_input(tender.result["input"]))
    )


def test_bid_over_budget_is_not_scored_and_becomes_invalid(world):
    tender = opened_tender(world, prices=("800000.00", "900000.00", "1000000.00", "1200000.00"))
    members = seat(world, tender)
    over = Bid.objects.get(tender=tender, price=Decimal("1200000.00"))
    with pytest.raises(ValidationError) as exc:
        scores_save(
            member=members[0],
            data=SheetScoresInput.parse(
                scores={str(over.pk): {"plan": 1, "team": 1, "experience": 1}}
            ),
            actor=expert_actor(members[0].expert),
        )
    assert "超过采购预算" in exc.value.message
    bids = [b for b in bids_by_price(tender) if b.pk != over.pk]
    for i, m in enumerate(members):
        score(m, bids, standard_rows(i))
    over.refresh_from_db()
    tender.refresh_from_db()
    assert over.status == "invalid" and over.rank is None
    assert len(over.invalid_reasons) == 1 and "超过采购预算" in over.invalid_reasons[0]
    assert len(tender.result["input"]["bids"]) == 4
    assert [r["bidder"] for r in tender.result["output"]["invalid"]] == [over.organization.name]
    # recomputing still sees the over-budget bid, and says so only once
    evaluation_compute(tender=tender, actor=world.actor("purchaser"))
    over.refresh_from_db()
    assert len(evaluation_json(tender)["bids"]) == 4 and len(over.invalid_reasons) == 1


def test_all_bids_over_budget_fails_the_tender(world):
    tender = opened_tender(world, prices=("1100000.00", "1200000.00", "1300000.00"))
    assert tender.status == "failed" and "预算" in tender.failed_reason
    make_expert_pool(world, 7)
    with pytest.raises(Conflict):
        panel_draw(tender=tender, actor=world.actor("purchaser"))


def review_all(members, bids, *, fails=None):
    """Every member submits its compliance review: all pass except ``fails`` =
    ``{member index: {bid: reason}}``."""
    fails = fails or {}
    for i, m in enumerate(members):
        verdicts = {str(b.pk): {"pass": True} for b in bids}
        for bid, reason in fails.get(i, {}).items():
            verdicts[str(bid.pk)] = {"pass": False, "reason": reason}
        actor = expert_actor(m.expert)
        verdicts_save(member=m, data=SheetVerdictsInput.parse(verdicts=verdicts), actor=actor)
        scores_submit(member=m, actor=actor)


def test_lowest_price_tender_is_ranked_by_price_after_the_committee_review(world):
    tender = opened_tender(
        world,
        evaluation_method="lowest_price",
        prices=("900000.00", "800000.00", "950000.00"),
        review=False,
    )
    # 87号令 §45–47: a committee even under the lowest-price method; no ranking at opening
    assert tender.status == "evaluating" and tender.committee_size == 5
    assert all(b.rank is None for b in bids_by_price(tender))
    members = seat(world, tender)
    bids = bids_by_price(tender)
    review_all(members, bids)
    tender.refresh_from_db()
    assert tender.status == "evaluated"
    bids = bids_by_price(tender)
    assert [b.rank for b in bids] == [1, 2, 3]
    assert [b.total for b in bids] == [b.price for b in bids]
    assert all(b.price_score is None for b in bids)
    data = evaluation_json(tender)
    assert data["method"] == "lowest_price" and "scores" not in data
    assert tender.result["output"] == scoring.result_to_json(
        scoring.evaluate(scoring.parse_input(data))
    )


def test_evaluation_waits_for_the_whole_committee(world):
    tender = opened_tender(world)
    members = seat(world, tender)
    bids = bids_by_price(tender)
    score(members[0], bids, standard_rows(0))
    with pytest.raises(Conflict) as exc:
        evaluation_compute(tender=tender, actor=world.actor("purchaser"))
    assert exc.value.code == "panel_incomplete" and "已提交有效评分 1 人" in exc.value.message
    tender.refresh_from_db()
    assert tender.status == "evaluating" and tender.result is None


# --- sheets -----------------------------------------------------------------------------------


def test_sheets_are_private_until_everyone_submitted(world):
    tender = opened_tender(world)
    members = seat(world, tender)
    bids = bids_by_price(tender)
    first, second = (expert_actor(m.expert) for m in members[:2])
    purchaser = world.actor("purchaser")
    score(members[0], bids, standard_rows(0))
    score(members[1], bids, standard_rows(1), submit=False)
    assert [s.member_id for s in visible_sheets(tender, first)] == [members[0].pk]
    assert [s.member_id for s in visible_sheets(tender, second)] == [members[1].pk]
    assert not visible_sheets(tender, purchaser).exists()
    assert not visible_sheets(tender, world.actor("expert")).exists()  # not on this panel
    assert not visible_sheets(tender, world.actor("provider")).exists()
    scores_submit(member=members[1], actor=second)
    for i, m in enumerate(members[2:], start=2):
        score(m, bids, standard_rows(i))
    assert visible_sheets(tender, first).count() == 5
    tender.refresh_from_db()
    assert visible_sheets(tender, purchaser).count() == 5
    assert not visible_sheets(tender, world.actor("purchaser2")).exists()


def test_scores_out_of_range_or_inexact_are_refused_naming_the_field(world):
    tender = opened_tender(world)
    members = seat(world, tender)
    bids = bids_by_price(tender)
    actor = expert_actor(members[0].expert)
    a = str(bids[0].pk)
    cases = [
        ({a: {"plan": "45"}}, f"scores.{a}.plan", "0–40"),
        ({a: {"team": -1}}, f"scores.{a}.team", "0–20"),
        ({a: {"plan": 30.5}}, f"scores.{a}.plan", "浮点数"),
        ({a: {"plan": "30.555"}}, f"scores.{a}.plan", "2 位小数"),
        ({a: {"price": 10}}, f"scores.{a}.price", "price"),
        ({"999999": {"plan": 10}}, "scores", "999999"),
        ({a: {"plan": "1e999999"}}, f"scores.{a}.plan", "分数"),
        ({a: {"plan": 10**30}}, f"scores.{a}.plan", "分数"),
    ]
    for scores, field, words in cases:
        with pytest.raises(ValidationError) as exc:
            scores_save(member=members[0], data=SheetScoresInput.parse(scores=scores), actor=actor)
        assert exc.value.field == field and words in exc.value.message
    sheet = scores_save(
        member=members[0], data=SheetScoresInput.parse(scores={a: {"plan": "30.5"}}), actor=actor
    )
    assert sheet.scores == {a: {"plan": "30.50"}}


def test_scoring_requires_a_declaration_and_own_seat(world):
    tender = opened_tender(world)
    members = seat(world, tender, declare=False)
    bids = bids_by_price(tender)
    with pytest.raises(Conflict) as exc:
        score(members[0], bids, standard_rows(0), submit=False)
    assert exc.value.code == "not_declared"
    panel_declare(member=members[0], no_conflict=True, actor=expert_actor(members[0].expert))
    with pytest.raises(PermissionDenied):
        scores_save(
            member=members[0],
            data=SheetScoresInput.parse(scores={}),
            actor=expert_actor(members[1].expert),
        )


def test_incomplete_sheet_cannot_be_submitted_and_submitted_is_final(world):
    tender = opened_tender(world)
    members = seat(world, tender)
    bids = bids_by_price(tender)
    actor = expert_actor(members[0].expert)
    rows = standard_rows(0)
    partial = sheet_of(bids[:2], rows[:2])
    partial[str(bids[0].pk)].pop("experience")
    scores_save(member=members[0], data=SheetScoresInput.parse(scores=partial), actor=actor)
    with pytest.raises(ValidationError) as exc:
        scores_submit(member=members[0], actor=actor)
    assert exc.value.field == "scores" and exc.value.code == "incomplete"
    assert "4 项未打分" in exc.value.message and bids[2].organization.name in exc.value.message
    assert ScoreSheet.objects.get(member=members[0]).submitted_at is None
    score(members[0], bids, rows)
    with pytest.raises(Conflict) as exc:
        scores_save(
            member=members[0], data=SheetScoresInput.parse(scores=sheet_of(bids, rows)), actor=actor
        )
    assert exc.value.code == "already_submitted"


# --- corrections ------------------------------------------------------------------------------


def test_correction_needs_an_allowed_reason_and_is_recorded(world, evaluated):
    tender, members, bids = evaluated
    actor = expert_actor(members[0].expert)
    with pytest.raises(ValidationError) as exc:
        score_correct(
            member=members[0],
            actor=actor,
            data=ScoreCorrectionInput.parse(
                bid=bids[0], factor="plan", new_value=35, reason="changed_mind"
            ),
        )
    assert exc.value.field == "reason"
    for label in (
        "分值汇总计算错误",
        "超出评分标准规定的分值范围",
        "客观评审因素评分不一致",
        "畸高、畸低",
    ):
        assert label in exc.value.message
    with pytest.raises(PermissionDenied):
        score_correct(
            member=members[0],
            actor=expert_actor(members[1].expert),
            data=ScoreCorrectionInput.parse(
                bid=bids[0], factor="plan", new_value=35, reason="sum_error"
            ),
        )
    correction = score_correct(
        member=members[0],
        actor=actor,
        data=ScoreCorrectionInput.parse(
            bid=bids[0], factor="plan", new_value="35", reason="sum_error", note="汇总时看错行"
        ),
    )
    assert (correction.old_value, correction.new_value) == (Decimal("30.00"), Decimal("35.00"))
    assert ScoreCorrection.objects.filter(sheet__member=members[0], reason="sum_error").count() == 1
    assert ScoreSheet.objects.get(member=members[0]).scores[str(bids[0].pk)]["plan"] == "35.00"
    # the evaluated tender is recomputed: A's mean rises by 1 (5 points / 5 experts)
    bids[0].refresh_from_db()
    assert bids[0].total == Decimal("86.00")
    tender.refresh_from_db()
    assert (
        tender.result["input"]["scores"][members[0].expert.name][bids[0].organization.name]["plan"]
        == "35.00"
    )


def test_correction_only_after_submission_and_before_award(world, evaluated):
    tender, members, bids = evaluated
    award_confirm(tender=tender, actor=world.actor("purchaser"))
    with pytest.raises(Conflict) as exc:
        score_correct(
            member=members[0],
            actor=expert_actor(members[0].expert),
            data=ScoreCorrectionInput.parse(
                bid=bids[0], factor="plan", new_value=35, reason="extreme"
            ),
        )
    assert exc.value.code == "bad_transition"
    other = opened_tender(world)
    seated = seat(world, other)
    other_bids = bids_by_price(other)
    score(seated[0], other_bids, standard_rows(0), submit=False)
    with pytest.raises(Conflict) as exc:
        score_correct(
            member=seated[0],
            actor=expert_actor(seated[0].expert),
            data=ScoreCorrectionInput.parse(
                bid=other_bids[0], factor="plan", new_value=35, reason="sum_error"
            ),
        )
    assert exc.value.code == "not_submitted"


# --- voided scores ----------------------------------------------------------------------------


def test_voiding_a_conflicted_experts_scores_and_rescoring(world, evaluated):
    tender, members, bids = evaluated
    purchaser = world.actor("purchaser")
    with pytest.raises(Conflict) as exc:
        panel_recuse(member=members[0], reason="应当回避", actor=purchaser)
    assert exc.value.code == "already_scored"
    panel_void(member=members[0], reason="评审后发现其两年前曾在投标人任职", actor=purchaser)
    voided = PanelMember.objects.get(pk=members[0].pk)
    assert voided.status == "voided" and ScoreSheet.objects.get(member=voided).voided
    tender.refresh_from_db()
    assert tender.status == "evaluated" and tender.result is None
    assert not Bid.objects.filter(tender=tender, rank__isnull=False).exists()
    with pytest.raises(Conflict):  # no award without a result
        award_confirm(tender=tender, actor=purchaser)
    replacement = voided.replaced_by
    assert replacement.status == "drawn" and replacement.position == 6
    panel_declare(member=replacement, no_conflict=True, actor=expert_actor(replacement.expert))
    replacement.refresh_from_db()
    score(replacement, bids, [(40, 15, 8), (35, 18, 9), (38, 19, 10)])
    tender.refresh_from_db()
    assert tender.status == "evaluated" and tender.result is not None
    experts = set(tender.result["input"]["scores"])
    assert members[0].expert.name not in experts and replacement.expert.name in experts
    assert tender.result["output"] == scoring.result_to_json(
        scoring.evaluate(scoring.parse_input(evaluation_json(tender)))
    )
    bids[0].refresh_from_db()
    assert bids[0].total == Decimal("87.00")  # A: (54 + 55 + 56 + 57 + 63) / 5 + 30


def test_void_needs_a_scored_member(world):
    tender = opened_tender(world)
    members = seat(world, tender)
    with pytest.raises(Conflict) as exc:
        panel_void(member=members[0], reason="应当回避", actor=world.actor("purchaser"))
    assert exc.value.code == "not_scored"
    assert Tender.objects.get(pk=tender.pk).status == "evaluating"


def test_bidders_with_the_same_name_are_told_apart_by_credit_code(world):
    from .factories import make_bidder

    twins = [make_bidder(world, name="同名养老服务社") for _ in range(2)]
    other = make_bidder(world)
    tender = opened_tender(
        world,
        evaluation_method="lowest_price",
        prices=("800000.00", "900000.00", "950000.00"),
        bidders=[*twins, other],
    )
    names = [row["bidder"] for row in evaluation_json(tender)["bids"]]
    assert names[2] == other.org.name
    assert names[:2] == [f"同名养老服务社（{t.org.uscc}）" for t in twins]
    assert tender.status == "evaluated"
