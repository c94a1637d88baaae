"""Bulk answers (issue 19 §6): one text for several similar items, each assigned (when
nobody handles it yet) and answered through the single-item services, audited one by one;
a refused item (answered already, another unit's) stops nothing."""

from __future__ import annotations

import pytest

from caidan.audit.models import AuditEvent
from caidan.common.errors import ValidationError
from caidan.enquiries.inputs import EnquiryAnswerInput
from caidan.enquiries.models import Enquiry
from caidan.enquiries.services import enquiries_answer_bulk, enquiry_answer, enquiry_assign

from .conftest import XINHUA, ask

pytestmark = pytest.mark.django_db
ANSWER = "服务时间为每周一至周五上午。"


def _answered(world, e):
    officer = world.actor("purchaser")
    enquiry_assign(enquiry=e, handler=officer.user, actor=officer)
    e.refresh_from_db()
    return enquiry_answer(enquiry=e, data=EnquiryAnswerInput.parse(answer="已答复"), actor=officer)


def test_mixed_batch(world, django_assert_max_num_queries):
    first, second = ask(world), ask(world, title="关于服务地点的咨询")
    done_before = _answered(world, ask(world, title="已答复的咨询"))
    other_unit = ask(world, unit=XINHUA)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_assert_max_num_queries(90):
        outcomes = enquiries_answer_bulk(
            ids=[first.pk, done_before.pk, other_unit.pk, second.pk],
            answer=ANSWER,
            actor=world.actor("purchaser"),
        )
    assert [(o.id, o.ok) for o in outcomes] == [
        (first.pk, True),
        (done_before.pk, False),
        (other_unit.pk, False),
        (second.pk, True),
    ]
    assert outcomes[1].code == "bad_transition" and outcomes[1].message
    assert (outcomes[2].code, outcomes[2].label) == ("not_found", f"#{other_unit.pk}")
    for e in (first, second):
        e.refresh_from_db()
        assert (e.status, e.answer, e.handler.username) == ("answered", ANSWER, "purchaser")
    assert Enquiry.objects.get(pk=other_unit.pk).status == "received"
    # Each item done was assigned and answered through its services, each audited; the
    # refused ones left nothing.
    new = AuditEvent.objects.filter(pk__gt=last, target_type="enquiries.enquiry")
    assert sorted(new.values_list("target_id", flat=True)) == sorted(
        [str(first.pk)] * 2 + [str(second.pk)] * 2
    )
    with pytest.raises(ValidationError) as exc:
        enquiries_answer_bulk(ids=[first.pk], answer="  ", actor=world.actor("purchaser"))
    assert exc.value.field == "answer"


def test_bulk_answer_page_and_api(world, login, client, token_for):
    e = ask(world)
    page = login("purchaser")
    inbox = page.get("/enquiries/inbox/").content.decode()
    assert f'data-testid="pick-enquiry-{e.pk}"' in inbox
    confirm = page.post("/enquiries/inbox/bulk-answer/", {"ids": [e.pk]})
    assert confirm.status_code == 200 and e.title in confirm.content.decode()
    done = page.post(
        "/enquiries/inbox/bulk-answer/", {"ids": [e.pk], "confirm": "1", "answer": ANSWER}
    )
    assert [o.ok for o in done.context["outcomes"]] == [True]
    e2 = ask(world, title="另一个咨询")
    url = "/api/v1/enquiries/bulk/answers"
    body = {"enquiry_ids": [e.pk, e2.pk], "answer": ANSWER}
    resp = client.post(url, body, content_type="application/json", **token_for("purchaser"))
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert (data["done"], data["refused"]) == (1, 1)
    assert data["results"][0]["code"] == "bad_transition"
    from django.test import Client

    assert Client().post(url, body, content_type="application/json").status_code == 401
    refused = client.post(url, body, content_type="application/json", **token_for("resident"))
    assert refused.status_code == 403
    bad = client.post(
        url,
        {"enquiry_ids": [], "answer": ANSWER},
        content_type="application/json",
        **token_for("purchaser"),
    )
    assert bad.status_code == 400 and bad.json()["detail"]["field"] == "enquiry_ids"
