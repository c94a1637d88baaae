"""Surveys at scale (issue 18): running totals kept by each answer equal a recomputation from
the answers; the rebuild is idempotent and repairs; reads cost the same at 1 and at 30
answers; the published comments are paged newest first; on PostgreSQL no read scans the
answers table."""

from __future__ import annotations

import importlib
import io
import random
import threading
import types
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from caidan.common.errors import Conflict
from caidan.evaluations import selectors
from caidan.evaluations.models import (
    Survey,
    SurveyQuestionTotals,
    SurveyResponse,
    SurveyToken,
    SurveyTotals,
)
from caidan.evaluations.services import survey_respond, survey_results, survey_tokens_add
from caidan.evaluations.services.evaluations import contract_facts
from caidan.evaluations.services.survey_totals import survey_totals_rebuild

from .api_helpers import error, get, ok
from .test_surveys import make_survey

pytestmark = pytest.mark.django_db

LIKERT = ("attitude", "timeliness", "effect", "frequency", "overall")


def answer(survey, token, points, suggestion="", comment=""):
    return survey_respond(
        slug=survey.slug,
        token=token,
        answers={**dict(zip(LIKERT, points, strict=True)), "suggestion": suggestion},
        comment=comment,
    )


def stored(survey) -> dict:
    t = SurveyTotals.objects.get(survey=survey)
    return {
        "responses": t.responses,
        "tokens": t.tokens,
        "score_sum": t.score_sum,
        "questions": {
            q.question: (q.points, q.answers)
            for q in SurveyQuestionTotals.objects.filter(survey=survey)
        },
    }


def recomputed(survey) -> dict:
    """The totals counted by hand from the answers and tokens (not by the code under test)."""
    rows = list(SurveyResponse.objects.filter(survey=survey).values_list("answers", "score"))
    return {
        "responses": len(rows),
        "tokens": SurveyToken.objects.filter(survey=survey).count(),
        "score_sum": sum((score for _, score in rows), Decimal("0.00")),
        "questions": {
            q: (sum(a[q] for a, _ in rows), sum(1 for a, _ in rows if q in a)) for q in LIKERT
        },
    }


def test_totals_follow_every_answer_from_the_first(world):
    survey, tokens = make_survey(world, tokens=40)
    # a new survey has totals already: no answers, its tokens counted
    assert stored(survey) == recomputed(survey)
    assert stored(survey)["responses"] == 0 and stored(survey)["tokens"] == 40
    assert survey_results(survey)["mean"] is None
    assert survey_results(survey)["per_question"] == dict.fromkeys(LIKERT)

    answer(survey, tokens[0], (5, 4, 3, 2, 1))  # the first answer
    assert stored(survey) == recomputed(survey)
    assert stored(survey)["questions"]["attitude"] == (5, 1)

    rng = random.Random(18)
    for token in tokens[1:30]:
        answer(survey, token, [rng.randint(1, 5) for _ in LIKERT])
    survey_tokens_add(survey=survey, count=5, actor=world.actor("purchaser"))
    expected = recomputed(survey)
    assert stored(survey) == expected
    assert expected["responses"] == 30 and expected["tokens"] == 45

    results = survey_results(survey)
    assert results["responses"] == 30 and results["tokens"] == 45
    assert results["mean"] == (expected["score_sum"] / 30).quantize(Decimal("0.01"))
    points, n = expected["questions"]["overall"]
    assert results["per_question"]["overall"] == (Decimal(points) / n).quantize(Decimal("0.01"))


def test_a_refused_answer_changes_no_total(world):
    survey, tokens = make_survey(world, tokens=2)
    answer(survey, tokens[0], (4, 4, 4, 4, 4))
    before = stored(survey)
    with pytest.raises(Conflict):  # the token is used
        answer(survey, tokens[0], (5, 5, 5, 5, 5))
    assert stored(survey) == before == recomputed(survey)


def test_satisfaction_reads_the_totals_of_all_the_contracts_surveys(world):
    survey, tokens = make_survey(world, tokens=3)
    assert contract_facts(survey.contract)["satisfaction"] is None  # nobody answered yet
    answer(survey, tokens[0], (5, 5, 5, 5, 4))  # 96
    answer(survey, tokens[1], (3, 3, 3, 3, 3))  # 60
    assert contract_facts(survey.contract)["satisfaction"] == Decimal("78.00")
    with CaptureQueriesContext(connection) as ctx:
        selectors.contract_satisfaction(survey.contract)
    assert len(ctx.captured_queries) == 1
    assert "evaluations_surveytotals" in ctx.captured_queries[0]["sql"]


