"""Paper survey slips (issue 21): the template carries the survey's questions; a file is
imported all or nothing, each row checked like an online answer, each token once."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from caidan.accounts.models import Role
from caidan.audit.models import AuditEvent
from caidan.common.errors import PermissionDenied, ValidationError
from caidan.evaluations.models import SurveyResponse
from caidan.evaluations.services import survey_respond
from caidan.evaluations.services.paper_surveys import (
    COL_COMMENT,
    COL_TOKEN,
    paper_columns,
    survey_paper_import,
    survey_paper_template,
)

from .test_surveys import likert, make_survey

pytestmark = pytest.mark.django_db


def slip_file(survey, rows, name="纸质答卷.xlsx"):
    """An upload in the template's layout; each row: (token, score or {qid: value}, comment)."""
    cols = paper_columns(survey)
    book = Workbook()
    sheet = book.active
    sheet.append([h for h, _ in cols])
    for token, answers, comment in rows:
        if not isinstance(answers, dict):
            answers = {q["id"]: answers for q in survey.questions if q["kind"] == "likert"}
        line = []
        for header, qid in cols:
            if header == COL_TOKEN:
                line.append(token)
            elif header == COL_COMMENT:
                line.append(comment)
            else:
                line.append(answers.get(qid, ""))
        sheet.append(line)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def test_template_has_the_surveys_questions(world):
    survey, _tokens = make_survey(world)
    content = survey_paper_template(survey=survey, actor=world.actor("purchaser"))
    header = [c.value for c in load_workbook(io.BytesIO(content)).active[1]]
    assert header[0] == COL_TOKEN and header[-1] == COL_COMMENT
    assert len(header) == len(survey.questions) + 2
    assert all(q["text"] in h for q, h in zip(survey.questions, header[1:-1], strict=True))


def test_a_file_of_good_slips_counts_like_online_answers(world):
    survey, tokens = make_survey(world, tokens=4)
    survey_respond(slug=survey.slug, token=tokens[0], answers=likert(survey, 5))
    result = survey_paper_import(
        survey=survey,
        file=slip_file(survey, [(tokens[1].lower(), 4, "送餐很准时"), (tokens[2], 3, "")]),
        actor=world.actor("purchaser"),
    )
    assert result.imported == 2
    paper = SurveyResponse.objects.filter(survey=survey, on_paper=True)
    assert paper.count() == 2 and {str(r.score) for r in paper} == {"80.00", "60.00"}
    survey.totals.refresh_from_db()
    assert survey.totals.responses == 3
    event = AuditEvent.objects.filter(kind="survey.paper_imported").latest("id")
    assert event.new["count"] == 2 and event.actor_id == world.user("purchaser").pk


def test_a_token_used_online_is_refused_on_paper_and_nothing_is_written(world):
    survey, tokens = make_survey(world, tokens=3)
    survey_respond(slug=survey.slug, token=tokens[0], answers=likert(survey, 5))
    with pytest.raises(ValidationError) as err:
        survey_paper_import(
            survey=survey,
            file=slip_file(survey, [(tokens[1], 4, ""), (tokens[0], 4, "")]),
            actor=world.actor("purchaser"),
        )
    rows = err.value.detail["errors"]
    assert [(e["row"], e["field"]) for e in rows] == [(3, COL_TOKEN)]
    assert "已经使用过" in rows[0]["message"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1  # tokens[1] not written


def test_a_token_imported_twice_is_refused_the_second_time(world):
    survey, tokens = make_survey(world, tokens=3)
    purchaser = world.actor("purchaser")
    survey_paper_import(
        survey=survey, file=slip_file(survey, [(tokens[0], 4, "")]), actor=purchaser
    )
    with pytest.raises(ValidationError) as err:
        survey_paper_import(
            survey=survey, file=slip_file(survey, [(tokens[0], 4, "")]), actor=purchaser
        )
    assert err.value.detail["errors"][0]["row"] == 2
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_a_duplicate_row_in_one_file_refuses_the_whole_file(world):
    survey, tokens = make_survey(world, tokens=3)
    with pytest.raises(ValidationError) as err:
        survey_paper_import(
            survey=survey,
            file=slip_file(
                survey,
                [(tokens[0], 4, ""), (tokens[1], 5, ""), (tokens[0].replace("-", " "), 3, "")],
            ),
            actor=world.actor("purchaser"),
        )
    (only,) = err.value.detail["errors"]
    assert only["row"] == 4 and "第 2 行重复" in only["message"]
    assert not SurveyResponse.objects.filter(survey=survey).exists()


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", False), ("1", True), ("5", True), ("6", False), ("4.5", False), ("", False)],
)
def test_scores_are_checked_as_online_at_the_bounds(world, value, ok):
    survey, tokens = make_survey(world, tokens=1)
    first = next(q for q in survey.questions if q["kind"] == "likert")
    answers = {q["id"]: 3 for q in survey.questions if q["kind"] == "likert"}
    answers[first["id"]] = value
    run = lambda: survey_paper_import(  # noqa: E731
        survey=survey,
        file=slip_file(survey, [(tokens[0], answers, "")]),
        actor=world.actor("purchaser"),
    )
    if ok:
        assert run().imported == 1
    else:
        with pytest.raises(ValidationError) as err:
            run()
        (problem,) = err.value.detail["errors"]
        assert problem["row"] == 2 and first["text"] in problem["field"]


