"""A row editor for a list of small records typed in a form (indicators: name, target, unit;
fund-usage lines: budget line, budgeted, spent; a contract's budget lines).

One table, one row per record, one input per column, named ``<field>-<n>-<column>``. The
browser script (``static/caidan/rows.js``) adds and removes rows and keeps the totals of the
money columns as you type; without it the table has ``extra`` blank rows to fill, and a row
left blank is ignored, so the form works the same. Rows are parsed here, never checked: the
service's typed input (``caidan.common.inputs``) keeps the rules and names the row and
column of a refusal (“资金使用明细第 2 行的已支出金额不能为负数。”), and ``form_add_error``
shows every such problem under the table. Blank rows are dropped
before the rows are numbered, so the row a message names is the row the page shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms


@dataclass(frozen=True)
class Column:
    """One column: ``key`` in each row's dict, its label, ``money`` for an amount (a total
    under the column, a decimal keyboard on phones), ``width`` in characters of the input."""

    key: str
    label: Any
    money: bool = False
    width: int = 0
    placeholder: Any = ""
    # ``((value, label), ...)``: a list to pick from (a ``<select>``) instead of typing
    choices: tuple = ()


def _money_total(values: list[str]) -> str:
    """The total of a money column as the page shows it (``1,234.50``); “—” while a cell is
    not a number (the server will say which)."""
    total = Decimal("0.00")
    for value in values:
        text = (value or "").strip().replace(",", "")
        if not text:
            continue
        try:
            number = Decimal(text)
        except InvalidOperation:
            return "—"  # a cell the server will refuse: no total rather than a wrong one
        if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
            return "—"
        total += number
    return f"{total:,.2f}"


class RowsWidget(forms.Widget):
    template_name = "web/_rows_widget.html"

    def __init__(self, columns: tuple[Column, ...], *, extra: int = 2, add_label="", attrs=None):
        super().__init__(attrs)
        self.columns = tuple(columns)
        self.extra = extra
        self.add_label = add_label

    def _pattern(self, name: str) -> re.Pattern:
        keys = "|".join(re.escape(c.key) for c in self.columns)
        return re.compile(rf"^{re.escape(name)}-(\d+)-({keys})$")

    def value_from_datadict(self, data, files, name):
        """The rows posted, in their order on the page, blank rows left out."""
        pattern = self._pattern(name)
        rows: dict[int, dict[str, str]] = {}
        for key in data:
            m = pattern.match(key)
            if m and int(m.group(1)) < 1000:  # a page never has that many rows
                value = data.get(key)
                rows.setdefault(int(m.group(1)), {})[m.group(2)] = (
                    value if isinstance(value, str) else ""
                )
        out = []
        for index in sorted(rows):
            row = {c.key: rows[index].get(c.key, "").strip() for c in self.columns}
            if any(row.values()):
                out.append(row)
        return out

    def value_omitted_from_data(self, data, files, name):
        pattern = self._pattern(name)
        return not any(pattern.match(key) for key in data)

    def format_value(self, value):
        rows = []
        for row in value or []:
            if isinstance(row, dict):
                rows.append(
                    {c.key: "" if row.get(c.key) is None else str(row[c.key]) for c in self.columns}
                )
        return rows

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = context["widget"]["value"] or []
        blank = {c.key: "" for c in self.columns}
        shown = [*rows, *([blank] * self.extra)] or [blank]

        def cells(index, row):
            return [
                {
                    "column": c,
                    "name": f"{name}-{index}-{c.key}",
                    "id": f"id_{name}-{index}-{c.key}",
                    "value": row.get(c.key, ""),
                }
                for c in self.columns
            ]

        totals = None
        if any(c.money for c in self.columns):
            totals = [
                {
                    "column": c,
                    "value": _money_total([r.get(c.key, "") for r in rows]) if c.money else None,
                }
                for c in self.columns
            ]
        context["widget"].update(
            {
                "columns": self.columns,
                "rows": [
                    {"number": n, "cells": cells(n - 1, row)} for n, row in enumerate(shown, 1)
                ],
                "template_cells": cells("__n__", blank),
                "totals": totals,
                "add_label": self.add_label,
            }
        )
        return context

    def id_for_label(self, id_):
        return f"{id_}-0-{self.columns[0].key}" if id_ else id_


class RowsHiddenWidget(RowsWidget):
    """The rows as hidden inputs (a confirmation page carries the form along)."""

    template_name = "web/_rows_hidden.html"
    input_type = "hidden"
    is_hidden = True

    def __init__(self, columns: tuple[Column, ...] = (), **kwargs):
        super().__init__(columns, extra=0, **kwargs)


class RowsField(forms.Field):
    """A list of rows (dicts of stripped strings, blank rows dropped); ``required`` means
    at least one row. The values are checked by the service's input, not here."""

    widget = RowsWidget
    row_errors = True  # caidan.common.errors.form_add_error puts each row's problem here

    def __init__(self, *, columns: tuple[Column, ...], extra: int = 2, add_label="", **kwargs):
        kwargs.setdefault("widget", RowsWidget(columns, extra=extra, add_label=add_label))
        self.hidden_widget = lambda: RowsHiddenWidget(columns)  # noqa: E731 - as_hidden() calls it
        super().__init__(**kwargs)
        self.columns = tuple(columns)

    def to_python(self, value):
        return [dict(row) for row in value or []]

    def validate(self, value):
        # no rows is empty ([] is among Field.empty_values): Django's own "required" error
        super().validate(value or [])

    def has_changed(self, initial, data):
        return self.widget.format_value(initial) != self.widget.format_value(data)
