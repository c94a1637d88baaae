"""Role × endpoint matrix for complaints (caidan/complaints/api.py): every endpoint on
objects, every role (and anonymous) with the expected HTTP status.
"""

import pytest

from caidan.complaints.inputs import ComplaintDecisionInput, ComplaintInput, ComplaintSuspendInput

from .helpers import _each_role

# --- complaints (caidan/complaints/api.py) ----------------------------------------------------------
# Same shape, paths under /api/v1/complaints (objects: ``_ComplaintObjects``). The demo
# ``provider`` challenged one award four times; complaints follow three of the challenges.
# Who may not even see a complaint gets 404; the finance bureau (admin) handles it.
COMPLAINT_SEERS = {"provider": 403, "purchaser": 403, "admin": 403, "auditor": 403, "*": 404}
BUREAU = {**COMPLAINT_SEERS, "admin": 200}
COMPLAINANT = {**COMPLAINT_SEERS, "provider": 200}

COMPLAINTS_API = [
    ("GET", "", None, {"*": 200}),
    ("GET", "/public", None, {"*": 200, None: 200}),
    (
        "GET",
        "/{filed}",
        None,
        {**COMPLAINT_SEERS, "provider": 200, "purchaser": 200, "admin": 200, "auditor": 200},
    ),
    ("GET", "/{decided}", None, {"*": 200, None: 200}),
    (
        "POST",
        "",
        lambda o: {
            "challenge_ids": [o["free_challenge"]],
            "matters": "未核实资质",
            "request": "认定中标无效",
        },
        {"provider": 201, "*": 403},
    ),
    ("POST", "/{filed}/accept", None, BUREAU),
    ("POST", "/{filed}/reject", lambda o: {"reason": "不符合受理条件"}, BUREAU),
    ("POST", "/{filed}/suspend", lambda o: {"until": o["in_ten_days"], "reason": "核查"}, BUREAU),
    ("POST", "/{suspended}/lift", None, BUREAU),
    (
        "POST",
        "/{suspended}/decide",
        lambda o: {"outcome": "dismissed", "reasoning": "缺乏依据"},
        BUREAU,
    ),
    ("POST", "/{filed}/withdraw", None, COMPLAINANT),
]


class _ComplaintObjects(dict):
    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, name):
        self[name] = getattr(self, f"_{name}")()
        return self[name]

    def _challenges(self):
        """An award challenged four times by the demo provider (ranked second)."""
        from caidan.procurement.demo import EXPERTS
        from caidan.procurement.models import Expert
        from caidan.procurement.services import (
            award_confirm,
            challenge_answer,
            challenge_file,
            expert_deactivate,
        )
        from tests.procurement.factories import make_bidder, opened_tender
        from tests.procurement.test_evaluation_services import (
            bids_by_price,
            score,
            seat,
            standard_rows,
        )

        w = self.world
        demo = [username for username, *_ in EXPERTS]
        for expert in Expert.objects.filter(is_active=True, user__username__in=demo):
            expert_deactivate(expert=expert, actor=w.actor("admin"))
        provider = w.actor("provider")
        from tests.procurement.factories import Bidder

        bidders = [
            make_bidder(w),
            Bidder(org=provider.organization, user=provider.user, actor=provider),
            make_bidder(w),
        ]
        t = opened_tender(w, bidders=bidders)
        bids = bids_by_price(t)
        for i, m in enumerate(seat(w, t)):
            score(m, bids, standard_rows(i))
        award = award_confirm(tender=t, actor=w.actor("purchaser"))
        out = []
        for i in range(4):
            c = challenge_file(
                award=award, organization=provider.organization, grounds=f"质疑{i}", actor=provider
            )
            out.append(
                challenge_answer(
                    challenge=c, answer="不成立", upheld=False, actor=w.actor("purchaser")
                )
            )
        return out

    def _complaint(self, i):
        from caidan.complaints.services import complaint_file

        return complaint_file(
            actor=self.world.actor("provider"),
            data=ComplaintInput.parse(
                challenges=[self["challenges"][i]], matters="未核实资质", request="认定中标无效"
            ),
        )

    def _free_challenge(self):
        return self["challenges"][0].pk

    def _filed(self):
        return self._complaint(1).pk

    def _suspended(self):
        import datetime as dt

        from django.utils import timezone

        from caidan.complaints.services import complaint_accept, complaint_suspend

        admin = self.world.actor("admin")
        c = complaint_accept(complaint=self._complaint(2), actor=admin)
        until = timezone.localdate() + dt.timedelta(days=5)
        return complaint_suspend(
            complaint=c, actor=admin, data=ComplaintSuspendInput.parse(until=until, reason="核查")
        ).pk

    def _decided(self):
        from caidan.complaints.services import complaint_accept, complaint_decide

        admin = self.world.actor("admin")
        c = complaint_accept(complaint=self._complaint(3), actor=admin)
        return complaint_decide(
            complaint=c,
            actor=admin,
            data=ComplaintDecisionInput.parse(outcome="dismissed", reasoning="缺乏依据"),
        ).pk

    def _in_ten_days(self):
        import datetime as dt

        from django.utils import timezone

        return str(timezone.localdate() + dt.timedelta(days=10))


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    COMPLAINTS_API,
    ids=[f"{row[0]} {row[1]}" for row in COMPLAINTS_API],
)
def test_api_complaints(world, client, token_for, method, path, body, expected):
    """Every role against one endpoint, each call in a rolled-back savepoint (``_each_role``)."""
    objects = _ComplaintObjects(world)
    url = "/api/v1/complaints" + path.format_map(objects)
    _each_role(
        client,
        token_for,
        method=method,
        url=url,
        body=body,
        objects=objects,
        expected=expected,
    )