def test_unknown_token_and_other_units_are_refused(world):
    survey, tokens = make_survey(world, tokens=1)
    other, other_tokens = make_survey(world, tokens=1)
    with pytest.raises(ValidationError) as err:
        survey_paper_import(
            survey=survey,
            file=slip_file(survey, [(other_tokens[0], 4, "")]),
            actor=world.actor("purchaser"),
        )
    assert "不是本调查" in err.value.detail["errors"][0]["message"]
    with pytest.raises(PermissionDenied):
        survey_paper_import(
            survey=survey,
            file=slip_file(survey, [(tokens[0], 4, "")]),
            actor=world.actor("purchaser2"),
        )
    # the community worker of the contract's street may import
    worker = world.actor("worker", Role.COMMUNITY_WORKER)
    assert (
        survey_paper_import(
            survey=survey, file=slip_file(survey, [(tokens[0], 4, "")]), actor=worker
        ).imported
        == 1
    )


def test_paper_import_page_and_api(world, login, client, token_for):
    survey, tokens = make_survey(world, tokens=3)
    login("purchaser")
    page = client.get(f"/evaluations/surveys/{survey.pk}/paper/")
    assert page.status_code == 200 and "下载 Excel 模板" in page.content.decode()
    template = client.get(f"/evaluations/surveys/{survey.pk}/paper/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    bad = client.post(
        f"/evaluations/surveys/{survey.pk}/paper/",
        {"file": slip_file(survey, [(tokens[0], 4, ""), (tokens[0], 4, "")])},
    )
    assert bad.status_code == 400 and "import-errors" in bad.content.decode()
    good = client.post(
        f"/evaluations/surveys/{survey.pk}/paper/",
        {"file": slip_file(survey, [(tokens[0], 4, "")])},
    )
    assert good.status_code == 302
    resp = client.post(
        f"/api/v1/evaluations/surveys/{survey.pk}/paper",
        {"file": slip_file(survey, [(tokens[1], 5, "")])},
        **token_for("purchaser"),
    )
    assert resp.status_code == 201, resp.content
    assert resp.json() == {"survey_id": survey.pk, "imported": 1, "paper": 2, "total": 2}
    resp = client.post(
        f"/api/v1/evaluations/surveys/{survey.pk}/paper",
        {"file": slip_file(survey, [(tokens[1], 5, "")])},
        **token_for("purchaser"),
    )
    assert resp.status_code == 400 and resp.json()["detail"]["errors"][0]["row"] == 2


def test_workers_find_open_surveys_of_their_street(world, login, client):
    survey, _tokens = make_survey(world, tokens=1)
    login("worker")
    page = client.get("/evaluations/surveys/paper/")
    assert page.status_code == 200
    assert f"/evaluations/surveys/{survey.pk}/paper/" in page.content.decode()
    login("purchaser2")
    other = client.get("/evaluations/surveys/paper/")
    assert f"/evaluations/surveys/{survey.pk}/paper/" not in other.content.decode()
    login("resident")
    assert client.get("/evaluations/surveys/paper/").status_code == 403
