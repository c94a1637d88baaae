"""Role × endpoint matrix for evaluations (caidan/evaluations/api.py): every endpoint on
objects, every role (and anonymous) with the expected HTTP status.
"""

import pytest

from caidan.evaluations.inputs import (
    AssessmentInput,
    AuditPlanInput,
    FindingInput,
    FindingResponseInput,
    HearingInput,
    ScoresInput,
    SurveyInput,
)
from tests.evaluations.factories import waive_missing

from .helpers import PURCHASER, _each_role

# --- evaluations (caidan/evaluations/api.py): endpoints on objects ---------------------------------
# Same shape as PROCUREMENT_API (test_procurement.py), paths under /api/v1/evaluations
# (objects: ``_EvaluationObjects``).
# An open evaluation is known to its purchaser, appointed evaluator, provider, the admin and
# auditors (404 for everyone else); published results, hearings and surveys are public.
EVAL_INSIDERS = {"purchaser": 200, "provider": 200, "evaluator": 200, "admin": 200, "auditor": 200}
OPEN_EVAL = {**EVAL_INSIDERS, "*": 404}
OPEN_EVAL_PURCHASER = {**dict.fromkeys(EVAL_INSIDERS, 403), "purchaser": 200, "*": 404}
OPEN_EVAL_EVALUATOR = {**dict.fromkeys(EVAL_INSIDERS, 403), "evaluator": 200, "*": 404}
PUBLIC = {"*": 200, None: 200}
FINDING_PARTIES = {"purchaser": 403, "provider": 403, "admin": 403, "auditor": 403, "*": 404}


def _survey_answers(o):
    return {
        "token": o["token"],
        "answers": {"attitude": 5, "timeliness": 4, "effect": 5, "frequency": 4, "overall": 5},
        "comment": "服务很好",
    }


