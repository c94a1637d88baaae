"""Satisfaction surveys (满意度调查): a public link per project, one answer per one-time
respondent token, scores feeding the 满意度 indicator; free text kept, personal data never
published."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caidan.accounts.permissions import require
from caidan.audit.kinds import EventKind
from caidan.audit.services import audit_record
from caidan.common.actor import Actor, user_of
from caidan.common.codes import Common
from caidan.common.errors import Conflict, NotFound, field_error
from caidan.common.perms import Perm
from caidan.evaluations.codes import Code

from .. import selectors
from ..inputs import MAX_TOKENS, SurveyInput
from ..models import Survey, SurveyResponse, SurveyToken
from .survey_totals import survey_totals_answer, survey_totals_create, survey_totals_tokens

LIKERT = (1, 2, 3, 4, 5)


# Respondent tokens: 15 characters of Crockford base32 (75 bits), printed in groups of five
# ("7KQ2M-X9D4T-HW3RB"). On entry spaces, dashes and case do not matter, and O/I/L are read
# as 0/1/1. Stored only as HMAC-SHA256 under ``settings.SURVEY_TOKEN_KEY``: a database dump
# cannot be searched for the tokens (not even the old 8-hex-digit ones, which migration
# evaluations 0002 re-keyed; see ``token_hash``).
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TOKEN_LENGTH = 15
TOKEN_GROUP = 5
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize_token(token: str) -> str:
    """What the respondent typed, as the canonical token: no spaces or dashes, upper case,
    O/I/L read as 0/1/1."""
    kept = "".join(ch for ch in str(token or "") if not ch.isspace() and ch not in "-_.")
    return kept.upper().translate(_READ_AS)


def _legacy(token: str) -> bool:
    return len(token) == 8 and all(ch in "0123456789ABCDEF" for ch in token)


def legacy_token_hash(old_sha256: str) -> str:
    """The stored form of a token issued before keyed hashing (8 hex digits, stored as their
    plain SHA-256): HMAC of that digest. Migration evaluations 0002 applies it to old rows."""
    key = settings.SURVEY_TOKEN_KEY.encode()
    return hmac.new(key, b"legacy:" + old_sha256.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """The keyed hash stored for a token (as typed, normalised first)."""
    norm = normalize_token(token)
    if _legacy(norm):
        return legacy_token_hash(hashlib.sha256(norm.encode()).hexdigest())
    key = settings.SURVEY_TOKEN_KEY.encode()
    return hmac.new(key, b"v2:" + norm.encode(), hashlib.sha256).hexdigest()


def new_token() -> str:
    raw = "".join(secrets.choice(CROCKFORD) for _ in range(TOKEN_LENGTH))
    return "-".join(raw[i : i + TOKEN_GROUP] for i in range(0, TOKEN_LENGTH, TOKEN_GROUP))


def _new_tokens(survey: Survey, count: int) -> list[str]:
    raw = [new_token() for _ in range(count)]
    SurveyToken.objects.bulk_create(
        [SurveyToken(survey=survey, token_hash=token_hash(t)) for t in raw]
    )
    survey_totals_tokens(survey_id=survey.pk, count=count)
    return raw


def survey_create(*, contract, data: SurveyInput, actor: Actor) -> tuple[Survey, list[str]]:
    """The purchaser opens a survey and gets ``data.tokens`` one-time respondent tokens (shown
    once, to print or send; only their hashes are stored)."""
    require(actor, Perm.EVALUATIONS_COMMISSION, contract)
    with transaction.atomic():
        if contract.status not in ("active", "completed"):
            raise Conflict(gettext_lazy("合同签订后才能开展满意度调查。"), code=Common.NOT_ACTIVE)
        survey = Survey.objects.create(
            contract=contract,
            title=data.title,
            slug=secrets.token_urlsafe(12)[:16],
            questions=data.question_rows(),
            opens_on=data.opens_on,
            closes_on=data.closes_on,
            created_by=user_of(actor),
        )
        survey_totals_create(survey)
        raw = _new_tokens(survey, data.tokens)
        audit_record(
            kind=EventKind.SURVEY_CREATED,
            actor=actor,
            target=contract,
            new={"survey": survey.pk, "tokens": data.tokens},
        )
    return survey, raw


def survey_tokens_add(*, survey: Survey, count: int, actor: Actor) -> list[str]:
    require(actor, Perm.EVALUATIONS_COMMISSION, survey.contract)
    if not isinstance(count, int) or not 1 <= count <= MAX_TOKENS:
        raise field_error(
            "count",
            gettext_lazy("答卷令牌数量须为 1–%(MAX_TOKENS)s。") % {"MAX_TOKENS": MAX_TOKENS},
        )
    with transaction.atomic():
        raw = _new_tokens(survey, count)
        audit_record(
            kind=EventKind.SURVEY_CREATED,
            actor=actor,
            target=survey.contract,
            new={"survey": survey.pk, "tokens_added": count},
        )
    return raw


def survey_get(slug: str) -> Survey:
    survey = (
        Survey.objects.select_related("contract", "contract__organization")
        .filter(slug=slug)
        .first()
    )
    if survey is None:
        raise NotFound(gettext_lazy("调查不存在。"))
    return survey


WRONG_TOKENS_PER_HOUR = 20


SURVEY_THROTTLE_SCOPE = "survey-wrong-token"


def _throttle_key(survey: Survey, ip: str) -> str:
    return f"{survey.pk}:{ip or 'unknown'}"


def survey_respond(
    *, slug: str, token: str, answers: Any, comment: str = "", ip: str = ""
) -> SurveyResponse:
    """A service recipient answers (no login: the one-time token is the credential). A
    token answers once, even when two submissions race (the database refuses the second).
    Guessing tokens is throttled: ``WRONG_TOKENS_PER_HOUR`` wrong ones per address."""
    from caidan.accounts.throttle import throttle_exceeded, throttle_hit
    from caidan.common.errors import TooManyRequests

    survey = survey_get(slug)
    key = _throttle_key(survey, ip)
    if throttle_exceeded(
        scope=SURVEY_THROTTLE_SCOPE,
        key=key,
        limit=WRONG_TOKENS_PER_HOUR,
        window=dt.timedelta(hours=1),
    ):
        raise TooManyRequests(
            gettext_lazy("答卷码错误次数过多，请一小时后再试。"), code=Code.THROTTLED
        )
    survey_check_open(survey)
    row = SurveyToken.objects.filter(survey=survey, token_hash=token_hash(token or "")).first()
    if row is None:
        throttle_hit(scope=SURVEY_THROTTLE_SCOPE, key=key)
        raise field_error(
            "token",
            gettext_lazy(
                "答卷码不正确，请核对纸条或短信上的 15 位答卷码（不区分大小写，可含空格或短横线）。"
            ),
        )
    clean, points, score = survey_answers_check(survey, answers)
    comment = (comment or "").strip()[:2000]
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                survey=survey,
                token=row,
                answers=clean,
                score=score,
                comment=comment,
                has_text=bool(selectors.free_texts(survey.questions, clean, comment)),
            )
            survey_totals_answer(survey_id=survey.pk, score=score, points=points)
            audit_record(
                kind=EventKind.SURVEY_ANSWERED,
                actor=Actor.anonymous(),
                target=survey.contract,
                new={"survey": survey.pk, "score": str(score)},
            )
    except IntegrityError:
        raise Conflict(
            gettext_lazy("该答卷码已经使用过，每份答卷码只能提交一次。"), code=Code.USED
        ) from None
    return response


def survey_check_open(survey: Survey, today=None) -> None:
    """Answers are taken from the survey's first to its last day (online and on paper)."""
    today = today or timezone.localdate()
    if today < survey.opens_on or today > survey.closes_on:
        raise Conflict(
            gettext_lazy("调查时间为 %(opens_on)s 至 %(closes_on)s。")
            % {"opens_on": survey.opens_on, "closes_on": survey.closes_on},
            code=Code.CLOSED,
        )


