"""Issue 21: a community worker registers a resident at the counter (ID card seen, the
phone's code read out by the resident), supports a menu item and states a need on the
resident's behalf — on a desktop and on a 390 × 844 phone/tablet screen; the public list
shows only the 代办 marker."""

import re

import pytest

from tests.browser.helpers import staff

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