EVALUATIONS_API = [
    ("GET", "", None, PUBLIC),
    ("GET", "/{published}", None, PUBLIC),
    ("GET", "/{open_eval}", None, OPEN_EVAL),
    ("GET", "/track-records/{provider_org}", None, PUBLIC),
    ("GET", "/contracts/{contract}/evaluations", None, PUBLIC),
    ("GET", "/contracts/{contract}/hearings", None, PUBLIC),
    (
        "GET",
        "/contracts/{draft}/hearings",
        None,
        {"purchaser": 200, "provider": 200, "admin": 200, "auditor": 200, "*": 404, None: 404},
    ),
    ("GET", "/surveys/{survey}", None, PUBLIC),
    ("GET", "/surveys/{survey}/results", None, PUBLIC),
    ("GET", "/surveys/{survey}/comments", None, PUBLIC),
    # Each role answers in its own rolled-back savepoint, so each may use the one token.
    ("POST", "/surveys/{survey}/responses", _survey_answers, {"*": 201, None: 201}),
    # purchaser
    (
        "POST",
        "/contracts/{contract}/evaluator",
        lambda o: {"organization_id": o["evaluator_org"]},
        PURCHASER,
    ),
    ("GET", "/contracts/{contract}/framework", None, {**EVAL_INSIDERS, "*": 403}),
    (
        "PUT",
        "/contracts/{contract}/framework",
        lambda o: {"template_id": o["template"]},
        PURCHASER,
    ),
    (
        "POST",
        "/contracts/{contract}/evaluations",
        lambda o: {"stage": "pre"},
        {"purchaser": 201, "*": 403},
    ),
    ("POST", "/{open_eval}/purchaser-score", lambda o: {"score": "85"}, OPEN_EVAL_PURCHASER),
    (
        "POST",
        "/contracts/{contract}/surveys",
        lambda o: {
            "title": "满意度调查",
            "opens_on": o["today"],
            "closes_on": o["in_two_weeks"],
            "tokens": 2,
        },
        {"purchaser": 201, "*": 403},
    ),
    ("GET", "/contracts/{contract}/surveys", None, {**EVAL_INSIDERS, "*": 403}),
    ("POST", "/surveys/{survey}/tokens", lambda o: {"count": 2}, {"purchaser": 201, "*": 403}),
    (
        "POST",
        "/contracts/{contract}/hearings",
        lambda o: {
            "held_on": o["last_week"],
            "participants": "居民代表 12 人",
            "opinions": "希望增加周末探访。",
        },
        {"purchaser": 201, "*": 403},
    ),
    (
        "POST",
        "/contracts/{contract}/hearings/{hearing}/follow-up",
        lambda o: {"follow_up": "已增加周末探访。"},
        PURCHASER,
    ),
    # evaluator
    ("GET", "/my/evaluations", None, {"evaluator": 200, "*": 403}),
    (
        "PUT",
        "/{open_eval}/scores",
        lambda o: {"scores": {"D1": {"score": "8", "evidence": "立项程序完整"}}},
        OPEN_EVAL_EVALUATOR,
    ),
    ("POST", "/{scored_eval}/publish", None, OPEN_EVAL_EVALUATOR),
    # purchaser: the waiver of a subject with no result (issue 20)
    (
        "POST",
        "/{open_eval}/waivers",
        lambda o: {"subject": "recipients", "reason": "本期无法开展调查"},
        OPEN_EVAL_PURCHASER,
    ),
    # admin: indicator templates (purchasers read them to choose one)
    ("GET", "/templates", None, {"admin": 200, "purchaser": 200, "*": 403}),
    (
        "POST",
        "/templates",
        lambda o: {"name": "养老服务指标", "indicators": o["template_rows"]},
        {"admin": 201, "*": 403},
    ),
    (
        "PUT",
        "/templates/{template}",
        lambda o: {"name": "通用指标", "indicators": o["template_rows"]},
        {"admin": 200, "*": 403},
    ),
    # standardisation assessments
    (
        "GET",
        "/assessments",
        None,
        {"registrar": 200, "admin": 200, "evaluator": 200, "provider": 200, "hub": 200, "*": 403},
    ),
    (
        "POST",
        "/assessments",
        lambda o: {
            "organization_id": o["provider_org"],
            "score": "920.50",
            "proposed_level": 5,
            "report": "内部治理规范。",
            "assessed_on": o["last_week"],
        },
        {"evaluator": 201, "*": 403},
    ),
    (
        "POST",
        "/assessments/{assessment}/decide",
        lambda o: {"confirm": True},
        {"registrar": 200, "evaluator": 403, "provider": 403, "admin": 403, "*": 404},
    ),
    # financial audit
    (
        "POST",
        "/audit/plans",
        lambda o: {"year": o["year"], "unit_id": o["jiangsu"], "contracts": [o["contract"]]},
        {"auditor": 201, "*": 403},
    ),
    (
        "POST",
        "/audit/plans/{plan}/findings",
        lambda o: {
            "contract_id": o["contract"],
            "description": "部分支出缺少凭证。",
            "rectify_by": o["in_two_weeks"],
        },
        {"auditor": 201, "*": 403},
    ),
    (
        "GET",
        "/audit/findings",
        None,
        {"auditor": 200, "admin": 200, "purchaser": 200, "provider": 200, "hub": 200, "*": 403},
    ),
    (
        "POST",
        "/audit/findings/{finding}/respond",
        lambda o: {"response": "已补齐凭证。"},
        {**FINDING_PARTIES, "provider": 200},
    ),
    (
        "POST",
        "/audit/findings/{responded_finding}/close",
        lambda o: {"note": "整改到位。"},
        {**FINDING_PARTIES, "auditor": 200},
    ),
]


