"""Role × endpoint matrix for contracts (caidan/contracts/api.py): every endpoint on objects,
every role (and anonymous) with the expected HTTP status.
"""

import pytest

from caidan.contracts.inputs import ReportInput
from caidan.evaluations.inputs import ScoresInput
from tests.evaluations.factories import waive_missing

from .helpers import PURCHASER, _each_role

# --- contracts (caidan/contracts/api.py): endpoints on objects --------------------------------------
# Same shape as PROCUREMENT_API (test_procurement.py), paths under /api/v1/contracts
# (objects: ``_ContractObjects``).
# A draft is known to the two parties, the admin and auditors; 404 for everyone else.
# A body holding a file is sent as multipart/form-data.
CONTRACT_INSIDERS = {"purchaser": 200, "provider": 200, "admin": 200, "auditor": 200, "*": 403}
CONTRACT_DRAFT = {**CONTRACT_INSIDERS, "*": 404, None: 404}
DRAFT_PURCHASER = {"purchaser": 200, "provider": 403, "admin": 403, "auditor": 403, "*": 404}
PROVIDER = {"provider": 200, "*": 403}
LEDGER = {"purchaser": 200, "admin": 200, "auditor": 200, "*": 403}


def _report_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("报表.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")


CONTRACTS_API = [
    ("GET", "/{active}", None, {"*": 200, None: 200}),
    ("GET", "/{draft}", None, CONTRACT_DRAFT),
    ("GET", "/{active}/pdf", None, {"*": 200, None: 200}),
    ("GET", "/{draft}/pdf", None, CONTRACT_DRAFT),
    ("GET", "/{active}/history", None, CONTRACT_INSIDERS),
    ("GET", "/reports/{submitted_report}", None, CONTRACT_INSIDERS),
    ("GET", "/reports/{final_report}/attachments/{attachment}", None, CONTRACT_INSIDERS),
    ("POST", "", lambda o: {"award_id": o["award"]}, {"purchaser": 201, "*": 403}),
    ("PATCH", "/{draft}", lambda o: {"quantity": "探访 2400 人次"}, DRAFT_PURCHASER),
    ("POST", "/{draft}/cancel", lambda o: {"reason": "中标人放弃"}, DRAFT_PURCHASER),
    ("POST", "/{draft}/sign", None, {**DRAFT_PURCHASER, "provider": 200}),
    (
        "POST",
        "/{active}/amend",
        lambda o: {"changes": {"quantity": "探访 3000 人次"}, "rationale": "增加服务量"},
        {"purchaser": 201, "*": 403},
    ),
    (
        "POST",
        "/{active}/terminate",
        lambda o: {"kind": "agreement", "reason": "协商一致", "settlement": "按实结算"},
        PURCHASER,
    ),
    ("POST", "/{renewable}/renew", None, {"purchaser": 201, "*": 403}),
    (
        "POST",
        "/instalments/{first_instalment}/payment",
        lambda o: {"paid_on": o["today"], "voucher": "PZ-1"},
        {"purchaser": 201, "*": 403},
    ),
    (
        "POST",
        "/instalments/{midterm_gate}/payment",
        lambda o: {"paid_on": o["today"], "voucher": "PZ-2"},
        {"purchaser": 201, "*": 403},
    ),
    # The money view (资金台账): the purchaser's units, the finance bureau and auditors.
    ("GET", "/my/ledger", None, LEDGER),
    ("GET", "/my/ledger?year=2026&source=fiscal", None, LEDGER),
    ("GET", "/my/ledger.xlsx", None, LEDGER),
    # Bulk actions: per-item results (200) for the purchaser, refused for everyone else.
    (
        "POST",
        "/bulk/payments",
        lambda o: {
            "instalment_ids": [o["first_instalment"]],
            "paid_on": o["today"],
            "voucher": "PZ",
        },
        PURCHASER,
    ),
    (
        "POST",
        "/bulk/report-acceptances",
        lambda o: {"report_ids": [o["submitted_report"]]},
        PURCHASER,
    ),
    ("POST", "/reports/{due_report}/submit", lambda o: {"summary": "进展顺利"}, PROVIDER),
    ("POST", "/reports/{submitted_report}/review", lambda o: {"accept": True}, PURCHASER),
    (
        "POST",
        "/reports/{due_report}/attachments",
        lambda o: {"file": _report_file(), "description": "台账"},
        {"provider": 201, "*": 403},
    ),
]


