"""Assisted participation (issue 21): a community worker registers a resident at the
counter (ID card seen, phone verified by a code the resident reads out), orders and states
needs on the resident's behalf; a phone and an ID number of one person are one identity."""

from __future__ import annotations

import itertools

import pytest
from django.core import signing

from caidan.accounts.models import Role
from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict, PermissionDenied, ValidationError
from caidan.common.masking import mask_phone
from caidan.needs import services
from caidan.needs.codes import Code
from caidan.needs.inputs import (
    CounterRegistrationInput,
    IdentityCodeInput,
    NeedInput,
    id_number_check_char,
)
from caidan.needs.models import IdentityKey, IdentityKind, MenuOrder, Need, ResidentIdentity

from .conftest import resident_actor

_ids = itertools.count(1)


def new_id_number() -> str:
    first17 = f"31010519500101{next(_ids):03d}"
    return first17 + id_number_check_char(first17)


@pytest.fixture(autouse=True)
def no_resend_wait(monkeypatch):
    """The phone gets a second code at the counter right after its online one."""
    import datetime as dt

    from caidan.needs.services import identity

    monkeypatch.setattr(identity, "RESEND_INTERVAL", dt.timedelta(0))


@pytest.fixture
def worker(world):
    return world.actor("worker", Role.COMMUNITY_WORKER)


@pytest.fixture
def register(worker, send_code):
    """``register(id_number, phone=None, actor=worker)`` → CounterResident; with a phone,
    the code sent to it is read back as the resident would."""

    def _register(id_number: str, phone: str = "", actor=None, code: str | None = None):
        phone_code = ""
        if phone:
            phone_code = code if code is not None else send_code(phone)
        return services.resident_register_at_counter(
            data=CounterRegistrationInput.parse(id_number=id_number, phone=phone),
            phone_code=phone_code,
            actor=actor or worker,
        )

    return _register


def test_counter_registration_stores_only_the_digest_and_records_the_worker(world, register):
    number = new_id_number()
    resident = register(number)
    identity = resident.identity
    assert resident.created
    assert identity.kind == IdentityKind.ID_NUMBER and identity.registered_by == world.user(
        "worker"
    )
    assert number not in identity.identity_hash and len(identity.identity_hash) == 64
    assert resident.hints == {"id_number": identity.hint} and number not in identity.hint
    key = IdentityKey.objects.get(identity=identity)
    assert key.verified_by == world.user("worker")
    event = AuditEvent.objects.filter(kind="resident.counter_registered").latest("id")
    assert event.new["worker"] == world.user("worker").display_name
    assert number not in str(event.new)
    # the same card again is the same person
    again = register(number)
    assert not again.created and again.identity.pk == identity.pk


def test_only_a_community_worker_registers_at_the_counter(world, register):
    with pytest.raises(PermissionDenied):
        register(new_id_number(), actor=world.actor("purchaser", Role.PURCHASER))


def test_a_bad_id_number_names_its_field():
    with pytest.raises(ValidationError) as err:
        CounterRegistrationInput.parse(id_number="310105195001010010")
    assert err.value.field == "id_number"
    with pytest.raises(ValidationError) as err:
        CounterRegistrationInput.parse(id_number=new_id_number(), phone="12345")
    assert err.value.field == "phone"


def test_a_phone_needs_the_code_the_resident_reads_out(world, register, new_phone, send_code):
    phone = new_phone()
    with pytest.raises(ValidationError) as err:
        register(new_id_number(), phone=phone, code="")
    assert err.value.field == "phone_code"
    right = send_code(phone)
    wrong = "000000" if right != "000000" else "111111"
    with pytest.raises(ValidationError) as err:
        register(new_id_number(), phone=phone, code=wrong)
    assert err.value.code == Code.CODE_WRONG
    assert not IdentityKey.objects.filter(hint=mask_phone(phone)).exists()


def test_same_person_via_phone_then_id_orders_once(
    world, register, resident, new_phone, open_menu, worker
):
    phone = new_phone()
    online = resident(phone)
    first, second = list(open_menu.items.order_by("id"))[:2]
    services.menu_order_place(actor=online, menu_item=first)
    at_counter = register(new_id_number(), phone=phone)
    # the ID number joined the person who verified the phone online
    assert at_counter.identity.user == online.user and not at_counter.created
    assert set(at_counter.hints) == {"phone", "id_number"}
    with pytest.raises(Conflict) as err:
        services.menu_order_place_assisted(ref=at_counter.ref, menu_item=first, actor=worker)
    assert err.value.code == Code.ALREADY_ORDERED
    order = services.menu_order_place_assisted(ref=at_counter.ref, menu_item=second, actor=worker)
    assert order.assisted_by == world.user("worker") and order.is_assisted
    assert MenuOrder.objects.filter(menu_item=first).count() == 1
    # and the resident, online again with the phone, is the same person
    with pytest.raises(Conflict):
        services.menu_order_place(actor=online, menu_item=second)


