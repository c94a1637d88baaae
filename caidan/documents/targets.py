"""Which records documents may be attached to, and who may attach and publish them.

Documents are a low layer: they import no domain app. Each app registers its attachable
record types here (from its ``permissions`` module, loaded by ``AppConfig.ready``)::

    register_target(
        "procurement.tender",
        model="procurement.Tender",
        perm="procurement.manage",
        publish_perm="procurement.manage",
        route="POST /api/v1/procurement/tenders/{id}/documents",
    )

``document_upload`` asks ``attach_check`` on every attachment, whichever route it came
through (the generic upload or an app's own service): the actor must hold ``perm`` on the
record (the permission that changing the record needs), and may mark the document public
only with ``publish_perm`` (``None``: documents on such records are never public). A
``route`` marks a record type that has its own attachment service (with its own state
rules: a late tender document is an amendment); the generic upload refuses it and names
that route. Unknown record types are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from caidan.common.actor import Actor
from caidan.common.errors import NotFound, PermissionDenied, field_error
from caidan.documents.codes import Code

MAX_PK = 2**63 - 1


@dataclass(frozen=True)
class Target:
    target_type: str
    load: Callable[[int], Any]
    perm: str
    publish_perm: str | None = None
    perm_object: Callable[[Any], Any] | None = None
    route: str | None = None
    label: str = ""


TARGETS: dict[str, Target] = {}


def _model_loader(label: str) -> Callable[[int], Any]:
    def load(pk: int):
        from django.apps import apps

        return apps.get_model(label).objects.filter(pk=pk).first()

    return load


def register_target(
    target_type: str,
    *,
    perm: str,
    model: str | None = None,
    load: Callable[[int], Any] | None = None,
    publish_perm: str | None = None,
    perm_object: Callable[[Any], Any] | None = None,
    route: str | None = None,
    label: str = "",
) -> None:
    """Declare that documents may be attached to ``target_type`` records.

    ``model`` ("app.Model") or ``load(pk) -> obj | None`` finds the record; ``perm`` is
    required on ``perm_object(obj)`` (default: the record itself) to attach; ``publish_perm``
    to mark the document public; ``route`` names the app's own attachment route."""
    if (model is None) == (load is None):
        raise ValueError("register_target needs exactly one of model= or load=")
    TARGETS[target_type] = Target(
        target_type=target_type,
        load=load or _model_loader(model),
        perm=perm,
        publish_perm=publish_perm,
        perm_object=perm_object,
        route=route,
        label=label or target_type,
    )


def target_for(target_type: str) -> Target:
    target = TARGETS.get(target_type)
    if target is None:
        known = "、".join(sorted(TARGETS)) or "（无）"
        raise field_error(
            "target_type",
            _("不能向“%(target_type)s”类型的对象添加附件。可添加附件的对象类型：%(known)s。")
            % {"target_type": target_type, "known": known},
            code=Code.UNKNOWN_TARGET_TYPE,
        )
    return target


def attach_check(
    *,
    actor: Actor,
    target_type: str,
    target_id: str,
    is_public: bool,
    generic: bool = False,
) -> Any:
    """Refuse unless ``actor`` may attach a document (public or not) to the record; return
    the record. ``generic`` is True for the generic upload (``POST /api/v1/documents``,
    the documents page): it may not attach to records that have their own route."""
    from caidan.common.permissions import require

    target = target_for(target_type)
    if target.route and generic:
        raise field_error(
            "target_type",
            _("“%(label)s”的附件须通过其专用功能添加（%(route)s），以便同时执行该对象的状态规则。")
            % {"label": target.label, "route": target.route},
            code=Code.USE_DEDICATED_ROUTE,
        )
    if not target_id.isdigit() or not 0 < int(target_id) <= MAX_PK:
        raise field_error("target_id", _("关联对象编号应为正整数。"))
    obj = target.load(int(target_id))
    if obj is None:
        raise NotFound(
            _("找不到要添加附件的对象（%(target_type)s %(target_id)s）。")
            % {"target_type": target_type, "target_id": target_id},
            code=Code.TARGET_NOT_FOUND,
            detail={"field": "target_id"},
        )
    scoped = target.perm_object(obj) if target.perm_object else obj
    require(actor, target.perm, scoped)
    if is_public:
        if target.publish_perm is None:
            raise PermissionDenied(
                _("“%(label)s”的附件不能设为公开。") % {"label": target.label},
                code=Code.PUBLISH_NOT_ALLOWED,
                detail={"field": "is_public"},
            )
        require(actor, target.publish_perm, scoped)
    return obj