class _EvaluationObjects(dict):
    """Made on first use, through the services (tests/evaluations/factories.py): only what a
    row names. The ``contract`` is the demo purchaser's (江苏路街道) with the demo provider,
    its service period begun 60 days ago, the demo evaluator (上海申杰社会组织培育评估中心)
    appointed."""

    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, name):
        self[name] = getattr(self, f"_{name}")()
        return self[name]

    def _actor(self, username):
        return self.world.actor(username)

    def _date(self, days):
        import datetime as dt

        from django.utils import timezone

        return (timezone.localdate() + dt.timedelta(days=days)).isoformat()

    def _today(self):
        return self._date(0)

    def _last_week(self):
        return self._date(-7)

    def _in_two_weeks(self):
        return self._date(14)

    def _contract_obj(self):
        import datetime as dt

        from django.utils import timezone

        from tests.evaluations.factories import appointed_contract

        start = timezone.localdate() - dt.timedelta(days=60)
        end = start.replace(year=start.year + 1) - dt.timedelta(days=1)
        return appointed_contract(self.world, period_start=start, period_end=end)

    def _contract(self):
        return self["contract_obj"].pk

    def _year(self):
        return self["contract_obj"].period_start.year

    def _jiangsu(self):
        return self.world.unit("310105-001").pk

    def _draft(self):
        from tests.contracts.factories import draft_contract

        return draft_contract(self.world).pk

    def _provider_org(self):
        return self._actor("provider").organization.pk

    def _evaluator_org(self):
        return self._actor("evaluator").organization.pk

    def _template(self):
        from caidan.evaluations.services.frameworks import default_template

        return default_template().pk

    def _template_rows(self):
        from caidan.evaluations.services.frameworks import template_indicators

        return template_indicators()

    def _open_obj(self):
        from tests.evaluations.factories import scheduled

        return scheduled(self.world, "mid", contract=self["contract_obj"])

    def _open_eval(self):
        return self["open_obj"].pk

    def _scored_eval(self):
        from caidan.evaluations.services import evaluation_score
        from tests.evaluations.factories import full_scores

        e = self["open_obj"]
        evaluation_score(
            evaluation=e,
            actor=self._actor("evaluator"),
            data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
        )
        waive_missing(self.world, e)  # a whole evaluation: the purchaser's waivers
        return e.pk

    def _published(self):
        from caidan.evaluations.services import evaluation_publish, evaluation_score
        from tests.evaluations.factories import full_scores, scheduled

        evaluator = self._actor("evaluator")
        e = scheduled(self.world, "final", contract=self["contract_obj"])
        evaluation_score(
            evaluation=e,
            actor=evaluator,
            data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="良好"),
        )
        waive_missing(self.world, e)
        return evaluation_publish(evaluation=e, actor=evaluator).pk

    def _survey_obj(self):
        import datetime as dt

        from django.utils import timezone

        from caidan.evaluations.services import survey_create

        today = timezone.localdate()
        return survey_create(
            contract=self["contract_obj"],
            actor=self._actor("purchaser"),
            data=SurveyInput.parse(
                title="长者探访服务满意度调查",
                opens_on=today,
                closes_on=today + dt.timedelta(days=14),
                tokens=1,
            ),
        )

    def _survey(self):
        return self["survey_obj"][0].slug

    def _token(self):
        return self["survey_obj"][1][0]

    def _hearing(self):
        import datetime as dt

        from django.utils import timezone

        from caidan.evaluations.services.hearings import hearing_record

        return hearing_record(
            contract=self["contract_obj"],
            actor=self._actor("purchaser"),
            data=HearingInput.parse(
                held_on=timezone.localdate() - dt.timedelta(days=5),
                participants="居民代表 12 人",
                opinions="希望增加周末探访。",
            ),
        ).pk

    def _assessment(self):
        import datetime as dt

        from django.utils import timezone

        from caidan.evaluations.services.assessments import assessment_submit

        return assessment_submit(
            organization=self._actor("provider").organization,
            actor=self._actor("evaluator"),
            data=AssessmentInput.parse(
                score="920.50",
                proposed_level=5,
                report="内部治理规范。",
                assessed_on=timezone.localdate() - dt.timedelta(days=3),
            ),
        ).pk

    def _plan_obj(self):
        from caidan.evaluations.services.audit import audit_plan_set

        return audit_plan_set(
            unit=self.world.unit("310105-001"),
            actor=self._actor("auditor"),
            data=AuditPlanInput.parse(year=self["year"], contracts=[self["contract"]]),
        )

    def _plan(self):
        return self["plan_obj"].pk

    def _finding_obj(self):
        import datetime as dt

        from django.utils import timezone

        from caidan.evaluations.services.audit import audit_finding_record

        return audit_finding_record(
            plan=self["plan_obj"],
            contract=self["contract_obj"],
            actor=self._actor("auditor"),
            data=FindingInput.parse(
                description="部分支出缺少凭证。",
                rectify_by=timezone.localdate() + dt.timedelta(days=14),
            ),
        )

    def _finding(self):
        return self["finding_obj"].pk

    def _responded_finding(self):
        from caidan.evaluations.services.audit import audit_finding_respond

        audit_finding_respond(
            finding=self["finding_obj"],
            actor=self._actor("provider"),
            data=FindingResponseInput.parse(response="已补齐凭证。"),
        )
        return self["finding"]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    EVALUATIONS_API,
    ids=[f"{row[0]} {row[1]}" for row in EVALUATIONS_API],
)
def test_api_evaluations(world, client, token_for, method, path, body, expected):
    """Every role against one endpoint, each call in a rolled-back savepoint (``_each_role``)."""
    objects = _EvaluationObjects(world)
    url = "/api/v1/evaluations" + path.format_map(objects)
    _each_role(
        client,
        token_for,
        method=method,
        url=url,
        body=body,
        objects=objects,
        expected=expected,
    )
