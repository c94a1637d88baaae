"""Survey slips (issue 20): each slip carries a QR code of the survey link, inline SVG made
by segno (no image file, no CDN); the code a resident types may have spaces and either case."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import segno
from django.utils import timezone

from caidan.evaluations.inputs import SurveyInput
from caidan.evaluations.models import SurveyResponse
from caidan.evaluations.services import survey_create
from caidan.evaluations.views.surveys import survey_qr_svg

from .factories import appointed_contract

pytestmark = pytest.mark.django_db


def test_slips_carry_the_qr_code_of_the_survey_link(world, login):
    c = appointed_contract(world)
    today = timezone.localdate()
    response = login("purchaser").post(
        f"/evaluations/contracts/{c.pk}/surveys/new/",
        {
            "title": "满意度调查",
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=10)).isoformat(),
            "tokens": "3",
        },
    )
    html = response.content.decode()
    link = response.context["link"]
    assert link.startswith("http://testserver/evaluations/s/")
    qr = segno.make(link, error="m")
    assert survey_qr_svg(link) == qr.svg_inline(
        scale=3, dark="#000", light="#fff", title="QR", omitsize=True
    )
    assert html.count('data-testid="slip-qr"') == 3
    assert html.count(survey_qr_svg(link)) == 3  # the SVG itself, not escaped, on each slip
    assert "<img" not in html.split('data-testid="tokens"')[1] and "//cdn" not in html
    # a different link makes a different code
    assert survey_qr_svg(link + "x") != survey_qr_svg(link)


@pytest.mark.parametrize(
    "typed",
    [
        lambda t: t.lower(),
        lambda t: t.replace("-", " "),
        lambda t: " " + t.replace("-", "  ").lower() + " ",
    ],
)
def test_a_code_typed_with_spaces_and_in_either_case_is_accepted_on_the_page(world, client, typed):
    c = appointed_contract(world)
    today = timezone.localdate()
    survey, tokens = survey_create(
        contract=c,
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title="满意度调查", opens_on=today, closes_on=today + dt.timedelta(days=5), tokens=1
        ),
    )
    answers = {f"q{n}": "5" for n, q in enumerate(survey.questions) if q["kind"] == "likert"}
    response = client.post(f"/evaluations/s/{survey.slug}/", {"token": typed(tokens[0]), **answers})
    assert response.status_code == 302, re.sub(r"\s+", " ", response.content.decode())[:600]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
