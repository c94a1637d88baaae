import pytest
from django.core import mail
from django.db import transaction

from caidan.common.errors import NotFound
from caidan.notifications.models import Notification
from caidan.notifications.selectors import inbox, unread_count
from caidan.notifications.services import notification_mark_read, notify


@pytest.mark.django_db(transaction=True)
def test_notify_fills_inboxes_and_emails_after_commit(world):
    users = [world.user("purchaser"), world.user("provider")]
    mail.outbox.clear()  # (re-seeding the demo for this transactional test sent its own)
    before = unread_count(user=users[0])
    with transaction.atomic():
        notify(recipients=users, kind="test", title="截止提醒", body="明天截止", url="/dashboard/")
        assert mail.outbox == []  # not before commit
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted(u.email for u in users)
    assert "截止提醒" in mail.outbox[0].subject
    assert unread_count(user=users[0]) == before + 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_decision_notifies_nobody(world):
    mail.outbox.clear()  # (re-seeding the demo for this transactional test sent its own)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[world.user("purchaser")], kind="test", title="x")
        raise RuntimeError("decision failed")
    assert mail.outbox == []
    assert not Notification.objects.filter(title="x").exists()


def test_mark_read_only_own(world):
    (row,) = notify(recipients=[world.user("purchaser")], kind="t", title="a", email=False)
    before = unread_count(user=world.user("purchaser"))  # the demo has left some too
    with pytest.raises(NotFound):
        notification_mark_read(user=world.user("provider"), notification_id=row.pk)
    assert unread_count(user=world.user("purchaser")) == before
    notification_mark_read(user=world.user("purchaser"), notification_id=row.pk)
    assert unread_count(user=world.user("purchaser")) == before - 1


def test_inbox_api_only_own_and_paginated(world, client, token_for, django_assert_max_num_queries):
    for i in range(25):
        notify(recipients=[world.user("provider")], kind="t", title=f"n{i}", email=False)
    notify(recipients=[world.user("purchaser")], kind="t", title="secret", email=False)
    headers = token_for("provider")
    with django_assert_max_num_queries(6):
        page = client.get("/api/v1/notifications?limit=20", **headers).json()
    assert len(page["items"]) == 20 and page["next_cursor"]
    rest = client.get(f"/api/v1/notifications?cursor={page['next_cursor']}", **headers).json()
    titles = [n["title"] for n in page["items"] + rest["items"]]
    assert len(titles) == 25 and "secret" not in titles
    first = page["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{first}/read", **headers).json()["read"] is True
    assert client.post("/api/v1/notifications/read-all", **headers).json()["updated"] == 24


def test_inbox_page_and_badge(world, login):
    notify(recipients=[world.user("expert")], kind="t", title="评审任务", email=False)
    client = login("expert")
    html = client.get("/notifications/").content.decode()
    assert "评审任务" in html
    assert 'title="未读">1<' in client.get("/dashboard/").content.decode()
    assert inbox(user=world.user("expert")).items[0].title == "评审任务"
