"""Issue 21: a community worker registers a resident at the counter (ID card seen, the
phone's code read out by the resident), supports a menu item and states a need on the
resident's behalf — on a desktop and on a 390 × 844 phone/tablet screen; the public list
shows only the 代办 marker."""

import re

import pytest

from tests.browser.helpers import PHONE, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db, settings):
    from caidan.demo.data import seed
    from caidan.needs import sms

    settings.SMS_BACKEND = "caidan.needs.sms.LocmemSmsBackend"
    sms.outbox.clear()
    seed()


def _id_number(serial: int) -> str:
    from caidan.needs.inputs import id_number_check_char

    first17 = f"31010519400101{serial:03d}"
    return first17 + id_number_check_char(first17)


@pytest.mark.parametrize(("phone", "serial"), [(False, 1), (True, 2)])
def test_counter_flow(browser, live_server, seeded, phone, serial):
    from caidan.needs import sms
    from caidan.needs.models import MenuOrder, Need

    base = live_server.url
    worker = staff(browser, base, "worker", phone=phone)
    worker.goto(base + "/dashboard/")
    worker.get_by_role("link", name="窗口代办").first.click()
    worker.wait_for_url("**/needs/counter/")
    number, mobile = _id_number(serial), f"1370000{serial:04d}"
    worker.get_by_label("身份证号").fill(number)
    worker.get_by_label("手机号（选填）").fill(mobile)
    # registering with a phone but no code is refused on the form, the typed numbers kept
    worker.get_by_test_id("counter-submit").click()
    assert "请先向居民手机发送验证码" in worker.content()
    assert worker.get_by_label("身份证号").input_value() == number
    worker.get_by_test_id("counter-send-code").click()
    worker.wait_for_load_state()
    code = re.search(r"\d{6}", sms.outbox[-1].body).group(0)
    assert sms.outbox[-1].to == mobile
    worker.get_by_label("手机验证码").fill(code)
    worker.get_by_test_id("counter-submit").click()
    panel = worker.get_by_test_id("counter-resident")
    panel.wait_for()
    text = panel.inner_text()
    assert number not in text and mobile not in text and mobile[-4:] in text
    # the panel fits the screen (no sideways scrolling of the page)
    assert worker.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # support the first open item on the resident's behalf (the confirm dialog is accepted)
    items = worker.get_by_test_id("counter-items")
    items.get_by_test_id("counter-order").first.click()
    worker.wait_for_load_state()
    assert "已代居民支持" in worker.content()
    assert worker.get_by_test_id("counter-items").locator(".tag.ok").count() >= 1
    order = MenuOrder.objects.filter(assisted_by__username="worker").latest("id")
    assert order.identity.keys.count() == 2

    # state a need on their behalf
    worker.get_by_test_id("counter-need-link").click()
    worker.get_by_label("街道（镇）").select_option(label="江苏路街道")
    worker.get_by_label("社区（居委会）").fill("愚园路居委会")
    worker.get_by_label("服务对象").select_option(value="elderly")
    worker.get_by_label("需求内容").fill("老人希望社区助浴服务能上门，并有人陪同去医院配药。")
    worker.get_by_test_id("counter-need-submit").click()
    worker.wait_for_url("**/needs/counter/")
    need = Need.objects.filter(assisted_by__username="worker").latest("id")
    assert "助浴" in worker.get_by_test_id("counter-recent").inner_text()

    # the public sees the need with the marker only
    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    reader = public.new_page()
    reader.goto(base + "/needs/")
    card = reader.locator(f"#need-{need.pk}")
    assert card.get_by_test_id("assisted-marker").inner_text() == "代办"
    assert "何社工" not in reader.content()
    public.close()

    worker.get_by_test_id("counter-end").click()
    worker.get_by_test_id("counter-register").wait_for()
    worker.context.close()


@pytest.mark.parametrize(("phone", "serial"), [(False, 11), (True, 12)])
def test_resident_links_the_id_number(browser, live_server, seeded, phone, serial):
    """A resident verified by phone finds 关联另一号码 on their own page, links their ID
    number with the code sent to it (a wrong code first: refused, the number kept) and is one
    person with two keys; the ID number is never shown back in full."""
    from caidan.needs import sms
    from caidan.needs.models import IdentityKey, ResidentIdentity

    base = live_server.url
    screen = PHONE if phone else {"viewport": {"width": 1280, "height": 900}}
    ctx = browser.new_context(locale="zh-CN", **screen)
    resident = ctx.new_page()
    resident.set_default_timeout(15000)
    mobile, number = f"1390000{serial:04d}", _id_number(serial)

    # signs in the way residents do: phone number, then the SMS code
    resident.goto(base + "/needs/verify/")
    resident.get_by_label("手机号或身份证号").fill(mobile)
    resident.get_by_role("button", name="获取验证码").click()
    code = re.search(r"\d{6}", sms.outbox[-1].body).group(0)
    resident.get_by_label("短信验证码").fill(code)
    resident.get_by_role("button", name="验证并登录").click()
    resident.wait_for_url("**/needs/mine/")
    identity = ResidentIdentity.objects.get(keys__hint__endswith=mobile[-4:])
    assert set(identity.keys.values_list("kind", flat=True)) == {"phone"}
    # nothing stated or ordered yet: each table's one row is its message across the columns,
    # which on a phone's cards is led by no column's name (it was 提出时间 / 支持时间)
    empties = resident.locator("main td.empty")
    assert empties.count() == 2
    assert [empties.nth(i).get_attribute("data-label") for i in range(2)] == [None, None]

    # from the public list to their own page, and from there to the link page (no typed URL)
    resident.goto(base + "/needs/")
    resident.get_by_role("link", name="我的需求与点菜").first.click()
    resident.wait_for_url("**/needs/mine/")
    resident.get_by_test_id("identity-link").click()
    resident.wait_for_url("**/needs/link/")
    assert resident.get_by_label("身份证号", exact=True).is_checked()
    resident.get_by_label("手机号或身份证号").fill(number)
    resident.get_by_role("button", name="发送验证码").click()
    resident.wait_for_load_state()
    assert sms.outbox[-1].to == number
    code = re.search(r"\d{6}", sms.outbox[-1].body).group(0)
    assert resident.get_by_label("手机号或身份证号").input_value() == number
    assert resident.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # a wrong code is refused with its message, the typed number kept, nothing linked
    resident.get_by_label("验证码", exact=True).fill("000000" if code != "000000" else "111111")
    resident.get_by_test_id("link-submit").click()
    resident.wait_for_load_state()
    assert "验证码不正确，还可尝试 4 次。" in resident.get_by_role("alert").all_inner_texts()
    assert resident.get_by_label("手机号或身份证号").input_value() == number
    assert resident.get_by_label("身份证号", exact=True).is_checked()
    assert IdentityKey.objects.filter(identity=identity).count() == 1
    assert resident.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # the right code links: back on their own page with the confirmation
    resident.get_by_label("验证码", exact=True).fill(code)
    resident.get_by_test_id("link-submit").click()
    resident.wait_for_url("**/needs/mine/")
    assert "已关联为同一人" in resident.content()
    assert number not in resident.content()
    assert resident.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    keys = dict(IdentityKey.objects.filter(identity=identity).values_list("kind", "hint"))
    assert set(keys) == {"phone", "id_number"}
    assert number not in keys["id_number"]

    # the link page now says it is done, and shows neither number in full
    resident.get_by_test_id("identity-link").click()
    resident.get_by_test_id("link-done").wait_for()
    assert number not in resident.content() and mobile not in resident.content()
    assert resident.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    ctx.close()