def survey_answers_check(
    survey: Survey, answers: Any
) -> tuple[dict[str, Any], dict[str, int], Decimal]:
    """One respondent's answers checked against the survey's questions — the same rule for
    an online answer and a paper slip: every 1–5 question answered with 1–5, text trimmed.
    Returns (clean answers, the points of the 1–5 questions, the score out of 100)."""
    if not isinstance(answers, dict):
        raise field_error("answers", gettext_lazy("请回答全部评分题。"))
    clean: dict[str, Any] = {}
    points: dict[str, int] = {}
    for q in survey.questions:
        value = answers.get(q["id"])
        if q["kind"] == "likert":
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise field_error(
                    f"answers.{q['id']}",
                    gettext_lazy("请为“%(text)s”选择 1–5 分。") % {"text": q["text"]},
                ) from None
            if number not in LIKERT:
                raise field_error(
                    f"answers.{q['id']}",
                    gettext_lazy("请为“%(text)s”选择 1–5 分。") % {"text": q["text"]},
                )
            clean[q["id"]] = points[q["id"]] = number
        else:
            clean[q["id"]] = str(value or "").strip()[:2000]
    score = (Decimal(sum(points.values())) * 100 / (5 * len(points))).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    return clean, points, score


def survey_results(
    survey: Survey, *, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Counts and means for publication, read from the survey's running totals, and one page
    of the free text (newest first; ``cursor`` from ``comments_next_cursor``) with phone and
    ID numbers masked. Costs the same at 10 answers and at 100,000."""
    counts = selectors.survey_counts(survey)
    page = selectors.survey_comments_page(survey=survey, cursor=cursor, limit=limit)
    return {
        "responses": counts.responses,
        "tokens": counts.tokens,
        "mean": counts.mean,
        "per_question": {
            q: counts.question_mean(q) for q in selectors.likert_ids(survey.questions)
        },
        "comments": [text for texts in page.items for text in texts],
        "comments_page": page,
        "comments_next_cursor": page.next_cursor,
    }
