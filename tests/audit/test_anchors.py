"""Anchoring the audit chain outside the database: whoever rewrites the tail or re-hashes
the whole chain is caught by the signed daily anchors that outsiders keep."""

from __future__ import annotations

import base64
import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from caidan.audit import anchors
from caidan.audit.chain import event_hash
from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditAnchor, AuditChainHead, AuditEvent
from caidan.audit.selectors import _fields, audit_chain_verify
from caidan.common.tick import run_tick

from .test_chain import _append, tampering

NOW = dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.UTC)  # 02:00 on 5 December in Shanghai


def _publish(tmp_path: Path) -> Path:
    """An auditor's copy of the published file, downloaded from the portal."""
    body = b"".join(Client().get("/open/data/audit-anchors.jsonl").streaming_content)
    path = tmp_path / "audit-anchors.jsonl"
    path.write_bytes(body)
    return path


def _verify(path: Path) -> str:
    out = StringIO()
    call_command("audit_verify", anchors=str(path), stdout=out)
    return out.getvalue()


def _refused(path: Path) -> str:
    with pytest.raises(CommandError) as info:
        call_command("audit_verify", anchors=str(path), stdout=StringIO())
    return str(info.value)


@pytest.fixture
def anchored(world, tmp_path):
    """Events, a first anchor, more events, a second anchor a day later, a few more events;
    the auditor has downloaded the anchors. Returns (events, anchors, file)."""
    events = _append(4, actor=world.actor("admin"))
    first, _ = anchors.audit_anchor_create(now=NOW)
    events += _append(4, actor=world.actor("admin"))
    second, _ = anchors.audit_anchor_create(now=NOW + dt.timedelta(days=1))
    events += _append(2, actor=world.actor("admin"))
    path = _publish(tmp_path)
    assert "OK" in _verify(path)
    return events, [first, second], path


# --- making anchors --------------------------------------------------------------------------------


def test_anchor_signs_the_chain_head_once_a_day(world):
    _append(3)
    head = AuditChainHead.objects.get(pk=1)
    anchor, created = anchors.audit_anchor_create(now=NOW)
    assert created
    assert anchor.day == dt.date(2026, 12, 5)  # the local (Shanghai) day
    # the anchored event is the anchoring itself, appended right after the verified head
    event = AuditEvent.objects.get(seq=head.seq + 1)
    assert event.kind == EventKind.AUDIT_ANCHORED
    assert event.prev_hash == head.hash
    assert (anchor.seq, anchor.hash, anchor.hash_alg) == (event.seq, event.hash, event.hash_alg)
    assert AuditChainHead.objects.get(pk=1).hash == anchor.hash
    data = anchors.anchor_dict(anchor)
    assert anchors.verify_signature(data, anchors.public_keys()) == ""
    # the same day again: the same anchor, nothing new
    _append(1)
    again, created = anchors.audit_anchor_create(now=NOW + dt.timedelta(hours=21, minutes=59))
    assert not created and again.pk == anchor.pk
    # the next local day: a new anchor of the new head
    nxt, created = anchors.audit_anchor_create(now=NOW + dt.timedelta(hours=22))
    assert created and nxt.day == dt.date(2026, 12, 6)
    assert nxt.seq == AuditChainHead.objects.get(pk=1).seq == anchor.seq + 2
    assert audit_chain_verify().ok


def test_tick_job_anchors_once_per_day(world):
    def tick(now):
        [result] = run_tick(now=now, only=["audit.anchor"])
        assert result.error == ""
        return result.changed

    assert tick(NOW) == 1
    assert tick(NOW + dt.timedelta(minutes=1)) == 0
    assert tick(NOW + dt.timedelta(hours=21, minutes=59)) == 0
    assert tick(NOW + dt.timedelta(hours=22)) == 1
    assert AuditAnchor.objects.count() == 2


def test_management_command_anchors_and_prints_a_key(world):
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    line = out.getvalue().split(": ", 1)[1]
    assert json.loads(line)["type"] == anchors.TYPE
    out = StringIO()
    call_command("audit_anchor", "--new-key", "k7", stdout=out)
    key_id, _, b64 = out.getvalue().strip().partition(":")
    assert key_id == "k7" and len(base64.b64decode(b64)) == 32