def test_linking_merges_two_identities_and_keeps_one_order(
    world, register, resident, new_phone, open_menu, verify, send_code
):
    """An ID number verified online on its own (a gateway) and a phone verified online: two
    identities until linked; the link keeps one order per item and switches the other off."""
    phone, number = new_phone(), new_id_number()
    by_phone = resident(phone)
    by_id = resident_actor(verify(number, kind=IdentityKind.ID_NUMBER))
    assert by_id.user != by_phone.user
    item, other_item = list(open_menu.items.order_by("id"))[:2]
    services.menu_order_place(actor=by_phone, menu_item=item)
    services.menu_order_place(actor=by_id, menu_item=item)
    services.menu_order_place(actor=by_id, menu_item=other_item)
    assert MenuOrder.objects.filter(menu_item=item).count() == 2
    code = send_code(number, kind=IdentityKind.ID_NUMBER)
    services.identity_link_confirm(
        actor=by_phone,
        data=IdentityCodeInput.parse(kind=IdentityKind.ID_NUMBER, value=number, code=code),
    )
    keep = ResidentIdentity.objects.get(user=by_phone.user)
    assert MenuOrder.objects.filter(menu_item=item).count() == 1
    assert MenuOrder.objects.get(menu_item=other_item).identity == keep
    assert set(keep.keys.values_list("kind", flat=True)) == {"phone", "id_number"}
    by_id.user.refresh_from_db()
    assert not by_id.user.is_active
    assert not ResidentIdentity.objects.filter(user=by_id.user).exists()
    event = AuditEvent.objects.filter(kind="resident.identities_linked").latest("id")
    assert event.new["duplicate_orders_dropped"] == 1
    # logging in with the ID number now reaches the one person
    assert verify(number, kind=IdentityKind.ID_NUMBER) == by_phone.user


def test_a_second_phone_for_one_person_is_refused(register, new_phone):
    number = new_id_number()
    register(number, phone=new_phone())
    with pytest.raises(Conflict) as err:
        register(number, phone=new_phone())
    assert err.value.code == Code.IDENTITY_KIND_TAKEN and err.value.field == "phone"


def test_assisted_need_shows_only_a_marker_in_public(
    world, register, worker, jiangsu, client, login
):
    resident = register(new_id_number())
    need = services.need_submit_assisted(
        ref=resident.ref,
        actor=worker,
        data=NeedInput.parse(
            unit=jiangsu,
            community="愚园路居委会",
            target_group="elderly",
            text="老人希望社区食堂提供助餐和送餐上门服务。",
        ),
    )
    assert need.assisted_by == world.user("worker") and need.identity == resident.identity
    item = next(i for i in client.get("/api/v1/needs").json()["items"] if i["id"] == need.pk)
    assert item["assisted"] is True
    name = world.user("worker").display_name
    page = client.get("/needs/").content.decode()
    assert "代办" in page and name not in page
    login("purchaser")
    moderation = client.get("/needs/moderation/").content.decode()
    assert name in moderation


def test_worker_acts_only_within_their_unit(world, register, worker, make_menu, purchaser2, xinhua):
    import datetime as dt

    from django.utils import timezone

    resident = register(new_id_number())
    menu = make_menu(actor=purchaser2, opens=timezone.now() - dt.timedelta(hours=1), publish=True)
    with pytest.raises(PermissionDenied):
        services.menu_order_place_assisted(
            ref=resident.ref, menu_item=menu.items.first(), actor=worker
        )
    with pytest.raises(PermissionDenied):
        services.need_submit_assisted(
            ref=resident.ref,
            actor=worker,
            data=NeedInput.parse(
                unit=xinhua,
                community="新华居委会",
                target_group="elderly",
                text="希望有助餐服务和送餐上门。",
            ),
        )
    assert not Need.objects.filter(assisted_by=worker.user).exists()


def test_counter_reference_is_the_workers_own_and_cannot_be_forged(
    world, register, worker, open_menu
):
    resident = register(new_id_number())
    forged = signing.dumps({"i": resident.identity.pk, "w": worker.user.pk}, salt="other")
    for ref in (forged, "", resident.ref[:-2] + "xx"):
        with pytest.raises(PermissionDenied) as err:
            services.counter_resident(ref=ref, actor=worker)
        assert err.value.code == Code.COUNTER_SESSION_EXPIRED
    from caidan.accounts.models import Membership, User

    other = User.objects.create_user(
        username="worker-b", password="x" * 20, display_name="另一位社工"
    )
    Membership.objects.create(user=other, role=Role.COMMUNITY_WORKER, unit=world.unit("310105-001"))
    from caidan.accounts.actor import Actor

    them = Actor(user=other, membership=other.memberships.get())
    with pytest.raises(PermissionDenied):
        services.menu_order_place_assisted(
            ref=resident.ref, menu_item=open_menu.items.first(), actor=them
        )


