"""Survey respondent tokens: at least 64 bits, typeable (Crockford base32 in groups; spaces,
dashes and case do not matter), stored only as a keyed hash; slips printed before the change
keep working."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import math
import re

import pytest
from django.apps import apps as django_apps
from django.db import connection

from caidan.common.errors import ValidationError
from caidan.evaluations.models import SurveyToken
from caidan.evaluations.services import survey_respond
from caidan.evaluations.services import surveys as survey_services

from .test_surveys import likert, make_survey

pytestmark = pytest.mark.django_db

FORMAT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


def test_tokens_carry_at_least_64_bits_in_crockford_groups(world):
    survey, tokens = make_survey(world, tokens=200)
    assert all(FORMAT.match(t) for t in tokens), tokens[:3]
    bits = len(survey_services.normalize_token(tokens[0])) * math.log2(
        len(survey_services.CROCKFORD)
    )
    assert bits >= 64
    assert len(set(tokens)) == 200
    # every symbol is used (the alphabet really is 32 wide, not hex)
    assert set("".join(tokens).replace("-", "")) == set(survey_services.CROCKFORD)


def test_only_a_keyed_hash_is_stored(world, settings):
    survey, tokens = make_survey(world, tokens=3)
    stored = set(SurveyToken.objects.filter(survey=survey).values_list("token_hash", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM evaluations_surveytoken")
        dump = repr(cursor.fetchall())
    for token in tokens:
        norm = token.replace("-", "")
        assert token not in dump and norm not in dump
        # not a plain digest that a dump could be searched with
        for form in (token, norm):
            assert hashlib.sha256(form.encode()).hexdigest() not in stored
        keyed = hmac.new(
            settings.SURVEY_TOKEN_KEY.encode(), b"v2:" + norm.encode(), hashlib.sha256
        ).hexdigest()
        assert keyed in stored
    # under another key, no token matches: the key is part of the hash
    settings.SURVEY_TOKEN_KEY = "another-deployment-key-0123456789abcdef"
    with pytest.raises(ValidationError):
        survey_respond(slug=survey.slug, token=tokens[0], answers=likert(survey, 5))


def test_entry_with_spaces_lower_case_and_look_alikes_works(world):
    survey, tokens = make_survey(world, tokens=3)
    typed = tokens[0].replace("-", " ").lower()
    assert survey_respond(slug=survey.slug, token=f"  {typed} ", answers=likert(survey, 4))
    squashed = tokens[1].replace("-", "").lower()
    # O for 0, l or I for 1, as people read them off paper
    squashed = squashed.replace("0", "o").replace("1", "l")
    assert survey_respond(slug=survey.slug, token=squashed, answers=likert(survey, 4))


def test_a_wrong_token_is_refused(world):
    survey, tokens = make_survey(world, tokens=1)
    token = tokens[0]
    last = token[-1]
    wrong = token[:-1] + ("0" if last != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        survey_respond(slug=survey.slug, token=wrong, answers=likert(survey, 5))
    assert exc.value.field == "token"
    assert "15 位答卷码" in exc.value.message
    with pytest.raises(ValidationError):  # too short: a prefix is not the token
        survey_respond(slug=survey.slug, token=token[:-1], answers=likert(survey, 5))
    assert survey_respond(slug=survey.slug, token=token, answers=likert(survey, 5))


def test_old_slips_still_work_after_the_migration(world):
    """A token printed before (8 hex digits, stored as its plain SHA-256) is re-keyed by the
    migration and still answers, in either case; its old plain digest is gone."""
    survey, _ = make_survey(world, tokens=1)
    old_token = "A1B2C3D4"
    plain = hashlib.sha256(old_token.encode()).hexdigest()
    row = SurveyToken.objects.create(survey=survey, token_hash=plain)
    migration = importlib.import_module("caidan.evaluations.migrations.0002_survey_tokens_keyed")
    migration.rekey(django_apps, None)
    row.refresh_from_db()
    assert row.token_hash != plain
    assert not SurveyToken.objects.filter(token_hash=plain).exists()
    response = survey_respond(slug=survey.slug, token="a1b2 c3d4", answers=likert(survey, 3))
    assert response.token_id == row.pk


@pytest.mark.parametrize(
    ("extra", "refused"),
    [({}, True), ({"IDENTITY_HASH_KEY": "i" * 40}, False), ({"SURVEY_TOKEN_KEY": "s" * 40}, False)],
)
def test_production_refuses_to_start_without_a_survey_token_key(extra, refused):
    from tests.settings_env import production_env, run

    keys = {"SURVEY_TOKEN_KEY": None, "IDENTITY_HASH_KEY": None, **extra}
    result = run("import caidan.settings", production_env(**keys))
    if refused:
        assert result.returncode != 0
        assert "SURVEY_TOKEN_KEY" in result.stderr
    else:
        assert "SURVEY_TOKEN_KEY" not in result.stderr
