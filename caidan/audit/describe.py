"""The audit log as sentences people read: who did what to which object, and which field
went from what to what, in the models' own words (``verbose_name``, choice labels, amounts
as ¥1,234.00, the related object's name) instead of ``contracts.contract 3`` and a raw
dict such as ``{'survey': 1, 'score': '92.00'}``.

A read helper for the audit page and its Excel export. It imports no domain app: models
are found through Django's app registry by the ``target_type`` the event stored
(``app_label.model_name``), and links are URL names reversed with the target's id. Related
objects named in a page's events are fetched in one query per model, never per event.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caidan.common.i18n import join_list
from caidan.common.money import format_yuan
from caidan.common.roles import Role

from .models import AuditEvent

# The page of each kind of object (a URL name taking the object's id). Strings only: the
# audit app sits below the domain apps and imports none of them.
OBJECT_PAGES: dict[str, str] = {
    "accounts.user": "accounts:user_detail",
    "catalog.catalogversion": "catalog:version",
    "catalog.catalogitem": "catalog:item",
    "orgs.organization": "orgs:detail",
    "needs.menu": "needs:menu_detail",
    "projects.proposal": "projects:proposal",
    "projects.reviewsession": "projects:session",
    "procurement.tender": "procurement:tender",
    "procurement.expert": "procurement:expert",
    "complaints.complaint": "complaints:detail",
    "contracts.contract": "contracts:detail",
    "evaluations.evaluation": "evaluations:detail",
    "evaluations.orgassessment": "evaluations:assessment",
    "enquiries.enquiry": "enquiries:detail",
}

# Pages not everyone who reads the log may open (a draft proposal is its drafter's alone): the
# domain app registers, per target type, which of some ids a person may open, in one query
# for a page of events (``register_page_access``; the audit app imports no domain app). The
# log links an object only when its reader may open the page.
PAGE_ACCESS: dict[str, Callable[[Any, set[int]], set[int]]] = {}


def register_page_access(target_type: str, check: Callable[[Any, set[int]], set[int]]) -> None:
    PAGE_ACCESS[target_type] = check


def _openable(events: list[AuditEvent], actor) -> dict[str, set[int]]:
    """Per checked target type, the ids among ``events`` that ``actor`` may open."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.target_type in PAGE_ACCESS and str(e.target_id).isdigit():
            wanted.setdefault(e.target_type, set()).add(int(e.target_id))
    return {kind: PAGE_ACCESS[kind](actor, ids) for kind, ids in wanted.items()}


# Payload keys that are not fields of the target model, in words.
KEY_LABELS: dict[str, Any] = {
    "status": gettext_lazy("状态"),
    "from": gettext_lazy("原状态"),
    "to": gettext_lazy("新状态"),
    "reason": gettext_lazy("理由"),
    "note": gettext_lazy("说明"),
    "side": gettext_lazy("签订方"),
    "score": gettext_lazy("得分"),
    "amount": gettext_lazy("金额"),
    "count": gettext_lazy("数量"),
    "tokens": gettext_lazy("答卷码数量"),
    "tokens_added": gettext_lazy("新增答卷码数量"),
    "gate": gettext_lazy("付款条件"),
    "role": gettext_lazy("角色"),
    "username": gettext_lazy("用户名"),
}

VALUE_WORDS: dict[str, Any] = {
    "purchaser": gettext_lazy("甲方（购买主体）"),
    "provider": gettext_lazy("乙方（承接主体）"),
}


@dataclass
class Change:
    field: str
    old: str | None = None
    new: str | None = None

    def __str__(self) -> str:
        if self.old is not None and self.new is not None:
            return _("“%(f)s”由 %(old)s 改为 %(new)s") % {
                "f": self.field,
                "old": self.old,
                "new": self.new,
            }
        if self.new is not None:
            return _("“%(f)s”：%(new)s") % {"f": self.field, "new": self.new}
        return _("“%(f)s”原为 %(old)s") % {"f": self.field, "old": self.old}


@dataclass
class EventView:
    event: AuditEvent
    actor: str
    role: str
    action: str
    object_type: str
    object_label: str
    url: str | None
    changes: list[Change] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        who = f"{self.actor}（{self.role}）" if self.role else self.actor
        what = f"{self.object_type}“{self.object_label}”" if self.object_label else self.object_type
        head = f"{who} {self.action}" + (f"：{what}" if what else "")
        if not self.changes:
            return head + "。"
        return head + "；" + "；".join(str(c) for c in self.changes) + "。"


def _model(target_type: str) -> type[models.Model] | None:
    if not target_type or "." not in target_type:
        return None
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def object_types() -> list[tuple[str, str]]:
    """(``app_label.model_name``, verbose name) of every model of the project, by name:
    the choices of the audit page's object-type picker."""
    out = [
        (m._meta.label_lower, str(m._meta.verbose_name))
        for m in apps.get_models()
        if m.__module__.startswith("caidan.")
    ]
    return sorted(out, key=lambda pair: (pair[1], pair[0]))


def role_label(role: str) -> str:
    if not role:
        return ""
    if role == "system":
        return ""
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def _field(model, key: str) -> models.Field | None:
    if model is None:
        return None
    for name in dict.fromkeys((key, key.removesuffix("_id"))):
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            f = None
        if isinstance(f, models.Field):  # not a reverse relation
            return f
    return None


def _sibling_model(model, key: str):
    """A model of the target's app named like ``key`` (``survey`` on an evaluation event)."""
    if model is None:
        return None
    try:
        return apps.get_model(model._meta.app_label, key.removesuffix("_id"))
    except LookupError:
        return None


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return join_list(_plain(v) for v in value) or "—"
    if isinstance(value, dict):
        return _record_text(value)
    text = str(value)
    when = parse_datetime(text) if "T" in text and len(text) >= 16 else None
    if when is not None:
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        return f"{when:%Y-%m-%d %H:%M}"
    return str(VALUE_WORDS.get(text, text))


