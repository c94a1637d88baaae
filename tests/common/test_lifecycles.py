"""Every registered lifecycle (``caidan.common.lifecycle.REGISTRY``), table-driven.

* Each model field called ``status`` has exactly one lifecycle, whose statuses are the
  field's choices: every status is a starting status or is reached by some action.
* On a real row of each model (built through the services), every (status, action) pair:
  an allowed move stores the target and records one event with the status that was really
  stored before and the one after; a refused move raises ``bad_transition`` naming the
  field, changes nothing and records nothing.
* The engine reads the stored status, not the object in memory: a stale object cannot make
  the history say something that never happened (issue 17: a reopened award was recorded
  as ``awarded`` while ``concluded`` was stored).
* Outside the engine, no code assigns a status (the source is walked).
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from caidan.audit.models import AuditEvent
from caidan.common.errors import Conflict
from caidan.common.lifecycle import REGISTRY, Lifecycle

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2] / "caidan"


def _status_fields() -> set[str]:
    out = set()
    for model in apps.get_models():
        if not model.__module__.startswith("caidan."):
            continue
        for f in model._meta.concrete_fields:
            if f.name == "status" and f.choices:
                out.add(model._meta.label)
    return out


def test_every_status_field_has_one_lifecycle_and_every_status_a_way_in():
    by_model = {}
    for lc in REGISTRY.values():
        assert lc.model not in by_model, f"{lc.model} has two lifecycles"
        by_model[lc.model] = lc
    assert set(by_model) == _status_fields()
    for lc in REGISTRY.values():
        field = lc.model_class()._meta.get_field(lc.field)
        choices = {str(v) for v, _label in field.choices}
        targets = {str(t) for _s, t in lc.table.values() if t is not None}
        sources = {str(s) for src, _t in lc.table.values() for s in src}
        assert sources <= choices and targets <= choices, lc.name
        assert {str(s) for s in lc.initial} <= choices, lc.name
        unreachable = choices - targets - {str(s) for s in lc.initial}
        assert not unreachable, f"{lc.name}: no way into {unreachable}"
        if lc.actions is not None:
            assert set(lc.actions.values) == {str(a) for a in lc.table}, lc.name


# --- one real row of each model, built through the services ----------------------------------


def _samples(world) -> dict[str, object]:
    from caidan.catalog.models import CatalogVersion
    from caidan.contracts.models import Contract
    from caidan.needs.models import Menu, Need
    from caidan.orgs.models import Organization
    from caidan.orgs.services import change_request_submit
    from caidan.procurement.models import Bid, PanelMember, Tender
    from caidan.projects.models import Proposal, ReviewSession
    from tests.complaints.conftest import complain, scene
    from tests.disclosure.helpers import make_notice
    from tests.enquiries.conftest import ask
    from tests.evaluations.factories import appointed_contract, scheduled
    from tests.evaluations.test_assessments import submit
    from tests.evaluations.test_audit import finding_on, plan_for

    sc = scene(world, at=None)  # a tender awarded, challenged and answered, now
    complaint = complain(sc, now=timezone.now())
    contract = appointed_contract(world)
    provider = world.actor("provider")
    return {
        "organization": Organization.objects.exclude(pk=provider.organization.pk).first(),
        "profile_change_request": change_request_submit(
            organization=provider.organization,
            changes={"address": "新地址 1 号"},
            reason="搬迁",
            actor=provider,
        ),
        "catalog_version": CatalogVersion.objects.order_by("id").first(),
        "need": Need.objects.first(),
        "menu": Menu.objects.first(),
        "proposal": Proposal.objects.first(),
        "review_session": ReviewSession.objects.first(),
        "tender": Tender.objects.exclude(pk=sc.tender.pk).first(),
        "bid": Bid.objects.exclude(tender=sc.tender).first(),
        "panel_member": PanelMember.objects.filter(tender=sc.tender).first(),
        "award": sc.award,
        "challenge": sc.challenge,
        "complaint": complaint,
        "contract": Contract.objects.exclude(pk=contract.pk).first() or contract,
        "report": contract.reports.first(),
        "evaluation": scheduled(world, contract=contract),
        "assessment": submit(world, provider.organization),
        "audit_finding": finding_on(world, plan_for(world, [contract]), contract),
        "enquiry": ask(world, now=timezone.now()),
        "notice": make_notice(world),
    }


def _fields(name: str, action: str) -> dict:
    """What the service writes with the status, where the database insists on it (a
    rejected complaint has a reason, an answered enquiry an answer …)."""
    now = timezone.now()
    return {
        ("complaint", "reject"): {"rejection_reason": "不符合受理条件。"},
        ("complaint", "decide"): {
            "outcome": "dismissed",
            "reasoning": "缺乏事实依据。",
            "decided_at": now,
        },
        ("enquiry", "answer"): {"answer": "已答复。", "answered_at": now},
        ("audit_finding", "close"): {"closed_at": now, "closing_note": "已整改。"},
    }.get((name, str(action)), {})


def _force(obj, lc: Lifecycle, status: str) -> None:
    """Put the stored status where the table test needs it (tests only: the code never
    writes a status but through the engine)."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**{lc.field: status})


