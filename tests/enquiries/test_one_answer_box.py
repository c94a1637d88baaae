"""One answer box (issue 20): the handler answers on the item's page in one step — taking
it on if nobody has, and publishing in the same step only when the asker consented."""

from __future__ import annotations

import pytest
from django.test import Client

from caidan.common.errors import Conflict, PermissionDenied
from caidan.enquiries import services
from caidan.enquiries.inputs import EnquiryAnswerInput
from caidan.enquiries.models import Enquiry

from .conftest import ask

pytestmark = pytest.mark.django_db

ANSWER = EnquiryAnswerInput.parse(answer="每周二、周四上午提供，电话 13812345678 可预约。")


def test_reply_takes_the_item_on_answers_and_publishes_with_consent(world):
    e = ask(world, publish_consent=True)
    assert e.handler_id is None
    done = services.enquiry_reply(
        enquiry=e, data=ANSWER, publish=True, actor=world.actor("purchaser")
    )
    assert done.handler == world.user("purchaser") and done.status == "answered"
    assert done.published and "13812345678" not in done.published_answer


def test_reply_without_consent_refuses_publication_and_writes_nothing(world):
    e = ask(world, publish_consent=False)
    with pytest.raises(Conflict) as exc:
        services.enquiry_reply(enquiry=e, data=ANSWER, publish=True, actor=world.actor("purchaser"))
    assert exc.value.code == "no_consent"
    e.refresh_from_db()
    assert e.status == "received" and e.handler_id is None and not e.answer


def test_reply_without_consent_answers_the_asker_only(world):
    e = ask(world, publish_consent=False)
    done = services.enquiry_reply(
        enquiry=e, data=ANSWER, publish=False, actor=world.actor("purchaser")
    )
    assert done.status == "answered" and not done.published


def test_reply_to_an_item_someone_else_handles_is_refused(world):
    e = ask(world)
    services.enquiry_assign(
        enquiry=e, handler=world.user("purchaser"), actor=world.actor("purchaser")
    )
    other = _second_officer(world)
    with pytest.raises(PermissionDenied) as exc:
        services.enquiry_reply(enquiry=e, data=ANSWER, publish=False, actor=other)
    assert exc.value.code == "not_handler"


def _second_officer(world):
    from caidan.accounts.actor import Actor
    from caidan.accounts.models import Membership, Role
    from caidan.accounts.services import membership_grant, user_create

    u = user_create(
        username="officer_b",
        password="x",
        display_name="第二位工作人员",
        actor=world.system,
        validate_password=False,
    )
    membership_grant(user=u, role=Role.PURCHASER, unit=world.unit("310105-001"), actor=world.system)
    return Actor(user=u, membership=Membership.objects.get(user=u, role=Role.PURCHASER))


def _officer(world):
    c = Client()
    c.force_login(world.user("purchaser"))
    return c


def test_page_has_one_answer_box_with_the_publication_choice_when_consented(world):
    e = ask(world, publish_consent=True)
    officer = _officer(world)
    html = officer.get(f"/enquiries/{e.pk}/").content.decode()
    assert 'data-testid="reply-form"' in html and 'data-testid="reply-publish"' in html
    assert "由我承办" not in html  # the claim is implied by answering
    r = officer.post(f"/enquiries/{e.pk}/reply/", {"answer": "每周二上午提供。", "publish": "1"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == "answered" and e.published and e.handler == world.user("purchaser")
    assert "每周二上午提供。" in Client().get(f"/enquiries/public/{e.pk}/").content.decode()


def test_page_without_consent_offers_no_publication(world):
    e = ask(world, publish_consent=False)
    officer = _officer(world)
    html = officer.get(f"/enquiries/{e.pk}/").content.decode()
    assert 'data-testid="reply-publish"' not in html and 'data-testid="reply-private"' in html
    # a forged publish=1 is refused by the service: nothing is answered
    r = officer.post(f"/enquiries/{e.pk}/reply/", {"answer": "每周二上午提供。", "publish": "1"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == "received"
    officer.post(f"/enquiries/{e.pk}/reply/", {"answer": "每周二上午提供。"})
    e.refresh_from_db()
    assert e.status == "answered" and not e.published
    assert Enquiry.objects.public().filter(pk=e.pk).count() == 0


def test_api_reply_in_one_step(world, client, token_for):
    officer = token_for("purchaser")
    api = "/api/v1/enquiries"

    def post(eid, body):
        return client.post(
            f"{api}/{eid}/reply", data=body, content_type="application/json", **officer
        )

    private = ask(world, publish_consent=False)
    refused = post(private.pk, {"answer": "每周二下午。", "publish": True})
    assert refused.status_code == 409 and refused.json()["code"] == "no_consent"
    assert post(private.pk, {"answer": "", "publish": False}).status_code == 400
    consented = ask(world, title="周末服务", publish_consent=True)
    done = post(consented.pk, {"answer": "每周六上午。", "publish": True})
    assert done.status_code == 200 and done.json()["status"] == "answered"
    consented.refresh_from_db()
    assert consented.published and consented.handler == world.user("purchaser")
