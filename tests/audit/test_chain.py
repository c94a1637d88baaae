"""The append-only, hash-chained audit log: appending, and catching every kind of tampering."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.utils import InternalError
from django.test.utils import CaptureQueriesContext

from caidan.audit.chain import GENESIS, HASHED_FIELDS, canonical, preferred_algorithm
from caidan.audit.kinds import EventKind
from caidan.audit.models import AuditChainHead, AuditEvent
from caidan.audit.selectors import audit_chain_verify
from caidan.audit.services import audit_record, diff

TRIGGER = "caidan_audit_append_only"
SM3 = "sm3" in hashlib.algorithms_available


def _append(n: int, **kwargs) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(
                kind=kwargs.get("kind", EventKind.SETTING_CHANGED),
                actor=kwargs.get("actor"),
                target=kwargs.get("target", ("jurisdiction.setting", str(i), f"设置 {i}")),
                old={"value": i},
                new={"value": i + 1, "amount": "12.50"},
                note=f"第 {i} 次修改",
                ip="203.0.113.7",
            )
            for i in range(n)
        ]


@contextmanager
def tampering():
    """A cursor that may UPDATE/DELETE audit rows: on PostgreSQL the append-only trigger is
    switched off for the duration (inside the test's transaction)."""
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if pg:
            # ALTER TABLE refuses while deferred FK checks of this transaction are pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {TRIGGER}")
        try:
            yield cursor
        finally:
            if pg:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {TRIGGER}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _broken(report, seq: int, *, checked: int | None = None):
    assert not report.ok
    assert report.broken_seq == seq, report
    assert report.reason
    if checked is not None:
        assert report.checked == checked
    return report


@pytest.fixture
def chain(world):
    """Five fresh events on top of the seeded history; returns them."""
    events = _append(5, actor=world.actor("admin"))
    assert audit_chain_verify().ok
    return events


# --- appending -------------------------------------------------------------------------------


def test_events_are_numbered_and_linked(world):
    before = AuditChainHead.objects.get(pk=1)
    events = _append(6, actor=world.actor("admin"))
    seqs = [e.seq for e in events]
    assert seqs == list(range(before.seq + 1, before.seq + 7))
    assert events[0].prev_hash == before.hash
    for prev, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == prev.hash
    assert len({e.hash for e in events}) == 6
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash, head.hash_alg) == (
        events[-1].seq,
        events[-1].hash,
        events[-1].hash_alg,
    )
    # the stored rows are what was returned
    stored = list(AuditEvent.objects.filter(seq__gte=seqs[0]).order_by("seq"))
    assert [(e.seq, e.hash, e.prev_hash) for e in stored] == [
        (e.seq, e.hash, e.prev_hash) for e in events
    ]


def test_whole_chain_from_genesis(world):
    _append(3)
    first = AuditEvent.objects.order_by("seq").first()
    assert first.seq == 1
    assert first.prev_hash == GENESIS
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_event_records_actor_target_and_json_safe_values(world):
    from caidan.accounts.models import Unit

    actor = world.actor("admin")
    unit = Unit.objects.get(code="310105-001")
    with transaction.atomic():
        event = audit_record(
            kind=EventKind.UNIT_CREATED,
            actor=actor,
            target=unit,
            old=None,
            new={"budget": Decimal("12.50"), "day": dt.date(2026, 10, 8)},
        )
    event.refresh_from_db()
    assert event.actor == world.user("admin")
    assert event.actor_label == world.user("admin").get_full_name()
    assert event.actor_role == actor.role == "platform_admin"
    assert (event.target_type, event.target_id) == ("accounts.unit", str(unit.pk))
    assert event.target_label == str(unit)
    assert event.old is None
    assert event.new == {"budget": "12.50", "day": "2026-10-08"}
    assert audit_chain_verify().ok


def test_system_actor(db):
    with transaction.atomic():
        event = audit_record(kind=EventKind.DEMO_SEEDED, actor=None)
    assert (event.actor_id, event.actor_label, event.actor_role) == (None, "系统", "system")


def test_unknown_kind_refused(db):
    head = AuditChainHead.objects.get(pk=1)
    with transaction.atomic(), pytest.raises(ValueError, match="unknown audit event kind"):
        audit_record(kind="project.typo", actor=None)
    assert AuditChainHead.objects.get(pk=1).seq == head.seq


@pytest.mark.django_db(transaction=True)
def test_refused_outside_a_transaction():
    assert not connection.in_atomic_block
    count = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(kind=EventKind.SETTING_CHANGED, actor=None)
    assert AuditEvent.objects.count() == count


def test_event_rolls_back_with_the_change(db):
    head = AuditChainHead.objects.get(pk=1)
    count = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(kind=EventKind.SETTING_CHANGED, actor=None)
        1 / 0  # noqa: B018 - the change being described fails
    assert AuditEvent.objects.count() == count
    assert AuditChainHead.objects.get(pk=1).hash == head.hash
    # the next event continues from the old head, with no gap
    event = _append(1)[0]
    assert event.seq == head.seq + 1
    assert audit_chain_verify().ok