def _stored(obj, lc: Lifecycle) -> str:
    return type(obj)._default_manager.values_list(lc.field, flat=True).get(pk=obj.pk)


def test_every_move_of_every_lifecycle_on_a_real_row(world):
    samples = _samples(world)
    assert set(samples) == set(REGISTRY), set(REGISTRY) ^ set(samples)
    system = world.system
    problems = []
    for name, lc in REGISTRY.items():
        obj = samples[name]
        assert obj is not None and obj.pk, name
        field = lc.model_class()._meta.get_field(lc.field)
        for status in [str(v) for v, _ in field.choices]:
            for action in lc.table:
                _force(obj, lc, status)
                obj.refresh_from_db()
                before = AuditEvent.objects.count()
                allowed = status in lc.sources(action)
                try:
                    with transaction.atomic():
                        lc.apply(
                            obj, action, actor=system, note="表格测试", **_fields(name, action)
                        )
                except IntegrityError as exc:
                    problems.append(f"{name}: {action} from {status}: {exc}")
                    continue
                except Conflict as exc:
                    if allowed:
                        problems.append(f"{name}: {action} from {status} refused: {exc}")
                        continue
                    detail = exc.detail
                    if exc.code != "bad_transition" or detail.get("field") != lc.field:
                        problems.append(f"{name}: {action}/{status}: {exc.code} {detail}")
                    if lc.action_label(action) not in exc.message:
                        problems.append(f"{name}: message does not name the step: {exc}")
                    if _stored(obj, lc) != status or AuditEvent.objects.count() != before:
                        problems.append(f"{name}: refused {action} from {status} changed things")
                    continue
                if not allowed:
                    problems.append(f"{name}: {action} from {status} was allowed")
                    continue
                target = lc.target(action) or status
                if _stored(obj, lc) != target:
                    problems.append(f"{name}: {action} from {status} stored {_stored(obj, lc)}")
                events = list(AuditEvent.objects.filter(seq__gt=0).order_by("-seq")[:1])
                if AuditEvent.objects.count() != before + 1:
                    problems.append(f"{name}: {action} from {status} recorded no single event")
                    continue
                event = events[0]
                if event.kind != str(lc.kind_for(action)):
                    problems.append(f"{name}: {action} recorded kind {event.kind}")
                if event.old.get(lc.field) != status or event.new.get(lc.field) != target:
                    problems.append(f"{name}: {action} event says {event.old} → {event.new}")
                if event.new.get("action") != str(action):
                    problems.append(f"{name}: {action} event names {event.new.get('action')}")
    assert not problems, "\n".join(problems)


def test_the_event_records_the_stored_status_not_a_stale_object(world):
    """The award bug of issue 17: the object said ``awarded`` while ``concluded`` was
    stored. The engine moves from, and records, what is stored."""
    from caidan.procurement.lifecycles import tender_lifecycle
    from caidan.procurement.models import Tender, TenderAction

    tender = Tender.objects.filter(status="published").first()
    _force(tender, tender_lifecycle, "concluded")
    tender.status = "awarded"  # a stale (or hand-edited) object in memory
    with transaction.atomic():
        tender_lifecycle.apply(tender, TenderAction.REOPEN_AWARD, actor=world.system)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.old["status"] == "concluded" and event.new["status"] == "evaluated"
    # and a move the stored status does not allow is refused even if memory says otherwise
    tender.status = "awarded"
    with pytest.raises(Conflict) as exc, transaction.atomic():
        tender_lifecycle.apply(tender, TenderAction.CONCLUDE, actor=world.system)
    assert exc.value.code == "bad_transition" and exc.value.detail["status"] == "evaluated"


