"""The legal edges of issue 15 (DOMAIN §4.7), each at its boundary:

2. every open tender and consultation has a lawful committee, also under the lowest-price
   method, where it reviews qualification and compliance before the price ranking
   (87号令 §45–47, §50, §57);
3. competitive consultation uses comprehensive scoring (财库〔2014〕214号 §23);
9. the expert draw's seed is committed at publication, nobody can choose it, and the draw
   is published with the award for anyone to re-run (财库〔2016〕198号);
11. who asked or bid stays secret until opening, from everyone (招标投标法 §22).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, ValidationError
from caidan.notifications.models import Notification
from caidan.procurement import draw_check
from caidan.procurement.forms import TenderForm
from caidan.procurement.inputs import ExpertInput, SheetScoresInput, SheetVerdictsInput, TenderInput
from caidan.procurement.models import Bid, ExpertDraw, PanelMember, Tender
from caidan.procurement.selectors_experts import draw_record, panel_for
from caidan.procurement.services import (
    award_confirm,
    clarification_ask,
    evaluation_compute,
    panel_declare,
    panel_draw,
    panel_recuse,
    scores_submit,
    tender_publish,
    tender_update,
)
from caidan.procurement.services.evaluation import verdicts_save

from .factories import (
    approved_proposal,
    committee_passes_all,
    draft_tender,
    expert_actor,
    make_bidders,
    make_expert_pool,
    next_working_deadline,
    open_now,
    opened_tender,
    published_tender,
    submit_bids,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/procurement"
AUDIT_API = "/api/v1/audit"


# --- 2. every tender that needs a committee has a lawful one -------------------------------------


@pytest.mark.parametrize("evaluation_method", ["comprehensive", "lowest_price"])
@pytest.mark.parametrize(
    ("budget", "size", "ok"),
    [
        ("9999999.99", 3, False),
        ("9999999.99", 4, False),
        ("9999999.99", 5, True),
        ("9999999.99", 6, False),  # odd
        ("9999999.99", 7, True),
        ("10000000.00", 5, False),  # ≥ 7 from ¥10,000,000
        ("10000000.00", 6, False),
        ("10000000.00", 7, True),
        ("10000000.00", 8, False),
        ("10000000.01", 5, False),
        ("10000000.01", 7, True),
        ("10000000.01", 9, True),
    ],
)
def test_open_tender_committee_size_at_the_budget_boundary(
    world, evaluation_method, budget, size, ok
):
    tender = draft_tender(world, budget=budget, evaluation_method=evaluation_method)
    # the default is the smallest lawful committee, for either evaluation method
    assert tender.committee_size == (7 if Decimal(budget) >= Decimal("10000000.00") else 5)
    change = {"committee_size": size}
    if ok:
        tender = tender_update(tender=tender, changes=change, actor=world.actor("purchaser"))
        assert tender.committee_size == size
        return
    with pytest.raises(ValidationError) as exc:
        tender_update(tender=tender, changes=change, actor=world.actor("purchaser"))
    assert exc.value.field == "committee_size" and "87号令 §47" in exc.value.message


@pytest.mark.parametrize(("size", "ok"), [(1, False), (2, False), (3, True), (4, False), (5, True)])
def test_consultation_panel_is_at_least_three_and_odd(world, size, ok):
    tender = draft_tender(
        world,
        method="consultation",
        price_points=20,
        factors=[
            {"id": "plan", "name": "服务方案", "max": 50},
            {"id": "team", "name": "团队与资质", "max": 30},
        ],
    )
    assert tender.committee_size == 3
    if ok:
        tender_update(
            tender=tender, changes={"committee_size": size}, actor=world.actor("purchaser")
        )
        return
    with pytest.raises(ValidationError) as exc:
        tender_update(
            tender=tender, changes={"committee_size": size}, actor=world.actor("purchaser")
        )
    assert exc.value.field == "committee_size" and "财库〔2014〕214号" in exc.value.message


@pytest.mark.parametrize(
    ("method", "needs"),
    [
        ("open_tender", True),
        ("consultation", True),
        ("post_purchase", True),
        ("single_source", False),
        ("agreement", False),
    ],
)
def test_which_methods_need_a_committee(method, needs):
    from caidan.procurement.methods import committee_needed

    assert committee_needed(Tender(method=method, evaluation_method="comprehensive")) is needs


def test_lowest_price_tender_waits_for_the_committee_and_is_not_ranked_at_opening(world):
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    assert tender.status == "evaluating" and tender.result is None
    assert not Bid.objects.filter(tender=tender, rank__isnull=False).exists()
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    members = [m for m in panel_for(tender) if m.status == "drawn"]
    assert len(members) == 5
    with pytest.raises(Conflict) as exc:
        evaluation_compute(tender=tender, actor=world.actor("purchaser"))
    assert exc.value.code == "panel_incomplete"
    # 4 of 5 members submit: still no ranking
    bids = list(Bid.objects.filter(tender=tender, status="valid").order_by("price"))
    for m in members[:4]:
        actor = expert_actor(m.expert)
        panel_declare(member=m, no_conflict=True, actor=actor)
        verdicts_save(
            member=m,
            data=SheetVerdictsInput.parse(verdicts={str(b.pk): {"pass": True} for b in bids}),
            actor=actor,
        )
        scores_submit(member=m, actor=actor)
    tender.refresh_from_db()
    assert tender.status == "evaluating"
    last = members[4]
    actor = expert_actor(last.expert)
    panel_declare(member=last, no_conflict=True, actor=actor)
    verdicts_save(
        member=last,
        data=SheetVerdictsInput.parse(verdicts={str(b.pk): {"pass": True} for b in bids}),
        actor=actor,
    )
    scores_submit(member=last, actor=actor)
    tender.refresh_from_db()
    assert tender.status == "evaluated"
    assert [b.rank for b in Bid.objects.filter(tender=tender).order_by("price")] == [1, 2, 3]


def _review(tender, verdicts_by_member):
    """``verdicts_by_member[i] = {bid: reason or None (pass)}``; missing bids pass."""
    members = [m for m in panel_for(tender) if m.status == "drawn"]
    bids = list(Bid.objects.filter(tender=tender, status="valid").order_by("price", "id"))
    for i, m in enumerate(members):
        actor = expert_actor(m.expert)
        panel_declare(member=m, no_conflict=True, actor=actor)
        verdicts = {str(b.pk): {"pass": True} for b in bids}
        for bid, reason in verdicts_by_member.get(i, {}).items():
            verdicts[str(bid.pk)] = {"pass": False, "reason": reason}
        verdicts_save(member=m, data=SheetVerdictsInput.parse(verdicts=verdicts), actor=actor)
        scores_submit(member=m, actor=actor)
    tender.refresh_from_db()


@pytest.mark.parametrize(("failing_members", "excluded"), [(2, False), (3, True), (5, True)])
def test_a_bid_the_committee_fails_by_majority_is_excluded_with_its_reason(
    world, failing_members, excluded
):
    tender = opened_tender(
        world,
        evaluation_method="lowest_price",
        prices=("700000.00", "800000.00", "900000.00", "950000.00"),
        review=False,
    )
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    cheapest = Bid.objects.filter(tender=tender).order_by("price").first()
    _review(tender, {i: {cheapest: "未按采购文件要求提供服务方案"} for i in range(failing_members)})
    assert tender.status == "evaluated"
    cheapest.refresh_from_db()
    if excluded:
        assert cheapest.status == "invalid" and cheapest.rank is None
        assert "资格性和符合性审查不通过" in cheapest.invalid_reasons[0]
        assert "未按采购文件要求提供服务方案" in cheapest.invalid_reasons[0]
        ranks = [
            b.rank for b in Bid.objects.filter(tender=tender, status="valid").order_by("price")
        ]
        assert ranks == [1, 2, 3]
    else:
        assert cheapest.status == "valid" and cheapest.rank == 1


def test_committee_exclusion_can_fail_the_tender_below_the_minimum(world):
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    cheapest = Bid.objects.filter(tender=tender).order_by("price").first()
    _review(tender, {i: {cheapest: "资格证明文件缺失"} for i in range(5)})
    assert tender.status == "failed" and "有效投标" in tender.failed_reason


def test_equal_lowest_prices_are_tied_after_the_review(world):
    tender = opened_tender(
        world,
        evaluation_method="lowest_price",
        prices=("800000.00", "800000.00", "900000.00"),
    )
    assert tender.status == "evaluated"
    assert sorted(b.rank for b in Bid.objects.filter(tender=tender)) == [1, 1, 3]


def test_a_fail_needs_a_reason_and_the_review_has_no_scores(world):
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    member = next(m for m in panel_for(tender) if m.status == "drawn")
    actor = expert_actor(member.expert)
    panel_declare(member=member, no_conflict=True, actor=actor)
    bid = Bid.objects.filter(tender=tender).first()
    with pytest.raises(ValidationError) as exc:
        verdicts_save(
            member=member,
            data=SheetVerdictsInput.parse(verdicts={str(bid.pk): {"pass": False}}),
            actor=actor,
        )
    assert exc.value.field == f"verdicts.{bid.pk}.reason" and "87号令 §50" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        verdicts_save(
            member=member,
            data=SheetVerdictsInput.parse(verdicts={str(bid.pk): {"pass": "yes"}}),
            actor=actor,
        )
    assert exc.value.field == f"verdicts.{bid.pk}"
    verdicts_save(
        member=member,
        data=SheetVerdictsInput.parse(verdicts={str(bid.pk): {"pass": True}}),
        actor=actor,
    )
    with pytest.raises(ValidationError) as exc:  # the other two bids have no verdict yet
        scores_submit(member=member, actor=actor)
    assert exc.value.code == "incomplete" and exc.value.field == "verdicts"
    from caidan.procurement.services import scores_save

    with pytest.raises(Conflict) as exc:
        scores_save(member=member, data=SheetScoresInput.parse(scores={}), actor=actor)
    assert exc.value.code == "compliance_only"


def test_single_source_is_ranked_at_opening_without_a_committee(world):
    from caidan.procurement.methods import committee_needed

    bidder = make_bidders(world, 1)[0]
    tender = published_tender(
        world,
        method="single_source",
        invited_organization=bidder.org,
        justification="该服务只有一家机构具备资质，已公示五个工作日。",
        days=10,
    )
    assert tender.committee_size == 0 and not committee_needed(tender)
    submit_bids(world, tender, ["500000.00"], bidders=[bidder])
    tender = open_now(tender)
    assert tender.status == "evaluated"


def test_compliance_review_page_for_the_expert(world, client):
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    member = next(m for m in panel_for(tender) if m.status == "drawn")
    panel_declare(member=member, no_conflict=True, actor=expert_actor(member.expert))
    client.force_login(member.expert.user)
    url = f"/procurement/tenders/{tender.pk}/review/"
    html = client.get(url).content.decode()
    assert "资格性和符合性审查" in html and 'data-testid="compliance-table"' in html
    bids = list(Bid.objects.filter(tender=tender, status="valid"))
    posted = {"action": "save", f"v-{bids[0].pk}": "fail", f"r-{bids[0].pk}": ""}
    html = client.post(url, posted).content.decode()
    assert "须写明理由" in html
    posted[f"r-{bids[0].pk}"] = "缺少资质证明"
    assert client.post(url, posted).status_code == 302
    member.sheet.refresh_from_db()
    assert member.sheet.verdicts[str(bids[0].pk)] == {"pass": False, "reason": "缺少资质证明"}


# --- 3. competitive consultation uses comprehensive scoring --------------------------------------


def test_consultation_cannot_use_the_lowest_price_method(world, client, token_for):
    proposal = approved_proposal(world, method="consultation")
    from caidan.procurement.services import tender_create

    with pytest.raises(ValidationError) as exc:
        tender_create(
            actor=world.actor("purchaser"),
            data=TenderInput.parse(proposal=proposal, evaluation_method="lowest_price"),
        )
    assert exc.value.field == "evaluation_method" and "财库〔2014〕214号 §23" in exc.value.message
    # switching an open tender's draft to consultation keeps the rule
    tender = draft_tender(world, evaluation_method="lowest_price")
    with pytest.raises(ValidationError) as exc:
        tender_update(
            tender=tender,
            changes={"method": "consultation", "method_change_reason": "两家有效投标"},
            actor=world.actor("purchaser"),
        )
    assert exc.value.field == "evaluation_method"
    # through the API: 4xx naming the field and the source
    draft = draft_tender(world, method="consultation")
    resp = client.patch(
        f"{API}/tenders/{draft.pk}",
        data={"evaluation_method": "lowest_price"},
        content_type="application/json",
        **token_for("purchaser"),
    )
    assert 400 <= resp.status_code < 500, resp.content
    body = resp.json()
    assert body["detail"]["field"] == "evaluation_method" and "214号" in body["message"]


@pytest.mark.parametrize(
    ("method", "offered"),
    [
        ("open_tender", ["comprehensive", "lowest_price"]),
        ("consultation", ["comprehensive"]),
        ("post_purchase", ["comprehensive", "lowest_price"]),
    ],
)
def test_the_form_offers_only_the_evaluation_methods_that_apply(method, offered):
    form = TenderForm(initial={"method": method})
    assert [v for v, _ in form.fields["evaluation_method"].choices] == offered
    bound = TenderForm(data={"method": method, "evaluation_method": "lowest_price"})
    bound.is_valid()
    if "lowest_price" in offered:
        assert "evaluation_method" not in bound.errors
    else:
        assert "214号" in bound.errors["evaluation_method"][0]


# --- 9. the draw nobody can choose ---------------------------------------------------------------


def test_publication_commits_to_a_secret_seed(world, client):
    tender = published_tender(world)
    assert len(tender.draw_seed) == 64
    assert tender.draw_commitment == hashlib.sha256(tender.draw_seed.encode()).hexdigest()
    public = client.get(f"{API}/tenders/{tender.pk}").json()
    assert public["scoring_sheet"]["draw_commitment"] == tender.draw_commitment
    assert tender.draw_seed not in json.dumps(public)
    record = client.get(f"{API}/tenders/{tender.pk}/draw").json()
    assert record["commitment"] == tender.draw_commitment
    assert record["seed"] is None and record["draws"] == [] and record["published"] is False
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert tender.draw_commitment in html and tender.draw_seed not in html
    # the audit log records the commitment, never the seed
    logged = json.dumps(
        list(AuditEvent.objects.filter(target_id=str(tender.pk)).values("new", "old", "note")),
        ensure_ascii=False,
    )
    assert tender.draw_commitment in logged and tender.draw_seed not in logged


def test_two_publications_have_different_seeds(world):
    a, b = published_tender(world), published_tender(world)
    assert a.draw_seed != b.draw_seed and a.draw_commitment != b.draw_commitment


def test_panel_draw_takes_no_seed_from_anyone(world):
    tender = opened_tender(world)
    make_expert_pool(world, 7)
    with pytest.raises(TypeError):
        panel_draw(tender=tender, seed="mine", actor=world.actor("purchaser"))  # type: ignore[call-arg]


def test_supplementary_draw_derives_from_the_committed_seed_and_a_counter(world):
    tender = opened_tender(world)
    make_expert_pool(world, 7)  # exactly 5 + 2
    first = panel_draw(tender=tender, actor=world.actor("purchaser"))
    tender.refresh_from_db()
    assert first.seed == tender.draw_seed
    for m in [m for m in panel_for(tender) if m.status == "reserve"]:
        panel_recuse(member=m, reason="与投标人存在关联", actor=world.actor("purchaser"))
    seated = next(m for m in panel_for(tender) if m.status == "drawn")
    with pytest.raises(Conflict) as exc:
        panel_recuse(member=seated, reason="与投标人存在关联", actor=world.actor("purchaser"))
    assert exc.value.code == "no_reserve"
    make_expert_pool(world, 3)
    second = panel_draw(tender=tender, actor=world.actor("purchaser"))
    assert second.seed == draw_check.derived_seed(tender.draw_seed, 1)
    assert second.seed == hashlib.sha256(f"{tender.draw_seed}:1".encode()).hexdigest()
    assert second.size == 1
    assert {row["rules"][0] for row in second.exclusions} == {"on_panel"}


def _awarded_with_conflict(world):
    """A lowest-price tender awarded after its committee review, with one expert of the
    pool excluded as the purchaser's own staff."""
    from caidan.procurement.services import expert_create

    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 7)
    staff = expert_create(
        actor=world.actor("admin"),
        data=ExpertInput.parse(
            name="街道干部", specialties=["elderly"], employer_unit=world.unit("310105-001")
        ),
    )
    tender = committee_passes_all(world, tender)
    award_confirm(
        tender=tender, actor=world.actor("purchaser"), now=tender.opened_at + dt.timedelta(hours=1)
    )
    tender.refresh_from_db()
    return tender, staff