def test_rebuild_repairs_and_is_idempotent(world):
    survey, tokens = make_survey(world, tokens=5)
    other, other_tokens = make_survey(world, tokens=2)  # a survey nobody answers
    for token, value in zip(tokens[:4], (1, 2, 4, 5), strict=True):
        answer(survey, token, (value,) * 5, suggestion="建议" if value > 3 else "")
    SurveyTotals.objects.filter(survey=survey).update(responses=999, score_sum=1)
    SurveyQuestionTotals.objects.filter(survey=survey).update(points=0, answers=7)
    SurveyTotals.objects.filter(survey=other).delete()
    SurveyQuestionTotals.objects.filter(survey=other).delete()

    assert survey_totals_rebuild(batch=1) == Survey.objects.count()
    first = {s.pk: stored(s) for s in (survey, other)}
    assert first[survey.pk] == recomputed(survey)
    assert first[other.pk] == recomputed(other)
    assert first[other.pk]["responses"] == 0 and first[other.pk]["tokens"] == 2
    assert first[other.pk]["questions"] == dict.fromkeys(LIKERT, (0, 0))

    call_command("survey_totals_rebuild", "--totals-only", stdout=io.StringIO())
    assert {s.pk: stored(s) for s in (survey, other)} == first


def test_a_bulk_loaded_survey_gets_its_totals_on_rebuild_or_first_answer(world):
    """The benchmark seeder inserts answers in bulk, without totals or ``has_text``: reads
    stay right before the rebuild, and the first answer through the service builds them."""
    survey, tokens = make_survey(world, tokens=6)
    SurveyTotals.objects.filter(survey=survey).delete()
    SurveyQuestionTotals.objects.filter(survey=survey).delete()
    rows = SurveyToken.objects.filter(survey=survey).order_by("pk")[:3]
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                survey=survey,
                token=row,
                answers={**dict.fromkeys(LIKERT, 4), "suggestion": "多一些上门服务" if n else ""},
                score=Decimal("80.00"),
            )
            for n, row in enumerate(rows)
        ]
    )
    # before any rebuild: counted from the answers
    assert selectors.surveys_of(survey.contract)[0].n_responses == 3
    assert survey_results(survey)["responses"] == 3
    assert survey_results(survey)["per_question"]["overall"] == Decimal("4.00")

    call_command("survey_totals_rebuild", stdout=io.StringIO())
    assert stored(survey) == recomputed(survey)
    assert SurveyResponse.objects.filter(survey=survey, has_text=True).count() == 2
    assert survey_results(survey)["comments"] == ["多一些上门服务"] * 2

    SurveyTotals.objects.filter(survey=survey).delete()
    SurveyQuestionTotals.objects.filter(survey=survey).delete()
    answer(survey, tokens[5], (2, 2, 2, 2, 2))  # tokens are stored in order: not a used one
    assert stored(survey) == recomputed(survey)
    assert stored(survey)["responses"] == 4


