"""The expert pool, recusal rules (财库〔2016〕198号), the reproducible draw, declarations,
reserves and replacement (DOMAIN.md §4.4)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import transaction

from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.identifiers import make_uscc
from caidan.notifications.models import Notification
from caidan.orgs.models import Organization
from caidan.procurement.inputs import ExpertInput
from caidan.procurement.models import ExpertDraw, PanelMember, Tender
from caidan.procurement.selectors_experts import expert_tenders, panel_for
from caidan.procurement.services.draw import draw_order, draw_verify, panel_draw
from caidan.procurement.services.experts import (
    expert_create,
    expert_deactivate,
    expert_tie_add,
    expert_update,
    recusal_reasons,
)
from caidan.procurement.services.panel import panel_declare, panel_recuse

from .factories import expert_actor, make_expert_pool, opened_tender

ON = dt.date(2026, 6, 1)
SUNSHINE = "52310105MJ0000001"  # 阳光家庭综合服务中心, legal representative 陈晓阳


def org(prefix: str = SUNSHINE) -> Organization:
    return Organization.objects.get(uscc=make_uscc(prefix))


def new_expert(world, name="钱专家", **kwargs):
    return expert_create(
        actor=world.actor("admin"),
        data=ExpertInput.parse(name=name, specialties=["elderly"], **kwargs),
    )


def tie(world, expert, kind, *, started_on=None, ended_on=None, note="", organization=None):
    return expert_tie_add(
        expert=expert,
        organization=organization or org(),
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        note=note,
        actor=world.actor("admin"),
    )


def reasons_for(world, expert, *, unit="310105-001", bidders=None):
    tender = Tender(unit=world.unit(unit))  # the rule reads only the purchaser's unit
    expert.refresh_from_db()
    return recusal_reasons(
        expert, tender=tender, bidders=bidders if bidders is not None else [org()], on=ON
    )


# --- the pool -------------------------------------------------------------------------------


def test_expert_create_requires_admin_and_valid_specialties(world):
    with pytest.raises(PermissionDenied):
        expert_create(
            actor=world.actor("purchaser"),
            data=ExpertInput.parse(name="甲", specialties=["elderly"]),
        )
    with pytest.raises(ValidationError) as exc:
        expert_create(
            actor=world.actor("admin"), data=ExpertInput.parse(name="甲", specialties=["cooking"])
        )
    assert exc.value.field == "specialties" and "cooking" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        expert_create(
            actor=world.actor("admin"), data=ExpertInput.parse(name=" ", specialties=["elderly"])
        )
    assert exc.value.field == "name"


def test_expert_user_must_hold_the_expert_role(world):
    with pytest.raises(ValidationError) as exc:
        new_expert(world, user=world.user("provider"))
    assert exc.value.field == "user" and "评审专家" in exc.value.message
    from caidan.accounts.services import membership_grant, user_create

    login = user_create(
        username="newexpert",
        password="x",
        display_name="新专家",
        actor=world.system,
        validate_password=False,
    )
    with pytest.raises(ValidationError) as exc:
        new_expert(world, user=login)
    assert exc.value.field == "user"
    membership_grant(user=login, role="expert", actor=world.system)
    expert = new_expert(world, user=login)
    assert expert.user == login
    with pytest.raises(ValidationError) as exc:
        new_expert(world, name="乙", user=login)
    assert exc.value.code == "duplicate"
    with pytest.raises(ValidationError) as exc:  # the demo expert's login is already bound
        new_expert(world, name="丙", user=world.user("expert"))
    assert exc.value.code == "duplicate"


def test_expert_update_and_deactivate_are_audited(world):
    from caidan.audit.models import AuditEvent

    expert = new_expert(world)
    expert_update(
        expert=expert,
        changes={"title": "教授", "specialties": ["mediation"]},
        actor=world.actor("admin"),
    )
    expert.refresh_from_db()
    assert expert.title == "教授" and expert.specialties == ["mediation"]
    event = AuditEvent.objects.filter(kind="expert.updated").latest("seq")
    assert event.old == {"title": "", "specialties": ["elderly"]}
    with pytest.raises(ValidationError) as exc:
        expert_update(expert=expert, changes={"created_at": None}, actor=world.actor("admin"))
    assert exc.value.field == "created_at"
    expert_deactivate(expert=expert, actor=world.actor("admin"))
    expert.refresh_from_db()
    assert expert.is_active is False
    with pytest.raises(Conflict):
        expert_deactivate(expert=expert, actor=world.actor("admin"))


def test_tie_kind_and_dates_are_checked(world):
    expert = new_expert(world)
    with pytest.raises(ValidationError) as exc:
        tie(world, expert, "friend")
    assert exc.value.field == "kind"
    with pytest.raises(ValidationError) as exc:
        tie(world, expert, "employee", started_on=dt.date(2024, 1, 1), ended_on=dt.date(2023, 1, 1))
    assert exc.value.field == "ended_on"


# --- recusal rules --------------------------------------------------------------------------


def test_employee_within_three_years_is_excluded(world):
    expert = new_expert(world)
    tie(world, expert, "employee", started_on=dt.date(2018, 3, 1), ended_on=dt.date(2024, 12, 31))
    [reason] = reasons_for(world, expert)
    assert "阳光家庭综合服务中心" in reason and "任职" in reason
    assert "2023-06-01 至 2026-06-01" in reason and "财库〔2016〕198号" in reason


def test_employee_who_left_four_years_ago_is_not_excluded(world):
    expert = new_expert(world)
    tie(world, expert, "employee", started_on=dt.date(2015, 1, 1), ended_on=dt.date(2022, 6, 1))
    assert reasons_for(world, expert) == []


def test_three_year_window_is_inclusive_and_open_ties_count(world):
    edge = new_expert(world, name="边界")
    tie(world, edge, "employee", started_on=dt.date(2015, 1, 1), ended_on=dt.date(2023, 6, 1))
    assert len(reasons_for(world, edge)) == 1
    ongoing = new_expert(world, name="在职")
    tie(world, ongoing, "employee", started_on=dt.date(2010, 1, 1))
    assert "至今" in reasons_for(world, ongoing)[0]
    future = new_expert(world, name="将入职")
    tie(world, future, "employee", started_on=dt.date(2026, 7, 1))
    assert reasons_for(world, future) == []


@pytest.mark.parametrize(
    ("kind", "words"),
    [("director", "理事（董事）"), ("supervisor", "监事"), ("shareholder", "控股股东")],
)
def test_board_and_control_ties_within_three_years(world, kind, words):
    expert = new_expert(world)
    tie(world, expert, kind, started_on=dt.date(2019, 1, 1), ended_on=dt.date(2024, 1, 1))
    [reason] = reasons_for(world, expert)
    assert words in reason and "阳光家庭综合服务中心" in reason
    old = new_expert(world, name="旧任")
    tie(world, old, kind, started_on=dt.date(2010, 1, 1), ended_on=dt.date(2020, 1, 1))
    assert reasons_for(world, old) == []


def test_relative_of_the_legal_representative_at_any_date(world):
    expert = new_expert(world)
    tie(world, expert, "relative", started_on=dt.date(1990, 1, 1), ended_on=dt.date(2000, 1, 1))
    [reason] = reasons_for(world, expert)
    assert "陈晓阳" in reason and "近姻亲" in reason


def test_other_declared_relation(world):
    expert = new_expert(world)
    tie(world, expert, "other", note="曾为该机构提供有偿督导")
    [reason] = reasons_for(world, expert)
    assert "其他利害关系" in reason and "曾为该机构提供有偿督导" in reason


def test_ties_with_organizations_that_do_not_bid_are_ignored(world):
    expert = new_expert(world)
    tie(world, expert, "employee", started_on=dt.date(2020, 1, 1))
    assert reasons_for(world, expert, bidders=[org("52310105MJ0000002")]) == []


def test_purchaser_staff_same_parent_and_child_units(world):
    from caidan.accounts.services import unit_create

    same = new_expert(world, name="本单位", employer_unit=world.unit("310105-001"))
    assert "即采购人本单位" in reasons_for(world, same, bidders=[])[0]
    parent = new_expert(world, name="区里", employer_unit=world.unit("310105"))
    assert "上级单位" in reasons_for(world, parent, bidders=[])[0]
    community = unit_create(
        name="江苏路第一居委会",
        kind="other",
        code="310105-001-01",
        parent=world.unit("310105-001"),
        actor=world.actor("admin"),
    )
    child = new_expert(world, name="居委", employer_unit=community)
    assert "隶属于采购人" in reasons_for(world, child, bidders=[])[0]
    sibling = new_expert(world, name="邻街", employer_unit=world.unit("310105-002"))
    assert reasons_for(world, sibling, bidders=[]) == []


# --- the draw -------------------------------------------------------------------------------


def test_draw_order_is_the_documented_hash_order():
    ids = [3, 11, 5, 8, 1]
    order = draw_order("seed-1", ids)
    assert sorted(order) == sorted(ids)
    assert draw_order("seed-1", list(reversed(ids))) == order
    name = "sm3" if "sm3" in hashlib.algorithms_available else "sha256"
    expected = sorted(ids, key=lambda i: (hashlib.new(name, f"seed-1:{i}".encode()).hexdigest(), i))
    assert order == expected
    assert draw_order("seed-2", ids) != order or draw_order("seed-3", ids) != order
    sha = draw_order("seed-1", ids, algorithm="sha256-rank-v1")
    assert sha == sorted(ids, key=lambda i: (hashlib.sha256(f"seed-1:{i}".encode()).hexdigest(), i))


@pytest.fixture
def opened(world):
    return opened_tender(world)


def test_draw_seats_committee_and_reserves_and_verifies(world, opened):
    pool = make_expert_pool(world, 9)
    draw = panel_draw(tender=opened, actor=world.actor("purchaser"))
    opened.refresh_from_db()
    assert draw.seed == opened.draw_seed  # the seed committed to at publication
    assert hashlib.sha256(draw.seed.encode()).hexdigest() == opened.draw_commitment
    assert draw.candidates == sorted(e.pk for e in pool)
    assert draw.size == 5 and draw.reserves == 2 and len(draw.drawn) == 7
    assert draw.drawn == draw_order(opened.draw_seed, draw.candidates)[:7]
    panel = list(panel_for(opened))
    assert [m.expert_id for m in panel] == draw.drawn
    assert [m.status for m in panel] == ["drawn"] * 5 + ["reserve"] * 2
    assert draw_verify(draw) is True
    # drawn experts are told; reserves are not
    told = set(Notification.objects.filter(kind="panel.drawn").values_list("recipient", flat=True))
    assert told == {m.expert.user_id for m in panel[:5]}
    assert expert_tenders(panel[0].expert.user).get() == opened
    assert not expert_tenders(panel[6].expert.user).exists()


def test_the_committed_seed_gives_the_same_panel_and_tampering_is_detected(world, opened):
    """Nobody can retry for another panel: drawing again (here after a rollback) uses the
    seed fixed at publication and gives the same result."""
    make_expert_pool(world, 9)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        first = panel_draw(tender=opened, actor=world.actor("purchaser"))
        first_drawn = list(first.drawn)
        raise Rollback
    again = panel_draw(tender=opened, actor=world.actor("purchaser"))
    assert again.drawn == first_drawn
    assert draw_verify(again)
    swapped = ExpertDraw.objects.get(pk=again.pk)
    swapped.drawn = [swapped.drawn[1], swapped.drawn[0], *swapped.drawn[2:]]
    assert draw_verify(swapped) is False
    other_seed = ExpertDraw.objects.get(pk=again.pk)
    other_seed.seed = "another-seed"
    assert draw_verify(other_seed) is False
    hidden = ExpertDraw.objects.get(pk=again.pk)
    hidden.exclusions = [{"expert": hidden.drawn[0], "name": "x", "reasons": ["x"]}]
    assert draw_verify(hidden) is False


def test_conflicted_experts_are_excluded_with_reasons(world, opened):
    pool = make_expert_pool(world, 9)
    bidder = opened.bids.filter(status="valid").first().organization
    tie(world, pool[0], "employee", started_on=dt.date(2020, 1, 1), organization=bidder)
    staff = new_expert(world, name="街道干部", employer_unit=world.unit("310105-001"))
    draw = panel_draw(tender=opened, actor=world.actor("purchaser"))
    excluded = {row["expert"]: row for row in draw.exclusions}
    assert set(excluded) == {pool[0].pk, staff.pk}
    assert bidder.name in excluded[pool[0].pk]["reasons"][0]
    assert excluded[staff.pk]["name"] == "街道干部"
    assert pool[0].pk not in draw.drawn and staff.pk not in draw.drawn
    assert draw_verify(draw)


def test_draw_only_from_matching_specialties(world):
    tender = opened_tender(world, required_fields=["elderly"])
    elderly = make_expert_pool(world, 7, specialties=("elderly", "disability"))
    make_expert_pool(world, 3, specialties=("mediation",))
    draw = panel_draw(tender=tender, actor=world.actor("purchaser"))
    assert draw.candidates == [e.pk for e in elderly]


def test_not_enough_experts_names_the_numbers(world, opened):
    make_expert_pool(world, 6)
    with pytest.raises(Conflict) as exc:
        panel_draw(tender=opened, actor=world.actor("purchaser"))
    assert "需要 7 名" in exc.value.message and "仅余 6 名" in exc.value.message
    assert exc.value.detail == {"needed": 7, "available": 6}


def test_draw_is_for_the_purchaser_once(world, opened):
    make_expert_pool(world, 9)
    with pytest.raises(PermissionDenied):
        panel_draw(tender=opened, actor=world.actor("purchaser2"))
    with pytest.raises(PermissionDenied):
        panel_draw(tender=opened, actor=world.actor("admin"))
    panel_draw(tender=opened, actor=world.actor("purchaser"))
    with pytest.raises(Conflict) as exc:
        panel_draw(tender=opened, actor=world.actor("purchaser"))
    assert exc.value.code == "already_drawn"


def test_lowest_price_tenders_get_their_committee_drawn_too(world):
    """87号令 §45–47: the lowest-price method still has a committee (it reviews
    qualification and compliance); only single source and agreement purchase have none."""
    tender = opened_tender(world, evaluation_method="lowest_price", review=False)
    make_expert_pool(world, 9)
    draw = panel_draw(tender=tender, actor=world.actor("purchaser"))
    assert draw.size == 5 and len(draw.drawn) == 7


# --- declarations and replacement ------------------------------------------------------------


@pytest.fixture
def drawn(world, opened):
    make_expert_pool(world, 9)
    panel_draw(tender=opened, actor=world.actor("purchaser"))
    return opened, list(panel_for(opened))


def test_declaring_no_conflict_activates(world, drawn):
    tender, panel = drawn
    member = panel_declare(member=panel[0], no_conflict=True, actor=expert_actor(panel[0].expert))
    assert member.status == "active" and member.declared_at is not None
    with pytest.raises(Conflict):
        panel_declare(member=panel[0], no_conflict=True, actor=expert_actor(panel[0].expert))


def test_only_the_expert_declares_for_itself(world, drawn):
    _, panel = drawn
    with pytest.raises(PermissionDenied):
        panel_declare(member=panel[0], no_conflict=True, actor=expert_actor(panel[1].expert))
    with pytest.raises(PermissionDenied):  # a reserve is not (yet) on the panel
        panel_declare(member=panel[5], no_conflict=True, actor=expert_actor(panel[5].expert))
    with pytest.raises(PermissionDenied):
        panel_declare(member=panel[0], no_conflict=True, actor=world.actor("purchaser"))


def test_declared_conflict_recuses_and_seats_first_reserve(world, drawn):
    tender, panel = drawn
    with pytest.raises(ValidationError) as exc:
        panel_declare(member=panel[2], no_conflict=False, actor=expert_actor(panel[2].expert))
    assert exc.value.field == "declaration"
    panel_declare(
        member=panel[2],
        no_conflict=False,
        declaration="本人配偶任投标人理事",
        actor=expert_actor(panel[2].expert),
    )
    recused, reserve = (
        PanelMember.objects.get(pk=panel[2].pk),
        PanelMember.objects.get(pk=panel[5].pk),
    )
    assert recused.status == "recused" and recused.recusal_reason == "本人配偶任投标人理事"
    assert recused.replaced_by == reserve and reserve.status == "drawn"
    assert Notification.objects.filter(kind="panel.drawn", recipient=reserve.expert.user).exists()
    # the replacement may now declare
    panel_declare(member=reserve, no_conflict=True, actor=expert_actor(reserve.expert))
    assert PanelMember.objects.get(pk=reserve.pk).status == "active"


def test_no_reserve_left_conflict_then_supplementary_draw(world, drawn):
    tender, panel = drawn
    purchaser = world.actor("purchaser")
    panel_recuse(member=panel[0], reason="投标人申请回避，经查属实", actor=purchaser)
    panel_recuse(member=panel[1], reason="投标人申请回避，经查属实", actor=purchaser)
    assert PanelMember.objects.filter(tender=tender, status="reserve").count() == 0
    with pytest.raises(Conflict) as exc:
        panel_declare(
            member=panel[2],
            no_conflict=False,
            declaration="曾任投标人顾问",
            actor=expert_actor(panel[2].expert),
        )
    assert exc.value.code == "no_reserve" and "补充" in exc.value.message
    # the recusal is recorded all the same, and the purchaser is told to draw again
    assert PanelMember.objects.get(pk=panel[2].pk).status == "recused"
    assert Notification.objects.filter(
        kind="panel.short", recipient=world.user("purchaser")
    ).exists()
    make_expert_pool(world, 3)
    extra = panel_draw(tender=tender, actor=purchaser)
    assert extra.size == 1 and extra.reserves == 2
    assert {row["expert"] for row in extra.exclusions} == {m.expert_id for m in panel}
    assert draw_verify(extra)
    seated = PanelMember.objects.filter(tender=tender, status__in=["drawn", "active"])
    assert seated.count() == 5
    assert PanelMember.objects.filter(tender=tender, status="reserve").count() == 2
    positions = list(panel_for(tender).values_list("position", flat=True))
    assert positions == list(range(1, 11))


def test_recuse_by_purchaser_needs_reason_and_scope(world, drawn):
    _, panel = drawn
    with pytest.raises(ValidationError) as exc:
        panel_recuse(member=panel[0], reason="", actor=world.actor("purchaser"))
    assert exc.value.field == "reason"
    with pytest.raises(PermissionDenied):
        panel_recuse(member=panel[0], reason="理由", actor=world.actor("purchaser2"))
    panel_recuse(member=panel[6], reason="备选专家与投标人存在关联", actor=world.actor("purchaser"))
    reserve = PanelMember.objects.get(pk=panel[6].pk)
    assert reserve.status == "recused" and reserve.replaced_by is None


def test_a_bidder_may_request_a_recusal_which_the_purchaser_decides(world):
    from caidan.audit.models import AuditEvent
    from caidan.procurement.services import recusal_request

    from .factories import make_bidders

    bidders = make_bidders(world, 3)
    tender = opened_tender(world, bidders=bidders)
    actor = bidders[0].actor
    bidder = type("B", (), {"organization": bidders[0].org})
    with pytest.raises(ValidationError) as exc:
        recusal_request(tender=tender, organization=bidder.organization, reason=" ", actor=actor)
    assert exc.value.field == "reason"
    outsider = make_bidders(world, 1)[0]
    with pytest.raises(ValidationError) as exc:
        recusal_request(
            tender=tender, organization=outsider.org, reason="关系", actor=outsider.actor
        )
    assert exc.value.field == "organization"
    recusal_request(
        tender=tender,
        organization=bidder.organization,
        expert_name="张某",
        reason="张某曾任另一投标人的理事",
        actor=actor,
    )
    event = AuditEvent.objects.get(kind="panel.recusal_requested")
    assert event.note == "张某曾任另一投标人的理事" and event.new["expert_name"] == "张某"
    told = Notification.objects.filter(kind="panel.recusal_requested")
    assert set(told.values_list("recipient__username", flat=True)) == {"purchaser"}
