"""Enquiries: lifecycle (every action from every status), deadlines across holidays, the
one extension, report confidentiality, overdue flags on a fixed clock, rate limits,
publication scrubbing and statistics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from caidan.common.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    ValidationError,
)
from caidan.common.tick import run_tick
from caidan.enquiries import selectors, services
from caidan.enquiries.inputs import (
    EnquiryAnswerInput,
    EnquiryCloseInput,
    EnquiryExtendInput,
    EnquiryHideInput,
    EnquiryInput,
    EnquiryRestoreInput,
    EnquiryTransferInput,
)
from caidan.enquiries.models import (
    OPEN_STATUSES,
    TRANSITIONS,
    Enquiry,
    EnquiryAction,
    EnquiryStatus,
)

from .conftest import JIANGSU, MONDAY, XINHUA, ask, local, report

pytestmark = pytest.mark.django_db


# --- lifecycle ----------------------------------------------------------------------------


def _in_status(world, status: str, kind: str) -> Enquiry:
    """An item of ``kind`` forced into ``status`` (with the fields that status implies)."""
    e = ask(world, kind=kind, publish_consent=True)
    officer = world.user("purchaser")
    fields = {"status": status, "handler": officer}
    if status == EnquiryStatus.ANSWERED:
        fields.update(answer="答复内容", answered_at=timezone.now(), answered_by=officer)
    Enquiry.objects.filter(pk=e.pk).update(**fields)
    e.refresh_from_db()
    return e


def _do(world, action: str, e: Enquiry):
    actor = world.actor("purchaser")
    if action == EnquiryAction.ASSIGN:
        return services.enquiry_assign(enquiry=e, handler=world.user("purchaser"), actor=actor)
    if action == EnquiryAction.ANSWER:
        return services.enquiry_answer(
            enquiry=e, actor=actor, data=EnquiryAnswerInput.parse(answer="每周二、周四下午。")
        )
    if action == EnquiryAction.TRANSFER:
        return services.enquiry_transfer(
            enquiry=e,
            actor=actor,
            data=EnquiryTransferInput.parse(to_unit=world.unit(XINHUA), reason="属新华路街道职责"),
        )
    if action == EnquiryAction.CLOSE:
        return services.enquiry_close(
            enquiry=e, actor=actor, data=EnquiryCloseInput.parse(reason="重复提交")
        )
    if action == EnquiryAction.EXTEND:
        return services.enquiry_extend(
            enquiry=e,
            actor=actor,
            today=MONDAY.date(),
            data=EnquiryExtendInput.parse(days=5, reason="需征求第三方意见"),
        )
    if action == EnquiryAction.PUBLISH:
        return services.enquiry_publish(enquiry=e, actor=actor)
    raise AssertionError(action)


KIND_FOR = {EnquiryAction.EXTEND: "info_request"}
CASES = [(action, status) for action in TRANSITIONS for status in EnquiryStatus.values]


@pytest.mark.parametrize(("action", "status"), CASES)
def test_every_action_from_every_status(world, action, status):
    e = _in_status(world, status, KIND_FOR.get(action, "enquiry"))
    sources, target = TRANSITIONS[action]
    if status in sources:
        done = _do(world, action, e)
        done.refresh_from_db()
        assert done.status == (target or status)
    else:
        with pytest.raises(Conflict) as exc:
            _do(world, action, e)
        assert exc.value.code == "bad_transition"
        e.refresh_from_db()
        assert e.status == status


def test_table_covers_the_lifecycle():
    assert set(TRANSITIONS) == set(EnquiryAction.values)
    assert {"received", "assigned", "transferred"} == OPEN_STATUSES


def test_full_path_with_audit_and_notifications(world):
    from caidan.audit.models import AuditEvent
    from caidan.notifications.models import Notification

    e = ask(world)
    assert e.status == "received" and e.unit.code == JIANGSU
    assert Notification.objects.filter(recipient=world.user("purchaser"), url=f"/enquiries/{e.pk}/")
    officer = world.actor("purchaser")
    services.enquiry_assign(enquiry=e, handler=officer.user, actor=officer)
    services.enquiry_answer(
        enquiry=e, actor=officer, data=EnquiryAnswerInput.parse(answer="每周二、周四下午。")
    )
    e.refresh_from_db()
    assert e.status == "answered" and e.answered_by == officer.user
    assert Notification.objects.filter(recipient=world.user("resident"), url=f"/enquiries/{e.pk}/")
    kinds = list(
        AuditEvent.objects.filter(target_type="enquiries.enquiry", target_id=str(e.pk))
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["enquiry.submitted", "enquiry.transition", "enquiry.transition"]


def test_handler_must_be_an_officer_of_the_unit_and_only_the_handler_answers(world):
    e = ask(world)
    officer = world.actor("purchaser")
    with pytest.raises(ValidationError) as exc:
        services.enquiry_assign(enquiry=e, handler=world.user("purchaser2"), actor=officer)
    assert exc.value.field == "handler"
    with pytest.raises(Conflict):  # not yet assigned
        services.enquiry_answer(
            enquiry=e, actor=officer, data=EnquiryAnswerInput.parse(answer="答复")
        )
    services.enquiry_assign(enquiry=e, handler=officer.user, actor=world.actor("admin"))
    with pytest.raises(PermissionDenied):
        services.enquiry_answer(
            enquiry=e, actor=world.actor("admin"), data=EnquiryAnswerInput.parse(answer="答复")
        )


def test_another_units_officer_cannot_handle(world):
    e = ask(world)
    with pytest.raises(NotFound):
        services.enquiry_assign(
            enquiry=e, handler=world.user("purchaser2"), actor=world.actor("purchaser2")
        )


def test_transfer_moves_the_item_and_clears_the_handler(world):
    e = ask(world)
    officer = world.actor("purchaser")
    services.enquiry_assign(enquiry=e, handler=officer.user, actor=officer)
    services.enquiry_transfer(
        enquiry=e,
        actor=officer,
        data=EnquiryTransferInput.parse(to_unit=world.unit(XINHUA), reason="属新华路街道职责"),
    )
    e.refresh_from_db()
    assert (e.status, e.unit.code, e.handler, e.transferred_from.code) == (
        "transferred",
        XINHUA,
        None,
        JIANGSU,
    )
    other = world.actor("purchaser2")
    services.enquiry_assign(enquiry=e, handler=other.user, actor=other)
    with pytest.raises(ValidationError):
        services.enquiry_transfer(
            enquiry=e,
            actor=other,
            data=EnquiryTransferInput.parse(to_unit=world.unit(XINHUA), reason="x"),
        )


# --- asking -------------------------------------------------------------------------------


def test_anonymous_may_only_report(world):
    from caidan.accounts.actor import Actor

    with pytest.raises(NotAuthenticated):
        ask(world, actor=Actor.anonymous())
    e, code = report(world)
    assert e.asker_user is None and len(code) >= 16
    assert e.followup_code_hash and code not in e.followup_code_hash
    assert selectors.enquiry_get_by_code(code=code) == e
    with pytest.raises(NotFound):
        selectors.enquiry_get_by_code(code="wrong-code")


def test_officers_cannot_ask_and_residents_need_an_identity(world):
    with pytest.raises(PermissionDenied):
        ask(world, actor=world.actor("purchaser2"))


def test_enquiry_about_a_menu_item_goes_to_the_menus_purchaser(world, menu_item):
    e = ask(world, subject_type="menu_item", subject_id=menu_item.pk)
    assert e.unit == menu_item.menu.unit
    assert menu_item.title in e.subject_label


def test_validation_names_the_field(world):
    with pytest.raises(ValidationError) as exc:
        ask(world, title="  ")
    assert exc.value.field == "title"
    with pytest.raises(ValidationError) as exc:
        ask(world, kind="complaint")
    assert exc.value.field == "kind"
    with pytest.raises(ValidationError) as exc:
        ask(world, subject_type="official", official="某人")
    assert exc.value.field == "unit_id"


def test_attachments_are_validated(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("照片.jpg", b"not a jpeg at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        ask(world, files=[bad])
    assert exc.value.field == "file"
    assert not Enquiry.objects.exists()
    good = SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    e = ask(world, files=[good])
    assert [a.original_name for a in e.attachments.all()] == ["说明.pdf"]


# --- deadlines ----------------------------------------------------------------------------


def test_due_dates_count_working_days_across_a_holiday(world):
    from caidan.jurisdiction.services import calendar_day_set

    assert ask(world).due_on == dt.date(2027, 3, 15)  # 10 working days
    assert ask(world, kind="info_request").due_on == dt.date(2027, 3, 29)  # 20 working days
    calendar_day_set(
        date=dt.date(2027, 3, 3), kind="holiday", name="测试假日", actor=world.actor("admin")
    )
    assert ask(world).due_on == dt.date(2027, 3, 16)
    assert ask(world, kind="info_request").due_on == dt.date(2027, 3, 30)


def test_enquiry_days_follow_the_jurisdiction_setting(world):
    from caidan.jurisdiction.services import setting_update

    setting_update(key="enquiry_answer_working_days", value=5, actor=world.actor("admin"))
    assert ask(world).due_on == dt.date(2027, 3, 8)


def test_extension_once_with_reason_up_to_20_working_days(world):
    e = ask(world, kind="info_request")
    officer = world.actor("purchaser")
    today = MONDAY.date()
    with pytest.raises(ValidationError) as exc:
        services.enquiry_extend(
            enquiry=e,
            actor=officer,
            today=today,
            data=EnquiryExtendInput.parse(days=5, reason="  "),
        )
    assert exc.value.field == "reason"
    for days in (0, 21):
        with pytest.raises(ValidationError) as exc:
            services.enquiry_extend(
                enquiry=e,
                actor=officer,
                today=today,
                data=EnquiryExtendInput.parse(days=days, reason="理由"),
            )
        assert exc.value.field == "days"
    services.enquiry_extend(
        enquiry=e,
        actor=officer,
        today=today,
        data=EnquiryExtendInput.parse(days=20, reason="需征求第三方意见"),
    )
    e.refresh_from_db()
    assert e.extended_due_on == dt.date(2027, 4, 26) and e.extension_reason == "需征求第三方意见"
    with pytest.raises(Conflict) as exc:
        services.enquiry_extend(
            enquiry=e,
            actor=officer,
            today=today,
            data=EnquiryExtendInput.parse(days=1, reason="再延一次"),
        )
    assert exc.value.code == "already_extended"


def test_only_information_requests_are_extended_and_not_after_the_deadline(world):
    officer = world.actor("purchaser")
    with pytest.raises(Conflict) as exc:
        services.enquiry_extend(
            enquiry=ask(world),
            actor=officer,
            today=MONDAY.date(),
            data=EnquiryExtendInput.parse(days=5, reason="理由"),
        )
    assert exc.value.code == "not_extendable"
    e = ask(world, kind="info_request")
    with pytest.raises(Conflict) as exc:
        services.enquiry_extend(
            enquiry=e,
            actor=officer,
            today=dt.date(2027, 3, 30),
            data=EnquiryExtendInput.parse(days=5, reason="理由"),
        )
    assert exc.value.code == "past_due"


def test_overdue_flags_on_a_fixed_clock(world):
    from caidan.notifications.models import Notification

    e = ask(world)  # due 15 March
    job = ["enquiries.overdue"]
    assert run_tick(now=local(2027, 3, 15, 23, 59), only=job)[0].changed == 0
    assert run_tick(now=local(2027, 3, 16, 0, 1), only=job)[0].changed == 1
    assert run_tick(now=local(2027, 3, 17), only=job)[0].changed == 0  # once
    e.refresh_from_db()
    assert e.overdue_flagged_at == local(2027, 3, 16, 0, 1)
    assert Notification.objects.filter(kind="enquiry.overdue", url=f"/enquiries/{e.pk}/").exists()


def test_overdue_uses_the_extended_deadline_and_skips_answered_items(world):
    officer = world.actor("purchaser")
    extended = ask(world, kind="info_request")  # due 29 March
    services.enquiry_extend(
        enquiry=extended,
        actor=officer,
        today=MONDAY.date(),
        data=EnquiryExtendInput.parse(days=2, reason="需协调"),
    )  # → 31 March
    answered = ask(world)
    services.enquiry_assign(enquiry=answered, handler=officer.user, actor=officer)
    services.enquiry_answer(
        enquiry=answered, actor=officer, data=EnquiryAnswerInput.parse(answer="已答复")
    )
    job = ["enquiries.overdue"]
    assert run_tick(now=local(2027, 3, 31, 12), only=job)[0].changed == 0
    assert run_tick(now=local(2027, 4, 1, 9), only=job)[0].changed == 1
    extended.refresh_from_db()
    assert extended.overdue_flagged_at is not None
    answered.refresh_from_db()
    assert answered.overdue_flagged_at is None


# --- rate limits --------------------------------------------------------------------------


def test_rate_limit_per_person(world):
    for _ in range(services.PER_ASKER_PER_DAY):
        ask(world)
    with pytest.raises(TooManyRequests) as exc:
        ask(world)
    assert exc.value.code == "enquiry_daily_limit"
    # the next day the person may ask again
    ask(world, now=MONDAY + dt.timedelta(days=1))


def test_rate_limit_per_ip(world):
    for _ in range(services.PER_IP_PER_HOUR):
        report(world, ip="203.0.113.9")
    with pytest.raises(TooManyRequests) as exc:
        report(world, ip="203.0.113.9")
    assert exc.value.code == "enquiry_ip_limit"
    report(world, ip="203.0.113.10")  # another address is not affected
    report(world, ip="203.0.113.9", now=MONDAY + dt.timedelta(hours=1, minutes=1))
    assert not Enquiry.objects.filter(ip_hash="203.0.113.9").exists()  # only a keyed hash


# --- reports ------------------------------------------------------------------------------


def test_report_goes_to_the_finance_bureau_never_to_the_unit_concerned(world, finance_officer):
    e, _code = report(world, actor=world.actor("resident"))
    assert e.unit.code == "310105-CZJ" and e.concerned_unit.code == JIANGSU
    # The unit concerned: not found, not listed, not handled.
    purchaser = world.actor("purchaser")
    with pytest.raises(NotFound):
        selectors.enquiry_get_for(actor=purchaser, enquiry_id=e.pk)
    assert e not in selectors.enquiry_list_for(actor=purchaser).items
    with pytest.raises(NotFound):
        services.enquiry_assign(enquiry=e, handler=purchaser.user, actor=purchaser)
    # Another street's officer neither.
    with pytest.raises(NotFound):
        selectors.enquiry_get_for(actor=world.actor("purchaser2"), enquiry_id=e.pk)
    # The finance bureau and auditors see it, without the reporter.
    admin, auditor = world.actor("admin"), world.actor("auditor")
    for who in (admin, finance_officer, auditor):
        assert selectors.enquiry_get_for(actor=who, enquiry_id=e.pk) == e
        assert e in selectors.enquiry_list_for(actor=who).items
        assert selectors.asker_display(who, e) == selectors.MASKED
    # The handler alone sees who reported.
    services.enquiry_assign(enquiry=e, handler=admin.user, actor=finance_officer)
    e.refresh_from_db()
    assert "居民" in selectors.asker_display(admin, e)
    for who in (finance_officer, auditor):
        assert selectors.asker_display(who, e) == selectors.MASKED
    # The reporter follows their own report.
    assert selectors.enquiry_get_for(actor=world.actor("resident"), enquiry_id=e.pk) == e


def test_report_is_never_transferred_to_the_unit_concerned(world):
    e, _ = report(world)
    admin = world.actor("admin")
    with pytest.raises(ValidationError) as exc:
        services.enquiry_transfer(
            enquiry=e,
            actor=admin,
            data=EnquiryTransferInput.parse(to_unit=world.unit(JIANGSU), reason="转办"),
        )
    assert exc.value.field == "unit_id"
    with pytest.raises(ValidationError):  # nor to the district above it
        services.enquiry_transfer(
            enquiry=e,
            actor=admin,
            data=EnquiryTransferInput.parse(to_unit=world.unit("310105"), reason="x"),
        )


def test_report_audit_does_not_name_the_reporter(world):
    from caidan.audit.models import AuditEvent

    e, _ = report(world, actor=world.actor("resident"), ip="198.51.100.7")
    event = AuditEvent.objects.get(kind="enquiry.submitted", target_id=str(e.pk))
    assert event.actor_id is None and event.ip == ""
    assert "居民" not in event.actor_label


def test_report_about_the_finance_bureau_is_refused_with_where_to_go(world):
    with pytest.raises(Conflict) as exc:
        report(world, unit="310105-CZJ")
    assert exc.value.code == "report_concerns_finance"


def test_reports_cannot_be_published(world):
    e, _ = report(world)
    admin = world.actor("admin")
    services.enquiry_assign(enquiry=e, handler=admin.user, actor=admin)
    services.enquiry_answer(enquiry=e, actor=admin, data=EnquiryAnswerInput.parse(answer="已核查"))
    with pytest.raises(Conflict) as exc:
        services.enquiry_publish(enquiry=e, actor=admin)
    assert exc.value.code == "not_publishable"


# --- publication --------------------------------------------------------------------------


def _answered(world, **kw):
    e = ask(world, **kw)
    officer = world.actor("purchaser")
    services.enquiry_assign(enquiry=e, handler=officer.user, actor=officer)
    services.enquiry_answer(
        enquiry=e,
        actor=officer,
        data=EnquiryAnswerInput.parse(answer=kw.pop("answer", "可致电 13912345678 咨询。")),
    )
    return e


def test_publication_needs_consent_and_scrubs_personal_numbers(world):
    officer = world.actor("purchaser")
    no = _answered(world)
    with pytest.raises(Conflict) as exc:
        services.enquiry_publish(enquiry=no, actor=officer)
    assert exc.value.code == "no_consent"
    e = _answered(
        world,
        publish_consent=True,
        title="我的电话 13800001111",
        body="我是 110101199003074514，电话 13800001111，请问服务时间？",
    )
    services.enquiry_publish(enquiry=e, actor=officer)
    e.refresh_from_db()
    public = selectors.enquiry_get_public(enquiry_id=e.pk)
    for text in (public.published_title, public.published_body, public.published_answer):
        assert "13800001111" not in text and "110101199003074514" not in text
        assert "13912345678" not in text
    assert "138****1111" in public.published_body and "1101**********4514" in public.published_body
    assert e in selectors.enquiry_list_public().items
    with pytest.raises(NotFound):
        selectors.enquiry_get_public(enquiry_id=no.pk)


def test_withdrawn_consent_or_hiding_unpublishes(world):
    officer = world.actor("purchaser")
    e = _answered(world, publish_consent=True)
    services.enquiry_publish(enquiry=e, actor=officer)
    services.enquiry_set_consent(enquiry=e, consent=False, actor=world.actor("resident"))
    e.refresh_from_db()
    assert not e.published
    services.enquiry_set_consent(enquiry=e, consent=True, actor=world.actor("resident"))
    services.enquiry_publish(enquiry=e, actor=officer)
    services.enquiry_hide(
        enquiry=e, actor=officer, data=EnquiryHideInput.parse(reason="含辱骂内容")
    )
    e.refresh_from_db()
    assert e.hidden and not e.published
    with pytest.raises(Conflict):
        services.enquiry_publish(enquiry=e, actor=officer)
    services.enquiry_restore(
        enquiry=e, actor=officer, data=EnquiryRestoreInput.parse(reason="误判")
    )
    with pytest.raises(NotFound):  # only the asker changes consent
        services.enquiry_set_consent(enquiry=e, consent=False, actor=officer)


# --- statistics ---------------------------------------------------------------------------


def test_statistics_by_hand(world):
    officer = world.actor("purchaser")
    quick = ask(world)
    late = ask(world)
    ask(world)  # open, and past due on 20 March
    ask(world, unit=XINHUA)  # another unit
    for e, answered in ((quick, local(2027, 3, 4, 15)), (late, local(2027, 3, 16, 9))):
        services.enquiry_assign(enquiry=e, handler=officer.user, actor=officer)
        services.enquiry_answer(
            enquiry=e, actor=officer, data=EnquiryAnswerInput.parse(answer="答复")
        )
        Enquiry.objects.filter(pk=e.pk).update(answered_at=answered)
    rows = {
        s.unit_name: s for s in selectors.enquiry_statistics(year=2027, today=dt.date(2027, 3, 20))
    }
    js = rows["江苏路街道"]
    assert (js.volume, js.answered, js.open, js.overdue) == (3, 2, 1, 2)
    # 1 → 4 March: 3 working days; 1 → 16 March: 11 working days
    assert sorted(js.answer_days) == [3, 11]
    assert js.average_answer_days == 7.0 and js.median_answer_days == 7.0
    xh = rows["新华路街道"]
    assert (xh.volume, xh.answered, xh.open, xh.overdue) == (1, 0, 1, 1)
    assert xh.average_answer_days is None


def test_report_about_a_project_concerns_its_purchaser(world):
    from caidan.accounts.actor import Actor
    from caidan.projects.models import Proposal

    approved = Proposal.objects.filter(status="approved").select_related("unit").first()
    assert approved is not None, "the demo has approved projects"
    e, _ = services.enquiry_submit(
        actor=Actor.anonymous(),
        data=EnquiryInput.parse(
            kind="report",
            subject_type="project",
            subject_id=approved.pk,
            title="举报项目资金使用问题",
            body="该项目资金被挪作他用。",
        ),
    )
    assert e.concerned_unit == approved.unit and e.unit.code == "310105-CZJ"
    draft = Proposal.objects.exclude(status="approved").first()
    if draft is not None:  # a draft is "not found" to an anonymous reporter
        with pytest.raises(NotFound):
            services.enquiry_submit(
                actor=Actor.anonymous(),
                data=EnquiryInput.parse(
                    kind="report",
                    subject_type="project",
                    subject_id=draft.pk,
                    title="举报",
                    body="该项目有问题。",
                ),
            )
