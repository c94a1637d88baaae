"""Paper survey slips (纸质答卷, issue 21): residents who answer on paper write their answers
on the slip that carries their one-time token; staff type the slips into an Excel template
and upload it.

* The template has one row per slip: the token, one column per question (1–5 or text) and
  the comment. ``survey_paper_template`` writes it with the survey's own questions.
* Each row is checked exactly as an online answer is (``survey_answers_check``; the token
  must be one of this survey's and unused; the survey must be open), and a token may appear
  once in a file. All or nothing: any bad row refuses the whole file, naming each row.
* The answers are stored as online ones are (running totals included), marked
  ``on_paper``; the import is audited with who uploaded it and how many slips.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor
from caidan.common.errors import Conflict, DomainError
from caidan.common.perms import Perm
from caidan.common.xlsx import cell_text, import_failed, read_rows
from caidan.evaluations.codes import Code

from .. import selectors
from ..models import Survey, SurveyResponse, SurveyToken
from .survey_totals import survey_totals_answer
from .surveys import survey_answers_check, survey_check_open, token_hash

COL_TOKEN = "答卷码"  # noqa: S105 - a column header, not a secret
COL_COMMENT = "意见和建议"


def _question_header(n: int, q: dict) -> str:
    scale = "（1–5）" if q["kind"] == "likert" else ""
    return f"{n}. {q['text']}{scale}"


def paper_columns(survey: Survey) -> list[tuple[str, str | None]]:
    """(header, question id) of each column; the token and the comment have no question."""
    cols: list[tuple[str, str | None]] = [(COL_TOKEN, None)]
    cols += [(_question_header(n, q), q["id"]) for n, q in enumerate(survey.questions, 1)]
    cols.append((COL_COMMENT, None))
    return cols


def survey_paper_template(*, survey: Survey, actor: Actor) -> bytes:
    """The Excel template for this survey's paper slips: the columns, and a second sheet
    saying how to fill it in."""
    require(actor, Perm.EVALUATIONS_IMPORT_PAPER_SURVEYS, survey.contract)
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "纸质答卷"
    sheet.append([h for h, _ in paper_columns(survey)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    help_sheet = workbook.create_sheet("填写说明")
    for line in (
        "每张纸质答卷填一行，从第 2 行开始；第 1 行表头请勿修改。",
        "答卷码：抄录纸条上印的 15 位答卷码（可含短横线，不区分大小写）。每个答卷码只能出现一次。",
        "评分题：填 1–5 的整数（5 为非常满意）；每道评分题都必须填写。",
        "文字题和意见和建议：照录居民所写，不填写姓名、电话等个人信息。",
        "整个文件一次导入：任一行有错误时不会导入任何答卷，请按提示修改后重新上传。",
    ):
        help_sheet.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class PaperImportResult:
    survey: Survey
    imported: int


def survey_paper_import(*, survey: Survey, file, actor: Actor) -> PaperImportResult:
    """Import the paper slips of one file into ``survey``: every row checked as an online
    answer is, each token once (in the file and ever); all or nothing."""
    require(actor, Perm.EVALUATIONS_IMPORT_PAPER_SURVEYS, survey.contract)
    survey_check_open(survey)
    cols = paper_columns(survey)
    headers = [h for h, _ in cols]
    rows = read_rows(file, headers, required=headers)
    errors: list[dict[str, Any]] = []
    if not rows:
        errors.append({"row": 2, "field": COL_TOKEN, "message": gettext("文件中没有答卷行。")})
    header_of = {qid: h for h, qid in cols if qid}
    with transaction.atomic():
        hashes = {n: token_hash(cell_text(row.get(COL_TOKEN))) for n, row in rows}
        tokens = {
            t.token_hash: t
            for t in SurveyToken.objects.select_for_update(of=("self",))
            .filter(survey=survey, token_hash__in=set(hashes.values()))
            .select_related("response")
        }
        first_row: dict[str, int] = {}
        checked: list[tuple[SurveyToken, dict, dict, Any, str]] = []
        for number, row in rows:
            raw = cell_text(row.get(COL_TOKEN))
            row_errors: list[dict[str, Any]] = []
            token = tokens.get(hashes[number])
            if not raw:
                row_errors.append(
                    {"row": number, "field": COL_TOKEN, "message": gettext("请填写答卷码。")}
                )
            elif token is None:
                row_errors.append(
                    {
                        "row": number,
                        "field": COL_TOKEN,
                        "message": gettext("答卷码不正确：不是本调查发放的答卷码。"),
                    }
                )
            elif hashes[number] in first_row:
                row_errors.append(
                    {
                        "row": number,
                        "field": COL_TOKEN,
                        "message": gettext("答卷码与第 %(row)s 行重复：每个答卷码只能导入一次。")
                        % {"row": first_row[hashes[number]]},
                    }
                )
            elif hasattr(token, "response"):
                row_errors.append(
                    {
                        "row": number,
                        "field": COL_TOKEN,
                        "message": gettext("该答卷码已经使用过，每份答卷码只能提交一次。"),
                    }
                )
            if raw and hashes[number] not in first_row:
                first_row[hashes[number]] = number
            answers = {qid: cell_text(row.get(h)) for qid, h in header_of.items()}
            try:
                clean, points, score = survey_answers_check(survey, answers)
            except DomainError as exc:
                qid = (exc.field or "").removeprefix("answers.")
                row_errors.append(
                    {"row": number, "field": header_of.get(qid, COL_TOKEN), "message": exc.message}
                )
            if row_errors:
                errors += row_errors
                continue
            checked.append((token, clean, points, score, cell_text(row.get(COL_COMMENT))[:2000]))
        if errors:
            order = {h: i for i, h in enumerate(headers)}
            raise import_failed(sorted(errors, key=lambda e: (e["row"], order.get(e["field"], 0))))
        try:
            with transaction.atomic():  # an online answer racing a slip: the whole file waits
                for token, clean, points, score, comment in checked:
                    SurveyResponse.objects.create(
                        survey=survey,
                        token=token,
                        answers=clean,
                        score=score,
                        comment=comment,
                        has_text=bool(selectors.free_texts(survey.questions, clean, comment)),
                        on_paper=True,
                    )
                    survey_totals_answer(survey_id=survey.pk, score=score, points=points)
        except IntegrityError:
            raise Conflict(
                gettext("有答卷码刚刚在线使用过，未导入任何答卷；请重新上传，系统会指出是哪一行。"),
                code=Code.USED,
            ) from None
        audit_record(
            kind=EventKind.SURVEY_PAPER_IMPORTED,
            actor=actor,
            target=survey.contract,
            new={
                "survey": survey.pk,
                "count": len(checked),
                "file": getattr(file, "name", "") or "",
            },
        )
    return PaperImportResult(survey=survey, imported=len(checked))
