"""Surveys at 10 M answers (issue 18): running totals per survey (``SurveyTotals``,
``SurveyQuestionTotals``) backfilled from the answers; ``has_text`` on answers with a partial
index for the paged comments; a covering index ``(survey_id) INCLUDE (score)`` replaces the
foreign key's index and ``(survey_id, id)``; ``token_hash`` unique through a constraint (no
unused ``varchar_pattern_ops`` index on PostgreSQL); no default ordering on answers.

New indexes and constraints come before the ones they replace, so no moment lacks them.
"""

from collections import defaultdict
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

BATCH = 500
FK_INDEX = "evaluations_surveyresponse_survey_id_d220066c"  # Django's name for it

TEXT_FLAGS_PG = """
UPDATE {responses} AS r SET has_text = NOT r.has_text
FROM {surveys} AS s
WHERE s.id = r.survey_id AND r.survey_id = ANY(%s)
  AND r.has_text <> (r.comment <> '' OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(s.questions) AS q
        WHERE q->>'kind' = 'text' AND coalesce(r.answers->>(q->>'id'), '') <> ''))
"""


def _likert(questions):
    return [q["id"] for q in questions if q["kind"] == "likert"]


def _has_text(questions, answers, comment):
    if comment:
        return True
    return any(
        q["kind"] == "text" and isinstance(answers, dict) and answers.get(q["id"])
        for q in questions
    )


def backfill(apps, schema_editor):
    survey_model = apps.get_model("evaluations", "Survey")
    response_model = apps.get_model("evaluations", "SurveyResponse")
    token_model = apps.get_model("evaluations", "SurveyToken")
    totals_model = apps.get_model("evaluations", "SurveyTotals")
    question_model = apps.get_model("evaluations", "SurveyQuestionTotals")
    connection = schema_editor.connection
    last = 0
    while True:
        surveys = dict(
            survey_model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "questions")[:BATCH]
        )
        if not surveys:
            return
        ids = list(surveys)
        last = ids[-1]
        if connection.vendor == "postgresql":
            sql = TEXT_FLAGS_PG.format(
                responses=connection.ops.quote_name(response_model._meta.db_table),
                surveys=connection.ops.quote_name(survey_model._meta.db_table),
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [ids])
        else:
            rows = response_model.objects.filter(survey_id__in=ids).values_list(
                "pk", "survey_id", "answers", "comment"
            )
            flagged = [
                pk
                for pk, sid, answers, comment in rows
                if _has_text(surveys[sid], answers, comment)
            ]
            response_model.objects.filter(pk__in=flagged).update(has_text=True)
        totals = {pk: [0, 0, Decimal("0.00")] for pk in ids}  # responses, tokens, score sum
        points = {
            pk: dict.fromkeys(_likert(questions), (0, 0)) for pk, questions in surveys.items()
        }
        groups = defaultdict(list)
        for pk, questions in surveys.items():
            groups[tuple(_likert(questions))].append(pk)
        for qids, pks in groups.items():
            sums = {"n": Count("pk"), "s": Sum("score")}
            for i, q in enumerate(qids):
                value = Cast(KeyTextTransform(q, "answers"), IntegerField())
                sums[f"p{i}"], sums[f"c{i}"] = Sum(value), Count(value)
            rows = (
                response_model.objects.filter(survey_id__in=pks)
                .order_by()
                .values("survey_id")
                .annotate(**sums)
            )
            for row in rows:
                totals[row["survey_id"]][0] = row["n"]
                totals[row["survey_id"]][2] = row["s"] or Decimal("0.00")
                points[row["survey_id"]] = {
                    q: (row[f"p{i}"] or 0, row[f"c{i}"]) for i, q in enumerate(qids)
                }
        tokens = (
            token_model.objects.filter(survey_id__in=ids)
            .order_by()
            .values("survey_id")
            .annotate(n=Count("pk"))
        )
        for row in tokens:
            totals[row["survey_id"]][1] = row["n"]
        totals_model.objects.bulk_create(
            [
                totals_model(survey_id=pk, responses=n, tokens=t, score_sum=s)
                for pk, (n, t, s) in totals.items()
            ]
        )
        question_model.objects.bulk_create(
            [
                question_model(survey_id=pk, question=q, points=p, answers=c)
                for pk, by_question in points.items()
                for q, (p, c) in by_question.items()
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0002_survey_tokens_keyed")]

    operations = [
        migrations.CreateModel(
            name="SurveyTotals",
            fields=[
                (
                    "survey",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="totals",
                        serialize=False,
                        to="evaluations.survey",
                    ),
                ),
                ("responses", models.PositiveIntegerField(default=0, verbose_name="答卷数")),
                ("tokens", models.PositiveIntegerField(default=0, verbose_name="答卷码数")),
                (
                    "score_sum",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=14, verbose_name="得分合计"
                    ),
                ),
            ],
            options={"verbose_name": "答卷汇总", "verbose_name_plural": "答卷汇总"},
        ),
        migrations.CreateModel(
            name="SurveyQuestionTotals",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="question_totals",
                        to="evaluations.survey",
                    ),
                ),
                ("question", models.CharField(max_length=50, verbose_name="题目编号")),
                ("points", models.PositiveBigIntegerField(default=0, verbose_name="分数合计")),
                ("answers", models.PositiveIntegerField(default=0, verbose_name="作答数")),
            ],
            options={"verbose_name": "题目汇总", "verbose_name_plural": "题目汇总"},
        ),
        migrations.AddConstraint(
            model_name="surveyquestiontotals",
            constraint=models.UniqueConstraint(
                fields=("survey", "question"), name="survey_question_once"
            ),
        ),
        migrations.AlterModelOptions(
            name="surveyresponse",
            options={"verbose_name": "答卷", "verbose_name_plural": "答卷"},
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="has_text",
            field=models.BooleanField(db_default=False, default=False, verbose_name="含文字意见"),
        ),
        migrations.AddIndex(
            model_name="surveyresponse",
            index=models.Index(fields=["survey"], include=("score",), name="response_survey_score"),
        ),
        # The foreign key's own index goes (the covering index above serves it). Only the
        # index: Django's AlterField would also drop and re-validate the foreign key, a scan
        # of the whole table.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="surveyresponse",
                    name="survey",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="responses",
                        to="evaluations.survey",
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{FK_INDEX}"',
                    f'CREATE INDEX "{FK_INDEX}" ON "evaluations_surveyresponse" ("survey_id")',
                )
            ],
        ),
        migrations.RemoveIndex(model_name="surveyresponse", name="response_survey"),
        migrations.AddConstraint(
            model_name="surveytoken",
            constraint=models.UniqueConstraint(
                fields=("token_hash",), name="survey_token_hash_unique"
            ),
        ),
        migrations.AlterField(
            model_name="surveytoken",
            name="token_hash",
            field=models.CharField(max_length=64, verbose_name="令牌摘要"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        # after the backfill set has_text, so the partial index is built once
        migrations.AddIndex(
            model_name="surveyresponse",
            index=models.Index(
                condition=models.Q(("has_text", True)),
                fields=["survey", "-id"],
                name="response_survey_text",
            ),
        ),
    ]