class _ContractObjects(dict):
    """Made on first use, through the services (tests/contracts/factories.py): only what a
    row names. The demo ``purchaser`` (江苏路街道) drafts; the demo ``provider`` (阳光家庭综合
    服务中心) won the award; the ``hub`` is a provider that is no party to it."""

    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, name):
        self[name] = getattr(self, f"_{name}")()
        return self[name]

    def _actor(self, username):
        return self.world.actor(username)

    def _today(self):
        from django.utils import timezone

        return timezone.localdate().isoformat()

    def _award(self):
        from tests.contracts.factories import award_for

        return award_for(self.world).pk

    def _draft(self):
        from tests.contracts.factories import draft_contract

        return draft_contract(self.world).pk

    def _active_contract(self):
        from tests.contracts.factories import signed_contract

        return signed_contract(self.world)

    def _active(self):
        return self["active_contract"].pk

    def _renewable(self):
        from caidan.contracts.services import contract_amend

        contract = self["active_contract"]
        contract_amend(
            contract=contract,
            changes={"renewal_intent": True, "renewal_years": 2},
            rationale="需求稳定",
            actor=self._actor("purchaser"),
        )
        return contract.pk

    def _first_instalment(self):
        return self["active_contract"].instalments.get(sequence=1).pk

    def _midterm_gate(self):
        """The second instalment, once a passed mid-term evaluation opened its gate (no one
        opens a gate by hand)."""
        from caidan.evaluations.services import (
            evaluation_publish,
            evaluation_schedule,
            evaluation_score,
            evaluator_appoint,
        )
        from tests.evaluations.factories import full_scores

        contract = self["active_contract"]
        evaluator = self._actor("evaluator")
        evaluator_appoint(
            contract=contract, organization=evaluator.organization, actor=self._actor("purchaser")
        )
        contract.refresh_from_db()
        e = evaluation_schedule(contract=contract, stage="mid", actor=self._actor("purchaser"))
        evaluation_score(
            evaluation=e,
            actor=evaluator,
            data=ScoresInput.parse(scores=full_scores(e, "0.9"), summary="合格"),
        )
        waive_missing(self.world, e)
        evaluation_publish(evaluation=e, actor=evaluator)
        second = contract.instalments.get(sequence=2)
        assert second.gate_opened_at is not None
        return second.pk

    def _due_report(self):
        return self["active_contract"].reports.filter(kind="progress").order_by("due_on")[0].pk

    def _submitted_report(self):
        from caidan.contracts.models import Report
        from caidan.contracts.services import report_submit

        report = Report.objects.get(pk=self["due_report"])
        report_submit(
            report=report, actor=self._actor("provider"), data=ReportInput.parse(summary="进展顺利")
        )
        return report.pk

    def _final_report(self):
        return self["active_contract"].reports.get(kind="final").pk

    def _attachment(self):
        from caidan.contracts.models import Report
        from caidan.contracts.services import report_attach

        report = Report.objects.get(pk=self["final_report"])
        return report_attach(report=report, file=_report_file(), actor=self._actor("provider")).pk


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    CONTRACTS_API,
    ids=[f"{row[0]} {row[1]}" for row in CONTRACTS_API],
)
def test_api_contracts(world, client, token_for, method, path, body, expected):
    """Every role against one endpoint, each call in a rolled-back savepoint (``_each_role``)."""
    objects = _ContractObjects(world)
    url = "/api/v1/contracts" + path.format_map(objects)
    _each_role(
        client,
        token_for,
        method=method,
        url=url,
        body=body,
        objects=objects,
        expected=expected,
    )