def test_reopening_a_concluded_award_is_recorded_as_concluded(world):
    """Through the service: an award whose challenge window has closed (tender
    ``concluded``) is revoked; the tender's event records ``concluded`` → ``evaluated``."""
    from caidan.procurement.services.awards import award_revoke, conclude_due_awards
    from tests.contracts.factories import award_for

    award = award_for(world)
    conclude_due_awards(timezone.now())
    award.tender.refresh_from_db()
    assert award.tender.status == "concluded"
    award_revoke(award=award, reason="中标人提供虚假材料。", actor=world.actor("admin"))
    event = (
        AuditEvent.objects.filter(kind="tender.transition", target_id=str(award.tender_id))
        .order_by("-seq")
        .first()
    )
    assert event.new["action"] in ("reopen_award", "fail")
    reopen = AuditEvent.objects.filter(
        kind="tender.transition", target_id=str(award.tender_id), new__action="reopen_award"
    ).get()
    assert reopen.old == {"status": "concluded"} and reopen.new["status"] == "evaluated"


def test_apply_refuses_outside_a_transaction(world):
    """Locking the row needs the caller's transaction (and the audit event belongs in it)."""
    from django.db import connection

    from caidan.procurement.lifecycles import tender_lifecycle
    from caidan.procurement.models import Tender

    tender = Tender.objects.filter(status="published").first()
    # pytest-django wraps the test in a transaction: step out of it to check the guard
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError, match="inside a transaction"):
            tender_lifecycle.apply(tender, "open", actor=world.system)
    finally:
        connection.in_atomic_block = saved


# --- nothing else writes a status -------------------------------------------------------------

ENGINE = ROOT / "common" / "lifecycle.py"


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for t in targets:
            for el in t.elts if isinstance(t, ast.Tuple) else [t]:
                if isinstance(el, ast.Attribute) and el.attr == "status":
                    out.append(f"{path}:{node.lineno}: .status = …")
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name == "setattr" and len(node.args) > 1:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and arg.value == "status":
                    out.append(f"{path}:{node.lineno}: setattr(…, 'status', …)")
            if name == "update" and any(k.arg == "status" for k in node.keywords):
                out.append(f"{path}:{node.lineno}: .update(status=…)")
            if name == "bulk_update":
                consts = [
                    c.value for a in node.args for c in ast.walk(a) if isinstance(c, ast.Constant)
                ]
                if "status" in consts:
                    out.append(f"{path}:{node.lineno}: bulk_update(…, ['status'])")
    return out


def test_no_code_outside_the_engine_writes_a_status():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if path == ENGINE or "migrations" in parts or "tests" in parts:
            continue
        found += _violations(path)
    assert not found, "\n".join(found)


def test_the_walk_finds_each_way_of_writing_a_status(tmp_path):
    """The detector itself: each form is caught (else the test above proves nothing)."""
    sample = tmp_path / "bad.py"
    sample.write_text(
        "a.status = 1\n"
        "a.b.status += 1\n"
        "x, a.status = 1, 2\n"
        "setattr(a, 'status', 1)\n"
        "Q.objects.filter(pk=1).update(status='x')\n"
        "Q.objects.bulk_update(rows, ['status'])\n"
        "a.statuses = 1\n"
        "Q.objects.filter(status='x').update(other=1)\n",
        encoding="utf-8",
    )
    assert len(_violations(sample)) == 6


def test_a_lifecycle_needs_the_audit_recorder():
    """Without ``caidan.audit`` installed nothing may move: a status change is never
    unaudited."""
    from caidan.common import lifecycle

    saved = list(lifecycle._recorder)
    lifecycle._recorder.clear()
    try:
        lc = REGISTRY["tender"]
        with pytest.raises(RuntimeError, match="audit recorder"), transaction.atomic():
            lc.apply(object.__new__(lc.model_class()), "open", actor=None)
    finally:
        lifecycle._recorder[:] = saved


def test_dates_in_fields_are_recorded_as_text():
    from caidan.common.lifecycle import audit_values

    values = audit_values({"on": dt.date(2026, 12, 5), "n": 3, "rows": [1, 2]})
    assert values == {"on": "2026-12-05", "n": 3}
