"""The mid-year demo's enquiries."""

from __future__ import annotations

from caidan.accounts.actor import Actor
from caidan.accounts.models import Role, Unit
from caidan.enquiries.inputs import EnquiryAnswerInput, EnquiryInput

from .helpers import actor_for


def seed_enquiries(unit: Unit, purchaser: Actor) -> int:
    """A resident's question about a menu item, answered and published with consent, and a
    suggestion still waiting in the purchaser's inbox."""
    from caidan.enquiries.services import (
        enquiry_answer,
        enquiry_assign,
        enquiry_publish,
        enquiry_submit,
    )
    from caidan.needs.models import MenuItem

    resident = actor_for("resident", Role.RESIDENT)
    item = MenuItem.objects.filter(menu__status="published", menu__unit=unit).order_by("id").first()
    subject = ("menu_item", item.pk) if item else ("unit", unit.pk)
    answered, _code = enquiry_submit(
        actor=resident,
        data=EnquiryInput.parse(
            kind="enquiry",
            subject_type=subject[0],
            subject_id=subject[1],
            title="助餐点周末是否开放？",
            body="家里老人想知道周六、周日助餐点是否照常供餐，需要提前预约吗？",
            publish_consent=True,
        ),
    )
    enquiry_assign(enquiry=answered, handler=purchaser.user, actor=purchaser)
    enquiry_answer(
        enquiry=answered,
        actor=purchaser,
        data=EnquiryAnswerInput.parse(
            answer="周末照常供餐，无需预约；如需送餐上门，请提前一天告知社区助餐点。"
        ),
    )
    enquiry_publish(enquiry=answered, actor=purchaser)
    enquiry_submit(
        actor=resident,
        data=EnquiryInput.parse(
            kind="suggestion",
            subject_type="unit",
            subject_id=unit.pk,
            title="建议增加晚间助浴服务时段",
            body="上班的子女只能晚上陪老人，建议助浴服务增加 18:00 以后的时段。",
            publish_consent=True,
        ),
    )
    return 2