def test_chain_head_row_exists_after_migrations(db):
    head = AuditChainHead.objects.get(pk=1)
    last = AuditEvent.objects.order_by("-seq").first()
    assert AuditChainHead.objects.count() == 1
    if last is None:
        assert (head.seq, head.hash) == (0, GENESIS)
    else:
        assert (head.seq, head.hash) == (last.seq, last.hash)


def test_appender_locks_the_chain_head(db):
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        audit_record(kind=EventKind.SETTING_CHANGED, actor=None)
    head_reads = [q["sql"] for q in ctx.captured_queries if "audit_auditchainhead" in q["sql"]]
    assert head_reads
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in head_reads[0]


def test_diff():
    old, new = diff({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 20, "c": 3, "d": 4})
    assert old == {"b": 2, "d": None}
    assert new == {"b": 20, "d": 4}


# --- hashing -------------------------------------------------------------------------------------


def test_hash_algorithm_is_sm3_when_available(db, settings):
    settings.AUDIT_HASH_ALGORITHM = "sm3"
    event = _append(1)[0]
    assert event.hash_alg == ("sm3" if SM3 else "sha256")
    assert len(event.hash) == 64


def test_sha256_setting(db, settings):
    settings.AUDIT_HASH_ALGORITHM = "sha256"
    events = _append(3)
    assert {e.hash_alg for e in events} == {"sha256"}
    assert AuditChainHead.objects.get(pk=1).hash_alg == "sha256"
    report = audit_chain_verify()
    assert report.ok, report
    assert report.checked == AuditEvent.objects.count()
    # and the chain may switch algorithms mid-way
    settings.AUDIT_HASH_ALGORITHM = "SM3"
    _append(2)
    assert audit_chain_verify().ok


def test_falls_back_to_sha256_without_sm3(settings, monkeypatch):
    real_new = hashlib.new

    def no_sm3(name, *args, **kwargs):
        if name.lower() == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, *args, **kwargs)

    monkeypatch.setattr(hashlib, "new", no_sm3)
    settings.AUDIT_HASH_ALGORITHM = "sm3"
    assert preferred_algorithm() == "sha256"
    settings.AUDIT_HASH_ALGORITHM = "sha256"
    assert preferred_algorithm() == "sha256"


def test_hash_is_over_the_documented_canonical_form(db):
    event = _append(1)[0]
    event.refresh_from_db()
    data = {name: getattr(event, name) for name in HASHED_FIELDS}
    data["at"] = event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    expected = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert canonical({**data, "at": event.at}) == expected.encode()
    assert hashlib.new(event.hash_alg, expected.encode()).hexdigest() == event.hash


# --- verification and tampering ------------------------------------------------------------------


def test_verify_intact_chain(chain):
    report = audit_chain_verify()
    assert report.ok
    assert report.checked == AuditEvent.objects.count() == chain[-1].seq
    assert report.broken_seq is None
    assert report.reason == ""


def test_verify_in_small_chunks(chain):
    assert audit_chain_verify(chunk_size=2).ok


def test_edited_actor_label_is_detected(chain):
    target = chain[2]
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_label = %s WHERE seq = %s", ["某某", target.seq]
        )
    report = _broken(audit_chain_verify(), target.seq, checked=target.seq - 1)
    assert report.broken_id == target.pk
    assert "修改" in report.reason


def test_edited_new_value_is_detected(chain):
    target = chain[1]
    sql = 'UPDATE audit_auditevent SET "new" = %s WHERE seq = %s'
    if connection.vendor == "postgresql":
        sql = 'UPDATE audit_auditevent SET "new" = %s::jsonb WHERE seq = %s'
    with tampering() as cursor:
        cursor.execute(sql, [json.dumps({"value": 1, "amount": "1250.00"}), target.seq])
    assert AuditEvent.objects.get(pk=target.pk).new["amount"] == "1250.00"
    _broken(audit_chain_verify(), target.seq, checked=target.seq - 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", EventKind.TOKEN_REVOKED),
        ("at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("actor_id", None),
        ("actor_role", "auditor"),
        ("target_type", "accounts.user"),
        ("target_id", "999"),
        ("target_label", "别的对象"),
        ("old", {"value": 42}),
        ("new", None),
        ("note", ""),
        ("ip", "198.51.100.1"),
        ("hash_alg", "sha256" if SM3 else "md5"),
    ],
)
def test_every_hashed_field_is_protected(chain, field, value):
    target = chain[3]
    with tampering():
        AuditEvent.objects.filter(pk=target.pk).update(**{field: value})
    _broken(audit_chain_verify(), target.seq)


