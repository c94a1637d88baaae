"""The row editor (caidan/web/rows.py): rows read in page order with blank rows dropped (so a
message's row number is the row on the page), values re-rendered as typed, totals of the
money columns, the hidden form a confirmation page carries, and every problem of a row field
shown under it by ``form_add_error``."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.http import QueryDict
from pydantic import Field

from caidan.common.errors import DomainError, field_error, form_add_error
from caidan.common.inputs import Input, Money, RequiredText
from caidan.web.rows import Column, RowsField

COLUMNS = (Column("line", "科目"), Column("amount", "金额", money=True))


class LinesForm(forms.Form):
    title = forms.CharField(required=False)
    lines = RowsField(label="明细", required=False, columns=COLUMNS, extra=2)


class Line(Input):
    line: RequiredText(20, title="科目")
    amount: Money = Field(title="金额")


class Lines(Input):
    lines: list[Line] | None = Field(default=None, title="明细")


def _post(pairs: dict[str, str]) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in pairs.items():
        q[k] = v
    return q


def test_rows_in_page_order_blank_rows_dropped_values_stripped():
    form = LinesForm(
        _post(
            {
                "lines-10-line": "管理费",
                "lines-10-amount": "5",
                "lines-2-line": " 人员费 ",
                "lines-2-amount": "1,000.50",
                "lines-3-line": "",
                "lines-3-amount": " ",
                "lines-1000-line": "too far",  # no page has that many rows
                "lines-x-line": "not a row",
                "other-0-line": "another field",
            }
        )
    )
    assert form.is_valid()
    assert form.cleaned_data["lines"] == [
        {"line": "人员费", "amount": "1,000.50"},
        {"line": "管理费", "amount": "5"},
    ]


def test_required_means_at_least_one_row():
    class Required(forms.Form):
        lines = RowsField(label="明细", columns=COLUMNS)

    form = Required(_post({"lines-0-line": "", "lines-0-amount": ""}))
    assert not form.is_valid() and "lines" in form.errors
    assert Required(_post({"lines-0-line": "a", "lines-0-amount": ""})).is_valid()


def test_rendered_rows_numbered_with_blank_rows_and_totals():
    form = LinesForm(initial={"lines": [{"line": "人员费", "amount": "1234.5"}]})
    html = str(form["lines"])
    assert 'name="lines-0-line" id="id_lines-0-line" value="人员费"' in html
    assert 'aria-label="第 1 行科目"' in html and 'aria-label="第 3 行金额"' in html
    assert 'name="lines-2-amount"' in html and 'name="lines-3-amount"' not in html  # 2 blank
    assert 'data-testid="total-lines-amount">1,234.50<' in html
    assert 'name="lines-__n__-line"' in html  # the row the script adds
    assert "rows.js" in html
    # A cell that is not a number: no total rather than a wrong one.
    bad = LinesForm(_post({"lines-0-line": "a", "lines-0-amount": "一千"}))
    assert 'data-testid="total-lines-amount">—<' in str(bad["lines"])
    # Typed values come back as typed, HTML escaped.
    typed = LinesForm(_post({"lines-0-line": '<b>"x"</b>', "lines-0-amount": "-0.01"}))
    html = str(typed["lines"])
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in html and 'value="-0.01"' in html


def test_hidden_rows_carry_the_form_through_a_confirmation():
    data = _post({"lines-0-line": "人员费", "lines-0-amount": "10", "lines-5-line": "活动费"})
    form = LinesForm(data)
    assert form.is_valid()
    hidden = form["lines"].as_hidden()
    assert 'type="text"' not in hidden
    again = LinesForm(_post(dict(re.findall(r'name="([^"]+)" value="([^"]*)"', hidden))))
    assert again.is_valid()
    assert again.cleaned_data["lines"] == form.cleaned_data["lines"]


def test_every_problem_of_the_rows_is_shown_under_the_field():
    form = LinesForm(
        _post(
            {"lines-0-line": "", "lines-0-amount": "1", "lines-1-line": "b", "lines-1-amount": "x"}
        )
    )
    assert form.is_valid()
    with pytest.raises(DomainError) as refused:
        Lines.parse(lines=form.cleaned_data["lines"])
    form_add_error(form, refused.value)
    first, second = form.errors["lines"]
    assert first == "请填写明细第 1 行的科目。"
    assert second.startswith("明细第 2 行的金额须为以元计的金额")
    assert len(form.errors["lines"]) == 2 and not form.non_field_errors()
    # A refusal naming the field itself (a rule across the rows) goes under it too.
    form = LinesForm(_post({"lines-0-line": "a", "lines-0-amount": "1"}))
    assert form.is_valid()
    form_add_error(form, field_error("lines", "合计须等于合同金额。"))
    assert form.errors["lines"] == ["合计须等于合同金额。"]