def test_the_draw_is_published_with_the_award_and_anyone_can_rerun_it(world, client):
    tender, staff = _awarded_with_conflict(world)
    commitment_before = tender.draw_commitment
    record = client.get(f"{API}/tenders/{tender.pk}/draw").json()
    assert record["published"] is True
    assert record["seed"] == tender.draw_seed
    assert hashlib.sha256(record["seed"].encode()).hexdigest() == commitment_before
    assert record["verification"]["ok"] is True
    (draw,) = record["draws"]
    stored = ExpertDraw.objects.get(tender=tender)
    assert draw["drawn"] == stored.drawn and draw["candidates"] == stored.candidates
    excluded = {row["expert"]: row for row in draw["exclusions"]}
    assert excluded[staff.pk]["rules"] == ["purchaser_staff"]
    # rule names only: no names or private details of the experts
    text = json.dumps(record, ensure_ascii=False)
    assert "街道干部" not in text and "江苏路街道" not in text
    # the published record alone re-runs (what `python -m caidan.procurement.draw_check` does)
    assert draw_check.verify_record(json.loads(json.dumps(record)))["ok"] is True
    # tampering is caught: another order, another seed, a hidden exclusion
    swapped = json.loads(json.dumps(record))
    swapped["draws"][0]["drawn"][:2] = swapped["draws"][0]["drawn"][1::-1]
    assert draw_check.verify_record(swapped)["ok"] is False
    other = json.loads(json.dumps(record))
    other["seed"] = "0" * 64
    assert draw_check.verify_record(other)["commitment_ok"] is False
    # Hiding the exclusion puts the purchaser's staff back among the candidates: the re-run
    # disagrees exactly when the staff member would then have been drawn (the seed is random,
    # so whether it would is computed here, from the published data, not assumed).
    hidden = json.loads(json.dumps(record))
    hidden["draws"][0]["exclusions"] = []
    seats = draw["size"] + draw["reserves"]
    with_staff = draw_check.draw_order(
        draw["seed"], draw["candidates"], algorithm=draw["algorithm"]
    )
    changes_order = staff.pk in with_staff[:seats]
    assert draw_check.verify_record(hidden)["draws"][0]["order_ok"] is not changes_order
    # the public pages show it
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert tender.draw_seed in html and 'data-testid="draw-verification"' in html
    assert "按公开数据重新计算的抽取结果一致" in html
    notice = client.get(f"/procurement/tenders/{tender.pk}/notice/").content.decode()
    assert 'data-testid="notice-draw-link"' in notice