def test_counter_api_end_to_end(
    world, client, token_for, open_menu, new_phone, locmem_sms, django_capture_on_commit_callbacks
):
    from .conftest import code_in

    headers = token_for("worker")
    phone = new_phone()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/api/v1/needs/counter/phone-code",
            data={"phone": phone},
            content_type="application/json",
            **headers,
        )
    assert resp.status_code == 200, resp.content
    number = new_id_number()
    resp = client.post(
        "/api/v1/needs/counter/residents",
        data={"id_number": number, "phone": phone, "phone_code": code_in(locmem_sms)},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (
        body["created"]
        and number not in resp.content.decode()
        and phone not in resp.content.decode()
    )
    item = open_menu.items.first()
    order = {"ref": body["ref"], "item_id": item.pk}
    resp = client.post(
        "/api/v1/needs/counter/orders", data=order, content_type="application/json", **headers
    )
    assert resp.status_code == 201 and resp.json()["assisted"] is True
    resp = client.post(
        "/api/v1/needs/counter/orders", data=order, content_type="application/json", **headers
    )
    assert resp.status_code == 409 and resp.json()["code"] == Code.ALREADY_ORDERED
    resp = client.post(
        "/api/v1/needs/counter/residents",
        data={"id_number": "310105195001010010"},
        content_type="application/json",
        **headers,
    )
    assert resp.status_code == 400 and resp.json()["detail"]["field"] == "id_number"


def test_counter_page_registers_and_lists_open_items_in_few_queries(
    world, login, client, open_menu, django_assert_max_num_queries
):
    login("worker")
    number = new_id_number()
    resp = client.post("/needs/counter/", {"id_number": number, "action": "register"})
    assert resp.status_code == 302
    with django_assert_max_num_queries(20):
        page = client.get("/needs/counter/")
    text = page.content.decode()
    assert page.status_code == 200 and number not in text
    assert all(item.title in text for item in open_menu.items.all())
    item = open_menu.items.first()
    resp = client.post("/needs/counter/order/", {"item_id": item.pk})
    assert resp.status_code == 302
    assert MenuOrder.objects.get(menu_item=item).assisted_by == world.user("worker")
    # a bad ID number stays on the form with its message; nothing is registered
    resp = client.post("/needs/counter/end/")
    bad = client.post("/needs/counter/", {"id_number": "310105195001010010", "action": "register"})
    assert bad.status_code == 200 and "校验码" in bad.content.decode()
    # the public results show how many supports were assisted, never by whom
    client.logout()
    results = client.get(f"/needs/menus/{open_menu.pk}/results/").content.decode()
    assert 'data-testid="assisted-orders">1<' in results
    assert world.user("worker").display_name not in results


def test_a_resident_links_the_id_number_on_the_page(world, login, client, resident, send_code):
    online = resident()
    client.force_login(online.user)
    session = client.session
    from caidan.accounts.middleware import SESSION_KEY

    session[SESSION_KEY] = online.membership.pk
    session.save()
    page = client.get("/needs/link/")
    assert page.status_code == 200 and "id_number" in page.content.decode()
    number = new_id_number()
    code = send_code(number, kind=IdentityKind.ID_NUMBER)
    resp = client.post(
        "/needs/link/", {"kind": "id_number", "value": number, "code": code, "action": "link"}
    )
    assert resp.status_code == 302
    identity = ResidentIdentity.objects.get(user=online.user)
    assert set(identity.keys.values_list("kind", flat=True)) == {"phone", "id_number"}
    assert 'data-testid="link-done"' in client.get("/needs/link/").content.decode()
    # their own page names both numbers, masked: the phone's hint and the ID number's
    mine = client.get("/needs/mine/").content.decode()
    hints = dict(identity.keys.values_list("kind", "hint"))
    assert f"已验证身份：{hints['phone']}、{hints['id_number']}" in mine
    assert number not in mine


def test_audit_log_links_a_registered_residents_account_only_for_admins(
    world, register, login, client
):
    """The counter creates resident accounts; the log names them for every reader but links
    the account page only for those who may open it."""
    identity = register(new_id_number()).identity
    link = f'href="/accounts/users/{identity.user_id}/"'
    login("admin")
    assert link in client.get("/audit/").content.decode()
    login("auditor")
    page = client.get("/audit/")
    assert page.status_code == 200 and link not in page.content.decode()
