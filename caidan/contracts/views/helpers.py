"""What the contract pages share: the confirmation page, terms and changes shown to people,
the history rows, and the check that the reader sees the whole record."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from caidan.accounts.permissions import require
from caidan.common.errors import PermissionDenied
from caidan.common.money import format_yuan
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


MONEY_TERMS = ("amount", "performance_security")
DATE_TERMS = ("period_start", "period_end")


def display(value, key: str | None = None) -> str:
    """A term's value in an amendment or version, for people: money as ¥1,234.00, dates in
    the page's language, the payment split as percentages, budget lines and indicators one a
    line — whether the value comes from the contract (Decimal, date) or from a stored
    amendment (the same as text)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _g("是") if value else _g("否")
    if key in MONEY_TERMS:
        with contextlib.suppress(InvalidOperation, ValueError):
            return format_yuan(Decimal(str(value).replace(",", "")))
    if key in DATE_TERMS:
        day = value
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                day = dt.date.fromisoformat(value)
        if isinstance(day, dt.date):
            return date_format(day, "DATE_FORMAT")
    if key == "payment_split" and isinstance(value, list):
        return " / ".join(f"{v}%" for v in value)
    if key == "renewal_years":
        return _g("%(n)s 年") % {"n": value}
    if isinstance(value, list):
        if all(isinstance(v, int | str) for v in value):
            return " / ".join(str(v) for v in value)
        return "\n".join(_item(v) for v in value)
    return str(value)


def _item(v) -> str:
    """One row of a list term: an indicator (name, target, unit) or a budget line."""
    if not isinstance(v, dict):
        return str(v)
    if "line" in v:
        amount = v.get("amount", "")
        with contextlib.suppress(InvalidOperation, ValueError):
            amount = format_yuan(Decimal(str(amount).replace(",", "")))
        return f"{v.get('line', '')} {amount}".strip()
    return f"{v.get('name', '')} {v.get('target', '')}{v.get('unit', '')}".strip()


def change_rows(changes: dict) -> list[dict]:
    labels = forms.term_labels()
    return [
        {"label": labels.get(k, k), "old": display(old, k), "new": display(new, k)}
        for k, (old, new) in changes.items()
    ]


def term_rows(terms: dict) -> list[tuple[str, str]]:
    labels = forms.term_labels()
    return [(labels.get(k, k), display(v, k)) for k, v in terms.items()]


def history_rows(contract, actor) -> list[dict]:
    return [
        {"at": e.at, "kind": e.get_kind_display(), "who": e.actor_label, "note": e.note}
        for e in selectors.contract_history(contract, actor=actor)
    ]


def require_full(actor, contract) -> None:
    if not selectors.sees_full_contract(actor, contract):
        require(actor, Perm.CONTRACTS_OVERSEE)  # 401 for anonymous visitors, else 403
        raise PermissionDenied(_("只有合同双方、平台管理员和审计人员可以查看。"))
