"""Every tender lifecycle transition, table-driven: allowed from exactly its source statuses,
audited, and refused with a Chinese message naming the step otherwise."""

import pytest

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict
from caidan.procurement.lifecycles import tender_lifecycle
from caidan.procurement.models import TRANSITIONS, TenderAction, TenderStatus

from .factories import draft_tender

pytestmark = pytest.mark.django_db

EXPECTED = {
    "publish": ({"draft"}, "published"),
    "cancel": ({"draft", "published"}, "cancelled"),
    "open": ({"published"}, "evaluating"),
    "fail": ({"published", "evaluating", "evaluated"}, "failed"),
    "rank": ({"evaluating", "evaluated"}, "evaluated"),
    "award": ({"evaluated"}, "awarded"),
    "reopen_award": ({"awarded", "concluded"}, "evaluated"),
    "conclude": ({"awarded"}, "concluded"),
}


def test_the_table_is_the_documented_lifecycle():
    assert {
        str(a): ({str(s) for s in src}, str(dst)) for a, (src, dst) in TRANSITIONS.items()
    } == EXPECTED
    assert set(TenderAction.values) == set(EXPECTED)


@pytest.mark.parametrize("action", TenderAction.values)
def test_transition_from_every_status(world, action):
    tender = draft_tender(world)
    sources, target = EXPECTED[action]
    for status in TenderStatus.values:
        tender.status = status
        tender.save(update_fields=["status"])
        before = AuditEvent.objects.filter(kind="tender.transition").count()
        if status in sources:
            tender_lifecycle.apply(tender, action, actor=world.actor("purchaser"), note="表格测试")
            tender.refresh_from_db()
            assert tender.status == target, (action, status)
            event = AuditEvent.objects.filter(kind="tender.transition").order_by("-seq").first()
            assert event.old == {"status": status} and event.new["action"] == action
        else:
            with pytest.raises(Conflict) as exc:
                tender_lifecycle.apply(tender, action, actor=world.actor("purchaser"))
            assert exc.value.code == "bad_transition"
            assert str(TenderAction(action).label) in exc.value.message
            tender.refresh_from_db()
            assert tender.status == status, (action, status)
            assert AuditEvent.objects.filter(kind="tender.transition").count() == before
