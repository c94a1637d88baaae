"""Notifications tied to a task, resolved when the step is done; the inbox grouped by
record; mark all read (issue 19, item 2)."""

import pytest
from django.db import transaction

from caidan.notifications.models import Notification
from caidan.notifications.selectors import GROUP_SHOWN, inbox_grouped, unread_count
from caidan.notifications.services import (
    due_day,
    notification_mark_all_read,
    notifications_resolve,
    notify,
)


@pytest.fixture
def fresh(world):
    """An expert with an empty inbox (the demo leaves messages for the others)."""
    from caidan.accounts.services import user_create

    return user_create(
        username="inboxtest",
        password="x",
        display_name="收件人",
        actor=world.system,
        validate_password=False,
    )


def test_resolving_a_task_marks_its_messages_done_and_drops_them_from_the_unread_count(
    world, fresh
):
    other = world.user("purchaser")
    notify(recipients=[fresh, other], kind="t", title="请审核", url="/r/1/", task="t:r:1")
    notify(recipients=[fresh], kind="t", title="请审核另一份", url="/r/2/", task="t:r:2")
    notify(recipients=[fresh], kind="t", title="仅告知", url="/r/1/")
    assert unread_count(user=fresh) == 3
    before = unread_count(user=other)
    assert notifications_resolve(task="t:r:1") == 2  # by anyone: both recipients
    assert unread_count(user=fresh) == 2
    assert unread_count(user=other) == before - 1
    done = Notification.objects.get(recipient=fresh, task="t:r:1")
    assert done.done_at is not None and done.read_at is None
    assert notifications_resolve(task="t:r:1") == 0  # once
    assert notifications_resolve(task="") == 0  # a message without a task is never resolved
    assert Notification.objects.get(recipient=fresh, title="仅告知").done_at is None


def test_resolving_for_some_recipients_only(world, fresh):
    other = world.user("purchaser")
    notify(recipients=[fresh, other], kind="t", title="请表决", task="vote:1")
    assert notifications_resolve(task="vote:1", recipients=[fresh]) == 1
    assert Notification.objects.get(recipient=other, task="vote:1").done_at is None


def test_a_rolled_back_step_leaves_the_task_open(world, fresh):
    notify(recipients=[fresh], kind="t", title="请付款", task="pay:1")
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications_resolve(task="pay:1")
        raise RuntimeError("payment failed")
    assert Notification.objects.get(recipient=fresh, task="pay:1").done_at is None


def test_several_tasks_in_one_update(world, fresh, django_assert_num_queries):
    notify(recipients=[fresh], kind="t", title="a", task="a:1")
    notify(recipients=[fresh], kind="t", title="b", task="b:1")
    with django_assert_num_queries(1):
        assert notifications_resolve(task=["a:1", "b:1"]) == 2


def test_a_person_is_told_once_however_often_listed(world, fresh):
    rows = notify(recipients=[fresh, fresh, None], kind="t", title="x", email=False)
    assert len(rows) == 1


def test_due_day_reads_as_a_reminder_says_it():
    import datetime as dt

    assert due_day(dt.date(2026, 12, 8)) == "12月8日"


def test_the_inbox_groups_by_record_newest_group_first(world, fresh):
    for i in range(3):
        notify(recipients=[fresh], kind="t", title=f"议程 {i}", url="/projects/sessions/1/")
    notify(recipients=[fresh], kind="t", title="合同", url="/contracts/9/")
    notify(recipients=[fresh], kind="t", title="无链接一", url="")
    notify(recipients=[fresh], kind="t", title="议程 最新", url="/projects/sessions/1/")
    notify(recipients=[fresh], kind="t", title="无链接二", url="")
    page = inbox_grouped(user=fresh)
    heads = [(g.head.title, g.count) for g in page.items]
    assert heads == [("无链接二", 1), ("议程 最新", 4), ("无链接一", 1), ("合同", 1)]
    agenda = page.items[1]
    assert [o.title for o in agenda.older] == ["议程 2", "议程 1", "议程 0"]
    assert agenda.open == 4 and agenda.more == 0


def test_a_group_shows_a_few_older_messages_and_counts_the_rest(world, fresh):
    for i in range(GROUP_SHOWN + 4):
        notify(recipients=[fresh], kind="t", title=f"n{i}", url="/x/")
    (g,) = inbox_grouped(user=fresh).items
    assert g.count == GROUP_SHOWN + 4 and len(g.older) == GROUP_SHOWN and g.more == 3