def test_draw_check_command_line(world, tmp_path, capsys):
    tender, _ = _awarded_with_conflict(world)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(draw_record(tender)), encoding="utf-8")
    assert draw_check.main([str(path)]) == 0
    assert '"ok": true' in capsys.readouterr().out


def test_the_purchaser_does_not_see_the_seed_before_the_award(world, client, token_for):
    tender = opened_tender(world)
    make_expert_pool(world, 7)
    panel_draw(tender=tender, actor=world.actor("purchaser"))
    tender.refresh_from_db()
    panel = client.get(f"{API}/tenders/{tender.pk}/panel", **token_for("purchaser")).json()
    assert panel["draws"][0]["seed"] is None and panel["draws"][0]["verified"] is True
    assert panel["commitment"] == tender.draw_commitment
    client.force_login(world.user("purchaser"))
    html = client.get(f"/procurement/tenders/{tender.pk}/panel/").content.decode()
    assert tender.draw_seed not in html and tender.draw_commitment in html
    assert draw_record(tender)["seed"] is None


# --- 11. who has bid stays secret until opening ---------------------------------------------------


@pytest.fixture
def sealed(world):
    """A published tender (fixed clock) with a question and two sealed bids."""
    tender = published_tender(world)
    bidders = make_bidders(world, 2)
    clarification_ask(
        tender=tender,
        organization=bidders[0].org,
        question="服务对象名单何时提供？",
        actor=bidders[0].actor,
        now=tender.published_at + dt.timedelta(days=1),
    )
    submit_bids(world, tender, ["800000.00", "900000.00"], bidders=bidders)
    return tender, bidders


