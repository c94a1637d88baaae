"""Performance evaluation (财预〔2020〕10号, DOMAIN.md §3.6, §4.5): frameworks and weights,
grades at their boundaries, computed indicators, multi-subject totals, effects on payment
gates, renewal, bars and the track record, the evaluator's conflict check, overdue flags."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.tick import run_tick
from caidan.evaluations import formulas
from caidan.evaluations.inputs import FrameworkInput, PurchaserScoreInput, ScoresInput, SurveyInput
from caidan.evaluations.models import TrackRecord
from caidan.evaluations.services import (
    evaluation_publish,
    evaluation_purchaser_score,
    evaluation_schedule,
    evaluation_score,
    evaluator_appoint,
    framework_update,
    survey_create,
    survey_respond,
)
from caidan.evaluations.services.frameworks import template_indicators
from caidan.procurement.inputs import BidContentInput, SheetScoresInput
from tests.evaluations.factories import waive_missing

from .factories import appointed_contract, full_scores, scheduled

pytestmark = pytest.mark.django_db


# --- formulas on fixed data -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "excellent"),
        ("90.00", "excellent"),
        ("89.99", "good"),
        ("80.00", "good"),
        ("79.99", "fair"),
        ("60.00", "fair"),
        ("59.99", "poor"),
        ("0", "poor"),
    ],
)
def test_grade_boundaries(total, grade):
    assert formulas.grade_for(Decimal(total)) == grade


def test_computed_indicators_on_fixed_data():
    assert formulas.fund_arrival(Decimal("400000.00"), Decimal("800000.00")) == Decimal("0.5000")
    assert formulas.budget_execution(Decimal("380000.00"), Decimal("400000.00")) == Decimal(
        "0.9500"
    )
    assert formulas.completion(Decimal("2300"), Decimal("2400")) == Decimal("0.9583")
    assert formulas.cost_saving(Decimal("800000.00"), Decimal("760000.00")) == Decimal("0.0500")
    assert formulas.fund_arrival(Decimal("1"), Decimal("0")) is None
    assert formulas.indicator_score(Decimal("0.9583"), Decimal("20")) == Decimal("19.17")
    assert formulas.indicator_score(Decimal("1.2"), Decimal("20")) == Decimal("20.00")  # capped
    assert formulas.indicator_score(Decimal("-0.1"), Decimal("10")) == Decimal("0.00")


def test_weighted_total_renormalises_missing_subjects():
    weights = {"purchaser": 30, "recipients": 30, "evaluator": 40}
    full = {"purchaser": Decimal(90), "recipients": Decimal(80), "evaluator": Decimal(70)}
    assert formulas.weighted_total(full, weights) == Decimal("79.00")
    no_survey = {**full, "recipients": None}
    assert formulas.weighted_total(no_survey, weights) == Decimal("78.57")  # (27+28)/0.7


# --- frameworks ---------------------------------------------------------------------------------


def test_template_follows_the_settings_weights_and_validates():
    rows = FrameworkInput.parse(indicators=template_indicators()).rows()
    level1 = {r["category"]: Decimal(r["weight"]) for r in rows if r["level"] == 1}
    assert level1 == {"decision": 20, "process": 20, "output": 40, "effect": 20}
    assert any(r["computed"] == "satisfaction" and r["category"] == "effect" for r in rows)


def _with(rows, code, **changes):
    return [{**r, **changes} if r["code"] == code else r for r in rows]


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda rows: _with(rows, "D", weight="21"), "之和须为 100"),
        (lambda rows: _with(rows, "D1", weight="11"), "下级指标权重之和"),
        (lambda rows: [r for r in rows if r["code"] != "E2"], "下级指标权重之和"),
        (lambda rows: _with(rows, "E2", computed="magic"), "计算公式"),
        (lambda rows: _with(rows, "D1", parent="E"), "上级指标"),
        (lambda rows: _with(rows, "D", weight=20.0), "浮点数"),
    ],
)
def test_framework_weights_are_validated(mutate, words):
    with pytest.raises(ValidationError) as exc:
        FrameworkInput.parse(indicators=mutate(template_indicators()))
    assert words in exc.value.message


def test_output_and_effect_at_least_sixty():
    rows = template_indicators()
    rows = _with(rows, "D", weight="30")
    rows = _with(rows, "D1", weight="15")
    rows = _with(rows, "D2", weight="15")
    rows = _with(rows, "O", weight="30")
    rows = _with(rows, "O1", weight="15")
    rows = _with(rows, "O2", weight="7.5")
    rows = _with(rows, "O3", weight="7.5")
    with pytest.raises(ValidationError) as exc:
        FrameworkInput.parse(indicators=rows)
    assert "不得低于 60%" in exc.value.message


def test_project_framework_is_adjusted_then_frozen_at_the_first_evaluation(world):
    from caidan.evaluations.services import framework_for_contract

    contract = appointed_contract(world)
    framework = framework_for_contract(contract=contract, actor=world.actor("purchaser"))
    rows = _with(_with(framework.indicators, "E1", name="社区融入效果"), "E1", target="80%")
    framework = framework_update(
        framework=framework,
        actor=world.actor("purchaser"),
        data=FrameworkInput.parse(indicators=rows),
    )
    assert any(r["name"] == "社区融入效果" for r in framework.indicators)
    scheduled(world, "pre", contract=contract)
    framework.refresh_from_db()
    assert framework.frozen_at is not None
    with pytest.raises(Conflict) as exc:
        framework_update(
            framework=framework,
            actor=world.actor("purchaser"),
            data=FrameworkInput.parse(indicators=rows),
        )
    assert exc.value.code == "frozen"


# --- evaluator appointment -------------------------------------------------------------------------


def test_evaluator_conflict_check(world):
    from tests.contracts.factories import signed_contract
    from tests.procurement.factories import make_bidder

    contract = signed_contract(world)
    with pytest.raises(ValidationError) as exc:  # not an evaluator
        evaluator_appoint(
            contract=contract,
            organization=world.actor("hub").organization,
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "organization" and "第三方评估机构" in exc.value.message
    from caidan.orgs.services import organization_update

    provider = contract.organization
    hub = world.actor("hub").organization
    sibling = make_bidder(world).org
    registrar = world.actor("registrar")
    from caidan.orgs.services import organization_set_hub

    organization_set_hub(organization=provider, hub=hub, actor=registrar)
    organization_set_hub(organization=sibling, hub=hub, actor=registrar)
    organization_update(organization=sibling, changes={"is_evaluator": True}, actor=registrar)
    sibling.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        evaluator_appoint(contract=contract, organization=sibling, actor=world.actor("purchaser"))
    assert "同一枢纽组织" in exc.value.message
    with pytest.raises(PermissionDenied):
        evaluator_appoint(
            contract=contract,
            organization=world.actor("evaluator").organization,
            actor=world.actor("purchaser2"),
        )
    appointment = evaluator_appoint(
        contract=contract,
        organization=world.actor("evaluator").organization,
        actor=world.actor("purchaser"),
    )
    assert appointment.organization.name == "上海申杰社会组织培育评估中心"


# --- scoring, publication and effects -------------------------------------------------------------


def test_scores_need_evidence_and_stay_within_weights(world):
    e = scheduled(world)
    with pytest.raises(ValidationError) as exc:
        evaluation_score(
            evaluation=e,
            actor=world.actor("evaluator"),
            data=ScoresInput.parse(scores={"D1": {"score": "5"}}),
        )
    assert exc.value.field == "scores.D1.evidence"
    with pytest.raises(ValidationError) as exc:
        evaluation_score(
            evaluation=e,
            actor=world.actor("evaluator"),
            data=ScoresInput.parse(scores={"D1": {"score": "10.01", "evidence": "x"}}),
        )
    assert exc.value.field == "scores.D1.score"
    with pytest.raises(ValidationError) as exc:
        evaluation_score(
            evaluation=e,
            actor=world.actor("evaluator"),
            data=ScoresInput.parse(scores={"D": {"score": "5", "evidence": "x"}}),
        )
    assert exc.value.field == "scores.D"  # a parent is not scored
    with pytest.raises(PermissionDenied):
        evaluation_score(
            evaluation=e, actor=world.actor("purchaser"), data=ScoresInput.parse(scores={})
        )


def test_publication_needs_every_indicator_scored(world):
    e = scheduled(world)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(
            scores={"D1": {"score": "9", "evidence": "立项程序完整"}}, summary="总体良好"
        ),
    )
    with pytest.raises(ValidationError) as exc:
        waive_missing(world, e)
        evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert exc.value.field.startswith("scores.")


def test_total_combines_subjects_computed_indicators_and_grade(world):
    from tests.contracts.helpers import pay

    e = scheduled(world, "mid")
    contract = e.contract
    pay(world, contract, 1)  # 400,000 of 800,000 received → 资金到位率 0.5
    scores = full_scores(e)
    scores["O1"] = {"actual": "2300", "planned": "2400", "evidence": "服务台账"}
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=scores, summary="按计划推进"),
    )
    evaluation_purchaser_score(
        evaluation=e, actor=world.actor("purchaser"), data=PurchaserScoreInput.parse(score="85")
    )
    waive_missing(world, e)
    e = evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    # P1.1 (5 points) computed at 50 %; O1 (20) at 95.83 %; no fund statement and no survey
    # → the others scored by hand at full weight.
    assert e.computed["P1.1"] == {"rate": "0.5000", "score": "2.50"}
    assert e.computed["O1"]["score"] == "19.17"
    assert e.evaluator_score == Decimal("100") - Decimal("2.50") - Decimal("0.83")
    assert e.recipients_score is None and set(e.subject_weights) == {"purchaser", "evaluator"}
    expected = (Decimal(30) * 85 + Decimal(40) * e.evaluator_score) / 70
    assert e.total == expected.quantize(Decimal("0.01"))
    assert e.grade == formulas.grade_for(e.total) == "excellent"


def test_a_passed_midterm_opens_the_second_gate_and_only_it_does(world):
    from tests.contracts.helpers import pay

    e = scheduled(world, "mid")
    contract = e.contract
    with pytest.raises(Conflict) as exc:
        pay(world, contract, 2)
    assert exc.value.code == "gate_closed"
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
    )
    waive_missing(world, e)
    evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    second = contract.instalments.get(sequence=2)
    assert second.gate_opened_at is not None and "中期测评" in second.gate_note
    assert not contract.instalments.get(sequence=3).gate_opened_at
    pay(world, contract, 1)
    assert pay(world, contract, 2).amount == Decimal("280000.00")


def test_a_poor_midterm_keeps_the_gate_closed(world):
    e = scheduled(world, "mid")
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.5"), summary="差"),
    )
    waive_missing(world, e)
    e = evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert e.grade == "poor"
    assert not e.contract.instalments.get(sequence=2).gate_opened_at


def test_poor_final_bars_the_provider_blocks_renewal_and_enters_the_track_record(world):
    from caidan.contracts.services import contract_amend, contract_renew
    from caidan.orgs.eligibility import eligibility

    contract = appointed_contract(world)
    contract_amend(
        contract=contract,
        changes={"renewal_intent": True, "renewal_years": 2},
        rationale="需求稳定",
        actor=world.actor("purchaser"),
    )
    e = scheduled(world, "final", contract=contract)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.5"), summary="服务不达标"),
    )
    waive_missing(world, e)
    e = evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert e.grade == "poor"
    record = TrackRecord.objects.get(evaluation=e)
    assert record.organization == contract.organization and record.grade == "poor"
    ok, reasons = eligibility(contract.organization)
    assert not ok and any("负面清单" in r for r in reasons)
    with pytest.raises(Conflict) as exc:
        contract_renew(contract=contract, actor=world.actor("purchaser"))
    assert exc.value.code == "poor_grade"
    from caidan.procurement.services import bid_submit
    from tests.procurement.factories import published_tender

    tender = published_tender(world)
    with pytest.raises(ValidationError) as exc:
        bid_submit(
            tender=tender,
            organization=contract.organization,
            data=BidContentInput.parse({"price": "800000.00", "plan": "方案"}),
            actor=world.actor("provider"),
        )
    assert exc.value.code == "ineligible"


def test_good_final_opens_the_last_gate_without_a_bar(world):
    e = scheduled(world, "final")
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.85"), summary="良好"),
    )
    waive_missing(world, e)
    e = evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert e.grade == "good"
    assert e.contract.instalments.get(sequence=3).gate_opened_at is not None
    from caidan.orgs.models import ProviderBar

    assert not ProviderBar.objects.filter(organization=e.contract.organization).exists()


def test_survey_feeds_the_satisfaction_indicator_and_subject(world):
    contract = appointed_contract(world)
    survey, tokens = survey_create(
        contract=contract,
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title="服务对象满意度调查",
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + dt.timedelta(days=30),
            tokens=2,
        ),
    )
    all_fives = {q["id"]: 5 for q in survey.questions if q["kind"] == "likert"}
    all_fours = {q["id"]: 4 for q in survey.questions if q["kind"] == "likert"}
    survey_respond(slug=survey.slug, token=tokens[0], answers=all_fives)
    survey_respond(slug=survey.slug, token=tokens[1], answers=all_fours)
    e = scheduled(world, "mid", contract=contract)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e), summary="好"),
    )
    waive_missing(world, e)
    e = evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert e.recipients_score == Decimal("90.00")
    assert e.computed["E2"] == {"rate": "0.9000", "score": "9.00"}


# --- due dates and overdue flags -------------------------------------------------------------------


def test_final_due_two_months_after_the_year_on_a_working_day(world):
    from caidan.common.calendar import WorkingCalendar
    from caidan.evaluations.services.evaluations import add_months, default_due

    contract = appointed_contract(world)
    due = default_due(contract, "final")
    assert due >= add_months(contract.period_end, 2)
    assert WorkingCalendar().is_working_day(due)
    assert (due - add_months(contract.period_end, 2)).days < 7


def test_overdue_final_evaluation_flagged_once(world):
    from caidan.notifications.models import Notification

    e = scheduled(world, "final")
    before = timezone.make_aware(dt.datetime.combine(e.due_on, dt.time(12)))
    after = before + dt.timedelta(days=1)
    assert run_tick(now=before, only=["evaluations.overdue"])[0].changed == 0
    assert run_tick(now=after, only=["evaluations.overdue"])[0].changed == 1
    assert run_tick(now=after, only=["evaluations.overdue"])[0].changed == 0
    told = set(
        Notification.objects.filter(kind="evaluation.overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"purchaser", "evaluator"} <= told


def test_each_stage_once_and_an_evaluator_first(world):
    from tests.contracts.factories import signed_contract

    contract = signed_contract(world)
    with pytest.raises(Conflict) as exc:
        evaluation_schedule(contract=contract, stage="mid", actor=world.actor("purchaser"))
    assert exc.value.code == "no_evaluator"
    e = scheduled(world, "mid")
    with pytest.raises(Conflict):
        evaluation_schedule(contract=e.contract, stage="mid", actor=world.actor("purchaser"))


def test_published_report_pdf_is_public_and_holds_the_result(world, client):
    import io

    from pypdf import PdfReader

    e = scheduled(world, "final")
    url = f"/evaluations/{e.pk}/report.pdf"
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.85"), summary="服务规范，成效明显"),
    )
    client.force_login(world.user("purchaser"))
    assert client.get(url).status_code == 404  # not before publication
    client.logout()
    waive_missing(world, e)
    e = evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    page = client.get(f"/evaluations/{e.pk}/").content.decode()
    assert url in page
    resp = client.get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    for needle in (
        e.contract.reference,
        str(e.total),
        "良",
        "服务规范，成效明显",
        "资金到位率",
        "阳光家庭综合服务中心",
    ):
        assert needle in text, needle


def test_a_tender_may_score_the_track_record_automatically(world):
    """A final result enters the provider's track record, which a tender can use as a
    factor: max × mean final total ÷ 100, the same for every expert; 0 without a record."""
    from caidan.procurement.services import evaluation_json, panel_declare, panel_draw
    from caidan.procurement.services.evaluation import (
        scorable_bids,
        scores_save,
        scores_submit,
    )
    from tests.procurement.factories import (
        expert_actor,
        make_bidders,
        make_expert_pool,
        opened_tender,
    )

    e = scheduled(world, "final")
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.85"), summary="良好"),
    )
    waive_missing(world, e)
    e = evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    from tests.contracts.factories import demo_provider

    factors = [
        {"id": "plan", "name": "服务方案", "max": 60},
        {"id": "record", "name": "履约记录", "max": 10, "auto": "track_record"},
    ]
    with pytest.raises(ValidationError) as exc:
        opened_tender(world, factors=[{**factors[1], "max": 70}])
    assert exc.value.field == "factors"
    bidders = [demo_provider(world), *make_bidders(world, 2)]
    tender = opened_tender(world, factors=factors, bidders=bidders)
    make_expert_pool(world, 9)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    bids = scorable_bids(tender)
    for m in tender.panel.filter(status="drawn"):
        actor = expert_actor(m.expert)
        panel_declare(member=m, no_conflict=True, actor=actor)
        with pytest.raises(ValidationError):  # experts do not score automatic factors
            scores_save(
                member=m,
                data=SheetScoresInput.parse(
                    scores={str(b.pk): {"plan": "50", "record": "10"} for b in bids}
                ),
                actor=actor,
            )
        scores_save(
            member=m,
            data=SheetScoresInput.parse(scores={str(b.pk): {"plan": "50"} for b in bids}),
            actor=actor,
        )
        scores_submit(member=m, actor=actor)
    data = evaluation_json(tender)
    first_expert = next(iter(data["scores"].values()))
    points = e.total * 10 / 100
    assert first_expert["阳光家庭综合服务中心"]["record"] == str(points.quantize(Decimal("0.01")))
    assert all(
        v["record"] == "0.00" for k, v in first_expert.items() if k != "阳光家庭综合服务中心"
    )
    tender.refresh_from_db()
    assert tender.status == "evaluated"
    ranking = tender.result["output"]["ranking"]
    assert ranking[0]["bidder"] == "阳光家庭综合服务中心"