def test_rehashed_edit_breaks_the_next_link(chain):
    """Recomputing the edited row's own hash does not help: the next row points at the old one."""
    from caidan.audit.chain import event_hash
    from caidan.audit.selectors import _fields

    target = chain[1]
    target.actor_label = "某某"
    new_hash = event_hash(_fields(target))
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_label = %s, hash = %s WHERE seq = %s",
            ["某某", new_hash, target.seq],
        )
    report = _broken(audit_chain_verify(), target.seq + 1, checked=target.seq)
    assert report.broken_id == chain[2].pk
    assert "前一哈希" in report.reason


def test_deleted_middle_row_is_detected(chain):
    gone = chain[2]
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [gone.seq])
    report = _broken(audit_chain_verify(), gone.seq + 1, checked=gone.seq - 1)
    assert report.broken_id == chain[3].pk
    assert f"期望 #{gone.seq}" in report.reason


def test_deleted_first_row_is_detected(chain):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 1")
    _broken(audit_chain_verify(), 2, checked=0)


def test_deleted_last_row_is_detected_via_the_chain_head(chain):
    gone = chain[-1]
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [gone.seq])
    report = _broken(audit_chain_verify(), gone.seq, checked=gone.seq - 1)
    assert report.broken_id is None
    assert "末尾" in report.reason
    assert f"#{gone.seq}" in report.reason


def test_deleted_tail_of_several_rows_is_detected(chain):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= %s", [chain[2].seq])
    _broken(audit_chain_verify(), chain[2].seq, checked=chain[2].seq - 1)


def test_swapped_rows_are_detected(chain):
    a, b = chain[1], chain[2]
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [-1, a.seq])
        cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a.seq, b.seq])
        cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [b.seq, -1])
    assert AuditEvent.objects.get(seq=a.seq).pk == b.pk
    report = _broken(audit_chain_verify(), a.seq, checked=a.seq - 1)
    assert report.broken_id == b.pk


def test_swapped_rows_with_relinked_prev_hash_are_detected(chain):
    """Swapping seq and prev_hash too still fails: both are inside each row's hash."""
    a, b = chain[1], chain[2]
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET seq = %s, prev_hash = %s WHERE id = %s",
            [-1, b.prev_hash, a.pk],
        )
        cursor.execute(
            "UPDATE audit_auditevent SET seq = %s, prev_hash = %s WHERE id = %s",
            [a.seq, a.prev_hash, b.pk],
        )
        cursor.execute("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    _broken(audit_chain_verify(), a.seq, checked=a.seq - 1)


def test_forged_chain_head_is_detected(chain):
    AuditChainHead.objects.filter(pk=1).update(seq=chain[-1].seq + 1)
    _broken(audit_chain_verify(), chain[-1].seq + 1)


# --- the management command --------------------------------------------------------------------


def test_audit_verify_command_ok(chain):
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().strip() == f"OK: {chain[-1].seq} events, chain intact."


def test_audit_verify_command_names_the_broken_event(chain):
    target = chain[2]
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET note = %s WHERE seq = %s", ["改过了", target.seq]
        )
    with pytest.raises(CommandError) as info:
        call_command("audit_verify", stdout=StringIO())
    assert info.value.returncode == 1  # what manage.py exits with
    message = str(info.value)
    assert f"BROKEN at event #{target.seq}" in message
    assert f"(id {target.pk})" in message
    assert f"{target.seq - 1} events verified" in message


def test_audit_verify_command_reports_a_missing_tail(chain):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [chain[-1].seq])
    with pytest.raises(CommandError, match=f"BROKEN at event #{chain[-1].seq}:"):
        call_command("audit_verify", stdout=StringIO())


# --- PostgreSQL: the database itself refuses -------------------------------------------------------


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete(chain):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists only on PostgreSQL")
    target = chain[1]
    statements = [
        ("UPDATE audit_auditevent SET note = %s WHERE seq = %s", ["x", target.seq]),
        ("UPDATE audit_auditevent SET note = note", []),
        ("DELETE FROM audit_auditevent WHERE seq = %s", [target.seq]),
        ("DELETE FROM audit_auditevent", []),
    ]
    for sql, params in statements:
        with (
            pytest.raises((InternalError, DatabaseError)) as info,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
        assert "append-only" in str(info.value)
    # nor through the ORM
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).update(note="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).delete()
    # the savepoints kept the test transaction usable, and nothing changed
    assert AuditEvent.objects.get(pk=target.pk).note == target.note
    assert audit_chain_verify().ok
    # appending is still allowed
    _append(1)
    assert audit_chain_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_concurrent_appenders_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and several connections")
    _append(1)  # make sure the chain head exists (a transactional test may have flushed it)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker():
        from django.db import connections

        try:
            start.wait()
            for _ in range(5):
                _append(1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) >= 21
    assert audit_chain_verify().ok