def _audit_texts(client, tender, headers):
    events = client.get(
        f"{AUDIT_API}/events?target_type=procurement.tender&target_id={tender.pk}&limit=100",
        **headers,
    )
    assert events.status_code == 200, events.content
    return events.json()["items"], events.content.decode()


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_audit_log_withholds_bidders_until_opening(world, client, token_for, sealed, role):
    tender, bidders = sealed
    names = [b.org.name for b in bidders] + [b.user.get_full_name() for b in bidders]
    items, text = _audit_texts(client, tender, token_for(role))
    bid_events = [e for e in items if e["kind"] in ("bid.submitted", "clarification.asked")]
    assert len(bid_events) == 3
    assert all(e["actor"] == "供应商（开标前不公开）" and e["hash"] == "" for e in bid_events)
    assert all(
        e["new"]["organization"] == "（不公开）" for e in bid_events if "organization" in e["new"]
    )
    assert not any(n in text for n in names)
    # filtering by a bidder's account does not reveal its events either
    by_actor = client.get(
        f"{AUDIT_API}/events?actor={bidders[0].user.username}", **token_for(role)
    ).json()["items"]
    assert by_actor == []
    # the web audit page
    client.force_login(world.user("admin" if role == "admin" else "auditor"))
    html = client.get(f"/audit/?target_type=procurement.tender&target_id={tender.pk}")
    assert html.status_code == 200
    page = html.content.decode()
    assert "供应商（开标前不公开）" in page and not any(n in page for n in names)
    # after opening everything is shown again
    open_now(tender)
    items, text = _audit_texts(client, tender, token_for(role))
    submitted = [e for e in items if e["kind"] == "bid.submitted"]
    assert {e["actor"] for e in submitted} == {b.user.get_full_name() for b in bidders}
    assert {e["new"]["organization"] for e in submitted} == {b.org.pk for b in bidders}
    assert all(e["hash"] for e in items)
    assert client.get(
        f"{AUDIT_API}/events?actor={bidders[0].user.username}", **token_for(role)
    ).json()["items"]


