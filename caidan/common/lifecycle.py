"""The one lifecycle mechanism: every status field in Caidan changes here and nowhere else.

A :class:`Lifecycle` declares, for one model's status field, which actions exist, from
which statuses each may start and where it leads (``None``: the status stays, e.g. an
extension or a publication flag). :meth:`Lifecycle.apply` is the only way to move a row:

1. it must run inside the service's transaction;
2. it locks the row and reads the status that is really stored (a stale or
   hand-modified object in memory cannot make history say something that never happened);
3. it checks the table and refuses with one error code, ``bad_transition``;
4. it writes the new status and the other given fields, and records one audit event with
   the true old and new status, the action and the fields.

Recording goes through a hook that ``caidan.audit`` installs at start-up (``common`` sits
below ``audit`` in the layer order, so it cannot import it). Without a recorder the engine
refuses to move anything: a status change is never unaudited.

Every lifecycle registers itself in :data:`REGISTRY` by name; the table-driven tests walk
the registry, and ``tests/test_lifecycle_engine.py`` walks the code to make sure nothing
else assigns a status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .actor import Actor
from .codes import Common
from .errors import Conflict
from .i18n import join_list

Table = Mapping[str, tuple[frozenset[str], str | None]]
Recorder = Callable[..., Any]

REGISTRY: dict[str, Lifecycle] = {}
_recorder: list[Recorder] = []


def set_recorder(fn: Recorder) -> None:
    """Installed once by ``caidan.audit`` (``AuditConfig.ready``)."""
    _recorder[:] = [fn]


@dataclass(frozen=True)
class Lifecycle:
    """One status field's table. ``model`` is an ``"app_label.Model"`` label."""

    name: str
    model: str
    table: Table
    audit_kind: str | Mapping[str, str]
    noun: str
    actions: type[models.TextChoices] | None = None
    statuses: type[models.TextChoices] | None = None
    initial: frozenset[str] = frozenset()
    field: str = "status"
    # Record events against a parent (``"tender"``: a bid's events belong to its tender, so
    # the tender's history and its secrecy rules cover them), naming the row by ``audit_key``.
    audit_on: str = ""
    audit_key: str = ""
    # name the object in a refusal (``str(obj)``): for rows people know by name
    named: bool = False

    def __post_init__(self) -> None:
        if self.name in REGISTRY and REGISTRY[self.name].model != self.model:
            raise ValueError(f"lifecycle {self.name!r} registered twice")
        REGISTRY[self.name] = self

    # -- reading the table ---------------------------------------------------------------

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def sources(self, action: str) -> frozenset[str]:
        return self.table[action][0]

    def target(self, action: str) -> str | None:
        return self.table[action][1]

    def allowed(self, status: str, action: str) -> bool:
        return action in self.table and status in self.table[action][0]

    def actions_from(self, status: str) -> list[str]:
        """What may be done next from ``status``, in table order (for affordances)."""
        return [a for a, (sources, _t) in self.table.items() if status in sources]

    def kind_for(self, action: str) -> str:
        if isinstance(self.audit_kind, str):
            return self.audit_kind
        return self.audit_kind[action]

    def status_label(self, status: str) -> str:
        if self.statuses is not None and status in self.statuses.values:
            return str(self.statuses(status).label)
        return str(status)

    def action_label(self, action: str) -> str:
        if self.actions is not None and action in self.actions.values:
            return str(self.actions(action).label)
        return str(action)

    def check(self, status: str, action: str, *, name: str = "") -> None:
        """Raise ``bad_transition`` unless ``action`` may start from ``status``; the
        message names the object (``name``) and the statuses the action may start from."""
        if action not in self.table:
            raise ValueError(f"{self.name}: unknown action {action!r}")
        sources = self.table[action][0]
        if status not in sources:
            allowed = join_list(self.status_label(s) for s in sorted(sources))
            raise Conflict(
                _(
                    "%(noun)s%(value)s处于“%(status_label)s”状态，不能%(action_label)s（仅%(allowed)s状态可以）。"
                )
                % {
                    "noun": self.noun,
                    "value": f"“{name}”" if name else "",
                    "status_label": self.status_label(status),
                    "action_label": self.action_label(action),
                    "allowed": allowed,
                },
                code=Common.BAD_TRANSITION,
                detail={
                    "field": self.field,
                    "status": str(status),
                    "action": str(action),
                    "allowed": self.actions_from(status),
                },
            )

    # -- moving a row --------------------------------------------------------------------

    def apply(
        self,
        obj: models.Model,
        action: str,
        *,
        actor: Actor,
        now: dt.datetime | None = None,
        note: str = "",
        audit_old: Mapping[str, Any] | None = None,
        audit_new: Mapping[str, Any] | None = None,
        audit_target: Any = None,
        update_fields: Iterable[str] | None = None,
        **fields: Any,
    ) -> models.Model:
        """Move ``obj`` by ``action`` (inside the caller's transaction) and audit it.

        ``fields`` are set on the object with the status. ``audit_old``/``audit_new`` add
        what the event should say beyond the status (e.g. the reasons a bid was found
        invalid); ``audit_target`` records the event against another object (a bid's
        events belong to the bid by default). ``update_fields`` saves only those columns
        (plus the status and ``fields``); by default the whole row is saved.
        """
        del now  # the audit chain stamps its own time; accepted for the service signature
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"{self.name}: Lifecycle.apply must run inside a transaction")
        if not _recorder:
            raise RuntimeError("no audit recorder installed: is caidan.audit in INSTALLED_APPS?")
        stored = (
            type(obj)
            ._default_manager.select_for_update()
            .filter(pk=obj.pk)
            .values_list(self.field, flat=True)
            .get()
        )
        self.check(stored, action, name=str(obj) if self.named else "")
        target = self.target(action)
        new_status = stored if target is None else target
        setattr(obj, self.field, new_status)
        for key, value in fields.items():
            setattr(obj, key, value)
        if update_fields is None:
            obj.save()
        else:
            obj.save(update_fields=list(dict.fromkeys([*update_fields, self.field, *fields])))
        target_obj = audit_target
        if target_obj is None:
            target_obj = getattr(obj, self.audit_on) if self.audit_on else obj
        named = {self.audit_key: obj.pk} if self.audit_key else {}
        _recorder[0](
            kind=self.kind_for(action),
            actor=actor,
            target=target_obj,
            old={**named, self.field: str(stored), **(audit_old or {})},
            new={
                **named,
                self.field: str(new_status),
                "action": str(action),
                **audit_values(fields),
                **(audit_new or {}),
            },
            note=note,
        )
        return obj


def audit_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as an audit event can hold them: objects by key, dates and money as text.
    Lists and dicts (a ranking, a score sheet) are left out: they have their own events."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, models.Model):
            out[key] = value.pk
        elif value is None or isinstance(value, str | int | bool | float):
            out[key] = value
        elif isinstance(value, dt.date | dt.datetime | dt.time):
            out[key] = value.isoformat()
        elif isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, list | tuple | dict):
            continue  # computed structures (a ranking, a score sheet) have their own events
        else:
            out[key] = str(value)
    return out


def lifecycle(name: str) -> Lifecycle:
    return REGISTRY[name]
