"""Shared by the evaluation page tests (``test_views_*.py``): a page's text, the demo
providers' organizations, a published evaluation."""

from __future__ import annotations

from html import unescape

from django.utils import timezone

from caidan.common.identifiers import make_uscc
from caidan.evaluations.inputs import ScoresInput
from caidan.evaluations.services import evaluation_publish, evaluation_score
from caidan.orgs.models import Organization
from tests.evaluations.factories import waive_missing

from .factories import full_scores, scheduled

TODAY = timezone.localdate
PROVIDER_ORG = "52310105MJ0000001"  # 阳光家庭综合服务中心
OTHER_ORG = "52310105MJ0000002"  # 上海壹方社会服务事业发展中心


def _html(response) -> str:
    return unescape(response.content.decode())


def _org(prefix: str) -> Organization:
    return Organization.objects.get(uscc=make_uscc(prefix))


def published(world, stage="final", fraction="0.95", contract=None, summary="服务规范，成效明显。"):
    e = scheduled(world, stage, contract=contract)
    evaluation_score(
        evaluation=e,
        actor=world.actor("evaluator"),
        data=ScoresInput.parse(scores=full_scores(e, fraction), summary=summary),
    )
    waive_missing(world, e)
    return evaluation_publish(evaluation=e, actor=world.actor("evaluator"))