def test_the_purchaser_learns_nobody_before_opening(world, client, token_for, login, sealed):
    tender, bidders = sealed
    names = [b.org.name for b in bidders] + [b.user.get_full_name() for b in bidders]
    headers = token_for("purchaser")
    # API: questions without the asker, history without bids (their number leaks too)
    questions = client.get(f"{API}/tenders/{tender.pk}/clarifications", **headers).json()
    assert questions[0]["asked_by"] is None
    history = client.get(f"{API}/tenders/{tender.pk}/history", **headers).json()
    assert not any(e["kind"].startswith("bid.") for e in history)
    asked = next(e for e in history if e["kind"] == "clarification.asked")
    assert asked["actor_label"] == "供应商（开标前不公开）"
    text = json.dumps([questions, history], ensure_ascii=False)
    assert not any(n in text for n in names)
    # the notification of the question names nobody
    notes = Notification.objects.filter(kind="tender.question")
    assert notes.exists()
    assert not any(n in note.body + note.title for note in notes for n in names)
    # pages
    c = login("purchaser")
    for url in (
        f"/procurement/tenders/{tender.pk}/",
        f"/procurement/tenders/{tender.pk}/questions/",
    ):
        html = c.get(url).content.decode()
        assert not any(n in html for n in names), url
        assert "递交密封投标" not in html
    # after opening the purchaser sees who asked and bid
    open_now(tender)
    questions = client.get(f"{API}/tenders/{tender.pk}/clarifications", **headers).json()
    assert questions[0]["asked_by"]["name"] == bidders[0].org.name
    history = client.get(f"{API}/tenders/{tender.pk}/history", **headers).json()
    assert sum(e["kind"] == "bid.submitted" for e in history) == 2


