"""Every character put in a PDF is one the font draws (no box for −, ·, ✓ …)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from caidan.common.pdf import Styles, build, para, table
from caidan.common.pdf_glyphs import COVERED, MISSING, SUBSTITUTES, covered, printable


def test_the_coverage_table_is_sorted_and_disjoint():
    for (a, b), (c, _) in zip(COVERED, COVERED[1:], strict=False):
        assert a <= b < c - 1


def test_known_characters():
    for (
        char
    ) in "政府购买服务合同壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整（）：；“”—…×÷¥￥－・√□■〓0aZ%":
        assert covered(char), char
    for char in "\u2212\u00b7\u2022\u2713\u2610\u00a0\U00020bb7":  # − · • ✓ ☐ nbsp 𠮷
        assert not covered(char), char


def test_printable_replaces_each_uncovered_character_with_a_covered_one():
    assert printable("（计划成本 − 实际成本）") == "（计划成本 － 实际成本）"
    assert printable("阿依古丽·买买提") == "阿依古丽・买买提"
    assert printable("吉\U00020bb7") == "吉" + MISSING
    assert printable("第一行\n第二行\r") == "第一行\n第二行"
    for original, sub in SUBSTITUTES.items():
        assert all(covered(c) for c in sub), original


def test_a_built_pdf_carries_only_covered_characters():
    s = Styles()
    story = [
        para("成本节约率 = （计划成本 − 实际成本）÷ 计划成本", s.body),
        para("负责人：阿依古丽·买买提 ✓", s.body),
        table([["扣分", "得分"], ["−2", "98"]], (40, 40)),
    ]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(build(story, title="t"))).pages)
    assert "（计划成本 － 实际成本）" in text and "－2" in text and "阿依古丽・买买提 √" in text
    assert [c for c in text if not c.isspace() and not covered(c)] == []


def test_the_evaluation_report_formulas_print_without_a_box():
    """The evaluation report prints each computed indicator's formula (成本节约率 has a
    minus sign, which printed as a box)."""
    from caidan.evaluations.formulas import FORMULAS

    s = Styles()
    story = [para(text, s.body) for text in FORMULAS.values()]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(build(story, title="t"))).pages)
    assert "（计划成本 － 实际成本）" in text
    assert [c for c in text if not c.isspace() and not covered(c)] == []
