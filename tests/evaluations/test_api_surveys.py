"""The evaluations API over HTTP (``/api/v1/evaluations``): surveys — created by the
purchaser, answered by token within their period, one token answering once even when two
submissions race — and hearings, recorded and read by the public."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from caidan.evaluations.inputs import SurveyInput
from caidan.evaluations.models import SurveyResponse
from tests.contracts.factories import draft_contract, signed_contract

from .api_helpers import API, error, get, ok, post
from .factories import appointed_contract

pytestmark = pytest.mark.django_db

LIKERT = ("attitude", "timeliness", "effect", "frequency", "overall")


def current_contract(world, appoint=True):
    """A signed contract whose service period began 60 days ago (hearings can be held)."""
    start = timezone.localdate() - dt.timedelta(days=60)
    end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    make = appointed_contract if appoint else signed_contract
    return make(world, period_start=start, period_end=end)


def likert(value):
    return dict.fromkeys(LIKERT, value)


def new_survey(client, contract, headers, tokens=3, **overrides):
    today = timezone.localdate()
    body = {
        "title": "长者探访服务满意度调查",
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=14)).isoformat(),
        "tokens": tokens,
        **overrides,
    }
    return post(client, f"/contracts/{contract.pk}/surveys", body, headers)


# --- surveys ------------------------------------------------------------------------------------


def test_create_answer_and_read_a_survey(world, client, token_for):
    purchaser = token_for("purchaser")
    contract = appointed_contract(world)

    error(new_survey(client, contract, None), 401)
    error(new_survey(client, contract, token_for("provider")), 403, "permission_denied")
    error(new_survey(client, contract, token_for("purchaser2")), 403, "out_of_scope")
    error(new_survey(client, contract, purchaser, title=" "), 400, field="title")
    error(new_survey(client, contract, purchaser, tokens=0), 400, field="tokens")
    error(new_survey(client, contract, purchaser, tokens=2001), 400, field="tokens")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    error(new_survey(client, contract, purchaser, closes_on=yesterday), 400, field="closes_on")
    error(new_survey(client, contract, purchaser, opens_on="soon"), 400, field="opens_on")
    error(
        new_survey(
            client, contract, purchaser, questions=[{"id": "q", "text": "意见", "kind": "text"}]
        ),
        400,
        field="questions",
    )
    draft = draft_contract(world)
    error(new_survey(client, draft, purchaser), 409, "not_active")
    error(new_survey(client, draft, token_for("hub")), 404)

    created = ok(new_survey(client, contract, purchaser), 201)
    slug, tokens = created["slug"], created["tokens"]
    assert len(tokens) == 3 and len(set(tokens)) == 3 and created["open"]
    assert [q["id"] for q in created["questions"]][:5] == list(LIKERT)

    # The public link: questions and period, no results and no tokens.
    public = ok(get(client, f"/surveys/{slug}"))
    assert public["title"] == "长者探访服务满意度调查" and public["open"]
    assert public["contract"]["organization"]["name"] == "阳光家庭综合服务中心"
    assert "tokens" not in public and "responses" not in public
    error(get(client, "/surveys/nope"), 404)

    answers = f"/surveys/{slug}/responses"
    error(post(client, answers, {"token": "WRONG123", "answers": likert(5)}), 400, field="token")
    error(post(client, answers, {"answers": likert(5)}), 400, field="token")
    error(
        post(client, answers, {"token": tokens[0], "answers": {**likert(5), "overall": 6}}),
        400,
        field="answers.overall",
    )
    error(post(client, "/surveys/nope/responses", {"token": tokens[0], "answers": likert(5)}), 404)
    got = ok(
        post(
            client,
            answers,
            {"token": tokens[0], "answers": likert(5), "comment": "很好，联系我 13812345678"},
        ),
        201,
    )
    assert got["score"] == "100.00" and got["slug"] == slug
    error(post(client, answers, {"token": tokens[0], "answers": likert(1)}), 409, "used")
    # The token is typed by hand: case and spaces do not make it a new one.
    error(
        post(client, answers, {"token": f" {tokens[0].lower()} ", "answers": likert(1)}),
        409,
        "used",
    )
    ok(post(client, answers, {"token": tokens[1], "answers": likert(3)}), 201)
    assert SurveyResponse.objects.filter(survey__slug=slug).count() == 2

    results = ok(get(client, f"/surveys/{slug}/results"))
    assert (results["responses"], results["tokens"], results["mean"]) == (2, 3, "80.00")
    assert {q["id"]: q["mean"] for q in results["questions"]} == dict.fromkeys(LIKERT, "4.00")
    assert results["comments"] == ["很好，联系我 138****5678"]
    error(get(client, "/surveys/nope/results"), 404)

    # More tokens, shown once.
    more = f"/surveys/{slug}/tokens"
    error(post(client, more, {"count": 2}), 401)
    error(post(client, more, {"count": 2}, token_for("provider")), 403)
    error(post(client, more, {"count": 0}, purchaser), 400, field="count")
    added = ok(post(client, more, {"count": 2}, purchaser), 201)["tokens"]
    assert len(added) == 2 and not set(added) & set(tokens)
    ok(post(client, answers, {"token": added[0], "answers": likert(4)}), 201)

    # The purchaser's list of the project's surveys.
    listing = f"/contracts/{contract.pk}/surveys"
    error(get(client, listing), 401)
    error(get(client, listing, token_for("hub")), 403)
    rows = ok(get(client, listing, purchaser))
    assert [(r["slug"], r["responses"], r["tokens"]) for r in rows] == [(slug, 3, 5)]
    assert ok(get(client, listing, token_for("evaluator"))) == rows


def test_a_survey_answers_only_within_its_period(world, client, token_for):
    contract = appointed_contract(world)
    later = timezone.localdate() + dt.timedelta(days=3)
    created = ok(
        new_survey(
            client,
            contract,
            token_for("purchaser"),
            opens_on=later.isoformat(),
            closes_on=(later + dt.timedelta(days=7)).isoformat(),
        ),
        201,
    )
    assert not created["open"]
    error(
        post(
            client,
            f"/surveys/{created['slug']}/responses",
            {"token": created["tokens"][0], "answers": likert(5)},
        ),
        409,
        "closed",
    )
    assert not SurveyResponse.objects.filter(survey__slug=created["slug"]).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_token_answers_once_when_two_submissions_race(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and concurrent connections (SQLite serialises writers)")
    from caidan.evaluations.services import survey_create

    today = timezone.localdate()
    survey, tokens = survey_create(
        contract=appointed_contract(world),
        actor=world.actor("purchaser"),
        data=SurveyInput.parse(
            title="满意度调查", opens_on=today, closes_on=today + dt.timedelta(days=7), tokens=1
        ),
    )
    barrier = threading.Barrier(2)
    results = []

    def answer(value):
        try:
            client = Client()
            barrier.wait()
            resp = client.post(
                f"{API}/surveys/{survey.slug}/responses",
                data={"token": tokens[0], "answers": likert(value)},
                content_type="application/json",
            )
            results.append((resp.status_code, resp.json().get("code")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(v,)) for v in (5, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == [201, 409]
    assert (409, "used") in results
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


# --- hearings -------------------------------------------------------------------------------------


def test_record_and_read_hearings(world, client, token_for):
    purchaser = token_for("purchaser")
    contract = current_contract(world, appoint=False)
    url = f"/contracts/{contract.pk}/hearings"
    held = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    body = {
        "held_on": held,
        "participants": "居民代表 12 人，楼组长 5 人",
        "opinions": "希望增加周末探访。",
        "place": "社区事务受理中心",
    }

    error(post(client, url, body), 401)
    error(post(client, url, body, token_for("provider")), 403, "permission_denied")
    error(post(client, url, body, token_for("purchaser2")), 403, "out_of_scope")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    error(post(client, url, {**body, "held_on": tomorrow}, purchaser), 400, field="held_on")
    error(post(client, url, {**body, "held_on": "last week"}, purchaser), 400, field="held_on")
    error(post(client, url, {**body, "opinions": " "}, purchaser), 400, field="opinions")
    error(
        post(client, url, {**body, "participants": "王阿姨 13812345678"}, purchaser),
        400,
        "personal_data",
        "participants",
    )
    first = ok(post(client, url, body, purchaser), 201)
    assert first["held_on"] == held and first["follow_up"] == ""
    earlier = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    second = ok(post(client, url, {**body, "held_on": earlier}, purchaser), 201)
    error(post(client, url, body, purchaser), 409, "too_many_hearings")

    # Public, in date order; a draft's are nobody else's business.
    assert [h["id"] for h in ok(get(client, url))] == [second["id"], first["id"]]
    draft = draft_contract(world)
    error(get(client, f"/contracts/{draft.pk}/hearings"), 404)
    assert ok(get(client, f"/contracts/{draft.pk}/hearings", purchaser)) == []

    follow = f"{url}/{first['id']}/follow-up"
    error(post(client, follow, {"follow_up": "已增加"}), 401)
    error(post(client, follow, {"follow_up": "已增加"}, token_for("provider")), 403)
    error(post(client, follow, {"follow_up": " "}, purchaser), 400, field="follow_up")
    other = current_contract(world, appoint=False)
    error(
        post(
            client,
            f"/contracts/{other.pk}/hearings/{first['id']}/follow-up",
            {"follow_up": "x"},
            purchaser,
        ),
        404,
    )
    done = ok(post(client, follow, {"follow_up": "已增加周六上午探访。"}, purchaser))
    assert done["follow_up"] == "已增加周六上午探访。"
    assert ok(get(client, url))[1]["follow_up"] == "已增加周六上午探访。"
