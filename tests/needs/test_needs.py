"""Needs: who may state them, validation, reports and automatic hiding, moderation by unit
scope (DOMAIN.md §2, §3.2)."""

from __future__ import annotations

import pytest

from caidan.accounts.models import Role
from caidan.accounts.services import membership_grant, user_create
from caidan.audit.models import AuditEvent
from caidan.common.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    TooManyRequests,
    ValidationError,
)
from caidan.jurisdiction.services import setting_update
from caidan.needs import selectors, services
from caidan.needs.inputs import NeedInput, NeedModerationInput, NeedReportInput
from caidan.needs.models import Need, NeedReport, NeedStatus

TEXT = "独居老人希望有人定期上门探访，陪老人聊聊天。"


def _submit(actor, unit, **overrides):
    data = {
        "unit": unit,
        "community": "愚园路居委会",
        "target_group": "elderly_alone",
        "text": TEXT,
        **overrides,
    }
    return services.need_submit(actor=actor, data=NeedInput.parse(**data))


def test_a_verified_resident_states_a_need(world, resident, jiangsu):
    actor = resident()
    need = _submit(actor, jiangsu, community="  愚园路   居委会 ")
    assert need.status == NeedStatus.VISIBLE and need.community == "愚园路 居委会"
    assert need.identity.user == actor.user
    event = AuditEvent.objects.filter(kind="need.submitted").latest("seq")
    assert event.new["text"] == TEXT and event.target_id == str(need.pk)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "太短的需求内容"}, "text"),  # 7 characters
        ({"text": "   " + "短" * 9 + "   "}, "text"),  # 9 after trimming
        ({"text": "长" * 1001}, "text"),
        ({"community": "  "}, "community"),
        ({"community": "社" * 101}, "community"),
        ({"target_group": "aliens"}, "target_group"),
        ({"target_group": ""}, "target_group"),
    ],
)
def test_submission_validation(world, resident, jiangsu, overrides, field):
    actor = resident()
    with pytest.raises(ValidationError) as exc:
        _submit(actor, jiangsu, **overrides)
    assert exc.value.field == field
    assert not Need.objects.filter(identity__user=actor.user).exists()


def test_text_bounds_are_inclusive(world, resident, jiangsu):
    actor = resident()
    assert len(_submit(actor, jiangsu, text="十" * 10).text) == 10
    assert len(_submit(actor, jiangsu, text="千" * 1000).text) == 1000


def test_a_need_belongs_to_a_street_or_town(world, resident):
    with pytest.raises(ValidationError) as exc:
        _submit(resident(), world.unit("310105"))
    assert exc.value.field == "unit" and "街道或镇" in exc.value.message


def test_only_verified_residents_state_needs(world, jiangsu):
    with pytest.raises(PermissionDenied) as exc:
        _submit(world.actor("purchaser"), jiangsu)
    assert exc.value.code == "permission_denied"
    from caidan.accounts.actor import Actor

    with pytest.raises(NotAuthenticated):
        _submit(Actor.anonymous(), jiangsu)
    # a resident account without a verified identity is told what to do
    user = user_create(
        username="unverified", password="x" * 12, actor=world.system, validate_password=False
    )
    membership = membership_grant(user=user, role=Role.RESIDENT, actor=world.system)
    with pytest.raises(PermissionDenied) as exc:
        _submit(Actor(user=user, membership=membership), jiangsu)
    assert exc.value.code == "identity_required" and "验证" in exc.value.message


def test_daily_cap(world, resident, jiangsu):
    actor = resident()
    for n in range(10):
        _submit(actor, jiangsu, text=f"{TEXT}第{n}条")
    with pytest.raises(TooManyRequests):
        _submit(actor, jiangsu)


REPORTERS = ["registrar", "provider", "expert", "evaluator"]


def test_reports_hide_a_need_at_the_threshold(world, make_need):
    need = make_need()
    assert services.need_report(actor=world.actor("registrar"), need=need).status == "visible"
    assert services.need_report(actor=world.actor("provider"), need=need).status == "visible"
    need = services.need_report(
        actor=world.actor("expert"), need=need, data=NeedReportInput.parse(reason="广告")
    )
    assert need.status == NeedStatus.HIDDEN and need.report_count == 3
    assert "自动隐藏" in need.moderation_reason
    assert AuditEvent.objects.filter(kind="need.auto_hidden", target_id=str(need.pk)).count() == 1
    assert need not in selectors.need_list_public().items
    with pytest.raises(Conflict) as exc:
        services.need_report(actor=world.actor("evaluator"), need=need)
    assert exc.value.code == "need_hidden"


def test_threshold_is_the_jurisdiction_setting(world, make_need):
    setting_update(key="need_hide_after_reports", value=1, actor=world.actor("admin"))
    need = services.need_report(actor=world.actor("registrar"), need=make_need())
    assert need.status == NeedStatus.HIDDEN