_NAME_KEYS = ("name", "title", "label", "line")
_QUIET_KEYS = {"id", "code", "guidance", "description", "note", "evidence"}


def _record_text(value: dict) -> str:
    """A dict in a payload (an indicator, a scoring factor, a budget line) as words: its
    name, then its other short values — ``上门探访（1200，人次）``, not raw JSON."""
    name = next((str(value[k]) for k in _NAME_KEYS if value.get(k) not in (None, "")), "")
    rest = [
        str(v)
        for k, v in value.items()
        if k not in _NAME_KEYS
        and k not in _QUIET_KEYS
        and v not in (None, "")
        and not isinstance(v, list | dict)
    ]
    if not name:
        return json.dumps(value, ensure_ascii=False)
    return f"{name}（{'，'.join(rest)}）" if rest else name


def _is_money(f: models.Field | None) -> bool:
    return isinstance(f, models.DecimalField) and f.decimal_places == 2 and f.max_digits >= 12


class _Names:
    """Related objects' names for a page of events: one query per related model."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], str], str] = {}

    def want(self, model, pk) -> None:
        if pk not in (None, "") and not isinstance(pk, list | dict | bool):
            self.wanted[model].add(str(pk))

    def fetch(self) -> None:
        for model, pks in self.wanted.items():
            ints = [int(p) for p in pks if p.isdigit()]
            if not ints:
                continue
            for obj in model._default_manager.filter(pk__in=ints)[:500]:
                self.found[(model, str(obj.pk))] = str(obj)

    def name(self, model, pk) -> str:
        return self.found.get((model, str(pk)), f"#{pk}")


def _value(model, key: str, f: models.Field | None, value: Any, names: _Names) -> str:
    if value is None or value == "":
        return "—"
    if f is None and key in ("from", "to"):
        f = _field(model, "status")
    if f is not None and f.is_relation and f.many_to_one:
        return names.name(f.related_model, value)
    if f is not None and f.choices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        if isinstance(value, list):
            return join_list(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if _is_money(f) or (f is None and key == "amount"):
        try:
            return format_yuan(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    sibling = _sibling_model(model, key) if f is None else None
    if sibling is not None and isinstance(value, int):
        return f"#{value}"
    if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        return str(value)
    return _plain(value)


def _label(model, key: str, f: models.Field | None) -> str:
    if f is not None:
        label = str(f.verbose_name)
        if label == f.name.replace("_", " ") and f.is_relation and f.related_model:
            return str(f.related_model._meta.verbose_name)  # no verbose_name of its own
        return label
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    sibling = _sibling_model(model, key)
    if sibling is not None:
        return str(sibling._meta.verbose_name)
    return key


def _changes(event: AuditEvent, model, names: _Names) -> list[Change]:
    old, new = event.old, event.new
    if not isinstance(old, dict) or not isinstance(new, dict):
        out = []
        if old not in (None, {}, []) and not isinstance(old, dict):
            out.append(Change(_("原值"), old=_plain(old)))
        if new not in (None, {}, []) and not isinstance(new, dict):
            out.append(Change(_("新值"), new=_plain(new)))
        old = old if isinstance(old, dict) else {}
        new = new if isinstance(new, dict) else {}
        if out and not old and not new:
            return out
    else:
        out = []
    for key in list(dict.fromkeys([*old.keys(), *new.keys()])):
        f = _field(model, key)
        label = _label(model, key, f)
        has_old, has_new = key in old, key in new
        o = _value(model, key, f, old.get(key), names) if has_old else None
        n = _value(model, key, f, new.get(key), names) if has_new else None
        if has_old and has_new and o == n:
            out.append(Change(label, new=n))
        else:
            out.append(Change(label, old=o, new=n))
    return out


def _want_related(event: AuditEvent, model, names: _Names) -> None:
    for payload in (event.old, event.new):
        if not isinstance(payload, dict):
            continue
        for key, value in payload.items():
            f = _field(model, key)
            if f is not None and f.is_relation and f.many_to_one:
                names.want(f.related_model, value)


def object_url(target_type: str, target_id: str) -> str | None:
    name = OBJECT_PAGES.get(target_type)
    if not name or not str(target_id).isdigit():
        return None
    try:
        return reverse(name, args=[int(target_id)])
    except NoReverseMatch:
        return None


def describe(events: Iterable[AuditEvent], *, actor=None) -> list[EventView]:
    """Each event as a readable view (see the module's docstring); with ``actor``, an object
    is linked only when that person may open its page."""
    events = list(events)
    openable = _openable(events, actor) if actor is not None else {}
    names = _Names()
    models_of = {e.pk: _model(e.target_type) for e in events}
    for e in events:
        _want_related(e, models_of[e.pk], names)
    names.fetch()
    out = []
    for e in events:
        model = models_of[e.pk]
        out.append(
            EventView(
                event=e,
                actor=e.actor_label or _("系统"),
                role=role_label(e.actor_role),
                action=e.get_kind_display(),
                object_type=str(model._meta.verbose_name) if model else (e.target_type or ""),
                object_label=e.target_label or (f"#{e.target_id}" if e.target_id else ""),
                url=object_url(e.target_type, e.target_id)
                if e.target_type not in openable
                or (str(e.target_id).isdigit() and int(e.target_id) in openable[e.target_type])
                else None,
                changes=_changes(e, model, names),
            )
        )
    return out
