"""Satisfaction surveys: one response per token (also under concurrency), scores, and no
personal data in what is published."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.evaluations.inputs import SurveyInput
from caidan.evaluations.models import SurveyResponse, SurveyToken
from caidan.evaluations.services import (
    survey_create,
    survey_respond,
    survey_results,
    survey_tokens_add,
)

from .factories import appointed_contract

pytestmark = pytest.mark.django_db


def make_survey(world, tokens=3, **kwargs):
    contract = appointed_contract(world)
    today = timezone.localdate()
    return survey_create(
        contract=contract,
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title="长者探访服务满意度调查",
            opens_on=today,
            closes_on=today + dt.timedelta(days=14),
            tokens=tokens,
            **kwargs,
        ),
    )


def likert(survey, value):
    return {q["id"]: value for q in survey.questions if q["kind"] == "likert"}


def test_tokens_are_shown_once_and_stored_only_as_hashes(world):
    survey, tokens = make_survey(world)
    assert len(tokens) == 3 and len(set(tokens)) == 3
    stored = set(SurveyToken.objects.filter(survey=survey).values_list("token_hash", flat=True))
    assert not stored & set(tokens)
    more = survey_tokens_add(survey=survey, count=2, actor=world.actor("purchaser"))
    assert len(more) == 2 and survey.tokens.count() == 5
    with pytest.raises(PermissionDenied):
        survey_tokens_add(survey=survey, count=2, actor=world.actor("purchaser2"))


def test_one_response_per_token_with_a_score(world):
    survey, tokens = make_survey(world)
    r = survey_respond(slug=survey.slug, token=tokens[0].lower(), answers=likert(survey, 4))
    assert r.score == Decimal("80.00")
    with pytest.raises(Conflict) as exc:
        survey_respond(slug=survey.slug, token=tokens[0], answers=likert(survey, 5))
    assert exc.value.code == "used"
    with pytest.raises(ValidationError) as exc:
        survey_respond(slug=survey.slug, token="NOTATOKEN", answers=likert(survey, 5))
    assert exc.value.field == "token"
    answers = likert(survey, 5)
    answers["overall"] = 6
    with pytest.raises(ValidationError) as exc:
        survey_respond(slug=survey.slug, token=tokens[1], answers=answers)
    assert exc.value.field == "answers.overall"
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_outside_the_period_answers_are_refused(world):
    contract = appointed_contract(world)
    today = timezone.localdate()
    survey, tokens = survey_create(
        contract=contract,
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title="调查",
            opens_on=today + dt.timedelta(days=1),
            closes_on=today + dt.timedelta(days=5),
            tokens=1,
        ),
    )
    with pytest.raises(Conflict) as exc:
        survey_respond(slug=survey.slug, token=tokens[0], answers=likert(survey, 5))
    assert exc.value.code == "closed"


def test_results_publish_means_and_scrubbed_comments(world):
    survey, tokens = make_survey(world)
    survey_respond(
        slug=survey.slug,
        token=tokens[0],
        answers={**likert(survey, 5), "suggestion": "希望增加次数，请联系我13912345678"},
    )
    survey_respond(
        slug=survey.slug,
        token=tokens[1],
        answers=likert(survey, 3),
        comment="我的身份证号310105195001011234，服务很好",
    )
    results = survey_results(survey)
    assert results["responses"] == 2 and results["tokens"] == 3
    assert results["mean"] == Decimal("80.00")
    assert results["per_question"]["overall"] == Decimal("4.00")
    text = " ".join(results["comments"])
    assert "13912345678" not in text and "139****5678" in text
    assert "310105195001011234" not in text and "希望增加次数" in text


def test_survey_input_is_validated(world):
    with pytest.raises(ValidationError) as exc:
        make_survey(world, tokens=0)
    assert exc.value.field == "tokens"
    with pytest.raises(ValidationError) as exc:
        make_survey(world, questions=[{"id": "q", "text": "建议", "kind": "text"}])
    assert exc.value.field == "questions"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_response_per_token_under_concurrency(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and concurrent connections")
    survey, tokens = make_survey(world, tokens=1)
    barrier = threading.Barrier(4)
    results = []

    def answer():
        try:
            barrier.wait()
            survey_respond(slug=survey.slug, token=tokens[0], answers=likert(survey, 5))
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "used", "used", "used"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_guessing_tokens_is_throttled_per_address(world):
    from django.core.cache import cache

    from caidan.common.errors import TooManyRequests
    from caidan.evaluations.services.surveys import WRONG_TOKENS_PER_HOUR

    cache.clear()
    survey, tokens = make_survey(world)
    for _ in range(WRONG_TOKENS_PER_HOUR):
        with pytest.raises(ValidationError):
            survey_respond(
                slug=survey.slug, token="WRONG123", answers=likert(survey, 5), ip="10.0.0.9"
            )
    with pytest.raises(TooManyRequests):  # even the right token, from this address
        survey_respond(slug=survey.slug, token=tokens[0], answers=likert(survey, 5), ip="10.0.0.9")
    assert survey_respond(
        slug=survey.slug, token=tokens[0], answers=likert(survey, 5), ip="10.0.0.10"
    ).score == Decimal("100.00")
    cache.clear()
