"""What the contract pages share: the confirmation page, terms and changes shown to people,
the history rows, and the check that the reader sees the whole record."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.errors import PermissionDenied
from caidan.common.perms import Perm

from .. import forms, selectors


def query_without_cursor(request) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


def confirm(request, *, contract, title, warning, action_label, form=None, danger=False, **extra):
    """A confirmation page. ``extra`` may hold ``facts`` (label, value pairs shown above the
    form), ``reasons`` (why it cannot be done now), ``error`` and ``can_submit``."""
    return render(
        request,
        "contracts/confirm.html",
        {
            "c": contract,
            "title": title,
            "warning": warning,
            "action_label": action_label,
            "form": form,
            "danger": danger,
            "can_submit": extra.pop("can_submit", True),
            **extra,
        },
    )


def display(value) -> str:
    """A term's value in an amendment or version, for people."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _g("是") if value else _g("否")
    if isinstance(value, list):
        if all(isinstance(v, int | str) for v in value):
            return " / ".join(str(v) for v in value)
        return "；".join(_item(v) for v in value)
    return str(value)


def _item(v) -> str:
    """One row of a list term: an indicator (name, target, unit) or a budget line."""
    if not isinstance(v, dict):
        return str(v)
    if "line" in v:
        return f"{v.get('line', '')} {v.get('amount', '')} {_g('元')}".strip()
    return f"{v.get('name', '')} {v.get('target', '')}{v.get('unit', '')}".strip()


def change_rows(changes: dict) -> list[dict]:
    labels = forms.term_labels()
    return [
        {"label": labels.get(k, k), "old": display(old), "new": display(new)}
        for k, (old, new) in changes.items()
    ]


def term_rows(terms: dict) -> list[tuple[str, str]]:
    labels = forms.term_labels()
    return [(labels.get(k, k), display(v)) for k, v in terms.items()]


def history_rows(contract, actor) -> list[dict]:
    return [
        {"at": e.at, "kind": e.get_kind_display(), "who": e.actor_label, "note": e.note}
        for e in selectors.contract_history(contract, actor=actor)
    ]


def require_full(actor, contract) -> None:
    if not selectors.sees_full_contract(actor, contract):
        require(actor, Perm.CONTRACTS_OVERSEE)  # 401 for anonymous visitors, else 403
        raise PermissionDenied(_("只有合同双方、平台管理员和审计人员可以查看。"))