def test_no_anchor_over_a_broken_chain(world):
    _append(3)
    anchors.audit_anchor_create(now=NOW)
    more = _append(3)
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET note = %s WHERE seq = %s", ["x", more[1].seq])
    with pytest.raises(anchors.AnchorRefused, match=f"#{more[1].seq}"):
        anchors.audit_anchor_create(now=NOW + dt.timedelta(days=1))
    assert AuditAnchor.objects.count() == 1


def test_no_anchor_when_the_last_anchored_event_changed(world):
    events = _append(3)
    first, _ = anchors.audit_anchor_create(now=NOW)
    assert first.seq == events[-1].seq + 1
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET hash = %s WHERE seq = %s", ["f" * 64, first.seq]
        )
    with pytest.raises(anchors.AnchorRefused, match=f"#{first.seq}"):
        anchors.audit_anchor_create(now=NOW + dt.timedelta(days=1))


# --- the tampering the chain alone cannot see ------------------------------------------------------


def test_tail_deletion_with_head_rewind_is_caught(anchored):
    events, (first, second), path = anchored
    keep = AuditEvent.objects.get(seq=first.seq + 2)
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [keep.seq])
    AuditChainHead.objects.filter(pk=1).update(seq=keep.seq, hash=keep.hash)
    # the chain alone is consistent again: this is what audit_verify said before anchoring
    assert audit_chain_verify().ok
    message = _refused(path)
    assert f"本地没有事件 #{second.seq}" in message
    assert f"落后于 {second.day} 的锚点 #{second.seq}" in message
    assert f"#{first.seq}" not in message.replace(f"#{second.seq}", "")  # the first still holds


def test_rehashed_chain_after_an_edit_is_caught(anchored):
    events, (first, second), path = anchored
    victim = AuditEvent.objects.get(seq=first.seq - 1)
    prev_hash = victim.prev_hash
    with tampering() as cursor:
        for event in AuditEvent.objects.filter(seq__gte=victim.seq).order_by("seq"):
            if event.seq == victim.seq:
                event.note = "改过了"
            event.prev_hash = prev_hash
            event.hash = event_hash(_fields(event))
            cursor.execute(
                "UPDATE audit_auditevent SET note = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.note, event.prev_hash, event.hash, event.pk],
            )
            prev_hash = event.hash
    AuditChainHead.objects.filter(pk=1).update(hash=prev_hash)
    assert audit_chain_verify().ok  # re-hashed: the chain alone cannot tell
    message = _refused(path)
    assert f"本地事件 #{first.seq} 的哈希与锚点不符" in message
    assert f"本地事件 #{second.seq} 的哈希与锚点不符" in message


def test_events_after_the_newest_anchor_may_be_appended(anchored):
    events, anchors_made, path = anchored
    _append(3)
    out = _verify(path)
    assert f"2 of 2 anchors match (newest {anchors_made[1].day} #{anchors_made[1].seq})" in out


def test_forged_anchor_is_reported(anchored, tmp_path):
    events, (first, second), path = anchored
    lines = path.read_text().splitlines()
    forged = json.loads(lines[1])
    forged["seq"] = first.seq  # claims a shorter chain, signature unchanged
    forged["hash"] = first.hash
    path.write_text(lines[0] + "\n" + json.dumps(forged) + "\n")
    assert "签名无效" in _refused(path)

    # a well-formed anchor signed by someone else's key
    other = Ed25519PrivateKey.generate()
    fake = {**forged, "seq": 1, "hash": AuditEvent.objects.get(seq=1).hash}
    fake["signature"] = base64.b64encode(other.sign(anchors.signed_bytes(fake))).decode()
    path.write_text(json.dumps(fake) + "\n")
    assert "签名无效" in _refused(path)
    # and an unknown key id
    fake["key_id"] = "nobody"
    path.write_text(json.dumps(fake) + "\n")
    assert "不在公布的公钥中" in _refused(path)


def test_pinned_public_key(anchored):
    events, made, path = anchored
    key = anchors.public_keys()[made[0].key_id]
    out = StringIO()
    call_command("audit_verify", anchors=str(path), public_key=[key], stdout=out)
    assert "2 of 2 anchors match" in out.getvalue()
    other = base64.b64encode(Ed25519PrivateKey.generate().public_key().public_bytes_raw()).decode()
    with pytest.raises(CommandError, match="签名无效"):
        call_command("audit_verify", anchors=str(path), public_key=[other], stdout=StringIO())


