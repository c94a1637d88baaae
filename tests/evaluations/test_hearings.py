"""Community hearings (DOMAIN.md §3.6; seed 001: 1–2 per service cycle)."""

import datetime as dt

import pytest
from django.utils import timezone

from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.evaluations.inputs import FollowUpInput, HearingInput
from caidan.evaluations.models import Hearing
from caidan.evaluations.services.hearings import hearing_follow_up, hearing_record
from caidan.notifications.models import Notification
from tests.contracts.factories import draft_contract, signed_contract

pytestmark = pytest.mark.django_db


def current_contract(world):
    """A signed contract whose service period began 60 days ago (so hearings can be held)."""
    start = timezone.localdate() - dt.timedelta(days=60)
    return signed_contract(
        world, period_start=start, period_end=start.replace(year=start.year + 1) - dt.timedelta(1)
    )


def record(world, contract, **overrides):
    data = {
        "held_on": timezone.localdate() - dt.timedelta(days=5),
        "participants": "居民代表 12 人，楼组长 5 人，街道工作人员 2 人",
        "opinions": "希望增加周末探访；探访记录应及时反馈家属。",
        "place": "江苏路街道社区事务受理中心",
    }
    data.update(overrides)
    return hearing_record(
        contract=contract, actor=world.actor("purchaser"), data=HearingInput.parse(**data)
    )


def test_purchaser_records_a_hearing_audited_and_provider_told(world):
    contract = current_contract(world)
    hearing = record(world, contract)

    hearing.refresh_from_db()
    assert hearing.contract_id == contract.pk
    assert hearing.recorded_by == world.user("purchaser")
    assert "周末探访" in hearing.opinions
    event = AuditEvent.objects.filter(kind=EventKind.HEARING_RECORDED).latest("seq")
    assert event.target_id == str(contract.pk)
    assert event.new["hearing"] == hearing.pk and event.new["number"] == 1
    assert Notification.objects.filter(
        recipient=world.user("provider"), kind="hearing.recorded"
    ).exists()


def test_only_the_contracts_purchaser_may_record(world):
    contract = current_contract(world)
    with pytest.raises(PermissionDenied) as exc:
        hearing_record(
            contract=contract,
            actor=world.actor("provider"),
            data=HearingInput.parse(
                held_on=timezone.localdate(), participants="居民代表 10 人", opinions="意见"
            ),
        )
    assert exc.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as exc:
        hearing_record(
            contract=contract,
            actor=world.actor("purchaser2"),
            data=HearingInput.parse(
                held_on=timezone.localdate(), participants="居民代表 10 人", opinions="意见"
            ),
        )
    assert exc.value.code == "out_of_scope"
    assert not Hearing.objects.filter(contract=contract).exists()


def test_bad_input_names_the_field_and_personal_data_is_refused(world):
    contract = current_contract(world)
    today = timezone.localdate()
    margin = dt.timedelta(days=30)
    cases = [
        ({"participants": "居民代表张三 13912345678"}, "participants", "personal_data"),
        ({"participants": "居民 李四 31010519800101123X"}, "participants", "personal_data"),
        ({"opinions": "请联系 13812345678"}, "opinions", "personal_data"),
        ({"participants": "  "}, "participants", "invalid"),
        ({"opinions": ""}, "opinions", "invalid"),
        ({"held_on": today + dt.timedelta(days=1)}, "held_on", "invalid"),
        ({"held_on": "2026/01/01"}, "held_on", "invalid"),
        ({"held_on": contract.period_start - margin - dt.timedelta(days=1)}, "held_on", "invalid"),
    ]
    for overrides, field, code in cases:
        with pytest.raises(ValidationError) as exc:
            record(world, contract, **overrides)
        assert (exc.value.field, exc.value.code) == (field, code), overrides
    assert not Hearing.objects.filter(contract=contract).exists()
    # The margin's first day is allowed, as an ISO string too.
    hearing = record(world, contract, held_on=(contract.period_start - margin).isoformat())
    assert hearing.held_on == contract.period_start - margin


def test_a_contract_not_signed_cannot_have_hearings(world):
    contract = draft_contract(world)
    with pytest.raises(Conflict) as exc:
        record(world, contract, held_on=timezone.localdate())
    assert exc.value.code == "not_active"
    assert not Hearing.objects.filter(contract=contract).exists()


def test_a_third_hearing_in_the_cycle_is_refused_citing_seed_001(world):
    contract = current_contract(world)
    record(world, contract, held_on=timezone.localdate() - dt.timedelta(days=40))
    record(world, contract, held_on=timezone.localdate() - dt.timedelta(days=2))
    with pytest.raises(Conflict) as exc:
        record(world, contract)
    assert exc.value.code == "too_many_hearings"
    assert "每个服务周期 1–2 次" in exc.value.message
    assert Hearing.objects.filter(contract=contract).count() == 2


def test_follow_up_is_recorded_and_audited(world):
    contract = current_contract(world)
    hearing = record(world, contract)
    before = Notification.objects.filter(kind="hearing.follow_up").count()

    hearing_follow_up(
        hearing=hearing,
        actor=world.actor("purchaser"),
        data=FollowUpInput.parse(follow_up="已增加周六上午探访班次。"),
    )

    hearing.refresh_from_db()
    assert hearing.follow_up == "已增加周六上午探访班次。"
    event = AuditEvent.objects.filter(kind=EventKind.HEARING_RECORDED).latest("seq")
    assert event.old == {"hearing": hearing.pk, "follow_up": ""}
    assert event.new["follow_up"] == "已增加周六上午探访班次。"
    assert Notification.objects.filter(
        kind="hearing.follow_up", recipient=world.user("provider")
    ).count() == (before + 1)


def test_follow_up_refusals(world):
    contract = current_contract(world)
    hearing = record(world, contract)
    with pytest.raises(PermissionDenied):
        hearing_follow_up(
            hearing=hearing,
            actor=world.actor("provider"),
            data=FollowUpInput.parse(follow_up="已落实"),
        )
    with pytest.raises(ValidationError) as exc:
        hearing_follow_up(
            hearing=hearing, actor=world.actor("purchaser"), data=FollowUpInput.parse(follow_up=" ")
        )
    assert exc.value.field == "follow_up"
    with pytest.raises(ValidationError) as exc:
        hearing_follow_up(
            hearing=hearing,
            actor=world.actor("purchaser"),
            data=FollowUpInput.parse(follow_up="已电话回访 13700001111"),
        )
    assert (exc.value.field, exc.value.code) == ("follow_up", "personal_data")
    hearing.refresh_from_db()
    assert hearing.follow_up == ""
