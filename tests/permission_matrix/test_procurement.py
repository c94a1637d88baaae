"""Role × endpoint matrix for procurement (caidan/procurement/api.py): every endpoint on
objects, every role (and anonymous) with the expected HTTP status.
"""

import pytest

from caidan.procurement.inputs import BidContentInput, ExpertInput, SheetScoresInput

from .helpers import PURCHASER, _each_role

# --- procurement (caidan/procurement/api.py): endpoints on objects ------------------------------
# Each row: method, path under /api/v1/procurement ({name} = an object made for the row, see
# ``_ProcurementObjects``), body (a function of those objects), and who gets which status:
# "*" = every other logged-in role; anonymous gets 401 unless the row says otherwise (None).
# 404 = the role may not even know the object exists (drafts, another organization's bid).
# ``PURCHASER`` (helpers.py): only the purchaser.
DRAFT_OWNER = {"admin": 403, "auditor": 403, "*": 404}  # + the purchaser's own status
BIDDERS = {"provider": 201, "hub": 201, "*": 403}
OWN_BIDDER = {"provider": 200, "hub": 404, "*": 403}
OWN_SEAT = {"expert": 200, "*": 403}
OVERSEERS = {"purchaser": 200, "admin": 200, "auditor": 200, "*": 403}

PROCUREMENT_API = [
    ("GET", "/tenders/{published}", None, {"*": 200, None: 200}),
    (
        "GET",
        "/tenders/{draft}",
        None,
        {"purchaser": 200, "admin": 200, "auditor": 200, "*": 404, None: 404},
    ),
    ("GET", "/tenders/{awarded}/evaluation.json", None, {"*": 200, None: 200}),
    ("GET", "/tenders/{published}/evaluation.json", None, {"*": 404, None: 404}),
    ("GET", "/tenders/{evaluated}/receipts/{evaluated_receipt}", None, {"*": 200, None: 200}),
    ("GET", "/tenders/{published}/receipts/{sealed_receipt}", None, {"*": 404, None: 404}),
    ("GET", "/tenders/{published}/clarifications", None, PURCHASER),
    ("GET", "/tenders/{published}/history", None, OVERSEERS),
    ("GET", "/tenders/{opened}/panel", None, OVERSEERS),
    ("GET", "/panel/{seat}/sheet", None, OWN_SEAT),
    # The expert draw's record: the commitment for everyone after publication; the seed and
    # the draw after the award (tests/procurement/test_legal_edges_draw.py).
    ("GET", "/tenders/{published}/draw", None, {"*": 200, None: 200}),
    ("GET", "/tenders/{awarded}/draw", None, {"*": 200, None: 200}),
    # Compliance verdicts are for lowest-price tenders: the seat's tender scores (409).
    ("PUT", "/panel/{active_seat}/verdicts", lambda o: {"verdicts": {}}, {"expert": 409, "*": 403}),
    ("POST", "/tenders", lambda o: {"proposal_id": o["proposal"]}, {"purchaser": 201, "*": 403}),
    ("PATCH", "/tenders/{draft}", lambda o: {"title": "改名"}, {**DRAFT_OWNER, "purchaser": 200}),
    ("POST", "/tenders/{draft}/publish", None, {**DRAFT_OWNER, "purchaser": 200}),
    (
        "POST",
        "/tenders/{published}/amend",
        lambda o: {"summary": "更正"},
        {"purchaser": 201, "*": 403},
    ),
    ("POST", "/tenders/{published}/cancel", lambda o: {"reason": "预算调整"}, PURCHASER),
    ("POST", "/tenders/{evaluated}/fail", lambda o: {"reason": "质疑成立"}, PURCHASER),
    ("POST", "/tenders/{failed}/retender", None, {"purchaser": 201, "*": 403}),
    (
        "POST",
        "/tenders/{retendered}/approve-method-change",
        None,
        {"admin": 200, "purchaser": 403, "auditor": 403, "*": 404},
    ),
    ("POST", "/clarifications/{question}/answer", lambda o: {"answer": "答复"}, PURCHASER),
    ("POST", "/tenders/{opened}/draw", None, {"purchaser": 201, "*": 403}),
    ("POST", "/panel/{seat}/recuse", lambda o: {"reason": "投标人申请回避"}, PURCHASER),
    ("POST", "/panel/{submitted_seat}/void", lambda o: {"reason": "应当回避而未回避"}, PURCHASER),
    # The rows send JSON, so the purchaser's upload lacks its file (400, field "file"); every
    # other role is refused before the body is read. The upload:
    # tests/procurement/test_api_tenders.py.
    ("POST", "/tenders/{published}/documents", None, {"purchaser": 400, "*": 403}),
    ("GET", "/tenders/{evaluated}/award/candidate-problems", None, PURCHASER),
    # The first-ranked bidder is still eligible: the purchaser may ask, and is refused (409).
    (
        "POST",
        "/tenders/{evaluated}/bids/{evaluated_first_bid}/disqualify",
        None,
        {"purchaser": 409, "*": 403},
    ),
    ("POST", "/tenders/{evaluated}/award", None, {"purchaser": 201, "*": 403}),
    (
        "POST",
        "/challenges/{challenge}/answer",
        lambda o: {"answer": "不成立", "upheld": False},
        PURCHASER,
    ),
    ("POST", "/tenders/{published}/questions", lambda o: {"question": "问题"}, BIDDERS),
    (
        "POST",
        "/tenders/{published}/bids",
        lambda o: {"price": "900000.00", "plan": "方案"},
        BIDDERS,
    ),
    (
        "POST",
        "/tenders/{bidden}/recusal-requests",
        lambda o: {"reason": "某专家曾任投标人理事"},
        {"provider": 201, "hub": 400, "*": 403},  # the hub did not bid
    ),
    ("POST", "/bids/{own_bid}/withdraw", None, OWN_BIDDER),
    ("POST", "/awards/{award}/decline", lambda o: {"reason": "放弃"}, OWN_BIDDER),
    (
        "POST",
        "/awards/{award}/challenges",
        lambda o: {"grounds": "质疑理由"},
        {"provider": 201, "hub": 400, "*": 403},  # the hub did not bid
    ),
    ("POST", "/challenges/{challenge}/withdraw", None, OWN_BIDDER),
    ("POST", "/panel/{seat}/declare", lambda o: {"no_conflict": True}, OWN_SEAT),
    ("PUT", "/panel/{active_seat}/sheet", lambda o: {"scores": {}}, OWN_SEAT),
    ("POST", "/panel/{scored_seat}/sheet/submit", None, OWN_SEAT),
    (
        "POST",
        "/panel/{submitted_seat}/corrections",
        lambda o: {
            "bid_id": o["scored_bid"],
            "factor": "plan",
            "new_value": 1,
            "reason": "sum_error",
        },
        {"expert": 201, "*": 403},
    ),
    (
        "POST",
        "/experts",
        lambda o: {"name": "新专家", "specialties": ["elderly"]},
        {"admin": 201, "*": 403},
    ),
    ("PATCH", "/experts/{pool_expert}", lambda o: {"title": "教授"}, {"admin": 200, "*": 403}),
    ("POST", "/experts/{pool_expert}/deactivate", None, {"admin": 200, "*": 403}),
    (
        "POST",
        "/experts/{pool_expert}/ties",
        lambda o: {"organization_id": o["provider_org"], "kind": "other"},
        {"admin": 201, "*": 403},
    ),
    # Lots (issue 21): only the purchaser drafts them; others may not know the draft exists.
    (
        "POST",
        "/tenders/{draft}/lots",
        lambda o: {"title": "第1包", "budget": "400000.00", "bid_security": "0"},
        {**DRAFT_OWNER, "purchaser": 201},
    ),
    (
        "PUT",
        "/tenders/{draft}/lot-settings",
        lambda o: {"max_lots_per_provider": 1},
        {**DRAFT_OWNER, "purchaser": 200},
    ),
]