def test_retired_key_still_verifies_old_anchors(anchored, settings):
    events, made, path = anchored
    old_public = anchors.public_keys()[made[0].key_id]
    settings.AUDIT_ANCHOR_OLD_PUBLIC_KEYS = f"{made[0].key_id}:{old_public}"
    settings.AUDIT_ANCHOR_KEY = anchors.new_anchor_key("k2")
    assert "2 of 2 anchors match" in _verify(path)


def test_anchors_source_must_be_a_file_or_http(db, tmp_path):
    with pytest.raises(ValueError, match="http"):
        anchors.fetch_anchors("file:///etc/passwd")
    with pytest.raises(CommandError, match="cannot read anchors"):
        call_command("audit_verify", anchors="ftp://example.invalid/a.jsonl", stdout=StringIO())


def test_api_json_form_is_accepted(anchored, tmp_path):
    events, made, path = anchored
    response = Client().get("/api/v1/audit/anchors")
    assert response.status_code == 200
    body = response.json()
    assert [a["seq"] for a in body["anchors"]] == [m.seq for m in made]
    assert body["public_keys"] == anchors.public_keys()
    saved = tmp_path / "anchors.json"
    saved.write_text(response.content.decode())
    assert "2 of 2 anchors match" in _verify(saved)


# --- the public page and file ----------------------------------------------------------------------


def test_public_page_and_file_list_anchors_and_the_public_key(anchored):
    events, made, path = anchored
    [(key_id, public)] = anchors.public_keys().items()
    page = Client().get("/open/audit-anchors/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="anchor-table"' in html
    assert public in html and key_id in html
    for anchor in made:
        assert anchor.hash in html and anchor.signature in html and f"#{anchor.seq}" in html
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(a["day"], a["seq"], a["hash"]) for a in lines] == [
        (m.day.isoformat(), m.seq, m.hash) for m in made
    ]
    for line in lines:
        assert anchors.verify_signature(line, {key_id: public}) == ""
    data = Client().get("/open/data/")
    assert "/open/data/audit-anchors.jsonl" in data.content.decode()


def test_public_page_without_anchors(db):
    html = Client().get("/open/audit-anchors/").content.decode()
    assert 'data-testid="no-anchors"' in html
    assert anchors.public_keys()["dev"] in html


# --- production refuses the development key --------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        ({}, True),
        ({"AUDIT_ANCHOR_KEY": "dev:ZGV2ZWxvcG1lbnQtb25seS1hdWRpdC1hbmNob3ItazA="}, True),
        ({"AUDIT_ANCHOR_KEY": "k1:c2hvcnQ="}, True),  # not 32 bytes
        ({"AUDIT_ANCHOR_KEY": "k1:not base64!"}, True),
        ({"AUDIT_ANCHOR_KEY": anchors.new_anchor_key("k1")}, False),
    ],
)
def test_production_refuses_the_development_anchor_key(extra, refused):
    from tests.settings_env import production_env, run

    result = run("import caidan.settings", production_env(**{"AUDIT_ANCHOR_KEY": None, **extra}))
    if refused:
        assert result.returncode != 0
        assert "AUDIT_ANCHOR_KEY" in result.stderr
    else:
        assert "AUDIT_ANCHOR_KEY" not in result.stderr


def test_anchor_times_are_utc_microseconds(world):
    anchor, _ = anchors.audit_anchor_create(now=timezone.now())
    assert anchors.anchor_dict(anchor)["at"].endswith("Z")


def test_anchors_fetched_from_an_http_url(anchored):
    """The URL form: fetched over HTTP with a timeout (a local server stands in for the portal)."""
    import functools
    import http.server
    import threading

    events, made, path = anchored
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(path.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{path.name}"
        out = StringIO()
        call_command("audit_verify", anchors=url, timeout=10, stdout=out)
        assert "2 of 2 anchors match" in out.getvalue()
        with pytest.raises(CommandError, match="cannot read anchors"):
            call_command("audit_verify", anchors=url + ".missing", timeout=10, stdout=StringIO())
    finally:
        server.shutdown()
        server.server_close()