def test_another_provider_and_the_asker(world, client, token_for, login, sealed):
    tender, bidders = sealed
    other = make_bidders(world, 1)[0]
    client.force_login(other.user)
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert bidders[0].org.name not in html and "服务对象名单何时提供" not in html
    assert (
        client.get(f"{API}/tenders/{tender.pk}/history", **token_for("provider")).status_code == 403
    )
    # the asker still sees its own question
    client.force_login(bidders[0].user)
    html = client.get(f"/procurement/tenders/{tender.pk}/").content.decode()
    assert "服务对象名单何时提供" in html and 'data-testid="my-questions"' in html


def test_recusal_request_notification_names_nobody_before_opening(world, sealed):
    from caidan.procurement.services import recusal_request

    tender, bidders = sealed
    recusal_request(
        tender=tender,
        organization=bidders[1].org,
        reason="某专家曾在另一投标人处任职",
        actor=bidders[1].actor,
    )
    note = Notification.objects.get(kind="panel.recusal_requested")
    assert bidders[1].org.name not in note.body and "开标前不公开" in note.body


def test_question_time_follows_the_given_clock(world):
    tender = published_tender(world)
    bidder = make_bidders(world, 1)[0]
    at = tender.deadline - dt.timedelta(seconds=1)
    c = clarification_ask(
        tender=tender, organization=bidder.org, question="最后一秒", actor=bidder.actor, now=at
    )
    c.refresh_from_db()
    assert c.asked_at == at
    with pytest.raises(Conflict):
        clarification_ask(
            tender=tender,
            organization=bidder.org,
            question="截止时",
            actor=bidder.actor,
            now=tender.deadline,
        )


def test_publish_commits_on_a_fixed_clock(world):
    tender = draft_tender(world)
    now = timezone.now()
    deadline = next_working_deadline(now + dt.timedelta(days=25))
    tender_update(tender=tender, changes={"deadline": deadline}, actor=world.actor("purchaser"))
    tender = tender_publish(tender=tender, actor=world.actor("purchaser"), now=now)
    assert tender.published_at == now and tender.draw_commitment
    assert PanelMember.objects.filter(tender=tender).count() == 0


def test_retendering_a_lowest_price_tender_as_consultation_switches_to_scoring(world):
    from caidan.procurement.services import tender_retender

    tender = opened_tender(
        world, evaluation_method="lowest_price", prices=("800000.00", "900000.00"), review=False
    )
    assert tender.status == "failed"  # two valid bids: fewer than three
    new = tender_retender(
        tender=tender,
        method="consultation",
        reason="公开招标只有两家有效投标",
        actor=world.actor("purchaser"),
    )
    assert new.evaluation_method == "comprehensive" and new.committee_size == 3