def test_each_person_reports_once(world, make_need, resident):
    need = make_need()
    services.need_report(actor=world.actor("provider"), need=need)
    with pytest.raises(Conflict) as exc:
        services.need_report(actor=world.actor("provider"), need=need)
    assert exc.value.code == "already_reported" and exc.value.status_code == 409
    assert NeedReport.objects.filter(need=need).count() == 1
    services.need_report(actor=resident(), need=need)  # residents may report too


def test_one_cannot_report_ones_own_need_nor_anonymously(world, resident, make_need):
    from caidan.accounts.actor import Actor

    actor = resident()
    need = make_need(actor)
    with pytest.raises(Conflict, match="自己"):
        services.need_report(actor=actor, need=need)
    with pytest.raises(NotAuthenticated):
        services.need_report(actor=Actor.anonymous(), need=need)


# Unit scope: purchasers moderate their own street's needs; admins the whole jurisdiction.
MODERATION = [
    ("purchaser", Role.PURCHASER, "310105-001", None),
    ("purchaser2", Role.PURCHASER, "310105-001", "out_of_scope"),
    ("purchaser2", Role.PURCHASER, "310105-002", None),
    ("admin", Role.PLATFORM_ADMIN, "310105-002", None),
    ("purchaser", Role.COMMITTEE_MEMBER, "310105-001", "permission_denied"),
    ("registrar", None, "310105-001", "permission_denied"),
    ("resident", None, "310105-001", "permission_denied"),
]


@pytest.mark.parametrize(("username", "role", "code", "error"), MODERATION)
def test_hide_and_restore_by_unit_scope(world, make_need, username, role, code, error):
    need = make_need(unit=world.unit(code))
    actor = world.actor(username, role)
    if error:
        with pytest.raises(PermissionDenied) as exc:
            services.need_hide(
                actor=actor, need=need, data=NeedModerationInput.parse(reason="含有个人信息")
            )
        assert exc.value.code == error
        assert Need.objects.get(pk=need.pk).status == NeedStatus.VISIBLE
        return
    hidden = services.need_hide(
        actor=actor, need=need, data=NeedModerationInput.parse(reason="含有个人信息")
    )
    assert hidden.status == NeedStatus.HIDDEN and hidden.moderated_by == actor.user
    restored = services.need_restore(
        actor=actor, need=need, data=NeedModerationInput.parse(reason="已核实，内容无问题")
    )
    assert restored.status == NeedStatus.VISIBLE
    kinds = AuditEvent.objects.filter(target_id=str(need.pk), target_type="needs.need")
    assert {"need.hidden", "need.restored"} <= set(kinds.values_list("kind", flat=True))


def test_moderation_needs_a_reason_and_a_real_change(world, make_need, purchaser):
    need = make_need()
    with pytest.raises(ValidationError) as exc:
        services.need_hide(actor=purchaser, need=need, data=NeedModerationInput.parse(reason="  "))
    assert exc.value.field == "reason"
    with pytest.raises(Conflict):
        services.need_restore(
            actor=purchaser, need=need, data=NeedModerationInput.parse(reason="本来就公开")
        )


def test_restoring_resets_the_report_count(world, make_need, purchaser):
    need = make_need()
    for username in ("registrar", "provider", "expert"):
        need = services.need_report(actor=world.actor(username), need=need)
    assert need.status == NeedStatus.HIDDEN
    need = services.need_restore(
        actor=purchaser, need=need, data=NeedModerationInput.parse(reason="举报不成立")
    )
    assert need.report_count == 0
    need = services.need_report(actor=world.actor("evaluator"), need=need)
    assert need.status == NeedStatus.VISIBLE and need.report_count == 1
    with pytest.raises(Conflict):  # earlier reporters stay counted once
        services.need_report(actor=world.actor("registrar"), need=need)


def test_public_and_own_lists(world, resident, make_need, purchaser, xinhua):
    actor = resident()
    mine = make_need(actor)
    other = make_need(unit=xinhua)
    services.need_hide(
        actor=purchaser, need=mine, data=NeedModerationInput.parse(reason="测试隐藏")
    )
    public = selectors.need_list_public(limit=100).items
    assert other in public and mine not in public
    assert selectors.need_list_public(unit_id=xinhua.pk, limit=100).items[0] == other
    own = selectors.need_list_mine(actor=actor).items
    assert own == [mine] and own[0].status == NeedStatus.HIDDEN
    scoped = selectors.need_list_for_moderation(actor=purchaser, limit=100).items
    assert mine in scoped and other not in scoped
    with pytest.raises(ValidationError):
        selectors.need_list_public(target_group="nope")