def test_the_grouped_inbox_pages_by_group(world, fresh):
    for i in range(25):
        notify(recipients=[fresh], kind="t", title=f"r{i}", url=f"/r/{i}/")
        notify(recipients=[fresh], kind="t", title=f"r{i} again", url=f"/r/{i}/")
    first = inbox_grouped(user=fresh, limit=10)
    assert len(first.items) == 10 and first.next_cursor
    assert first.items[0].head.title == "r24 again" and first.items[0].count == 2
    rest = []
    cursor = first.next_cursor
    while cursor:
        page = inbox_grouped(user=fresh, cursor=cursor, limit=10)
        rest += page.items
        cursor = page.next_cursor
    titles = [g.head.title for g in first.items + rest]
    assert len(titles) == 25 == len(set(titles))  # each record once, none lost


def test_unread_only_groups_only_open_messages(world, fresh):
    notify(recipients=[fresh], kind="t", title="已办", url="/a/", task="a")
    notify(recipients=[fresh], kind="t", title="未办", url="/b/", task="b")
    notifications_resolve(task="a")
    page = inbox_grouped(user=fresh, unread_only=True)
    assert [g.head.title for g in page.items] == ["未办"]


def test_mark_all_read_touches_only_mine(world, fresh):
    other = world.user("purchaser")
    notify(recipients=[fresh, other], kind="t", title="x")
    others_before = unread_count(user=other)
    assert notification_mark_all_read(user=fresh) == 1
    assert unread_count(user=fresh) == 0
    assert unread_count(user=other) == others_before


def test_inbox_page_groups_shows_done_and_marks_all_read(world, fresh, client):
    from caidan.accounts.services import membership_grant

    membership_grant(user=fresh, role="expert", actor=world.system)
    client.force_login(fresh)
    notify(recipients=[fresh], kind="t", title="请审核中期报告", url="/r/1/", task="r:1")
    notify(recipients=[fresh], kind="t", title="请审核结项报告", url="/r/1/", task="r:2")
    notifications_resolve(task="r:1")
    html = client.get("/notifications/").content.decode()
    assert "请审核结项报告" in html and "(2)" in html and "已办结" in html
    assert 'title="未读">1<' in html
    assert client.post("/notifications/read-all/").status_code == 302
    assert unread_count(user=fresh) == 0
    assert 'class="badge"' not in client.get("/notifications/").content.decode()


def test_opening_a_group_reads_its_messages_and_follows_the_link(world, fresh, client):
    from caidan.accounts.services import membership_grant

    membership_grant(user=fresh, role="expert", actor=world.system)
    client.force_login(fresh)
    a, b = (
        notify(recipients=[fresh], kind="t", title=t, url="/r/1/", email=False)[0] for t in "ab"
    )
    notify(recipients=[fresh], kind="t", title="c", url="/r/2/", email=False)
    response = client.post(f"/notifications/{b.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/r/1/"
    assert unread_count(user=fresh) == 1  # both of /r/1/, not /r/2/
    someone_elses = notify(recipients=[world.user("purchaser")], kind="t", title="x")[0]
    assert client.post(f"/notifications/{someone_elses.pk}/read/").status_code == 404


def test_inbox_page_query_count_does_not_grow_with_groups(
    world, fresh, client, django_assert_max_num_queries
):
    from caidan.accounts.services import membership_grant

    membership_grant(user=fresh, role="expert", actor=world.system)
    client.force_login(fresh)
    for i in range(20):
        for _ in range(3):
            notify(recipients=[fresh], kind="t", title=f"r{i}", url=f"/r/{i}/", email=False)
    client.get("/notifications/")  # warm the session and the caches
    with django_assert_max_num_queries(12) as few:
        client.get("/notifications/")
    notify(recipients=[fresh], kind="t", title="one more", url="/r/99/", email=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "one more" in client.get("/notifications/").content.decode()


def test_api_says_task_and_done(world, fresh, client):
    from caidan.accounts.services import api_token_create

    notify(recipients=[fresh], kind="t", title="请付款", task="pay:7")
    notifications_resolve(task="pay:7")
    from caidan.accounts.actor import Actor

    _, raw = api_token_create(actor=Actor(user=fresh), name="t")
    page = client.get("/api/v1/notifications", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert page["items"][0]["task"] == "pay:7" and page["items"][0]["done"] is True