def test_the_migration_backfills_totals_and_text_flags(world):
    survey, tokens = make_survey(world, tokens=4)
    answer(survey, tokens[0], (5,) * 5, comment="很好")
    answer(survey, tokens[1], (3,) * 5)
    SurveyTotals.objects.all().delete()
    SurveyQuestionTotals.objects.all().delete()
    SurveyResponse.objects.update(has_text=False)  # rows as they were before the column
    migration = importlib.import_module("caidan.evaluations.migrations.0003_survey_totals")
    migration.backfill(django_apps, types.SimpleNamespace(connection=connection))
    assert stored(survey) == recomputed(survey)
    assert list(SurveyResponse.objects.filter(has_text=True).values_list("comment", flat=True)) == [
        "很好"
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("without_totals", [False, True])
def test_concurrent_answers_lose_no_count(world, without_totals):
    """Six answers at once (on a survey loaded in bulk too, whose first answers build the
    totals): every one is counted."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and concurrent connections")
    survey, tokens = make_survey(world, tokens=6)
    if without_totals:
        SurveyTotals.objects.filter(survey=survey).delete()
        SurveyQuestionTotals.objects.filter(survey=survey).delete()
    barrier = threading.Barrier(len(tokens))
    failures = []

    def respond(token, value):
        try:
            barrier.wait()
            answer(survey, token, (value,) * 5)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=respond, args=(t, n % 5 + 1)) for n, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert stored(survey) == recomputed(survey)
    assert stored(survey)["responses"] == 6


# --- reads do not grow with the answers ----------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_reads_cost_the_same_for_1_and_30_answers(world, client):
    small, small_tokens = make_survey(world, tokens=1)
    answer(small, small_tokens[0], (4,) * 5, suggestion="一条意见")
    big, big_tokens = make_survey(world, tokens=30)
    for n, token in enumerate(big_tokens):
        answer(big, token, (n % 5 + 1,) * 5, suggestion=f"意见 {n}")
    make_survey(world, tokens=3)  # more surveys: another contract's do not count either

    def counts(survey):
        return (
            _queries(lambda: selectors.surveys_of(survey.contract)),
            _queries(lambda: survey_results(survey)),
            _queries(lambda: selectors.contract_satisfaction(survey.contract)),
            _queries(lambda: client.get(f"/evaluations/s/{survey.slug}/results/")),
            _queries(lambda: client.get(f"/api/v1/evaluations/surveys/{survey.slug}/results")),
        )

    assert counts(small) == counts(big)
    assert counts(big)[0] == 1 and counts(big)[1] <= 3


# --- comments, paged newest first ----------------------------------------------------------------


def test_comments_are_paged_newest_first(world, client):
    survey, tokens = make_survey(world, tokens=26)
    for n, token in enumerate(tokens[:25]):
        answer(survey, token, (4,) * 5, suggestion=f"意见 {n:02d}", comment="电话13912345678")
    answer(survey, tokens[25], (4,) * 5)  # no text: not on any page

    first = survey_results(survey)
    assert first["comments"][:2] == ["意见 24", "电话139****5678"]
    assert len(first["comments"]) == 40 and first["comments_next_cursor"]
    rest = survey_results(survey, cursor=first["comments_next_cursor"])
    assert rest["comments"][0] == "意见 04" and rest["comments"][-2] == "意见 00"
    assert len(rest["comments"]) == 10 and rest["comments_next_cursor"] is None
    assert rest["responses"] == 26  # the totals do not page

    body = ok(get(client, f"/surveys/{survey.slug}/results"))
    assert body["comments"] == first["comments"]
    assert body["comments_next_cursor"] == first["comments_next_cursor"]
    page = ok(get(client, f"/surveys/{survey.slug}/comments?limit=10"))
    assert [i["texts"][0] for i in page["items"]] == [f"意见 {n:02d}" for n in range(24, 14, -1)]
    assert page["items"][0]["texts"][1] == "电话139****5678" and page["limit"] == 10
    seen = [i["texts"][0] for i in page["items"]]
    while page["next_cursor"]:
        page = ok(get(client, f"/surveys/{survey.slug}/comments?cursor={page['next_cursor']}"))
        seen += [i["texts"][0] for i in page["items"]]
    assert seen == [f"意见 {n:02d}" for n in range(24, -1, -1)]
    error(get(client, f"/surveys/{survey.slug}/comments?cursor=nonsense"), 400, field="cursor")
    error(get(client, f"/surveys/{survey.slug}/comments?limit=1000"), 400, field="limit")
    error(get(client, "/surveys/nope/comments"), 404)

    html = client.get(f"/evaluations/s/{survey.slug}/results/")
    assert html.status_code == 200
    text = html.content.decode()
    assert text.count('data-testid="comment"') == 40 and "意见 24" in text and "意见 04" not in text
    assert f"?cursor={first['comments_next_cursor']}" in text
    older = client.get(
        f"/evaluations/s/{survey.slug}/results/?cursor={first['comments_next_cursor']}"
    )
    assert older.status_code == 200
    text = older.content.decode()
    assert "意见 04" in text and "意见 05" not in text and 'data-testid="comments-next"' not in text


# --- PostgreSQL: the plans use the indexes -------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
def test_reads_never_scan_the_answers_table(world):
    survey, tokens = make_survey(world, tokens=5)
    for n, token in enumerate(tokens):
        answer(survey, token, (n + 1,) * 5, suggestion="意见" if n % 2 else "")
    bulk, _ = make_survey(world, tokens=1)
    SurveyTotals.objects.filter(survey=bulk).delete()  # the fallback subqueries too
    with CaptureQueriesContext(connection) as ctx:
        selectors.surveys_of(survey.contract)
        selectors.surveys_of(bulk.contract)
        survey_results(survey)
        first = survey_results(survey, limit=1)
        survey_results(survey, cursor=first["comments_next_cursor"], limit=1)
        selectors.contract_satisfaction(survey.contract)
        selectors.contract_satisfaction(bulk.contract)
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert any("evaluations_surveyresponse" in sql for sql in reads)
    with connection.cursor() as cursor:
        # a tiny table is cheaper to scan: forbid it, so a missing index shows as a Seq Scan
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in reads:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on evaluations_surveyresponse" not in plan, (sql, plan)
        cursor.execute("SET LOCAL enable_seqscan = on")
