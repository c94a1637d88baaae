"""Role × endpoint matrix for every endpoint the foundation has, on the API (token and
session) and the web UI. A row per (who, what): the expected HTTP status.

Roles: demo users, one per role (see caidan/demo/data.py). ``None`` = anonymous.
"""

import pytest

from caidan.complaints.inputs import ComplaintDecisionInput, ComplaintInput, ComplaintSuspendInput
from caidan.contracts.inputs import ReportInput
from caidan.evaluations.inputs import (
    AssessmentInput,
    AuditPlanInput,
    FindingInput,
    FindingResponseInput,
    HearingInput,
    ScoresInput,
    SurveyInput,
)
from caidan.procurement.inputs import BidContentInput, ExpertInput, SheetScoresInput

USERS = [
    None,
    "admin",
    "registrar",
    "purchaser",
    "committee",
    "provider",
    "hub",
    "expert",
    "evaluator",
    "auditor",
    "resident",
]
ADMIN_ONLY = {"admin"}
AUDIT = {"admin", "auditor"}


def _expected(user, allowed, anonymous=401):
    if user is None:
        return anonymous
    return 200 if user in allowed else 403


API_READS = [
    # path, who gets 200 (others authenticated: 403; anonymous: 401); "*" = any logged-in
    ("/api/v1/me", "*"),
    ("/api/v1/tokens", "*"),
    ("/api/v1/notifications", "*"),
    ("/api/v1/units", "public"),
    ("/api/v1/jurisdiction/settings", "public"),
    ("/api/v1/jurisdiction/calendar?year=2026", "public"),
    ("/api/v1/jurisdiction/calendar/years", "public"),
    ("/api/v1/audit/events", AUDIT),
    ("/api/v1/audit/verify", AUDIT),
    ("/api/v1/audit/anchors", "public"),
    ("/api/v1/users", ADMIN_ONLY),
    ("/api/v1/catalog/versions", "public"),
    ("/api/v1/catalog/negative-list", "public"),
    ("/api/v1/orgs", "public"),
    ("/api/v1/projects/plan", "public"),
    ("/api/v1/projects/proposals", "*"),
    ("/api/v1/procurement/tenders", "public"),
    ("/api/v1/procurement/my/bids", {"provider", "hub"}),
    ("/api/v1/procurement/my/panels", {"expert"}),
    ("/api/v1/procurement/experts", ADMIN_ONLY),
    ("/api/v1/contracts", "public"),
    ("/api/v1/contracts/my/overdue", {"purchaser", "provider", "hub"}),
    ("/api/v1/ocds/releases", "public"),
    ("/api/v1/ocds/records/ocds-caidan-1", "public"),
    ("/api/v1/ocds/changes", "public"),
    ("/api/v1/notices", "public"),
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("path", "allowed"), API_READS)
def test_api_reads_by_token(world, client, token_for, user, path, allowed):
    headers = token_for(user) if user else {}
    resp = client.get(path, **headers)
    if allowed == "public":
        expected = 200
    elif allowed == "*":
        expected = 200 if user else 401
    else:
        expected = _expected(user, allowed)
    assert resp.status_code == expected, (user, path, resp.content[:300])
    if expected >= 400:
        body = resp.json()
        assert set(body) == {"code", "message", "detail"} and body["message"]


