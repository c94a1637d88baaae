"""A hub bundle's evaluation attributes a score and output to each member's part; the
published final results are each member's public track record "经由枢纽 X" (issue 21)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from tests.projects.hubs import bundle_contract, make_hub, published_final, scheduled_final

pytestmark = pytest.mark.django_db


def test_parts_are_scored_then_published_to_each_members_track_record(world, client):
    hw = make_hub(world)
    c = bundle_contract(world, hw)
    e = published_final(world, c, {1: "88.5"})  # part 2 left to the total
    results = {r.part.position: r for r in e.part_results.select_related("part")}
    assert (results[1].score, results[1].grade, results[1].scored_by_evaluator) == (
        Decimal("88.50"),
        "good",
        True,
    )
    assert (results[2].score, results[2].grade) == (e.total, e.grade)
    assert not results[2].scored_by_evaluator
    assert results[1].hub == hw.hub.org and results[1].organization == hw.members[0].org
    # the member's public track record: its part, marked as delivered through the hub
    html = client.get(f"/evaluations/track-record/{hw.members[0].org.pk}/").content.decode()
    assert 'data-testid="part-record"' in html
    assert f"经由枢纽 {hw.hub.org.name}" in html and "88.50" in html
    body = client.get(f"/api/v1/evaluations/track-records/{hw.members[0].org.pk}").json()
    assert [(p["hub"]["id"], p["score"], p["grade"]) for p in body["parts"]] == [
        (hw.hub.org.pk, "88.50", "good")
    ]
    # the evaluation page shows each member's part
    page = client.get(f"/evaluations/{e.pk}/").content.decode()
    assert 'data-testid="part-results"' in page and "第 1 部分的产出" in page
    # once published, the parts can no longer be changed
    from caidan.evaluations.services.parts import evaluation_parts_score

    with pytest.raises(Conflict):
        evaluation_parts_score(
            evaluation=e,
            rows=[{"part": str(results[1].part_id), "score": "99"}],
            actor=world.actor("evaluator"),
        )


def test_part_scores_are_checked_row_by_row(world):
    from caidan.evaluations.services.parts import evaluation_parts_score

    hw = make_hub(world)
    c = bundle_contract(world, hw)
    e = scheduled_final(world, c)
    p1, p2 = c.parts.order_by("position")
    with pytest.raises(ValidationError) as exc:
        evaluation_parts_score(
            evaluation=e,
            rows=[
                {"part": str(p1.pk), "score": "100"},  # the top of the range: fine
                {"part": str(p2.pk), "score": "100.01"},
                {"part": str(p1.pk), "score": "-1"},
            ],
            actor=world.actor("evaluator"),
        )
    fields = [x["field"] for x in exc.value.detail["errors"]]
    assert fields == ["parts.2.score", "parts.3.part", "parts.3.score"]
    assert not e.part_results.exists()
    with pytest.raises(PermissionDenied):
        evaluation_parts_score(
            evaluation=e, rows=[{"part": str(p1.pk), "score": "90"}], actor=hw.hub.actor
        )
    evaluation_parts_score(
        evaluation=e,
        rows=[{"part": str(p1.pk), "score": "0"}, {"part": str(p2.pk), "score": "100"}],
        actor=world.actor("evaluator"),
    )
    assert sorted(e.part_results.values_list("grade", flat=True)) == ["excellent", "poor"]


def test_the_evaluator_scores_the_parts_on_a_page_that_keeps_what_was_typed(world, login):
    hw = make_hub(world)
    c = bundle_contract(world, hw)
    e = scheduled_final(world, c)
    p1, p2 = c.parts.order_by("position")
    client = login("evaluator")
    url = f"/evaluations/{e.pk}/parts/"
    page = client.get(url).content.decode()
    assert f'<option value="{p2.pk}" selected>' in page  # one row per part to start
    data = {
        "parts-0-part": str(p1.pk),
        "parts-0-score": "86",
        "parts-0-outputs": "探访 600 人次",
        "parts-1-part": str(p2.pk),
        "parts-1-score": "101",
        "parts-1-outputs": "助浴 120 人次",
    }
    html = client.post(url, data).content.decode()
    assert "第 2 行：得分须是 0 到 100 之间的数字。" in html and "助浴 120 人次" in html
    assert not e.part_results.exists()
    data["parts-1-score"] = "79"
    assert client.post(url, data).status_code == 302
    assert sorted(e.part_results.values_list("grade", flat=True)) == ["fair", "good"]
    detail = client.get(f"/evaluations/{e.pk}/").content.decode()
    assert "探访 600 人次" in detail and 'data-testid="score-parts"' in detail
