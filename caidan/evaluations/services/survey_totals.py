"""Running totals of the satisfaction surveys (``SurveyTotals``, ``SurveyQuestionTotals``):
kept by each answer in its own transaction with atomic ``F()`` updates, and rebuilt from the
answers in bulk (``survey_totals_rebuild``: the benchmark seeder, a repair, the migration).

Concurrency. An answer's ``UPDATE … SET responses = responses + 1`` locks the survey's totals
row until it commits, so concurrent answers queue on it and none is lost. A survey without a
totals row (loaded in bulk and not rebuilt yet) gets one on its first answer: the answer
locks the survey row, so concurrent first answers queue there, and builds the totals from the
answers, its own included. The rebuild locks a batch's survey rows and totals rows before it
counts, so an answer either committed before the count (and is counted) or waits for the
rebuild and then adds itself to the rebuilt row.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, PositiveBigIntegerField, Value, When

from ..models import Survey, SurveyQuestionTotals, SurveyResponse, SurveyTotals
from ..selectors import free_texts, likert_ids, survey_totals_computed

REBUILD_BATCH = 500


def survey_totals_create(survey: Survey) -> None:
    """Empty totals for a new survey (inside ``survey_create``'s transaction)."""
    SurveyTotals.objects.create(survey=survey)
    SurveyQuestionTotals.objects.bulk_create(
        [SurveyQuestionTotals(survey=survey, question=q) for q in likert_ids(survey.questions)]
    )


def _bump(survey_id: int, **increments) -> bool:
    """Add ``increments`` to the survey's totals row; False when the survey had none and its
    totals were built from the answers instead (which already count this change)."""
    changes = {name: F(name) + value for name, value in increments.items()}
    if SurveyTotals.objects.filter(survey_id=survey_id).update(**changes):
        return True
    # No totals yet: queue concurrent first writers on the survey row, then look again.
    list(Survey.objects.select_for_update().filter(pk=survey_id).values_list("pk"))
    if SurveyTotals.objects.filter(survey_id=survey_id).update(**changes):
        return True
    survey_totals_rebuild(survey_ids=[survey_id])
    return False


def survey_totals_answer(*, survey_id: int, score: Decimal, points: dict[str, int]) -> None:
    """Count one answer (its ``score`` and its 1–5 ``points`` by question) — called by
    ``survey_respond`` after it inserted the answer, in the same transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("survey totals change only inside the answer's transaction")
    if not _bump(survey_id, responses=1, score_sum=score):
        return
    if points:
        SurveyQuestionTotals.objects.filter(survey_id=survey_id, question__in=list(points)).update(
            points=F("points")
            + Case(
                *[When(question=q, then=Value(v)) for q, v in points.items()],
                default=Value(0),
                output_field=PositiveBigIntegerField(),
            ),
            answers=F("answers") + 1,
        )


def survey_totals_tokens(*, survey_id: int, count: int) -> None:
    """Count ``count`` new respondent tokens (in the transaction that created them)."""
    _bump(survey_id, tokens=count)


def survey_totals_rebuild(
    *,
    survey_ids: list[int] | None = None,
    batch: int = REBUILD_BATCH,
    texts: bool = False,
) -> int:
    """Recompute the totals of ``survey_ids`` (all surveys when None) from the answers and
    tokens, ``batch`` surveys per transaction and per aggregate query; creates missing rows
    and overwrites stale ones, so running it twice changes nothing. With ``texts``, also
    set each answer's ``has_text`` (for answers inserted in bulk without it). Returns the
    number of surveys rebuilt."""
    done = 0
    if survey_ids is not None:
        ids = sorted(set(survey_ids))
        for start in range(0, len(ids), batch):
            done += _rebuild_batch(ids[start : start + batch], texts=texts)
        return done
    last = 0
    while True:
        ids = list(
            Survey.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        done += _rebuild_batch(ids, texts=texts)
        last = ids[-1]


def _rebuild_batch(ids: list[int], *, texts: bool = False) -> int:
    with transaction.atomic():
        # Lock first, count after: see the module's docstring.
        surveys = list(
            Survey.objects.select_for_update().filter(pk__in=ids).values_list("pk", "questions")
        )
        list(SurveyTotals.objects.select_for_update().filter(survey_id__in=ids).values_list("pk"))
        if texts:
            _text_flags(dict(surveys))
        computed = survey_totals_computed(dict(surveys))
        SurveyTotals.objects.bulk_create(
            [
                SurveyTotals(
                    survey_id=pk, responses=c.responses, tokens=c.tokens, score_sum=c.score_sum
                )
                for pk, c in computed.items()
            ],
            update_conflicts=True,
            unique_fields=["survey"],
            update_fields=["responses", "tokens", "score_sum"],
        )
        SurveyQuestionTotals.objects.bulk_create(
            [
                SurveyQuestionTotals(survey_id=pk, question=q, points=points, answers=answers)
                for pk, c in computed.items()
                for q, (points, answers) in c.questions.items()
            ],
            update_conflicts=True,
            unique_fields=["survey", "question"],
            update_fields=["points", "answers"],
        )
    return len(surveys)


# An answer has free text when its comment or one of its survey's text questions is not
# empty (``selectors.free_texts``). On PostgreSQL one UPDATE per batch; elsewhere (SQLite,
# small) row by row in Python.
_TEXT_FLAGS_PG = """
UPDATE {responses} AS r SET has_text = NOT r.has_text
FROM {surveys} AS s
WHERE s.id = r.survey_id AND r.survey_id = ANY(%s)
  AND r.has_text <> (r.comment <> '' OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(s.questions) AS q
        WHERE q->>'kind' = 'text' AND coalesce(r.answers->>(q->>'id'), '') <> ''))
"""


def _text_flags(questions_by_survey: dict[int, list[dict]]) -> None:
    from django.db import connection

    ids = list(questions_by_survey)
    if connection.vendor == "postgresql":
        sql = _TEXT_FLAGS_PG.format(
            responses=connection.ops.quote_name(SurveyResponse._meta.db_table),
            surveys=connection.ops.quote_name(Survey._meta.db_table),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids])
        return
    rows = SurveyResponse.objects.filter(survey_id__in=ids).values_list(
        "pk", "survey_id", "answers", "comment", "has_text"
    )
    changed = [
        SurveyResponse(pk=pk, has_text=flag)
        for pk, survey_id, answers, comment, has_text in rows.iterator(chunk_size=2000)
        if (flag := bool(free_texts(questions_by_survey[survey_id], answers, comment))) != has_text
    ]
    SurveyResponse.objects.bulk_update(changed, ["has_text"], batch_size=1000)