@pytest.mark.parametrize("user", USERS)
def test_api_setting_update(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.put(
        "/api/v1/jurisdiction/settings/min_valid_bids",
        data={"value": 4},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == _expected(user, ADMIN_ONLY), resp.content


@pytest.mark.parametrize("user", USERS)
def test_api_calendar_update(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.put(
        "/api/v1/jurisdiction/calendar/2027-01-01",
        data={"kind": "holiday", "name": "元旦"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == _expected(user, ADMIN_ONLY), resp.content


@pytest.mark.parametrize("user", USERS)
def test_api_calendar_year_notice(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.put(
        "/api/v1/jurisdiction/calendar/years/2027",
        data={"notice": "国务院办公厅通知", "holidays": [{"start": "2027-01-01", "name": "元旦"}]},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == _expected(user, ADMIN_ONLY), resp.content


@pytest.mark.parametrize("user", USERS)
def test_api_user_create(world, client, token_for, user):
    headers = token_for(user) if user else {}
    resp = client.post(
        "/api/v1/users",
        data={"username": f"new-{user}", "password": "a-long-enough-passphrase"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == (201 if user == "admin" else 401 if user is None else 403)


@pytest.mark.parametrize("user", USERS)
def test_api_grant_role(world, client, token_for, user):
    headers = token_for(user) if user else {}
    target = world.user("resident")
    resp = client.post(
        f"/api/v1/users/{target.pk}/memberships",
        data={"role": "purchaser", "unit_id": world.unit("310105-003").pk},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == (201 if user == "admin" else 401 if user is None else 403)


# Object scope: members of a unit are visible to roles whose unit covers it.
UNIT_MEMBERS = [
    # user, unit code, expected
    (None, "310105-001", 401),
    ("admin", "310105-001", 200),  # platform admin: whole jurisdiction
    ("admin", "310105-002", 200),
    ("purchaser", "310105-001", 200),  # own street
    ("purchaser", "310105-002", 403),  # another street
    ("purchaser", "310105", 403),  # not the district above it
    ("registrar", "310105-MZJ", 200),
    ("registrar", "310105-001", 403),
    ("auditor", "310105-SJJ", 200),
    ("auditor", "310105-001", 403),
    ("committee", "310105-001", 403),  # role not allowed at all
    ("provider", "310105-001", 403),
    ("resident", "310105-001", 403),
]


@pytest.mark.parametrize(("user", "code", "expected"), UNIT_MEMBERS)
def test_unit_members_scope(world, client, token_for, user, code, expected):
    headers = token_for(user) if user else {}
    unit = world.unit(code)
    resp = client.get(f"/api/v1/units/{unit.pk}/members", **headers)
    assert resp.status_code == expected, resp.content
    if expected == 403 and user in {"purchaser", "registrar", "auditor"}:
        assert resp.json()["code"] == "out_of_scope"


def test_unit_members_masks_phone(world, client, token_for):
    resp = client.get(
        f"/api/v1/units/{world.unit('310105-001').pk}/members", **token_for("purchaser")
    )
    phones = {item["phone"] for item in resp.json()["items"]}
    assert phones == {"138****0000"}


WEB_PAGES = [
    ("/", "public"),
    ("/login/", "public"),
    ("/dashboard/", "*"),
    ("/me/tokens/", "*"),
    ("/me/password/", "*"),
    ("/notifications/", "*"),
    ("/audit/", AUDIT),
    ("/settings/", ADMIN_ONLY),
    ("/settings/calendar/", ADMIN_ONLY),
    ("/settings/calendar/notice/?year=2027", ADMIN_ONLY),
    ("/accounts/users/", ADMIN_ONLY),
    ("/accounts/units/", ADMIN_ONLY),
    ("/catalog/", "public"),
    ("/catalog/manage/", ADMIN_ONLY),
    ("/orgs/", "public"),
    ("/projects/", "public"),
    ("/projects/ceilings/", ADMIN_ONLY),
    ("/procurement/", "public"),
    ("/contracts/", "public"),
    ("/evaluations/", "public"),
    ("/stats/flags/", "public"),
    ("/stats/", "public"),
    ("/open/", "public"),
    ("/open/notices/", "public"),
    ("/open/search/?q=服务", "public"),
    ("/open/data/", "public"),
    ("/open/data/projects.csv", "public"),
    ("/open/data/contracts.xlsx", "public"),
    ("/open/audit-anchors/", "public"),
    ("/open/data/audit-anchors.jsonl", "public"),
    ("/open/notices/manage/", ADMIN_ONLY),
    ("/open/notices/new/", ADMIN_ONLY),
    ("/complaints/", {"admin", "auditor", "purchaser"}),
    ("/complaints/mine/", {"provider", "hub"}),
    ("/complaints/public/", "public"),
]


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize(("path", "allowed"), WEB_PAGES)
def test_web_pages(world, login, client, user, path, allowed):
    if user:
        login(user)
    resp = client.get(path)
    if allowed == "public":
        assert resp.status_code == 200
    elif user is None:
        assert resp.status_code == 302 and "/login/" in resp["Location"]
    elif allowed == "*" or user in allowed:
        assert resp.status_code == 200
    else:
        assert resp.status_code == 403
        assert "无权" in resp.content.decode()


@pytest.mark.parametrize("user", USERS[1:])
def test_each_role_sees_its_dashboard(world, login, user):
    from caidan.accounts.dashboards import panels_for

    client = login(user)
    membership = world.membership(user)
    html = client.get("/dashboard/").content.decode()
    assert membership.get_role_display() in html
    for panel in panels_for(membership.role):
        assert str(panel.title) in html


# --- procurement (caidan/procurement/api.py): endpoints on objects ------------------------------
# Each row: method, path under /api/v1/procurement ({name} = an object made for the row, see
# ``_ProcurementObjects``), body (a function of those objects), and who gets which status:
# "*" = every other logged-in role; anonymous gets 401 unless the row says otherwise (None).
# 404 = the role may not even know the object exists (drafts, another organization's bid).
PURCHASER = {"purchaser": 200, "*": 403}
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
    # the draw after the award (tests/procurement/test_legal_edges.py).
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
    # other role is refused before the body is read. The upload: tests/procurement/test_api.py.
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


class _Rollback(Exception):
    pass


def _each_role(client, token_for, *, method, url, body, objects, expected):
    """Every role (and anonymous) against one endpoint, each call in a savepoint that is
    rolled back, so every role meets the same state: the status is the row's, and a refusal
    has the ``{code, message, detail}`` shape."""
    from django.core.files import File
    from django.db import transaction

    for user in USERS:
        data = body(objects) if body else {}  # afresh: an uploaded file is read once
        try:
            with transaction.atomic():
                headers = token_for(user) if user else {}
                if method == "GET":
                    resp = client.get(url, **headers)
                elif any(isinstance(v, File) for v in data.values()):
                    resp = client.post(url, data=data, **headers)
                else:
                    resp = getattr(client, method.lower())(
                        url, data=data, content_type="application/json", **headers
                    )
                want = expected.get(user, expected["*"]) if user else expected.get(None, 401)
                assert resp.status_code == want, (user, method, url, resp.content[:300])
                if want >= 400:
                    body_ = resp.json()
                    assert set(body_) == {"code", "message", "detail"} and body_["message"]
                raise _Rollback
        except _Rollback:
            pass


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


# --- contracts (caidan/contracts/api.py): endpoints on objects --------------------------------------
# Same shape as PROCUREMENT_API, paths under /api/v1/contracts (objects: ``_ContractObjects``).
# A draft is known to the two parties, the admin and auditors; 404 for everyone else.
# A body holding a file is sent as multipart/form-data.
CONTRACT_INSIDERS = {"purchaser": 200, "provider": 200, "admin": 200, "auditor": 200, "*": 403}
CONTRACT_DRAFT = {**CONTRACT_INSIDERS, "*": 404, None: 404}
DRAFT_PURCHASER = {"purchaser": 200, "provider": 403, "admin": 403, "auditor": 403, "*": 404}
PROVIDER = {"provider": 200, "*": 403}


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
    """Every role against one endpoint, each call in a rolled-back savepoint (as above)."""
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


# --- evaluations (caidan/evaluations/api.py): endpoints on objects ---------------------------------
# Same shape as PROCUREMENT_API, paths under /api/v1/evaluations (objects: ``_EvaluationObjects``).
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
    """Every role against one endpoint, each call in a rolled-back savepoint (as above)."""
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
    """Every role against one endpoint, each call in a rolled-back savepoint (as above)."""
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


def test_api_document_targets(world, client, token_for, settings, tmp_path):
    """Every registered document target type × every role, through the generic upload
    (``POST /api/v1/documents``): records with their own route are refused for everyone
    (400, naming it); the others need the permission that changing the record needs.
    The same roles through the apps' own routes: caidan/documents/tests/test_targets.py."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from caidan.documents.targets import TARGETS
    from caidan.documents.tests.records import ATTACHERS, attachable_records

    settings.MEDIA_ROOT = tmp_path
    records = attachable_records(world)
    assert set(records) == set(TARGETS)
    for target_type, target_id in records.items():
        for user in USERS:
            file = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
            data = {"file": file, "target_type": target_type, "target_id": target_id}
            resp = client.post("/api/v1/documents", data, **(token_for(user) if user else {}))
            if user is None:
                want = 401
            elif TARGETS[target_type].route:
                want = 400
            else:
                want = 201 if user in ATTACHERS[target_type] else 403
            assert resp.status_code == want, (user, target_type, resp.content[:300])
            if want >= 400:
                assert set(resp.json()) == {"code", "message", "detail"}