class _ProcurementObjects(dict):
    """Made on first use, through the services (tests/procurement/factories.py): only what a
    row names. All tenders belong to 江苏路街道 (the demo ``purchaser``); the demo
    ``provider`` bids on them; the demo ``expert`` holds a seat on the ``opened`` tender."""

    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, name):
        self[name] = getattr(self, f"_{name}")()
        return self[name]

    def _actor(self, username):
        return self.world.actor(username)

    def _bid(self, tender, price, username="provider"):
        from caidan.procurement.services import bid_submit

        actor = self._actor(username)
        return bid_submit(
            tender=tender,
            organization=actor.organization,
            data=BidContentInput.parse({"price": price, "plan": "方案", "team": "团队"}),
            actor=actor,
        )

    def _proposal(self):
        from tests.procurement.factories import approved_proposal

        return approved_proposal(self.world).pk

    def _provider_org(self):
        return self._actor("provider").organization.pk

    def _draft(self):
        import datetime as dt

        from django.utils import timezone

        from caidan.procurement.services import tender_update
        from tests.procurement.factories import draft_tender, next_working_deadline

        tender = draft_tender(self.world)
        deadline = next_working_deadline(timezone.now() + dt.timedelta(days=30))
        tender_update(tender=tender, changes={"deadline": deadline}, actor=self._actor("purchaser"))
        return tender.pk

    def _published_tender(self):
        from tests.procurement.factories import published_tender

        return published_tender(self.world)

    def _published(self):
        return self["published_tender"].pk

    def _own_bid(self):
        return self._bid(self["published_tender"], "900000.00").pk

    def _bidden(self):
        """The published tender, once the demo provider has bid on it."""
        return self["own_bid"] and self["published_tender"].pk

    def _sealed_receipt(self):
        return self._bid(self["published_tender"], "900000.00").receipt

    def _question(self):
        from caidan.procurement.services import clarification_ask

        actor = self._actor("provider")
        tender = self["published_tender"]
        return clarification_ask(
            tender=tender, organization=actor.organization, question="问题", actor=actor
        ).pk

    def _evaluated_tender(self):
        """Ranked by price after the committee's compliance review (87号令 §45–47); the demo
        provider bids lowest."""
        from tests.procurement.factories import (
            committee_passes_all,
            make_bidders,
            open_now,
            published_tender,
            submit_bids,
        )

        tender = published_tender(self.world, evaluation_method="lowest_price")
        self["evaluated_receipt"] = self._bid(tender, "700000.00").receipt
        submit_bids(
            self.world, tender, ["800000.00", "900000.00"], bidders=make_bidders(self.world, 2)
        )
        return committee_passes_all(self.world, open_now(tender))

    def _evaluated(self):
        return self["evaluated_tender"].pk

    def _evaluated_first_bid(self):
        from caidan.procurement.services import recommended

        return recommended(self["evaluated_tender"])[0].pk

    def _evaluated_receipt(self):
        return self["evaluated_tender"] and self["evaluated_receipt"]

    def _award_obj(self):
        from caidan.procurement.services import award_confirm

        return award_confirm(tender=self["evaluated_tender"], actor=self._actor("purchaser"))

    def _award(self):
        return self["award_obj"].pk

    def _awarded(self):
        return self["award_obj"].tender_id

    def _challenge(self):
        from caidan.procurement.services import challenge_file

        actor = self._actor("provider")
        return challenge_file(
            award=self["award_obj"], organization=actor.organization, grounds="理由", actor=actor
        ).pk

    def _failed_tender(self):
        from tests.procurement.factories import open_now, published_tender, submit_bids

        tender = published_tender(self.world)
        submit_bids(self.world, tender, ["800000.00", "900000.00"])  # fewer than 3: fails
        return open_now(tender)

    def _failed(self):
        return self["failed_tender"].pk

    def _retendered(self):
        from caidan.procurement.services import tender_retender

        return tender_retender(
            tender=self["failed_tender"],
            method="consultation",
            reason="有效投标不足三家",
            actor=self._actor("purchaser"),
        ).pk

    def _opened_tender(self):
        from caidan.procurement.models import Expert
        from caidan.procurement.services.experts import expert_update
        from tests.procurement.factories import opened_tender

        user = self.world.user("expert")
        mine = Expert.objects.filter(user=user).first()
        if mine is None:
            self._new_expert(user)
        elif not mine.is_active:
            expert_update(expert=mine, changes={"is_active": True}, actor=self._actor("admin"))
        for _ in range(7 - Expert.objects.filter(is_active=True).count()):  # 5 + 2 reserves
            self._new_expert()
        return opened_tender(self.world)

    def _opened(self):
        return self["opened_tender"].pk

    def _seat_obj(self):
        """Draw the panel so that it seats the demo expert (the draw is reproducible: try
        the draw, read its candidates and exclusions, commit the tender to a seed that
        seats the expert — only a test can, the app fixes it at publication — and draw)."""
        import hashlib

        from django.db import transaction

        from caidan.procurement.models import PanelMember, Tender
        from caidan.procurement.services.draw import draw_order, panel_draw

        tender = self["opened_tender"]
        purchaser = self._actor("purchaser")
        me = self.world.user("expert").expert.pk
        sid = transaction.savepoint()
        trial = panel_draw(tender=tender, actor=purchaser)
        excluded = {row["expert"] for row in trial.exclusions}
        remaining = [c for c in trial.candidates if c not in excluded]
        size, algorithm = trial.size, trial.algorithm
        transaction.savepoint_rollback(sid)
        seed = next(
            f"matrix-{i}"
            for i in range(1000)
            if me in draw_order(f"matrix-{i}", remaining, algorithm=algorithm)[:size]
        )
        Tender.objects.filter(pk=tender.pk).update(
            draw_seed=seed, draw_commitment=hashlib.sha256(seed.encode()).hexdigest()
        )
        panel_draw(tender=tender, actor=purchaser)
        return PanelMember.objects.get(tender=tender, expert_id=me, status="drawn")

    def _seat(self):
        return self["seat_obj"].pk

    def _active_seat(self):
        from caidan.procurement.services.panel import panel_declare

        panel_declare(member=self["seat_obj"], no_conflict=True, actor=self._actor("expert"))
        return self["seat"]

    def _scored_seat(self):
        from caidan.procurement.services.evaluation import scorable_bids, scores_save

        self["active_seat"]
        bids = scorable_bids(self["opened_tender"])
        self["scored_bid"] = bids[0].pk
        scores = {str(b.pk): {"plan": 30, "team": 15, "experience": 8} for b in bids}
        scores_save(
            member=self["seat_obj"],
            data=SheetScoresInput.parse(scores=scores),
            actor=self._actor("expert"),
        )
        return self["seat"]

    def _scored_bid(self):
        return self["scored_seat"] and self["scored_bid"]

    def _submitted_seat(self):
        from caidan.procurement.services.evaluation import scores_submit

        self["scored_seat"]
        scores_submit(member=self["seat_obj"], actor=self._actor("expert"))
        return self["seat"]

    def _new_expert(self, user=None):
        import uuid

        from caidan.accounts.models import Role
        from caidan.accounts.services import membership_grant, user_create
        from caidan.procurement.services.experts import expert_create

        k = uuid.uuid4().hex[:8]
        if user is None:
            user = user_create(
                username=f"matrix-expert-{k}",
                password="x",
                display_name=f"专家{k}",
                actor=self.world.system,
                validate_password=False,
            )
            membership_grant(user=user, role=Role.EXPERT, actor=self.world.system)
        return expert_create(
            actor=self._actor("admin"),
            data=ExpertInput.parse(name=f"专家{k}", specialties=["elderly"], user=user),
        )

    def _pool_expert(self):
        return self._new_expert().pk


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    PROCUREMENT_API,
    ids=[f"{row[0]} {row[1]}" for row in PROCUREMENT_API],
)
def test_api_procurement(world, client, token_for, method, path, body, expected):
    """Every role against one endpoint. The row's objects are made once; each role's call
    runs in a savepoint that is rolled back, so every role meets the same state."""
    objects = _ProcurementObjects(world)
    url = "/api/v1/procurement" + path.format_map(objects)
    _each_role(
        client,
        token_for,
        method=method,
        url=url,
        body=body,
        objects=objects,
        expected=expected,
    )
