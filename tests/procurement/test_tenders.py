"""Tender documents and timeline: every §4.1 number that concerns them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.procurement.inputs import TenderInput
from caidan.procurement.models import Amendment, Tender
from caidan.procurement.services import (
    tender_amend,
    tender_approve_method_change,
    tender_cancel,
    tender_create,
    tender_publish,
    tender_retender,
    tender_update,
)
from caidan.projects.inputs import ProposalInput

from .factories import (
    approved_proposal,
    draft_tender,
    make_bidder,
    open_now,
    published_tender,
    submit_bids,
    tender_data,
)

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=SH)


def factors(*maxima):
    return [{"id": f"f{i}", "name": f"因素{i}", "max": m} for i, m in enumerate(maxima)]


@pytest.fixture
def purchaser(world):
    return world.actor("purchaser")


@pytest.fixture
def golden_week(world):
    from caidan.jurisdiction.services import calendar_day_set

    for day in range(1, 8):
        calendar_day_set(
            date=dt.date(2027, 10, day), kind="holiday", name="国庆节", actor=world.actor("admin")
        )


def publish_at(world, tender, *, now, deadline):
    tender_update(tender=tender, changes={"deadline": deadline}, actor=world.actor("purchaser"))
    return tender_publish(tender=tender, actor=world.actor("purchaser"), now=now)


# --- drafting ---------------------------------------------------------------------------------


def test_tender_starts_from_an_approved_project_with_its_defaults(world, purchaser):
    proposal = approved_proposal(world, budget="600000.00")
    t = tender_create(
        actor=purchaser, data=TenderInput.parse(proposal=proposal, **tender_data(bid_security="0"))
    )
    assert t.status == "draft"
    assert t.budget == Decimal("600000.00")
    assert t.method == "open_tender"
    assert t.committee_size == 5  # the smallest lawful committee
    assert t.reference.startswith(f"CD-{proposal.year}-")


def test_an_unapproved_project_cannot_be_tendered(world, purchaser):
    from caidan.catalog.models import CatalogItem
    from caidan.projects.services import proposal_create

    year = timezone.localdate().year + 1
    draft = proposal_create(
        actor=purchaser,
        unit=world.unit("310105-001"),
        data=ProposalInput.parse(
            title="未立项项目",
            catalog_item=CatalogItem.objects.filter(level=3, version__status="published").first(),
            budget="100000.00",
            funding=[{"source": "fiscal", "amount": "100000.00"}],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            purchase_mode="outsourcing",
            procurement_method="open_tender",
        ),
    )
    with pytest.raises(Conflict) as exc:
        tender_create(actor=purchaser, data=TenderInput.parse(proposal=draft))
    assert exc.value.code == "not_approved"


def test_one_live_tender_per_project(world, purchaser):
    t = draft_tender(world)
    with pytest.raises(Conflict) as exc:
        tender_create(actor=purchaser, data=TenderInput.parse(proposal=t.proposal, **tender_data()))
    assert exc.value.code == "tender_exists"


def test_another_units_officer_cannot_tender_or_edit(world):
    t = draft_tender(world)
    with pytest.raises(PermissionDenied):
        tender_update(tender=t, changes={"title": "改名"}, actor=world.actor("purchaser2"))
    with pytest.raises(PermissionDenied):
        tender_create(actor=world.actor("purchaser2"), data=TenderInput.parse(proposal=t.proposal))


def test_budget_is_the_ceiling_of_the_approved_project(world, purchaser):
    proposal = approved_proposal(world, budget="500000.00")
    with pytest.raises(ValidationError) as exc:
        tender_create(
            actor=purchaser,
            data=TenderInput.parse(proposal=proposal, **tender_data(budget="500000.01")),
        )
    assert exc.value.field == "budget"


@pytest.mark.parametrize(("security", "ok"), [("20000.00", True), ("20000.01", False), ("0", True)])
def test_bid_security_at_most_two_percent_of_budget(world, security, ok):
    if ok:
        assert draft_tender(world, bid_security=security).bid_security == Decimal(security)
    else:
        with pytest.raises(ValidationError) as exc:
            draft_tender(world, bid_security=security)
        assert exc.value.field == "bid_security"
        assert "2" in exc.value.message and "实施条例 §33" in exc.value.message


@pytest.mark.parametrize(
    ("method", "price_points", "ok"),
    [
        ("open_tender", 10, True),
        ("open_tender", 9, False),  # services ≥ 10 %
        ("open_tender", 60, True),
        ("consultation", 10, True),
        ("consultation", 30, True),
        ("consultation", 31, False),  # consultation 10–30 %
        ("consultation", 9, False),
    ],
)
def test_price_weight_rules(world, method, price_points, ok):
    rest = 100 - price_points
    sheet = factors(rest - 10, 10)
    kwargs = {"method": method, "price_points": price_points, "factors": sheet}
    if method == "consultation":
        kwargs["committee_size"] = 3
    if ok:
        assert draft_tender(world, **kwargs).price_points == price_points
    else:
        with pytest.raises(ValidationError) as exc:
            draft_tender(world, **kwargs)
        assert exc.value.field == "price_points"


def test_scoring_sheet_must_total_100_with_unique_factors(world):
    with pytest.raises(ValidationError) as exc:
        draft_tender(world, price_points=30, factors=factors(40, 20))
    assert exc.value.field == "factors" and "100" in exc.value.message
    dup = [{"id": "plan", "name": "方案", "max": 35}, {"id": "plan", "name": "方案2", "max": 35}]
    with pytest.raises(ValidationError) as exc:
        draft_tender(world, factors=dup)
    assert exc.value.field == "factors.1.id"


@pytest.mark.parametrize(
    ("budget", "method", "size", "ok"),
    [
        ("1000000.00", "open_tender", 5, True),
        ("1000000.00", "open_tender", 4, False),
        ("1000000.00", "open_tender", 6, False),  # odd
        ("10000000.00", "open_tender", 5, False),  # ≥ ¥10 million → ≥ 7
        ("10000000.00", "open_tender", 7, True),
        ("1000000.00", "consultation", 3, True),
        ("1000000.00", "consultation", 4, False),
    ],
)
def test_committee_sizes(world, budget, method, size, ok):
    kwargs = {"budget": budget, "method": method, "committee_size": size}
    if method == "consultation":
        kwargs["price_points"] = 20
        kwargs["factors"] = factors(50, 30)
    if ok:
        assert draft_tender(world, **kwargs).committee_size == size
    else:
        with pytest.raises(ValidationError) as exc:
            draft_tender(world, **kwargs)
        assert exc.value.field == "committee_size"


def test_large_budget_defaults_to_seven_experts(world):
    assert draft_tender(world, budget="10000000.00").committee_size == 7


# --- methods as configuration -------------------------------------------------------------------


def test_single_source_needs_the_invited_provider_and_a_published_reason(world):
    bidder = make_bidder(world)
    with pytest.raises(ValidationError) as exc:
        draft_tender(world, method="single_source")
    assert exc.value.field == "invited_organization"
    with pytest.raises(ValidationError) as exc:
        draft_tender(world, method="single_source", invited_organization=bidder.org)
    assert exc.value.field == "justification"
    t = draft_tender(
        world,
        method="single_source",
        invited_organization=bidder.org,
        justification="该服务只能由唯一具备专业资质的机构提供，且需保持服务连续性。",
    )
    assert t.committee_size == 0  # no expert scoring


def test_agreement_purchase_is_for_hub_organizations_only(world):
    plain = make_bidder(world)
    hub = make_bidder(world, hub=True, fields=("mediation",))
    reason = "由枢纽型社会组织统筹基层社会组织提供人民调解服务。"
    with pytest.raises(ValidationError) as exc:
        draft_tender(
            world, method="agreement", invited_organization=plain.org, justification=reason
        )
    assert exc.value.field == "invited_organization" and "枢纽" in exc.value.message
    t = draft_tender(world, method="agreement", invited_organization=hub.org, justification=reason)
    assert t.invited_organization == hub.org


def test_post_purchase_needs_posts_requirements_and_a_cap_within_budget(world):
    with pytest.raises(ValidationError) as exc:
        draft_tender(world, method="post_purchase")
    assert exc.value.field == "posts"
    with pytest.raises(ValidationError) as exc:
        draft_tender(
            world,
            method="post_purchase",
            posts=10,
            post_requirements="持证社工",
            post_price_cap="100000.01",
        )
    assert exc.value.field == "post_price_cap"
    t = draft_tender(
        world,
        method="post_purchase",
        posts=10,
        post_requirements="持证社工",
        post_price_cap="100000.00",
    )
    assert t.posts == 10


def test_open_tender_cannot_name_a_provider(world):
    with pytest.raises(ValidationError) as exc:
        draft_tender(world, invited_organization=make_bidder(world).org)
    assert exc.value.field == "invited_organization"


def test_a_different_method_needs_a_reason_and_approval_before_publication(world, purchaser):
    proposal = approved_proposal(world)
    with pytest.raises(ValidationError) as exc:
        tender_create(
            actor=purchaser,
            data=TenderInput.parse(
                proposal=proposal,
                **tender_data(
                    method="consultation",
                    price_points=20,
                    committee_size=3,
                    factors=factors(50, 30),
                ),
            ),
        )
    assert exc.value.field == "method_change_reason"
    t = tender_create(
        actor=purchaser,
        data=TenderInput.parse(
            proposal=proposal,
            **tender_data(
                method="consultation",
                price_points=20,
                committee_size=3,
                factors=factors(50, 30),
                method_change_reason="服务需求难以事先确定",
            ),
        ),
    )
    now = at(2027, 9, 1)
    tender_update(tender=t, changes={"deadline": at(2027, 9, 15)}, actor=purchaser)
    with pytest.raises(Conflict) as exc:
        tender_publish(tender=t, actor=purchaser, now=now)
    assert exc.value.code == "method_change_unapproved"
    with pytest.raises(PermissionDenied):
        tender_approve_method_change(tender=t, actor=purchaser)
    tender_approve_method_change(tender=t, actor=world.actor("admin"))
    assert tender_publish(tender=t, actor=purchaser, now=now).status == "published"


# --- timeline --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "days", "ok"),
    [
        ("open_tender", 20, True),
        ("open_tender", 19, False),
        ("consultation", 10, True),
        ("consultation", 9, False),
    ],
)
def test_minimum_bidding_period(world, method, days, ok):
    kwargs = {"method": method}
    if method == "consultation":
        kwargs.update(price_points=20, committee_size=3, factors=factors(50, 30))
    t = draft_tender(world, **kwargs)  # the project was approved with this method
    # 2027-03-01 is a Monday; +20 days = Sunday 21st, so use 09:00 Monday 1st → Friday 19th…
    now = at(2027, 3, 1, 9)
    deadline = now + dt.timedelta(days=days)
    while deadline.weekday() >= 5:  # keep the deadline on a working day, shorten no period
        now -= dt.timedelta(days=1)
        deadline -= dt.timedelta(days=1)
    if ok:
        assert publish_at(world, t, now=now, deadline=deadline).status == "published"
    else:
        with pytest.raises(ValidationError) as exc:
            publish_at(world, t, now=now, deadline=deadline)
        assert exc.value.field == "deadline"
        assert str(days + 1) in exc.value.message or "不得少于" in exc.value.message


def test_period_with_a_holiday_in_range_counts_calendar_days(world, golden_week):
    t = draft_tender(world)
    # 20 calendar days across the National Day week: lawful (政府采购法 §35 counts days).
    now = at(2027, 9, 24, 9)
    assert publish_at(world, t, now=now, deadline=at(2027, 10, 14)).status == "published"


def test_deadline_on_a_holiday_is_refused(world, golden_week):
    t = draft_tender(world)
    with pytest.raises(ValidationError) as exc:
        publish_at(world, t, now=at(2027, 9, 1), deadline=at(2027, 10, 4))  # a Monday, holiday
    assert exc.value.field == "deadline" and "2027-10-04" in exc.value.message


def test_single_source_publicity_is_five_working_days_with_holidays(world, golden_week):
    bidder = make_bidder(world)
    t = draft_tender(
        world,
        method="single_source",
        invited_organization=bidder.org,
        justification="唯一具备该项服务专业资质的机构，保证服务连续性。",
    )
    # Announced Wednesday 29 September; the working days after it are 30 Sept, 8, 11, 12
    # and 13 October (1–7 October is the holiday, 9–10 a weekend): the publicity ends with
    # the 13th, though 13 October is 14 calendar days later.
    now = at(2027, 9, 29, 9)
    for too_early in (at(2027, 10, 8), at(2027, 10, 13)):
        with pytest.raises(ValidationError) as exc:
            publish_at(world, t, now=now, deadline=too_early)
        assert "5 个工作日" in exc.value.message and "2027-10-13" in exc.value.message
    assert publish_at(world, t, now=now, deadline=at(2027, 10, 14)).status == "published"


# --- amendments ----------------------------------------------------------------------------------


def test_late_amendment_affecting_bids_pushes_the_deadline(world, purchaser):
    t = published_tender(world, days=25)
    now = t.deadline - dt.timedelta(days=10)
    a = tender_amend(
        tender=t, summary="增加服务人次要求", affects_bids=True, actor=purchaser, now=now
    )
    t.refresh_from_db()
    assert t.deadline >= now + dt.timedelta(days=15)
    assert a.old_deadline < a.new_deadline == t.deadline
    assert timezone.localtime(t.deadline).time() == dt.time(10, 0)


def test_late_amendment_not_affecting_bids_keeps_the_deadline(world, purchaser):
    t = published_tender(world, days=25)
    old = t.deadline
    tender_amend(
        tender=t,
        summary="更正联系电话",
        affects_bids=False,
        actor=purchaser,
        now=old - dt.timedelta(days=3),
    )
    t.refresh_from_db()
    assert t.deadline == old


def test_early_amendment_keeps_the_deadline(world, purchaser):
    t = published_tender(world, days=25)
    old = t.deadline
    tender_amend(
        tender=t, summary="增加服务人次要求", actor=purchaser, now=old - dt.timedelta(days=16)
    )
    t.refresh_from_db()
    assert t.deadline == old


def test_explicit_new_deadline_too_early_is_refused(world, purchaser):
    t = published_tender(world, days=25)
    now = t.deadline - dt.timedelta(days=5)
    with pytest.raises(ValidationError) as exc:
        tender_amend(
            tender=t,
            summary="改方案",
            actor=purchaser,
            now=now,
            new_deadline=t.deadline + dt.timedelta(days=2),
        )
    assert exc.value.field == "new_deadline"
    assert not Amendment.objects.filter(tender=t).exists()


def test_no_amendment_after_the_deadline(world, purchaser):
    t = published_tender(world, days=25)
    with pytest.raises(Conflict):
        tender_amend(
            tender=t, summary="太晚", actor=purchaser, now=t.deadline + dt.timedelta(minutes=1)
        )


# --- cancel, fail, re-tender -----------------------------------------------------------------


def test_cancel_needs_a_reason(world, purchaser):
    t = published_tender(world)
    with pytest.raises(ValidationError):
        tender_cancel(tender=t, reason=" ", actor=purchaser)
    assert tender_cancel(tender=t, reason="项目需求调整", actor=purchaser).status == "cancelled"


def test_failed_tender_is_retendered_or_switched_with_approval(world, purchaser):
    t = published_tender(world)
    submit_bids(world, t, ["800000.00", "900000.00"])
    t = open_now(t)
    assert t.status == "failed"
    assert "仅 2 家" in t.failed_reason and "3" in t.failed_reason
    with pytest.raises(ValidationError) as exc:
        tender_retender(tender=t, actor=purchaser, method="consultation")
    assert exc.value.field == "reason"
    new = tender_retender(
        tender=t, actor=purchaser, method="consultation", reason="公开招标有效投标不足三家"
    )
    assert new.status == "draft" and new.previous == t and new.method == "consultation"
    assert new.committee_size == 3
    with pytest.raises(Conflict):
        tender_retender(tender=t, actor=purchaser)
    tender_update(
        tender=new, changes={"price_points": 20, "factors": factors(50, 30)}, actor=purchaser
    )
    now = timezone.now()
    deadline = now + dt.timedelta(days=12)
    while deadline.weekday() >= 5:
        deadline += dt.timedelta(days=1)
    tender_update(tender=new, changes={"deadline": deadline}, actor=purchaser)
    with pytest.raises(Conflict):
        tender_publish(tender=new, actor=purchaser)
    tender_approve_method_change(tender=new, actor=world.actor("admin"))
    from caidan.common.calendar import WorkingCalendar

    if WorkingCalendar().is_working_day(deadline):
        assert tender_publish(tender=new, actor=purchaser).status == "published"


def test_retender_only_after_failure(world, purchaser):
    t = published_tender(world)
    with pytest.raises(Conflict):
        tender_retender(tender=t, actor=purchaser)
    assert Tender.objects.filter(previous=t).count() == 0


@pytest.mark.parametrize("maximum", ["1e999999", "101", "0", "-5", "abc"])
def test_absurd_factor_maxima_are_refused_naming_the_row(world, maximum):
    with pytest.raises(ValidationError) as exc:
        draft_tender(world, factors=[{"id": "plan", "name": "方案", "max": maximum}])
    assert exc.value.field == "factors.0.max"
