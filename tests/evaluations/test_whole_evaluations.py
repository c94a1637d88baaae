"""Don't publish half an evaluation (issue 20): every subject the weights name has a result,
or the purchaser has recorded a waiver with its reason; the refusal lists what is missing."""

from __future__ import annotations

import pytest

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.evaluations.inputs import PurchaserScoreInput, ScoresInput
from caidan.evaluations.inputs import SubjectWaiverInput as W
from caidan.evaluations.services import (
    evaluation_publish,
    evaluation_purchaser_score,
    evaluation_score,
    evaluation_subject_waive,
)
from caidan.jurisdiction.services import setting_update

from .factories import full_scores, scheduled

pytestmark = pytest.mark.django_db


def _scored(world, stage="mid"):
    e = scheduled(world, stage)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
    )
    return e


def test_publishing_without_the_purchaser_and_the_survey_is_refused_listing_both(world):
    e = _scored(world)
    with pytest.raises(Conflict) as exc:
        evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert exc.value.code == "subjects_missing"
    assert exc.value.detail["missing"] == ["purchaser", "recipients"]
    assert "购买方评分" in exc.value.message and "服务对象满意度调查" in exc.value.message
    e.refresh_from_db()
    assert e.status == "open"
    # the next instalment stays closed
    assert e.contract.instalments.get(sequence=2).gate_opened_at is None


def test_one_subject_given_one_waived_publishes_and_the_waiver_is_shown(world, client):
    e = _scored(world)
    evaluation_purchaser_score(
        evaluation=e, actor=world.actor("purchaser"), data=PurchaserScoreInput.parse(score="88")
    )
    with pytest.raises(Conflict) as exc:
        evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert exc.value.detail["missing"] == ["recipients"]
    evaluation_subject_waive(
        evaluation=e,
        data=W.parse(subject="recipients", reason="中期尚未开展调查"),
        actor=world.actor("purchaser"),
    )
    e = evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert e.status == "published" and set(e.subject_weights) == {"purchaser", "evaluator"}
    from caidan.audit.models import AuditEvent

    assert AuditEvent.objects.filter(note="中期尚未开展调查").exists()
    html = client.get(f"/evaluations/{e.pk}/").content.decode()
    assert 'data-testid="waivers"' in html and "中期尚未开展调查" in html


def test_a_subject_weighted_zero_is_not_required(world):
    setting_update(
        key="evaluation_subject_weights",
        value={"purchaser": 0, "recipients": 30, "evaluator": 70},
        actor=world.actor("admin"),
    )
    e = _scored(world)
    with pytest.raises(Conflict) as exc:
        evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
    assert exc.value.detail["missing"] == ["recipients"]
    with pytest.raises(Conflict) as exc:
        evaluation_subject_waive(
            evaluation=e,
            data=W.parse(subject="purchaser", reason="x"),
            actor=world.actor("purchaser"),
        )
    assert exc.value.code == "not_required"


def test_waiver_rules(world):
    e = _scored(world)
    purchaser = world.actor("purchaser")
    with pytest.raises(PermissionDenied):  # the evaluator cannot waive for the purchaser
        evaluation_subject_waive(
            evaluation=e,
            data=W.parse(subject="recipients", reason="x"),
            actor=world.actor("evaluator"),
        )
    with pytest.raises(ValidationError) as exc:
        evaluation_subject_waive(
            evaluation=e, data=W.parse(subject="evaluator", reason="x"), actor=purchaser
        )
    assert exc.value.field == "subject"
    with pytest.raises(ValidationError) as exc:
        evaluation_subject_waive(
            evaluation=e, data=W.parse(subject="recipients", reason="  "), actor=purchaser
        )
    assert exc.value.field == "reason"
    evaluation_purchaser_score(
        evaluation=e, actor=purchaser, data=PurchaserScoreInput.parse(score="80")
    )
    with pytest.raises(Conflict) as exc:
        evaluation_subject_waive(
            evaluation=e, data=W.parse(subject="purchaser", reason="x"), actor=purchaser
        )
    assert exc.value.code == "has_result"
    evaluation_subject_waive(
        evaluation=e, data=W.parse(subject="recipients", reason="无法调查"), actor=purchaser
    )
    with pytest.raises(Conflict) as exc:
        evaluation_subject_waive(
            evaluation=e, data=W.parse(subject="recipients", reason="再次"), actor=purchaser
        )
    assert exc.value.code == "already_waived"


def test_publish_page_lists_missing_and_only_the_purchaser_can_waive(world, login):
    e = _scored(world)
    url = f"/evaluations/{e.pk}/publish/"
    html = login("purchaser").get(url).content.decode()
    assert 'data-testid="missing-recipients"' in html and 'data-testid="waive-recipients"' in html
    assert "data-confirm=" in html.split('data-testid="waive-recipients"')[1][:400]
    assert "确认公布" not in html
    evaluator = login("evaluator")
    assert 'data-testid="waive-recipients"' not in evaluator.get(url).content.decode()
    assert (
        evaluator.post(
            f"/evaluations/{e.pk}/waive/", {"subject": "recipients", "reason": "x"}
        ).status_code
        == 403
    )
    purchaser = login("purchaser")
    r = purchaser.post(
        f"/evaluations/{e.pk}/waive/", {"subject": "recipients", "reason": "无法调查"}
    )
    assert r.status_code == 302 and r.url == url
    e.refresh_from_db()
    assert e.waivers["recipients"]["reason"] == "无法调查"
    html = purchaser.get(url).content.decode()
    assert 'data-testid="missing-recipients"' not in html and "无法调查" in html
